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

// One group's `ocelli run`: its arguments (after the executable: "run", the program, options, --from/--to/--report),
// its log and its run record.
struct GroupJob {
  std::vector<std::string> args;
  std::string log_path, report_path;
};

// How a group's process ended: its exit code (2 when it did not exit by itself), and for a group the scheduler
// ended, what the scheduler says (job id, state, where its output is); empty otherwise.
struct GroupEnd {
  int exit_code = 2;
  std::string scheduler_note;
};

// Runs the groups' processes somewhere and waits for them all.
class GroupLauncher {
 public:
  virtual ~GroupLauncher() = default;
  virtual std::vector<GroupEnd> run(const std::vector<GroupJob>& jobs, const std::vector<LayerGroup>& groups) = 0;
};

// Child processes of this executable on this machine; every finished-layer line of a child goes to the terminal with
// the ETA of the whole run (from `estimates`, the mapper's cycles per layer).
class LocalLauncher final : public GroupLauncher {
 public:
  LocalLauncher(const std::vector<std::string>& layer_names, const std::vector<std::uint64_t>& estimates)
      : layer_names_(layer_names), estimates_(estimates) {}
  std::vector<GroupEnd> run(const std::vector<GroupJob>& jobs, const std::vector<LayerGroup>& groups) override;

 private:
  const std::vector<std::string>& layer_names_;
  const std::vector<std::uint64_t>& estimates_;
};

// The jobs of `groups` (of `layer_names`): `child_args[k]` are the `ocelli run` arguments group k gets (program and
// options, without --from/--to/--report); logs and records go to `log_dir`.
std::vector<GroupJob> group_jobs(const std::vector<std::vector<std::string>>& child_args,
                                 const std::vector<std::string>& layer_names, const std::vector<LayerGroup>& groups,
                                 const std::string& log_dir);

// Runs the jobs with `launcher` and merges the groups' records into one.
SplitRunResult run_split(const std::vector<GroupJob>& jobs, const std::vector<std::string>& layer_names,
                         const std::vector<LayerGroup>& groups, GroupLauncher& launcher);

}  // namespace ocelli::cli
