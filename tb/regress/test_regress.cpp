#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "case_runner.hpp"
#include "junit.hpp"
#include "ocelli/driver/program.hpp"
#include "ocelli/runtime/runner.hpp"
#include "regress_case.hpp"

namespace ocelli::regress {
namespace {

TEST(RegressCases, RandomCaseIsAFunctionOfSeedAndIndex) {
  EXPECT_EQ(random_case(7, 3).program_text, random_case(7, 3).program_text);
  EXPECT_NE(random_case(7, 3).program_text, random_case(8, 3).program_text);
  EXPECT_EQ(random_case(7, 3).name, "rand-0003");
}

// Every random case parses, and the runtime accepts it (the mapper finds a legal mapping, the post-processing unit
// can run its pools and LRNs): the generator never emits a case the hardware refuses. All kinds appear.
TEST(RegressCases, EveryRandomCaseIsRunnable) {
  std::map<std::string, int> kinds;
  for (std::uint64_t seed : {1, 2, 3}) {
    for (int i = 0; i < 120; ++i) {
      const RegressCase c = random_case(seed, i);
      SCOPED_TRACE(c.program_text);
      ++kinds[c.kind];
      ASSERT_NO_THROW({
        runtime::ProgramRunner runner(
            runtime::make_program_data(driver::parse_program_text(c.program_text, c.name)), runtime::RunOptions{});
      });
    }
  }
  for (const char* kind : {"conv", "fc", "pool", "lrn", "chain"}) EXPECT_GT(kinds[kind], 5) << kind;
}

TEST(RegressCases, ProgramCasesFollowTheFilterAndExclusions) {
  const auto all = program_cases(OCELLI_PROGRAMS_DIR, "", "alexnet");
  ASSERT_FALSE(all.empty());
  for (const auto& c : all) EXPECT_NE(c.name, "prog-alexnet");
  const auto small = program_cases(OCELLI_PROGRAMS_DIR, "small_*", "");
  ASSERT_FALSE(small.empty());
  for (const auto& c : small) EXPECT_EQ(c.name.rfind("prog-small_", 0), 0u) << c.name;
}

TEST(Junit, CountsFailuresAndEscapesMessages) {
  CaseResult ok{"rand-0000", "conv", "passed", "", "conv 1x2x3x3->4x3x3", 100, 120, 0.5};
  CaseResult bad{"rand-0001", "fc", "mismatch", "index (0,1,0,0) expected <3> got \"2\" & more", "fc", 10, 9, 0.1};
  const auto path = std::filesystem::temp_directory_path() / "ocelli_test_junit.xml";
  write_junit(path.string(),
              {{ok, "make regress CASE=rand-0000", ""}, {bad, "make regress CASE=rand-0001 SEED=2", "12_1"}}, 1.0);
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  const std::string xml = text.str();
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\" errors=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("expected &lt;3&gt; got &quot;2&quot; &amp; more"), std::string::npos) << xml;
  EXPECT_NE(xml.find("reproduce: make regress CASE=rand-0001 SEED=2"), std::string::npos) << xml;
  // The Slurm job of a case that ran on Slurm (and none for a local one).
  EXPECT_NE(xml.find("<property name=\"slurm_job_id\" value=\"12_1\"/>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("slurm_job_id"), xml.rfind("slurm_job_id")) << xml;
  std::filesystem::remove(path);
}

// One random case of each kind through the RTL, bit-exact; the same case with a flipped output bit fails.
TEST(RegressRun, OneCaseOfEachKindPassesAndAFlippedBitFails) {
  std::map<std::string, bool> ran;
  for (int i = 0; i < 200 && ran.size() < 5; ++i) {
    const RegressCase c = random_case(11, i);
    if (ran.count(c.kind)) continue;
    ran[c.kind] = true;
    const CaseResult r = run_case(c, false, sim::TopModelKind::kChecked);
    EXPECT_EQ(r.outcome, "passed") << c.program_text << r.failure;
    EXPECT_GT(r.cycles, 0u);
    if (c.kind == "conv") {
      const CaseResult flipped = run_case(c, true, sim::TopModelKind::kChecked);
      EXPECT_EQ(flipped.outcome, "mismatch") << flipped.failure;
      EXPECT_NE(flipped.failure.find("expected"), std::string::npos) << flipped.failure;
    }
  }
  EXPECT_EQ(ran.size(), 5u);
}

}  // namespace
}  // namespace ocelli::regress
