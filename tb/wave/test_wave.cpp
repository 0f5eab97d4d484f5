// Looks inside the traces `ocelli wave` wrote for programs/small_conv.prog (CMake fixture wave_traces): the FST
// opens (our reader and GTKWave's fst2vcd), holds the expected scopes and controller state transitions, and the
// .gtkw names only signals that exist in it.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "ocelli/wave/fst_file.hpp"
#include "ocelli/wave/wave_view.hpp"

namespace ocelli::wave {
namespace {

const std::string kFocus = std::string(OCELLI_WAVE_TEST_DIR) + "/focus/conv";
const std::string kFull = std::string(OCELLI_WAVE_TEST_DIR) + "/full/conv";
const std::string kTop = kTopScope;

bool has_scope(const FstFile& fst, const std::string& scope) {
  for (const auto& s : fst.scopes()) {
    if (s == scope) return true;
  }
  return false;
}

TEST(Wave, FocusedTraceHoldsTheBlocksAndOnePe) {
  FstFile fst(kFocus + ".fst");
  for (const auto& child : top_children()) EXPECT_TRUE(has_scope(fst, kTop + "." + child)) << child;
  EXPECT_TRUE(has_scope(fst, pe_scope({1, 2})));
  EXPECT_FALSE(fst.find(pe_scope({0, 0}) + ".run_q")) << "a focused trace holds only the chosen PE";
  EXPECT_TRUE(fst.find(pe_scope({1, 2}) + ".run_q"));
  EXPECT_GT(fst.end_time(), 1000u);
}

TEST(Wave, ControllerStateChangesDuringTheLayer) {
  FstFile fst(kFocus + ".fst");
  const FstSignal* state = fst.find(kTop + ".u_ctrl.state_q");
  ASSERT_TRUE(state) << "no controller state in the trace";
  const auto changes = fst.changes(*state, 1000);
  std::set<std::string> values;
  for (const auto& [time, value] : changes) values.insert(value);
  EXPECT_GE(changes.size(), 4u);
  EXPECT_GE(values.size(), 3u) << "the controller should pass through several states";
}

// Every scope under the top in a full trace lies in a block that a focused trace holds whole, or is one of the
// scopes it holds at their own level, or the array's PEs: a block added to the RTL cannot silently drop out of
// focused traces. And every listed block exists.
TEST(Wave, FocusedScopesCoverEveryBlockOfAFullTrace) {
  FstFile fst(kFull + ".fst");
  const auto& whole = top_children();
  const auto& shallow = shallow_scopes();
  auto within = [](const std::string& path, const std::string& root) {
    return path == root || path.rfind(root + ".", 0) == 0;
  };
  int scopes = 0;
  for (const auto& s : fst.scopes()) {
    if (s.rfind(kTop + ".", 0) != 0) continue;
    const std::string rest = s.substr(kTop.size() + 1);
    const std::string last = rest.substr(rest.rfind('.') == std::string::npos ? 0 : rest.rfind('.') + 1);
    // Generate blocks: per-PE configuration wiring (the chosen PE's is traced) and loop scopes.
    if (rest.find("g_cfg_row[") != std::string::npos || last.rfind("unnamedblk", 0) == 0) continue;
    ++scopes;
    const bool covered =
        std::any_of(whole.begin(), whole.end(), [&](const std::string& w) { return within(rest, w); }) ||
        std::find(shallow.begin(), shallow.end(), rest) != shallow.end() || within(rest, "u_pass.u_array");
    EXPECT_TRUE(covered) << "scope " << rest << " of the top is missing from wave::top_children()";
  }
  EXPECT_GT(scopes, static_cast<int>(whole.size()));
  for (const auto& w : whole) EXPECT_TRUE(has_scope(fst, kTop + "." + w)) << w << " is listed but not in the RTL";
  for (const auto& w : shallow) EXPECT_TRUE(has_scope(fst, kTop + "." + w)) << w << " is listed but not in the RTL";
  EXPECT_TRUE(fst.find(pe_scope({0, 0}) + ".run_q")) << "a full trace holds every PE";
}

TEST(Wave, SaveFileNamesOnlySignalsOfTheTrace) {
  FstFile fst(kFocus + ".fst");
  std::set<std::string> names;
  for (const auto& s : fst.signals()) names.insert(s.gtkw_name());
  std::ifstream gtkw(kFocus + ".gtkw");
  ASSERT_TRUE(gtkw) << kFocus << ".gtkw";
  int signals = 0, groups = 0;
  bool dumpfile = false;
  for (std::string line; std::getline(gtkw, line);) {
    if (line.rfind("[dumpfile]", 0) == 0) dumpfile = line.find("conv.fst") != std::string::npos;
    if (line.rfind("@800200", 0) == 0) ++groups;
    if (line.empty() || std::string("[@-*").find(line[0]) != std::string::npos) continue;
    ++signals;
    EXPECT_TRUE(names.count(line)) << "the save file names '" << line << "', which is not in the trace";
  }
  EXPECT_TRUE(dumpfile);
  EXPECT_GE(groups, 8);
  EXPECT_GT(signals, 50);
}

// GTKWave's own converter reads the file (gtkwave is installed by scripts/install-deps.sh).
TEST(Wave, Fst2VcdReadsTheTrace) {
  const std::string cmd = "fst2vcd -f " + kFull + ".fst 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  ASSERT_TRUE(pipe);
  char buf[4096];
  std::string definitions;
  bool ended = false;
  int timestamps = 0;  // "#<time>" lines after the definitions
  std::size_t read = 0;
  while (timestamps < 3 && read < (std::size_t{1} << 28) && std::fgets(buf, sizeof buf, pipe.get())) {
    const std::string line = buf;
    read += line.size();
    if (!ended) {
      definitions += line;
      ended = line.rfind("$enddefinitions", 0) == 0;
    } else if (line[0] == '#') {
      ++timestamps;
    }
  }
  EXPECT_NE(definitions.find("$scope module ocelli_top $end"), std::string::npos) << definitions.substr(0, 500);
  EXPECT_TRUE(ended) << "no $enddefinitions";
  EXPECT_EQ(timestamps, 3) << "value changes after the definitions";
}

}  // namespace
}  // namespace ocelli::wave
