// `ocelli run --jobs N`: a program's layers split into N contiguous groups of about equal estimated cycles, each run
// by a child process (`ocelli run --from <first> --to <last>`, whose input is the golden output of the layer before
// its first), merged into one run record. Every layer's counters restart at its start (docs/isa.md), so each layer
// gives the same cycles as in the chained run (Runtime.SplitRunGivesTheChainedCycles).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocelli/driver/run_record.hpp"

namespace ocelli::cli {

struct LayerGroup {
  std::size_t first = 0, last = 0;  // layer indices, inclusive
  std::uint64_t estimated_cycles = 0;
};

// Contiguous groups, at most `jobs`, that minimise the largest group's estimate (every group non-empty).
std::vector<LayerGroup> split_layers(const std::vector<std::uint64_t>& estimates, int jobs);

struct SplitRunResult {
  driver::RunRecord record;   // merged: the groups' layers in program order
  std::uint64_t total_cycles = 0;
  int exit_code = 0;          // 0 passed, 1 mismatch, 2 other failure (the worst group's; a group without a
                              // readable record, a crashed child or an incomplete record count as 2)
  std::string failure;        // the first failing group's message
};

// Runs `groups` of `layer_names` as child processes of this executable: `child_args[k]` are the `ocelli run`
// arguments group k gets (program and options, without --from/--to/--report). Child logs and records go to `log_dir`.
// Prints a line per finished layer with the ETA of the whole run (from `estimates`, the mapper's cycles per layer).
SplitRunResult run_split(const std::vector<std::vector<std::string>>& child_args,
                         const std::vector<std::string>& layer_names,
                         const std::vector<std::uint64_t>& estimates, const std::vector<LayerGroup>& groups,
                         const std::string& log_dir);

}  // namespace ocelli::cli
