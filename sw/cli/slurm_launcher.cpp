#include "slurm_launcher.hpp"

#include <cstdio>
#include <filesystem>

#include <fmt/core.h>

namespace ocelli::cli {
namespace {

std::string exit_path(const GroupJob& j) { return j.report_path + ".exit"; }

}  // namespace

slurm::ArrayJobSpec SlurmLauncher::spec(const std::vector<GroupJob>& jobs) const {
  slurm::ArrayJobSpec s{"ocelli-run", job_dir_, {}};
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  for (const auto& j : jobs) {
    std::vector<std::string> argv{exe};
    argv.insert(argv.end(), j.args.begin(), j.args.end());
    s.tasks.push_back({slurm::TaskCommand{argv, j.log_path, exit_path(j)}});
  }
  return s;
}

void SlurmLauncher::print_dry_run(const std::vector<GroupJob>& jobs) const {
  slurm::ArrayJob(spec(jobs), options_).print_dry_run();
}

std::vector<GroupEnd> SlurmLauncher::run(const std::vector<GroupJob>& jobs, const std::vector<LayerGroup>& groups) {
  slurm::ArrayJob job(spec(jobs), options_);
  job.submit();
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    fmt::print("group {}/{}: Slurm task {}, log {}\n", k + 1, jobs.size(), job.task_job_id(k), jobs[k].log_path);
  }
  std::fflush(stdout);
  std::vector<GroupEnd> ends(jobs.size());
  job.wait([&](std::size_t k) {
    const auto code = slurm::read_exit_code(exit_path(jobs[k]));
    ends[k].exit_code = code ? *code : 2;
    if (!code || job.task_state(k) != "COMPLETED") ends[k].scheduler_note = job.describe(k);
    fmt::print("[group {}/{}] Slurm task {} ended {}{}\n", k + 1, jobs.size(), job.task_job_id(k), job.task_state(k),
               code ? fmt::format(", exit code {}", *code) : std::string(", no exit code"));
    std::fflush(stdout);
  });
  return ends;
}

}  // namespace ocelli::cli
