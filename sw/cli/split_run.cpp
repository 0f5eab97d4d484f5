#include "split_run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>

#include <fmt/core.h>

#include "ocelli/report/report.hpp"

extern char** environ;

namespace ocelli::cli {

std::vector<LayerGroup> split_layers(const std::vector<std::uint64_t>& estimates, int jobs) {
  const std::size_t n = estimates.size();
  if (n == 0) return {};
  const std::size_t k = std::min<std::size_t>(std::max(jobs, 1), n);
  // best[j][i]: the smallest largest-group sum splitting layers [0, i) into j groups; cut[j][i] its last cut.
  constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::uint64_t> prefix(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + estimates[i];
  std::vector<std::vector<std::uint64_t>> best(k + 1, std::vector<std::uint64_t>(n + 1, kNone));
  std::vector<std::vector<std::size_t>> cut(k + 1, std::vector<std::size_t>(n + 1, 0));
  best[0][0] = 0;
  for (std::size_t j = 1; j <= k; ++j) {
    for (std::size_t i = j; i <= n; ++i) {
      for (std::size_t c = j - 1; c < i; ++c) {
        if (best[j - 1][c] == kNone) continue;
        const std::uint64_t worst = std::max(best[j - 1][c], prefix[i] - prefix[c]);
        if (worst < best[j][i]) {
          best[j][i] = worst;
          cut[j][i] = c;
        }
      }
    }
  }
  std::vector<LayerGroup> groups(k);
  std::size_t end = n;
  for (std::size_t j = k; j >= 1; --j) {
    const std::size_t begin = cut[j][end];
    groups[j - 1] = LayerGroup{begin, end - 1, prefix[end] - prefix[begin]};
    end = begin;
  }
  return groups;
}

namespace {

using Clock = std::chrono::steady_clock;

struct Child {
  LayerGroup group;
  pid_t pid = 0;
  int fd = -1;               // read end of the child's stdout/stderr
  std::string pending;       // a partial line
  std::ofstream log;
  std::string log_path;
  std::uint64_t estimate_done = 0;
  std::size_t layers_done = 0;
  int exit_code = -1;
};

pid_t spawn_child(const std::vector<std::string>& args, int out_fd, int read_fd) {
  std::vector<std::string> argv_text = args;
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, read_fd);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_fd);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(fmt::format("cannot start a child `ocelli run`: {}", std::strerror(rc)));
  return pid;
}

// Seconds until the slowest group is done, from each group's progress in estimated cycles so far.
double eta_seconds(const std::vector<Child>& children, double elapsed) {
  std::uint64_t done = 0;
  for (const auto& c : children) done += c.estimate_done;
  if (done == 0 || elapsed <= 0) return 0.0;
  const double average_rate = static_cast<double>(done) / elapsed / static_cast<double>(children.size());
  double eta = 0.0;
  for (const auto& c : children) {
    if (c.fd < 0) continue;  // its output has ended
    const double rate = c.estimate_done > 0 ? static_cast<double>(c.estimate_done) / elapsed : average_rate;
    eta = std::max(eta, static_cast<double>(c.group.estimated_cycles - c.estimate_done) / rate);
  }
  return eta;
}

}  // namespace

std::vector<GroupJob> group_jobs(const std::vector<std::vector<std::string>>& child_args,
                                 const std::vector<std::string>& layer_names, const std::vector<LayerGroup>& groups,
                                 const std::string& log_dir) {
  std::filesystem::create_directories(log_dir);
  std::vector<GroupJob> jobs(groups.size());
  for (std::size_t k = 0; k < groups.size(); ++k) {
    GroupJob& j = jobs[k];
    j.log_path = fmt::format("{}/group-{}.log", log_dir, k + 1);
    j.report_path = fmt::format("{}/group-{}.json", log_dir, k + 1);
    j.args = {"run"};
    j.args.insert(j.args.end(), child_args[k].begin(), child_args[k].end());
    for (const auto& a : {std::string("--from"), layer_names[groups[k].first], std::string("--to"),
                          layer_names[groups[k].last], std::string("--report"), j.report_path}) {
      j.args.push_back(a);
    }
  }
  return jobs;
}

std::vector<GroupEnd> LocalLauncher::run(const std::vector<GroupJob>& jobs, const std::vector<LayerGroup>& groups) {
  const auto& layer_names = layer_names_;
  const auto& estimates = estimates_;
  const auto start = Clock::now();
  std::vector<Child> children(groups.size());
  // Kills and reaps the children started so far when setting up the others fails: none is left running.
  auto abandon = [&children](const std::string& why) {
    for (auto& c : children) {
      if (c.fd >= 0) close(c.fd);
      if (c.pid > 0) {
        kill(c.pid, SIGTERM);
        while (waitpid(c.pid, nullptr, 0) < 0 && errno == EINTR) {
        }
      }
    }
    throw std::runtime_error(why);
  };
  for (std::size_t k = 0; k < groups.size(); ++k) {
    Child& c = children[k];
    c.group = groups[k];
    c.log_path = jobs[k].log_path;
    std::vector<std::string> args{"/proc/self/exe"};
    args.insert(args.end(), jobs[k].args.begin(), jobs[k].args.end());
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) abandon(fmt::format("pipe: {}", std::strerror(errno)));
    try {
      c.pid = spawn_child(args, fds[1], fds[0]);
    } catch (const std::exception& e) {
      close(fds[0]);
      close(fds[1]);
      abandon(e.what());
    }
    close(fds[1]);
    c.fd = fds[0];
    fmt::print("group {}/{}: layers {}..{} ({:.2f} M cycles by estimate), pid {}, log {}\n", k + 1, groups.size(),
               layer_names[c.group.first], layer_names[c.group.last],
               static_cast<double>(c.group.estimated_cycles) / 1e6, c.pid, c.log_path);
  }
  // Opened after every child started, so no child inherits another group's log.
  for (auto& c : children) {
    c.log.open(c.log_path);
    if (!c.log) abandon(fmt::format("{}: cannot open for writing", c.log_path));
  }
  std::fflush(stdout);

  // Every child's output goes to its log; its finished-layer lines (PlainProgress: "layer <name> (i/n): ...") also
  // go to the terminal with the ETA of the whole run.
  std::size_t open_pipes = children.size();
  while (open_pipes > 0) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> owner;
    for (std::size_t k = 0; k < children.size(); ++k) {
      if (children[k].fd < 0) continue;
      fds.push_back(pollfd{children[k].fd, POLLIN, 0});
      owner.push_back(k);
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    }
    for (std::size_t f = 0; f < fds.size(); ++f) {
      if (fds[f].revents == 0) continue;
      Child& c = children[owner[f]];
      char buffer[4096];
      const ssize_t got = read(c.fd, buffer, sizeof buffer);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        close(c.fd);
        c.fd = -1;
        --open_pipes;
        continue;
      }
      c.pending.append(buffer, static_cast<std::size_t>(got));
      std::size_t eol;
      while ((eol = c.pending.find('\n')) != std::string::npos) {
        const std::string line = c.pending.substr(0, eol);
        c.pending.erase(0, eol + 1);
        c.log << line << '\n';
        // PlainProgress's line, not the child's final table (whose header also starts with "layer").
        if (line.rfind("layer ", 0) != 0 || line.find("): ") == std::string::npos) continue;
        const std::size_t index = c.group.first + c.layers_done;
        ++c.layers_done;
        if (index <= c.group.last) c.estimate_done += estimates[index];
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        fmt::print("[group {}/{}] {} | elapsed {:.1f} s, ETA {:.1f} s\n", owner[f] + 1, children.size(), line,
                   elapsed, eta_seconds(children, elapsed));
        std::fflush(stdout);
      }
      c.log.flush();
    }
  }
  for (auto& c : children) {
    int status = 0;
    pid_t waited;
    while ((waited = waitpid(c.pid, &status, 0)) < 0 && errno == EINTR) {
    }
    // A child that cannot be waited for, or that did not exit normally, failed (2: not a mismatch).
    c.exit_code = waited == c.pid && WIFEXITED(status) ? WEXITSTATUS(status) : 2;
    if (!c.pending.empty()) c.log << c.pending << '\n';
    c.log.close();
  }
  std::vector<GroupEnd> ends(children.size());
  for (std::size_t k = 0; k < children.size(); ++k) ends[k].exit_code = children[k].exit_code;
  return ends;
}

SplitRunResult run_split(const std::vector<GroupJob>& jobs, const std::vector<std::string>& layer_names,
                         const std::vector<LayerGroup>& groups, GroupLauncher& launcher) {
  const auto start = Clock::now();
  for (const auto& j : jobs) std::filesystem::remove(j.report_path);
  const std::vector<GroupEnd> ends = launcher.run(jobs, groups);

  // Each group is judged by its record and its exit code: a group passed only if its child exited 0 and its record
  // says "passed" for every one of its layers. A group without a readable record gets unmatched placeholder layers,
  // so the merged record cannot pass.
  SplitRunResult result;
  std::string outcome;
  auto fail = [&](int code, const std::string& group_outcome, const std::string& message) {
    result.exit_code = std::max(result.exit_code, std::clamp(code, 1, 2));
    if (result.failure.empty()) {
      result.failure = message;
      outcome = group_outcome;
    }
  };
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    const LayerGroup& group = groups[k];
    const GroupEnd& end = ends[k];
    const std::string where =
        fmt::format("group {} (layers {}..{}, log {}{})", k + 1, layer_names[group.first], layer_names[group.last],
                    jobs[k].log_path, end.scheduler_note.empty() ? "" : "; " + end.scheduler_note);
    std::optional<driver::RunRecord> part;
    std::string unreadable;
    try {
      if (std::filesystem::exists(jobs[k].report_path)) part = report::read_json(jobs[k].report_path);
    } catch (const std::exception& e) {
      unreadable = e.what();
    }
    if (!part) {
      fail(2, "error", fmt::format("{} ended with exit code {} and {}", where, end.exit_code,
                                   unreadable.empty() ? "no run record" : "an unreadable run record: " + unreadable));
      for (std::size_t i = group.first; i <= group.last; ++i) {
        driver::LayerRecord missing;
        missing.name = layer_names[i];
        missing.mismatch = fmt::format("not run: {} left no record", where);
        result.record.layers.push_back(missing);
      }
      continue;
    }
    if (result.record.program.empty()) {
      std::vector<driver::LayerRecord> kept = std::move(result.record.layers);
      result.record = *part;
      result.record.layers = std::move(kept);
    }
    result.record.top1_golden = part->top1_golden;
    result.record.top1_rtl = part->top1_rtl;
    for (const auto& l : part->layers) {
      result.total_cycles += l.cycles + 2;  // each layer's start costs two cycles its counters do not see
      result.record.layers.push_back(l);
    }
    const bool complete = part->layers.size() == group.last - group.first + 1;
    if (end.exit_code != 0 || part->outcome != "passed" || !part->passed() || !complete) {
      const std::string why = !part->failure.empty() ? part->failure
                              : !complete           ? "fewer layers in its record than in the group"
                                                    : fmt::format("exit code {}", end.exit_code);
      fail(end.exit_code == 0 ? 2 : end.exit_code, part->outcome.empty() || part->outcome == "passed" ? "error"
                                                                                                  : part->outcome,
           fmt::format("{}: {}", where, why));
    }
  }
  result.record.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.record.outcome = result.exit_code == 0 ? "passed" : outcome;
  result.record.failure = result.failure;
  return result;
}

}  // namespace ocelli::cli
