// Where work runs (local processes or a Slurm cluster) and the options a cluster user needs; shared by
// ocelli-regress and `ocelli run` so both take the same flags (docs/cluster.md).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace ocelli::slurm {

struct Options {
  std::string scheduler = "local";  // "local" or "slurm"
  std::string partition, account;
  std::string time_limit;           // sbatch --time (minutes, [D-]HH:MM:SS, ...)
  std::string mem_per_task;         // sbatch --mem (e.g. 2G)
  std::string extra_args;           // more sbatch arguments, whitespace-separated, passed last
  int max_running = 0;              // array throttle (--array=...%N); 0 = as many as Slurm gives
  bool dry_run = false;             // print the sbatch command and the script, submit nothing
  bool slurm() const { return scheduler == "slurm"; }
};

// Adds --scheduler and the --slurm-* options and --dry-run to `app`.
void add_cli_options(CLI::App& app, Options& o);

// Throws std::invalid_argument naming the option when a Slurm option is given without --scheduler slurm, or an
// extra argument would change what the tools rely on (--array, --output, --parsable, ...).
void check(const Options& o);

// The sbatch arguments the options stand for (after the tool's own).
std::vector<std::string> sbatch_args(const Options& o);

}  // namespace ocelli::slurm
