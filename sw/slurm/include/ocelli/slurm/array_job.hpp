// A Slurm job array: one batch script whose task k runs a few commands, each with its own log and a file that
// receives its exit code; submitted with `sbatch --parsable`, then waited for by asking squeue about its tasks with
// a back-off (docs/cluster.md says why this way).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ocelli/slurm/options.hpp"

namespace ocelli::slurm {

struct TaskCommand {
  std::vector<std::string> argv;  // argv[0]: an absolute path (the nodes run it)
  std::string log_path;           // its stdout and stderr
  std::string exit_path;          // its exit code, written when it ends
};

struct ArrayJobSpec {
  std::string name;                              // sbatch --job-name
  std::string dir;                               // the script, and Slurm's output of each task
  std::vector<std::vector<TaskCommand>> tasks;   // task k runs tasks[k] one after another
};

// The batch script (task k: the commands of tasks[k]; exit status: the last failing command's).
std::string batch_script(const ArrayJobSpec& spec);
// The sbatch command line that submits the script (written to script_path(spec)).
std::vector<std::string> sbatch_command(const ArrayJobSpec& spec, const Options& o);
std::string script_path(const ArrayJobSpec& spec);

// Slurm's job states that end a task (squeue %T).
bool is_terminal_state(const std::string& state);

// The exit code a command wrote, if it ended.
std::optional<int> read_exit_code(const std::string& path);

class ArrayJob {
 public:
  ArrayJob(ArrayJobSpec spec, Options options);

  // The command and the script, as they would be submitted.
  void print_dry_run() const;
  // Writes the script, removes stale exit files, submits; throws std::runtime_error with sbatch's message.
  void submit();
  // Returns when every task has ended; calls on_task_end(k) once per task as it ends. Throws std::runtime_error
  // when slurmctld cannot be reached for unreachable_timeout() seconds in a row (the message names the job to
  // scancel).
  void wait(const std::function<void(std::size_t task)>& on_task_end);

  const std::string& job_id() const { return job_id_; }
  std::string task_job_id(std::size_t k) const;  // "<array job id>_<k>"
  // Slurm's last state of task k ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", ...; "UNKNOWN" if it left the
  // queue unseen).
  const std::string& task_state(std::size_t k) const { return states_.at(k); }
  std::string slurm_output(std::size_t k) const;  // Slurm's own output file of task k
  // One line for a task that did not end well: its job id, Slurm state and output file.
  std::string describe(std::size_t k) const;

  static constexpr double kUnreachableSeconds = 120.0;
  double unreachable_timeout() const { return unreachable_timeout_; }
  void set_unreachable_timeout(double seconds) { unreachable_timeout_ = seconds; }

 private:
  void wait_for_exit_files(std::size_t k) const;

  ArrayJobSpec spec_;
  Options options_;
  std::string job_id_;
  std::vector<std::string> states_;
  double unreachable_timeout_ = kUnreachableSeconds;
};

}  // namespace ocelli::slurm
