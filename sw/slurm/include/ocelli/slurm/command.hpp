// Running a Slurm client command (sbatch, squeue) with its output captured and a time limit, and quoting for the
// batch script.
#pragma once

#include <string>
#include <vector>

namespace ocelli::slurm {

struct CommandResult {
  int exit_code = -1;     // -1 when it did not exit on its own (not found, killed at the time limit)
  std::string output;     // stdout and stderr together
  bool not_found = false;
  bool timed_out = false;
};

// Runs argv[0] (looked up in PATH); kills it after `timeout_seconds`.
CommandResult run_command(const std::vector<std::string>& argv, double timeout_seconds);

// A word for bash: kept as it is when it holds only safe characters, single-quoted otherwise.
std::string shell_quote(const std::string& word);
std::string shell_line(const std::vector<std::string>& argv);

}  // namespace ocelli::slurm
