// rtl/common/loop_nest.sv (3 levels of 4 bits, tb/cells/CMakeLists.txt) against a C++ loop nest: every cycle's
// indices, last and wrap flags under random steps, clears and loop bounds, and whole nests walked in order.
#include <gtest/gtest.h>

#include <array>
#include <random>

#include "Vloop_nest.h"
#include "sim_harness.hpp"

namespace {

using Harness = ocelli::tb::SimHarness<Vloop_nest>;
constexpr int kLevels = 3;
constexpr int kWidth = 4;

struct Nest {
  std::array<unsigned, kLevels> last{}, idx{};
  unsigned last_flags() const {
    unsigned f = 0;
    for (int l = 0; l < kLevels; ++l) f |= (idx[l] == last[l] ? 1u : 0u) << l;
    return f;
  }
  // Level l wraps when the step reaches it (every level inside at its last index) and it is at its last index.
  unsigned wrap_flags(bool step) const {
    unsigned f = 0;
    bool carry = step;
    for (int l = 0; l < kLevels; ++l) {
      const bool wraps = carry && idx[l] == last[l];
      f |= (wraps ? 1u : 0u) << l;
      carry = wraps;
    }
    return f;
  }
  void step() {
    for (int l = 0; l < kLevels; ++l) {
      if (idx[l] != last[l]) {
        ++idx[l];
        return;
      }
      idx[l] = 0;
    }
  }
};

unsigned packed(const std::array<unsigned, kLevels>& v) {
  unsigned p = 0;
  for (int l = 0; l < kLevels; ++l) p |= v[l] << (l * kWidth);
  return p;
}

void drive(Harness& h, const Nest& n, bool clear, bool step) {
  auto& m = h.model();
  m.last_i = packed(n.last);
  m.clear_i = clear;
  m.step_i = step;
  h.eval();
}

TEST(LoopNest, RandomStepsAndClearsMatchTheReference) {
  Harness h("");
  h.reset();
  std::mt19937 rng(11);
  Nest n;
  for (int run = 0; run < 300; ++run) {
    for (auto& l : n.last) l = rng() % (1u << kWidth);
    drive(h, n, true, false);  // a new nest: clear with its bounds
    h.tick();
    n.idx = {};
    const int cycles = 1 + static_cast<int>(rng() % 600);
    for (int c = 0; c < cycles; ++c) {
      const bool step = rng() % 4 != 0;
      drive(h, n, false, step);
      const auto& m = h.model();
      ASSERT_EQ(m.idx_o, packed(n.idx)) << "run " << run << " cycle " << c;
      ASSERT_EQ(m.last_o, n.last_flags()) << "run " << run << " cycle " << c;
      ASSERT_EQ(m.wrap_o, n.wrap_flags(step)) << "run " << run << " cycle " << c;
      h.tick();
      if (step) n.step();
    }
  }
}

TEST(LoopNest, AWholeNestVisitsEveryIndexOnceInOrder) {
  Harness h("");
  h.reset();
  Nest n;
  n.last = {2, 0, 3};  // 3 x 1 x 4 iterations; a level of one iteration wraps with every carry
  drive(h, n, true, false);
  h.tick();
  int steps = 0;
  for (;;) {
    drive(h, n, false, true);
    const auto& m = h.model();
    ASSERT_EQ(m.idx_o, packed({static_cast<unsigned>(steps % 3), 0u, static_cast<unsigned>(steps / 3)}));
    ++steps;
    const bool done = (m.wrap_o >> (kLevels - 1)) & 1u;
    h.tick();
    if (done) break;
    ASSERT_LT(steps, 100);
  }
  EXPECT_EQ(steps, 12);
  drive(h, n, false, false);
  EXPECT_EQ(h.model().idx_o, 0u) << "every index back to 0 after the last step";
}

TEST(LoopNest, ClearWinsOverAStepOfTheSameCycle) {
  Harness h("");
  h.reset();
  Nest n;
  n.last = {5, 5, 5};
  drive(h, n, false, true);
  h.tick();
  h.tick();
  EXPECT_EQ(h.model().idx_o, 2u);
  drive(h, n, true, true);
  h.tick();
  drive(h, n, false, false);
  EXPECT_EQ(h.model().idx_o, 0u);
}

}  // namespace
