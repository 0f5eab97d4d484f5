// ocelli-regress: the make-driven regression. Every layer program of a directory plus N seeded random programs run
// through the verilated accelerator in parallel child processes (one case per process, JOBS at a time), each checked
// bit for bit against the golden; prints a summary table, writes JUnit XML, and prints the one command that
// reproduces each failing case alone. docs/debugging.md shows the way from a failure to a waveform. With
// --scheduler slurm the cases run as the tasks of a Slurm job array instead (docs/cluster.md).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "case_runner.hpp"
#include "junit.hpp"
#include "regress_case.hpp"
#include "ocelli/slurm/array_job.hpp"
#include "ocelli/slurm/options.hpp"

extern char** environ;

namespace ocelli::regress {
namespace {

struct Options {
  std::string programs_dir = "programs";
  std::string filter;
  std::string exclude = "alexnet";  // the whole network is `make alexnet`
  int n = 200;
  std::uint64_t seed = 1;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string only_case;
  bool list = false;
  std::string out_dir = "reports/regress";
  std::string junit = "reports/regress.xml";
  std::string flip_bit_case;
  std::string result_file;  // child mode
  bool checked = false;      // the checked build of the top instead of the performance model
  slurm::Options slurm;      // --scheduler slurm: the cases as a Slurm job array
  sim::TopModelKind model() const { return checked ? sim::TopModelKind::kChecked : sim::TopModelKind::kFast; }
};

std::vector<RegressCase> all_cases(const Options& o) {
  std::vector<RegressCase> cases;
  if (!o.programs_dir.empty()) cases = program_cases(o.programs_dir, o.filter, o.exclude);
  for (int i = 0; i < o.n; ++i) cases.push_back(random_case(o.seed, i));
  return cases;
}

RegressCase find_case(const Options& o, const std::string& name) {
  if (name.rfind("rand-", 0) == 0) {
    const std::string digits = name.substr(5);
    if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos) {
      return random_case(o.seed, std::stoi(digits));
    }
  }
  for (auto& c : program_cases(o.programs_dir, "", "")) {
    if (c.name == name) return c;
  }
  throw std::invalid_argument(fmt::format(
      "--case '{}': no such case (program cases are prog-<stem> of {}/*.prog, random cases rand-NNNN; --list lists them)",
      name, o.programs_dir));
}

std::string reproduce_command(const Options& o, const RegressCase& c) {
  std::string cmd = fmt::format("make regress CASE={}", c.name);
  if (c.kind != "program") cmd += fmt::format(" SEED={}", o.seed);
  std::string args;
  if (o.flip_bit_case == c.name) args += fmt::format("--flip-bit {}", c.name);
  if (o.checked) args += args.empty() ? "--checked" : " --checked";
  if (!args.empty()) cmd += fmt::format(" REGRESS_ARGS='{}'", args);
  return cmd;
}

void print_result_line(const CaseResult& r, std::size_t done, std::size_t total) {
  fmt::print("[{:>3}/{}] {:<22} {:<7} {:>10} cycles {:>7.1f} s  {}\n", done, total, r.name, r.kind, r.cycles,
             r.wall_seconds, r.passed() ? "passed" : "FAILED (" + r.outcome + ")");
  std::fflush(stdout);
}

// Child mode: one case, its result as JSON in a file.
int run_child(const Options& o) {
  const RegressCase c = find_case(o, o.only_case);
  const CaseResult r = run_case(c, o.flip_bit_case == c.name, o.model());
  std::ofstream(o.result_file) << nlohmann::json(r).dump(2) << "\n";
  fmt::print("{}: {}{}\n", r.name, r.outcome, r.failure.empty() ? "" : ": " + r.failure);
  return r.passed() ? 0 : 1;
}

// One case alone, in this process, talking to the terminal.
int run_alone(const Options& o) {
  const RegressCase c = find_case(o, o.only_case);
  if (o.slurm.slurm()) {
    fmt::print("--case runs {} here, in this process (--scheduler slurm is for a whole regression)\n", c.name);
  }
  if (!o.flip_bit_case.empty() && o.flip_bit_case != c.name) {
    throw std::invalid_argument(fmt::format("--flip-bit '{}' is not the case run (--case {}), so nothing would be "
                                            "flipped", o.flip_bit_case, c.name));
  }
  if (!c.program_text.empty()) {
    std::filesystem::create_directories(o.out_dir);
    const std::string path = fmt::format("{}/{}.prog", o.out_dir, c.name);
    std::ofstream(path) << c.program_text;
    fmt::print("{} (seed {}): program written to {}\n{}", c.name, o.seed, path, c.program_text);
  } else {
    fmt::print("{}: program {}\n", c.name, c.program_path);
  }
  const CaseResult r = run_case(c, o.flip_bit_case == c.name, o.model());
  fmt::print("{}\n", r.summary);
  print_result_line(r, 1, 1);
  if (!r.passed()) fmt::print("{}\n", r.failure);
  return r.passed() ? 0 : 1;
}

// Where a case's files are and how a child runs it: shared by the local processes and the Slurm tasks.
class CaseFiles {
 public:
  explicit CaseFiles(const Options& o) : o_(o) {}

  // The arguments of the child that runs case `c` (after the executable).
  std::vector<std::string> child_args(const RegressCase& c) const {
    std::vector<std::string> args{"--case", c.name, "--seed", std::to_string(o_.seed), "--programs", o_.programs_dir,
                                  "--result-file", result_path(c)};
    if (o_.flip_bit_case == c.name) {
      args.push_back("--flip-bit");
      args.push_back(c.name);
    }
    if (o_.checked) args.push_back("--checked");
    return args;
  }

  // The result the child wrote, if it wrote a readable one.
  std::optional<CaseResult> read_result(const RegressCase& c) const {
    try {
      std::ifstream in(result_path(c));
      if (in) return nlohmann::json::parse(in).get<CaseResult>();
    } catch (const std::exception&) {
      // unreadable: no result
    }
    return std::nullopt;
  }

  // A case whose child left no result.
  static CaseResult without_result(const RegressCase& c, const std::string& outcome, const std::string& failure) {
    CaseResult r;
    r.name = c.name;
    r.kind = c.kind;
    r.outcome = outcome;
    r.failure = failure;
    return r;
  }

  std::string result_path(const RegressCase& c) const { return fmt::format("{}/{}.json", o_.out_dir, c.name); }
  std::string log_path(const RegressCase& c) const { return fmt::format("{}/{}.log", o_.out_dir, c.name); }
  std::string exit_path(const RegressCase& c) const { return fmt::format("{}/{}.exit", o_.out_dir, c.name); }

 private:
  const Options& o_;
};

// The cases as child processes of this executable, JOBS at a time.
class ChildPool {
 public:
  explicit ChildPool(const CaseFiles& files) : files_(files) {}

  pid_t spawn(const RegressCase& c) {
    std::vector<std::string> args{"/proc/self/exe"};
    for (auto& a : files_.child_args(c)) args.push_back(a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = files_.log_path(c);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error(fmt::format("cannot start a child for case {}: {}", c.name, strerror(rc)));
    return pid;
  }

  CaseResult collect(const RegressCase& c, int status) const {
    if (auto r = files_.read_result(c)) return *r;
    return CaseFiles::without_result(
        c, "crashed",
        WIFSIGNALED(status)
            ? fmt::format("killed by signal {}; log {}", WTERMSIG(status), files_.log_path(c))
            : fmt::format("exit status {} without a result; log {}", WEXITSTATUS(status), files_.log_path(c)));
  }

  // Runs every case; prints a line as each ends.
  void run(const Options& o, const std::vector<RegressCase>& cases, std::vector<CaseResult>& results) {
    std::map<pid_t, std::size_t> running;
    std::size_t next = 0, done = 0;
    while (done < cases.size()) {
      while (next < cases.size() && running.size() < static_cast<std::size_t>(o.jobs)) {
        running[spawn(cases[next])] = next;
        ++next;
      }
      int status = 0;
      const pid_t pid = waitpid(-1, &status, 0);
      if (pid < 0) throw std::runtime_error(fmt::format("waitpid: {}", strerror(errno)));
      const auto it = running.find(pid);
      if (it == running.end()) continue;
      const std::size_t k = it->second;
      running.erase(it);
      results[k] = collect(cases[k], status);
      print_result_line(results[k], ++done, cases.size());
    }
  }

 private:
  const CaseFiles& files_;
};

// The cases as a Slurm job array, task k running case k; the children write the same files as local ones.
class SlurmCases {
 public:
  SlurmCases(const Options& o, const CaseFiles& files, const std::vector<RegressCase>& cases)
      : files_(files), cases_(cases), job_(spec(o), o.slurm) {}

  void print_dry_run() const { job_.print_dry_run(); }

  // Submits, waits, and fills `results` and the job id of each case; prints a line as each ends.
  void run(std::vector<CaseResult>& results, std::vector<std::string>& job_ids) {
    job_.submit();
    std::size_t done = 0;
    job_.wait([&](std::size_t k) {
      results[k] = collect(k);
      job_ids[k] = job_.task_job_id(k);
      print_result_line(results[k], ++done, cases_.size());
    });
  }

  const slurm::ArrayJob& job() const { return job_; }

 private:
  slurm::ArrayJobSpec spec(const Options& o) const {
    slurm::ArrayJobSpec s{"ocelli-regress", o.out_dir + "/slurm", {}};
    const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
    for (const auto& c : cases_) {
      std::vector<std::string> argv{exe};
      for (auto& a : files_.child_args(c)) argv.push_back(a);
      s.tasks.push_back({slurm::TaskCommand{argv, files_.log_path(c), files_.exit_path(c)}});
    }
    return s;
  }

  CaseResult collect(std::size_t k) const {
    const RegressCase& c = cases_[k];
    if (auto r = files_.read_result(c)) return *r;
    const std::string& state = job_.task_state(k);
    if (const auto code = slurm::read_exit_code(files_.exit_path(c))) {
      return CaseFiles::without_result(c, "crashed", fmt::format("exit status {} without a result; log {}; {}", *code,
                                                                 files_.log_path(c), job_.describe(k)));
    }
    // The task was ended by Slurm (cancelled, time limit, memory, node) before its case finished.
    std::string outcome = state == "COMPLETED" || state == "FAILED" || state == "UNKNOWN" ? "crashed" : state;
    std::transform(outcome.begin(), outcome.end(), outcome.begin(),
                   [](char ch) { return ch == '_' ? '-' : static_cast<char>(std::tolower(ch)); });
    return CaseFiles::without_result(c, outcome, fmt::format("no result: {}; log {}", job_.describe(k),
                                                             files_.log_path(c)));
  }

  const CaseFiles& files_;
  const std::vector<RegressCase>& cases_;
  slurm::ArrayJob job_;
};

int run_regression(const Options& o) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<RegressCase> cases = all_cases(o);
  if (cases.empty()) throw std::invalid_argument("no cases: no programs matched and N is 0");
  if (!o.flip_bit_case.empty() && std::none_of(cases.begin(), cases.end(), [&](const RegressCase& c) {
        return c.name == o.flip_bit_case;
      })) {
    throw std::invalid_argument(fmt::format("--flip-bit '{}' names no case of this regression (see --list), so "
                                            "nothing would be flipped", o.flip_bit_case));
  }
  std::filesystem::create_directories(o.out_dir);
  for (const auto& c : cases) {
    if (!c.program_text.empty()) std::ofstream(fmt::format("{}/{}.prog", o.out_dir, c.name)) << c.program_text;
    std::filesystem::remove(fmt::format("{}/{}.json", o.out_dir, c.name));
  }
  const std::string where = o.slurm.slurm() ? std::string("as a Slurm job array")
                                            : fmt::format("{} jobs", o.jobs);
  fmt::print("regression: {} cases ({} programs from {}, {} random, seed {}), {}; logs in {}/\n", cases.size(),
             cases.size() - static_cast<std::size_t>(o.n), o.programs_dir, o.n, o.seed, where, o.out_dir);
  std::fflush(stdout);

  const CaseFiles files(o);
  std::vector<CaseResult> results(cases.size());
  std::vector<std::string> job_ids(cases.size());  // each case's Slurm job (empty when run locally)
  std::optional<SlurmCases> slurm_cases;
  if (o.slurm.slurm()) {
    slurm_cases.emplace(o, files, cases);
    if (o.slurm.dry_run) {
      slurm_cases->print_dry_run();
      return 0;
    }
    slurm_cases->run(results, job_ids);
  } else {
    ChildPool(files).run(o, cases, results);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  fmt::print("\n{:<22} {:<7} {:>12} {:>12} {:>8}  {:<10} {}\n", "case", "kind", "cycles", "estimate", "wall s",
             "result", "layers");
  std::uint64_t cycles = 0;
  std::vector<JunitCase> junit;
  int failed = 0;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const auto& r = results[k];
    cycles += r.cycles;
    fmt::print("{:<22} {:<7} {:>12} {:>12} {:>8.1f}  {:<10} {}\n", r.name, r.kind, r.cycles, r.estimated_cycles,
               r.wall_seconds, r.outcome, r.summary);
    junit.push_back(JunitCase{r, reproduce_command(o, cases[k]), job_ids[k]});
    if (!r.passed()) ++failed;
  }
  fmt::print("\n{} cases, {} passed, {} failed; {} simulated cycles in {:.1f} s wall {}\n", cases.size(),
             cases.size() - static_cast<std::size_t>(failed), failed, cycles, wall,
             slurm_cases ? fmt::format("as Slurm job array {}", slurm_cases->job().job_id())
                         : fmt::format("with {} jobs", o.jobs));
  if (!o.junit.empty()) {
    const auto parent = std::filesystem::path(o.junit).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    write_junit(o.junit, junit, wall);
    fmt::print("JUnit XML: {}\n", o.junit);
  }
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const auto& r = results[k];
    if (r.passed()) continue;
    fmt::print("\nFAILED {} ({}): {}\n  reproduce: {}\n", r.name, r.outcome, r.failure,
               reproduce_command(o, cases[k]));
    if (!cases[k].program_text.empty()) fmt::print("  program:   {}/{}.prog\n", o.out_dir, r.name);
    fmt::print("  log:       {}\n", files.log_path(cases[k]));
    if (slurm_cases) fmt::print("  slurm:     {}\n", slurm_cases->job().describe(k));
  }
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace ocelli::regress

int main(int argc, char** argv) {
  using ocelli::regress::Options;
  Options o;
  CLI::App app{
      "ocelli-regress: every layer program of a directory plus N seeded random layers through the verilated "
      "accelerator, in parallel, each checked bit for bit against the golden. Exit 0 when every case passed, 1 when "
      "one failed, 3 on bad input."};
  app.add_option("--programs", o.programs_dir, "Directory of layer programs (*.prog); empty = none")
      ->capture_default_str();
  app.add_option("--filter", o.filter, "Only programs whose file stem matches this glob (e.g. 'small_*')");
  app.add_option("--exclude", o.exclude, "Comma-separated program stems to leave out")->capture_default_str();
  app.add_option("-n,--n", o.n, "Random cases")->check(CLI::Range(0, 100000))->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the random cases")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            return v.find_first_not_of("0123456789") == std::string::npos && !v.empty() && v.size() <= 20 &&
                           (v.size() < 20 || v <= "18446744073709551615")
                       ? std::string()
                       : fmt::format("'{}' is not a decimal number in 0..18446744073709551615", v);
          },
          "UINT64"));
  app.add_option("-j,--jobs", o.jobs,
                 "Cases run at once (one process each; with --scheduler slurm see --slurm-max-running instead)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--case", o.only_case, "Run this one case alone (name from the table or --list)");
  app.add_flag("--list", o.list, "List the cases and exit");
  app.add_option("--out-dir", o.out_dir, "Per-case programs, logs and results")->capture_default_str();
  app.add_option("--junit", o.junit, "JUnit XML report (empty = none)")->capture_default_str();
  app.add_option("--flip-bit", o.flip_bit_case,
                 "Harness fault injection: this case's comparison sees one flipped output bit (the RTL is untouched), "
                 "so it must fail; proves the regression reports a failure with its reproduction command")
      ->check(CLI::Validator([](std::string& v) { return v.empty() ? std::string("must name a case") : std::string(); },
                             "CASE"));
  app.add_flag("--checked", o.checked,
               "Run the checked build of the top (rule checks, assertions) instead of the performance model");
  ocelli::slurm::add_cli_options(app, o.slurm);
  app.add_option("--result-file", o.result_file, "(internal) child mode: write the case's result here")
      ->group("");
  try {
    app.parse(argc, argv);
    ocelli::slurm::check(o.slurm);
    if (o.list) {
      for (const auto& c : ocelli::regress::all_cases(o)) {
        fmt::print("{:<22} {}\n", c.name, c.program_path.empty() ? c.kind : c.program_path);
      }
      return 0;
    }
    if (!o.result_file.empty()) return ocelli::regress::run_child(o);
    if (!o.only_case.empty()) return ocelli::regress::run_alone(o);
    return ocelli::regress::run_regression(o);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "ocelli-regress: error: {}\n", e.what());
    return 3;
  }
}
