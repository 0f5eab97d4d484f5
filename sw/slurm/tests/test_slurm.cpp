// The Slurm job array without a cluster: the options, the sbatch command and the batch script (run here by bash as
// Slurm would run one task). The real cluster is exercised by tb/regress's slurm_matches_local (label cluster).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

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
  const fs::path dir = fs::temp_directory_path() / "ocelli_test_slurm_script";
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

}  // namespace
}  // namespace ocelli::slurm
