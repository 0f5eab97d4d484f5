// The Slurm job array without a cluster: the options, the sbatch command and the batch script (run here by bash as
// Slurm would run one task), and the wait against stand-in sbatch/squeue scripts that answer as Slurm does (tasks
// ended, a pending task cancelled, a forgotten job, an unreachable slurmctld). The real cluster is exercised by
// tb/regress's slurm_matches_local (label cluster).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "ocelli/slurm/array_job.hpp"
#include "ocelli/slurm/command.hpp"
#include "ocelli/slurm/options.hpp"

namespace ocelli::slurm {
namespace {

namespace fs = std::filesystem;

Options parse(std::vector<std::string> args) {
  CLI::App app;
  Options o;
  add_cli_options(app, o);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return o;
}

TEST(SlurmOptions, BecomeSbatchArguments) {
  const Options o = parse({"--scheduler", "slurm", "--slurm-partition", "short", "--slurm-account", "vlsi",
                           "--slurm-time", "1:30:00", "--slurm-mem", "2G", "--slurm-args", "--qos=long  --exclusive"});
  EXPECT_NO_THROW(check(o));
  EXPECT_EQ(sbatch_args(o), (std::vector<std::string>{"--partition=short", "--account=vlsi", "--time=1:30:00",
                                                      "--mem=2G", "--qos=long", "--exclusive"}));
}

TEST(SlurmOptions, BadValuesAreRefusedByName) {
  EXPECT_THROW(parse({"--scheduler", "pbs"}), CLI::ValidationError);
  EXPECT_THROW(parse({"--scheduler", "slurm", "--slurm-time", "an hour"}), CLI::ValidationError);
  EXPECT_THROW(parse({"--scheduler", "slurm", "--slurm-mem", "2 GB"}), CLI::ValidationError);
  EXPECT_THROW(parse({"--scheduler", "slurm", "--slurm-partition", "a b"}), CLI::ValidationError);
  try {
    check(parse({"--slurm-partition", "short"}));
    FAIL() << "a Slurm option without --scheduler slurm was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--slurm-partition needs --scheduler slurm"), std::string::npos) << e.what();
  }
  for (const char* owned : {"--array=0-3", "--output=x", "-o", "--wait", "--parsable", "--job-name=x"}) {
    EXPECT_THROW(check(parse({"--scheduler", "slurm", "--slurm-args", owned})), std::invalid_argument) << owned;
  }
  EXPECT_THROW(check(parse({"--scheduler", "slurm", "--slurm-args", "--comment='a b'"})), std::invalid_argument);
}

TEST(SlurmArrayJob, SbatchCommandHasTheArrayAndTheOptions) {
  ArrayJobSpec spec{"ocelli-test", "/shared/out", {{}, {}, {}}};
  Options o = parse({"--scheduler", "slurm", "--slurm-partition", "short", "--slurm-max-running", "2"});
  const auto cmd = sbatch_command(spec, o);
  const std::string line = shell_line(cmd);
  EXPECT_EQ(cmd.front(), "sbatch");
  EXPECT_EQ(cmd.back(), "/shared/out/ocelli-test.sbatch");
  for (const char* part : {"--parsable", "--array=0-2%2", "--job-name=ocelli-test",
                           "--output=/shared/out/slurm-%A_%a.out", "--partition=short", "--chdir="}) {
    EXPECT_NE(line.find(part), std::string::npos) << part << " missing from " << line;
  }
}

TEST(SlurmCommand, QuotesForBash) {
  EXPECT_EQ(shell_quote("plain/path-1.log"), "plain/path-1.log");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("it's a b"), "'it'\\''s a b'");
  const CommandResult r = run_command({"bash", "-c", "printf '%s' " + shell_quote("it's $HOME a\"b")}, 10);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "it's $HOME a\"b");
}

TEST(SlurmCommand, MissingToolAndTimeLimitAreReported) {
  EXPECT_TRUE(run_command({"ocelli-no-such-tool"}, 10).not_found);
  const CommandResult slow = run_command({"sleep", "30"}, 0.3);
  EXPECT_TRUE(slow.timed_out);
  EXPECT_EQ(slow.exit_code, -1);
}

// Task 1 of a script, run by bash as slurmd would: its commands run in order, each log and exit file written, and
// the task's exit status is the failing command's; task 0's commands do not run.
TEST(SlurmArrayJob, ScriptRunsOneTasksCommandsAndRecordsExitCodes) {
  const fs::path dir = fs::temp_directory_path() / ("ocelli_test_slurm_script_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto cmd = [&](const std::string& name, const std::string& shell) {
    return TaskCommand{{"/bin/sh", "-c", shell}, (dir / (name + ".log")).string(), (dir / (name + ".exit")).string()};
  };
  ArrayJobSpec spec{"ocelli-test", dir.string(),
                    {{cmd("a", "echo a")}, {cmd("b", "echo \"b's out\"; exit 3"), cmd("c", "echo c")}}};
  std::ofstream(script_path(spec)) << batch_script(spec);
  const CommandResult r = run_command({"env", "SLURM_ARRAY_TASK_ID=1", "bash", script_path(spec)}, 30);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_FALSE(fs::exists(dir / "a.exit"));
  EXPECT_EQ(read_exit_code((dir / "b.exit").string()), 3);
  EXPECT_EQ(read_exit_code((dir / "c.exit").string()), 0);
  std::ifstream log(dir / "b.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "b's out\n");
  const CommandResult none = run_command({"env", "SLURM_ARRAY_TASK_ID=7", "bash", script_path(spec)}, 30);
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.output.find("no task '7'"), std::string::npos) << none.output;
  fs::remove_all(dir);
}

TEST(SlurmArrayJob, TerminalStates) {
  for (const char* s : {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL"}) {
    EXPECT_TRUE(is_terminal_state(s)) << s;
  }
  for (const char* s : {"PENDING", "RUNNING", "COMPLETING", "CONFIGURING", "SUSPENDED"}) {
    EXPECT_FALSE(is_terminal_state(s)) << s;
  }
}

// Stand-ins for sbatch and squeue, first in PATH: sbatch runs task 0 of the script at once (as slurmd would) and
// prints job id 123; squeue prints the file squeue.out and exits with the code in squeue.rc.
class FakeSlurm : public ::testing::Test {
 protected:
  void SetUp() override {
    // One directory per test and process: CTest runs the tests of this fixture at once.
    dir_ = fs::temp_directory_path() /
           ("ocelli_test_fake_slurm_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            "_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "bin");
    write(dir_ / "bin" / "sbatch", "#!/bin/sh\nfor a; do script=$a; done\nSLURM_ARRAY_TASK_ID=0 bash \"$script\" "
                                   ">/dev/null 2>&1\necho '123;cluster'\n");
    write(dir_ / "bin" / "squeue", "#!/bin/sh\ncat \"" + (dir_ / "squeue.out").string() + "\"\nexit $(cat \"" +
                                       (dir_ / "squeue.rc").string() + "\")\n");
    fs::permissions(dir_ / "bin" / "sbatch", fs::perms::owner_all);
    fs::permissions(dir_ / "bin" / "squeue", fs::perms::owner_all);
    old_path_ = std::getenv("PATH");
    setenv("PATH", ((dir_ / "bin").string() + ":" + old_path_).c_str(), 1);
  }
  void TearDown() override {
    setenv("PATH", old_path_.c_str(), 1);
    fs::remove_all(dir_);
  }
  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  void squeue_answers(const std::string& out, int rc) {
    write(dir_ / "squeue.out", out);
    write(dir_ / "squeue.rc", std::to_string(rc));
  }
  ArrayJob two_tasks() {
    auto cmd = [&](const std::string& name) {
      return TaskCommand{{"/bin/echo", name}, (dir_ / (name + ".log")).string(), (dir_ / (name + ".exit")).string()};
    };
    Options o;
    o.scheduler = "slurm";
    return ArrayJob(ArrayJobSpec{"ocelli-test", dir_.string(), {{cmd("a")}, {cmd("b")}}}, o);
  }
  // Waits for the job; returns the order in which tasks were reported ended.
  static std::vector<std::size_t> wait(ArrayJob& job) {
    std::vector<std::size_t> ended;
    job.wait([&](std::size_t k) { ended.push_back(k); });
    return ended;
  }

  fs::path dir_;
  std::string old_path_;
};

TEST_F(FakeSlurm, EveryTaskEndsWithSlurmsState) {
  squeue_answers("123_0 COMPLETED None\n123_1 TIMEOUT None\n", 0);
  ArrayJob job = two_tasks();
  job.submit();
  EXPECT_EQ(job.job_id(), "123");
  EXPECT_EQ(wait(job), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(job.task_state(0), "COMPLETED");
  EXPECT_EQ(job.task_state(1), "TIMEOUT");
  EXPECT_EQ(read_exit_code((dir_ / "a.exit").string()), 0);  // task 0 ran (the stand-in sbatch ran it)
  EXPECT_FALSE(read_exit_code((dir_ / "b.exit").string()));
  EXPECT_EQ(job.task_job_id(1), "123_1");
  EXPECT_NE(job.describe(1).find("Slurm task 123_1 ended TIMEOUT; no Slurm output"), std::string::npos)
      << job.describe(1);
}

TEST_F(FakeSlurm, PendingTaskThatLeavesTheListingWasCancelled) {
  squeue_answers("123_0 COMPLETED None\n", 0);
  ArrayJob job = two_tasks();
  job.submit();
  wait(job);
  EXPECT_EQ(job.task_state(1), "CANCELLED");
}

TEST_F(FakeSlurm, ForgottenJobLeavesTasksUnknown) {
  squeue_answers("slurm_load_jobs error: Invalid job id specified\n", 1);
  ArrayJob job = two_tasks();
  job.submit();
  EXPECT_EQ(wait(job).size(), 2u);
  EXPECT_EQ(job.task_state(0), "UNKNOWN");
  EXPECT_EQ(job.task_state(1), "UNKNOWN");
}

TEST_F(FakeSlurm, UnreachableControllerEndsTheWaitNamingTheJob) {
  squeue_answers("squeue: error: Unable to contact slurm controller (connect failure)\n", 1);
  ArrayJob job = two_tasks();
  job.set_unreachable_timeout(1.5);
  job.submit();
  try {
    wait(job);
    FAIL() << "the wait did not end";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("slurmctld did not answer"), std::string::npos) << what;
    EXPECT_NE(what.find("scancel 123"), std::string::npos) << what;
    EXPECT_NE(what.find("Unable to contact slurm controller"), std::string::npos) << what;
  }
}

TEST_F(FakeSlurm, FailedSubmissionGivesSbatchsMessage) {
  write(dir_ / "bin" / "sbatch", "#!/bin/sh\necho 'sbatch: error: invalid partition specified: nope' >&2\nexit 1\n");
  ArrayJob job = two_tasks();
  try {
    job.submit();
    FAIL() << "a failed sbatch was not reported";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("sbatch failed (exit code 1): sbatch: error: invalid partition specified"),
              std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ocelli::slurm
