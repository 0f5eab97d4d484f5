// Global output network (14 columns, 32-bit psums) against a reference of its round-robin arbiter and output
// register: with random column valid gaps and random back-pressure from the buffer side, every psum comes out once,
// tagged with its column, in order within its column; the counters match.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "Vgon.h"
#include "bit_fields.hpp"
#include "sim_harness.hpp"

namespace ocelli::tb {
namespace {

constexpr unsigned kCols = 14;
constexpr unsigned kWidth = 32;

struct Tagged {
  std::uint32_t data;
  unsigned col;
};

class GonBench {
 public:
  explicit GonBench(std::uint64_t seed) : seed_(seed), rng_(seed) {
    auto& d = sim_.model();
    d.col_valid_i = 0;
    d.out_ready_i = 0;
    d.perf_clear_i = 0;
    sim_.reset();
  }

  std::string tag() const { return fmt::format("seed {}", seed_); }
  std::mt19937_64& rng() { return rng_; }
  Vgon& dut() { return sim_.model(); }

  // Per-column psum lists; col_valid_prob[c] is column c's chance to offer its next psum in a cycle.
  bool run(const std::array<std::vector<std::uint32_t>, kCols>& psums, const std::array<double, kCols>& valid_prob,
           double out_ready_prob, std::uint64_t max_cycles = 200000) {
    std::array<std::size_t, kCols> next{};
    std::array<bool, kCols> offered{};
    std::array<std::deque<std::uint32_t>, kCols> expected;
    for (unsigned c = 0; c < kCols; ++c) expected[c].assign(psums[c].begin(), psums[c].end());
    auto& d = sim_.model();
    const std::uint64_t limit = sim_.cycles() + max_cycles;
    auto remaining = [&] {
      for (unsigned c = 0; c < kCols; ++c)
        if (!expected[c].empty()) return true;
      return false;
    };
    while (remaining()) {
      if (sim_.cycles() >= limit) {
        ADD_FAILURE() << tag() << ": timeout";
        return false;
      }
      for (unsigned c = 0; c < kCols; ++c) {
        if (!offered[c] && next[c] < psums[c].size()) offered[c] = std::bernoulli_distribution(valid_prob[c])(rng_);
        set_bits(d.col_valid_i, c, 1, offered[c]);
        set_elem(d.col_data_i, c, kWidth, offered[c] ? psums[c][next[c]] : 0xdeadbeef);
      }
      const bool out_ready = std::bernoulli_distribution(out_ready_prob)(rng_);
      d.out_ready_i = out_ready;
      sim_.eval();

      // Output side: the registered word, if any, must be the next psum of its column.
      if (static_cast<bool>(d.out_valid_o) != out_full_) {
        ADD_FAILURE() << tag() << fmt::format(": cycle {}: out_valid {} expected {}", sim_.cycles(), d.out_valid_o,
                                              out_full_);
        return false;
      }
      if (d.out_valid_o && out_ready) {
        const unsigned col = d.out_col_o;
        if (col >= kCols || expected[col].empty() || expected[col].front() != d.out_data_o) {
          ADD_FAILURE() << tag() << fmt::format(": cycle {}: got psum {:#010x} for column {}, expected {}",
                                                sim_.cycles(), d.out_data_o, col,
                                                col < kCols && !expected[col].empty()
                                                    ? fmt::format("{:#010x}", expected[col].front())
                                                    : std::string("none"));
          return false;
        }
        expected[col].pop_front();
      }

      // Column side against the reference arbiter.
      const bool slot_free = !out_full_ || out_ready;
      int winner = -1;
      for (unsigned i = 0; i < kCols && slot_free; ++i) {
        const unsigned c = (rr_ + i) % kCols;
        if (offered[c]) {
          winner = static_cast<int>(c);
          break;
        }
      }
      bool any_valid = false;
      for (unsigned c = 0; c < kCols; ++c) {
        any_valid |= offered[c];
        const bool ready = get_bits(d.col_ready_o, c, 1);
        if (ready != (static_cast<int>(c) == winner)) {
          ADD_FAILURE() << tag() << fmt::format(": cycle {}: column {} ready {}, reference winner {}", sim_.cycles(),
                                                c, ready, winner);
          return false;
        }
      }
      if (winner >= 0) {
        offered[winner] = false;
        ++next[winner];
        rr_ = (winner + 1) % kCols;
        ++words_;
      } else if (any_valid) {
        ++stall_cycles_;
      }
      if (slot_free) out_full_ = winner >= 0;
      sim_.tick();
    }
    return true;
  }

  void expect_counters() {
    EXPECT_EQ(sim_.model().perf_words_o, words_) << tag();
    EXPECT_EQ(sim_.model().perf_stall_cycles_o, stall_cycles_) << tag();
  }
  std::uint64_t words() const { return words_; }

 private:
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  SimHarness<Vgon> sim_;
  bool out_full_ = false;
  unsigned rr_ = 0;
  std::uint64_t words_ = 0, stall_cycles_ = 0;
};

class GonRandom : public ::testing::TestWithParam<int> {};

TEST_P(GonRandom, EveryPsumKeepsItsColumn) {
  const std::uint64_t seed = 7000 + GetParam();
  GonBench bench(seed);
  auto& rng = bench.rng();
  std::array<std::vector<std::uint32_t>, kCols> psums;
  std::array<double, kCols> valid_prob{};
  std::size_t total = 0;
  for (unsigned c = 0; c < kCols; ++c) {
    // Some columns idle (unused in the pass), the others with different amounts of output.
    const bool used = std::bernoulli_distribution(0.8)(rng);
    psums[c].resize(used ? std::uniform_int_distribution<std::size_t>(1, 400)(rng) : 0);
    for (auto& p : psums[c]) p = static_cast<std::uint32_t>(rng());
    valid_prob[c] = std::uniform_real_distribution<double>(0.05, 1.0)(rng);
    total += psums[c].size();
  }
  const double out_ready_prob = std::uniform_real_distribution<double>(0.2, 1.0)(rng);
  ASSERT_TRUE(bench.run(psums, valid_prob, out_ready_prob)) << "out_ready_prob " << out_ready_prob;
  bench.expect_counters();
  EXPECT_EQ(bench.words(), total);
}

INSTANTIATE_TEST_SUITE_P(Seeds, GonRandom, ::testing::Range(0, 16));

// Every column always valid and the buffer always ready: one psum per cycle, columns served in turn.
TEST(Gon, FullThroughputRoundRobin) {
  GonBench bench(1);
  std::array<std::vector<std::uint32_t>, kCols> psums;
  std::array<double, kCols> valid_prob{};
  for (unsigned c = 0; c < kCols; ++c) {
    for (unsigned k = 0; k < 50; ++k) psums[c].push_back(c << 16 | k);
    valid_prob[c] = 1.0;
  }
  ASSERT_TRUE(bench.run(psums, valid_prob, 1.0, kCols * 50 + 1));
  bench.expect_counters();
  EXPECT_EQ(bench.dut().perf_stall_cycles_o, 0u);  // a psum is taken in every cycle with a valid column
}

}  // namespace
}  // namespace ocelli::tb
