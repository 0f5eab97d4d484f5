#include "ocelli/slurm/options.hpp"

#include <regex>
#include <sstream>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::slurm {
namespace {

CLI::Validator matching(const std::string& pattern, const std::string& what) {
  return CLI::Validator(
      [pattern, what](std::string& v) -> std::string {
        return std::regex_match(v, std::regex(pattern)) ? std::string() : fmt::format("'{}' is not {}", v, what);
      },
      "");
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

}  // namespace

void add_cli_options(CLI::App& app, Options& o) {
  const std::string group = "Scheduler (docs/cluster.md)";
  app.add_option("--scheduler", o.scheduler,
                 "Where the work runs: local processes, or a Slurm job array (a filesystem shared with the nodes and "
                 "the same build on every node)")
      ->check(CLI::IsMember({"local", "slurm"}))
      ->capture_default_str()
      ->group(group);
  const std::string name = "[A-Za-z0-9_.,+-]+";
  app.add_option("--slurm-partition", o.partition, "sbatch --partition")
      ->check(matching(name, "a partition name"))
      ->group(group);
  app.add_option("--slurm-account", o.account, "sbatch --account")
      ->check(matching(name, "an account name"))
      ->group(group);
  app.add_option("--slurm-time", o.time_limit, "sbatch --time: time limit of each task (e.g. 30, 1:00:00, 1-0)")
      ->check(matching(R"((UNLIMITED|INFINITE|unlimited|infinite|[0-9]+(-[0-9]+)?(:[0-9]+){0,2}))",
                       "a Slurm time limit (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM:SS or UNLIMITED)"))
      ->group(group);
  app.add_option("--slurm-mem", o.mem_per_task, "sbatch --mem: memory of each task (e.g. 2G, 500M)")
      ->check(matching("[0-9]+[KMGTkmgt]?", "a Slurm memory size (a number with an optional K, M, G or T)"))
      ->group(group);
  app.add_option("--slurm-args", o.extra_args,
                 "More sbatch arguments, whitespace-separated, passed after the others (e.g. '--qos=long "
                 "--constraint=avx2')")
      ->group(group);
  app.add_option("--slurm-max-running", o.max_running,
                 "Tasks of the array running at once (--array=...%N); 0 = as many as Slurm gives")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str()
      ->group(group);
  app.add_flag("--dry-run", o.dry_run, "With --scheduler slurm: print the sbatch command and script, submit nothing")
      ->group(group);
}

void check(const Options& o) {
  if (!o.slurm()) {
    const std::pair<bool, const char*> slurm_only[] = {
        {!o.partition.empty(), "--slurm-partition"}, {!o.account.empty(), "--slurm-account"},
        {!o.time_limit.empty(), "--slurm-time"},     {!o.mem_per_task.empty(), "--slurm-mem"},
        {!o.extra_args.empty(), "--slurm-args"},     {o.max_running != 0, "--slurm-max-running"},
        {o.dry_run, "--dry-run"}};
    for (const auto& [given, option] : slurm_only) {
      if (given) {
        throw std::invalid_argument(fmt::format("{} needs --scheduler slurm (the scheduler is '{}')", option,
                                                o.scheduler));
      }
    }
    return;
  }
  for (const auto& word : split_words(o.extra_args)) {
    if (word.find_first_of("'\"\\") != std::string::npos) {
      throw std::invalid_argument(fmt::format("--slurm-args: '{}': quotes and backslashes are not supported (the "
                                              "arguments are split at whitespace only)", word));
    }
    for (const char* owned : {"--array", "-a", "--output", "-o", "--error", "-e", "--parsable", "--wait", "-W",
                              "--job-name", "-J", "--chdir", "-D", "--wrap"}) {
      const std::string prefix = std::string(owned) + (owned[1] == '-' ? "=" : "");
      if (word == owned || word.rfind(prefix, 0) == 0) {
        throw std::invalid_argument(fmt::format("--slurm-args: '{}': {} is set by ocelli itself (docs/cluster.md)",
                                                word, owned));
      }
    }
  }
}

std::vector<std::string> sbatch_args(const Options& o) {
  std::vector<std::string> args;
  if (!o.partition.empty()) args.push_back("--partition=" + o.partition);
  if (!o.account.empty()) args.push_back("--account=" + o.account);
  if (!o.time_limit.empty()) args.push_back("--time=" + o.time_limit);
  if (!o.mem_per_task.empty()) args.push_back("--mem=" + o.mem_per_task);
  for (auto& w : split_words(o.extra_args)) args.push_back(w);
  return args;
}

}  // namespace ocelli::slurm
