#include "ocelli/slurm/array_job.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/core.h>

#include "ocelli/slurm/command.hpp"

namespace ocelli::slurm {
namespace {

using Clock = std::chrono::steady_clock;

constexpr double kClientTimeoutSeconds = 120.0;  // one sbatch or squeue call
constexpr double kFirstDelaySeconds = 1.0, kMaxDelaySeconds = 30.0;
constexpr double kExitFileGraceSeconds = 15.0;  // a shared filesystem may show a node's file late

std::string hint_for_missing_client(const std::string& tool) {
  return fmt::format("{} not found: the Slurm client tools are not installed here (Debian: slurm-client); for a "
                     "single-node cluster on this machine run scripts/slurm-cluster.sh (docs/cluster.md)", tool);
}

// The job of one `squeue` line: "<array id>_<task> <state> <reason>" (a line of still-pending tasks may read
// "<id>_[2-5]" on some versions: those tasks stay as they were).
struct QueueLine {
  std::size_t task = 0;
  std::string state, reason;
};

std::optional<QueueLine> parse_queue_line(const std::string& line, const std::string& job_id) {
  std::istringstream in(line);
  std::string id;
  QueueLine q;
  if (!(in >> id >> q.state)) return std::nullopt;
  std::getline(in >> std::ws, q.reason);
  const std::string prefix = job_id + "_";
  if (id.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string digits = id.substr(prefix.size());
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  q.task = std::stoul(digits);
  return q;
}

}  // namespace

bool is_terminal_state(const std::string& state) {
  static const char* const kTerminal[] = {"COMPLETED", "FAILED",    "CANCELLED", "TIMEOUT",  "NODE_FAIL",
                                          "PREEMPTED", "BOOT_FAIL", "DEADLINE",  "OUT_OF_MEMORY", "UNKNOWN"};
  return std::find(std::begin(kTerminal), std::end(kTerminal), state) != std::end(kTerminal);
}

std::optional<int> read_exit_code(const std::string& path) {
  std::ifstream in(path);
  int code = 0;
  if (in >> code) return code;
  return std::nullopt;
}

std::string script_path(const ArrayJobSpec& spec) { return fmt::format("{}/{}.sbatch", spec.dir, spec.name); }

std::string batch_script(const ArrayJobSpec& spec) {
  std::string s = fmt::format(
      "#!/bin/bash\n"
      "# {}: a Slurm job array of {} tasks written by ocelli (docs/cluster.md). Task k runs its commands one after\n"
      "# another; each command's output goes to its log and its exit code to its .exit file; the task exits with the\n"
      "# last failing command's code. Run one task by hand: SLURM_ARRAY_TASK_ID=k bash {}\n"
      "set -u\n"
      "echo \"ocelli task ${{SLURM_ARRAY_JOB_ID:-?}}_${{SLURM_ARRAY_TASK_ID:-?}} on $(hostname)\" \\\n"
      "     \"at $(date -u +%FT%TZ)\"\n"
      "status=0\n"
      "run() {{  # <log> <exit file> <command...>\n"
      "  local log=$1 exit_file=$2\n"
      "  shift 2\n"
      "  \"$@\" >\"$log\" 2>&1\n"
      "  local rc=$?\n"
      "  echo \"$rc\" >\"$exit_file\"\n"
      "  if [ \"$rc\" -ne 0 ]; then status=$rc; echo \"exit code $rc: $*\"; fi\n"
      "}}\n"
      "case \"${{SLURM_ARRAY_TASK_ID:-}}\" in\n",
      spec.name, spec.tasks.size(), shell_quote(script_path(spec)));
  for (std::size_t k = 0; k < spec.tasks.size(); ++k) {
    s += fmt::format("  {})\n", k);
    for (const auto& c : spec.tasks[k]) {
      s += fmt::format("    run {} {} {}\n", shell_quote(c.log_path), shell_quote(c.exit_path), shell_line(c.argv));
    }
    s += "    ;;\n";
  }
  s += "  *)\n"
       "    echo \"no task '${SLURM_ARRAY_TASK_ID:-}' in this script (0..";
  s += fmt::format("{})\" >&2\n    exit 2\n    ;;\nesac\nexit \"$status\"\n", spec.tasks.size() - 1);
  return s;
}

std::vector<std::string> sbatch_command(const ArrayJobSpec& spec, const Options& o) {
  if (spec.tasks.empty()) throw std::invalid_argument("a Slurm job array needs at least one task");
  std::string array = fmt::format("--array=0-{}", spec.tasks.size() - 1);
  if (o.max_running > 0) array += fmt::format("%{}", o.max_running);
  std::vector<std::string> cmd{"sbatch",
                               "--parsable",
                               "--job-name=" + spec.name,
                               array,
                               "--ntasks=1",
                               fmt::format("--output={}/slurm-%A_%a.out", spec.dir),
                               "--chdir=" + std::filesystem::current_path().string()};
  for (auto& a : sbatch_args(o)) cmd.push_back(a);
  cmd.push_back(script_path(spec));
  return cmd;
}

ArrayJob::ArrayJob(ArrayJobSpec spec, Options options)
    : spec_(std::move(spec)), options_(std::move(options)), states_(spec_.tasks.size(), "PENDING") {
  check(options_);
}

void ArrayJob::print_dry_run() const {
  fmt::print("dry run: would write {} and submit it with\n  {}\n\n{}", script_path(spec_),
             shell_line(sbatch_command(spec_, options_)), batch_script(spec_));
  std::fflush(stdout);
}

void ArrayJob::submit() {
  const auto cmd = sbatch_command(spec_, options_);
  std::filesystem::create_directories(spec_.dir);
  {
    std::ofstream out(script_path(spec_));
    out << batch_script(spec_);
    if (!out) throw std::runtime_error(fmt::format("cannot write the batch script '{}'", script_path(spec_)));
  }
  for (const auto& task : spec_.tasks) {
    for (const auto& c : task) std::filesystem::remove(c.exit_path);
  }
  const CommandResult r = run_command(cmd, kClientTimeoutSeconds);
  if (r.not_found) throw std::runtime_error(hint_for_missing_client("sbatch"));
  if (r.timed_out) {
    throw std::runtime_error(fmt::format("sbatch did not answer in {:.0f} s (is slurmctld reachable? `scontrol ping`)",
                                         kClientTimeoutSeconds));
  }
  std::string id = r.output.substr(0, r.output.find_first_of(";\n"));
  if (r.exit_code != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    const std::string said = r.output.substr(0, r.output.find_last_not_of(" \n") + 1);
    throw std::runtime_error(fmt::format("sbatch failed (exit code {}): {}\n  command: {}", r.exit_code,
                                         said.empty() ? "no output" : said, shell_line(cmd)));
  }
  job_id_ = id;
  fmt::print("slurm: submitted job array {} ({} tasks), script {}; `squeue -j {}` shows it, `scancel {}` cancels "
             "it\n",
             job_id_, spec_.tasks.size(), script_path(spec_), job_id_, job_id_);
  std::fflush(stdout);
}

std::string ArrayJob::task_job_id(std::size_t k) const { return fmt::format("{}_{}", job_id_, k); }

std::string ArrayJob::slurm_output(std::size_t k) const {
  return fmt::format("{}/slurm-{}_{}.out", spec_.dir, job_id_, k);
}

std::string ArrayJob::describe(std::size_t k) const {
  const std::string output = slurm_output(k);
  return fmt::format("Slurm task {} ended {}; {}", task_job_id(k), states_.at(k),
                     std::filesystem::exists(output) ? "Slurm's output " + output
                                                     : "no Slurm output (the task never started)");
}

// A task that ran its script to the end wrote its exit files on its node; a shared filesystem may show them a little
// later here.
void ArrayJob::wait_for_exit_files(std::size_t k) const {
  if (states_[k] != "COMPLETED" && states_[k] != "FAILED") return;
  const auto deadline = Clock::now() + std::chrono::duration<double>(kExitFileGraceSeconds);
  for (const auto& c : spec_.tasks[k]) {
    while (!std::filesystem::exists(c.exit_path) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

// squeue is asked about the array's tasks (every state, so ended tasks are seen until slurmctld forgets them after
// MinJobAge): after 1 s, then twice as long each time nothing changed, at most 30 s apart. Every change of the
// counts (or of the pending reason) is printed, so a run that waits says why.
void ArrayJob::wait(const std::function<void(std::size_t)>& on_task_end) {
  if (job_id_.empty()) throw std::logic_error("ArrayJob::wait before submit");
  std::vector<bool> reported(states_.size(), false);
  std::size_t ended = 0;
  double delay = kFirstDelaySeconds;
  bool unreachable = false;
  Clock::time_point unreachable_since;
  std::string last_status;
  auto end_task = [&](std::size_t k) {
    if (reported[k]) return;
    reported[k] = true;
    ++ended;
    wait_for_exit_files(k);
    on_task_end(k);
  };
  while (ended < states_.size()) {
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    const CommandResult r =
        run_command({"squeue", "--noheader", "--array", "--states=all", "--jobs=" + job_id_, "--format=%i %T %r"},
                    kClientTimeoutSeconds);
    if (r.not_found) throw std::runtime_error(hint_for_missing_client("squeue"));
    const bool forgotten = r.exit_code != 0 && r.output.find("Invalid job id") != std::string::npos;
    if (r.exit_code != 0 && !forgotten) {
      if (!unreachable) unreachable_since = Clock::now();
      unreachable = true;
      const double down = std::chrono::duration<double>(Clock::now() - unreachable_since).count();
      if (down >= unreachable_timeout_) {
        throw std::runtime_error(fmt::format(
            "slurmctld did not answer for {:.0f} s while waiting for job array {} (last squeue: {}); the job may "
            "still run: `squeue -j {}` shows it, `scancel {}` cancels it",
            down, job_id_, r.timed_out ? "no answer" : r.output, job_id_, job_id_));
      }
      fmt::print("slurm: squeue failed ({}), asking again in {:.0f} s\n",
                 r.timed_out ? "no answer" : r.output.substr(0, r.output.find('\n')), delay);
      std::fflush(stdout);
      delay = std::min(delay * 2, kMaxDelaySeconds);
      continue;
    }
    unreachable = false;
    bool changed = false;
    std::string reason;
    std::vector<bool> listed(states_.size(), false);
    if (!forgotten) {
      std::istringstream lines(r.output);
      for (std::string line; std::getline(lines, line);) {
        const auto q = parse_queue_line(line, job_id_);
        if (!q || q->task >= states_.size()) continue;
        listed[q->task] = true;
        if (q->state == "PENDING" && reason.empty()) reason = q->reason;
        if (states_[q->task] != q->state) {
          states_[q->task] = q->state;
          changed = true;
        }
      }
    }
    // A task missing from the listing has left the queue unseen. While the array is still listed, a task last seen
    // pending was cancelled (`scancel <job>_<k>` removes a pending task from the array's record without a trace; a
    // task that starts is listed on its own); any other is UNKNOWN, judged by its files alone. So is every task not
    // seen ending when slurmctld forgot the whole job.
    const bool gone = forgotten || r.output.find_first_not_of(" \n") == std::string::npos;
    for (std::size_t k = 0; k < states_.size(); ++k) {
      if (!listed[k] && !is_terminal_state(states_[k])) {
        states_[k] = !gone && states_[k] == "PENDING" ? "CANCELLED" : "UNKNOWN";
        changed = true;
      }
      if (is_terminal_state(states_[k])) end_task(k);
    }
    std::map<std::string, int> counts;
    for (const auto& s : states_) ++counts[is_terminal_state(s) ? "ended" : s == "PENDING" ? "pending" : "running"];
    const std::string status = fmt::format("{} pending{}, {} running, {} ended of {}", counts["pending"],
                                           reason.empty() || reason == "None" ? "" : " (" + reason + ")",
                                           counts["running"], counts["ended"], states_.size());
    if (status != last_status) {
      fmt::print("slurm: job {}: {}\n", job_id_, status);
      std::fflush(stdout);
      last_status = status;
    }
    delay = changed ? kFirstDelaySeconds : std::min(delay * 2, kMaxDelaySeconds);
  }
}

}  // namespace ocelli::slurm
