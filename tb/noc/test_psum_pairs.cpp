// The psum path's two ends without the array between them (psum_pairs_tb_top.sv): psum_unpacker splits each
// column's pairs into psums, one per cycle, and psum_packer pairs them again by filter index (filters 2k, 2k+1 of
// an output position; the last of an odd p alone). With random offers, a register per column between the two that
// takes psums at random (a PE column) and random back-pressure at the end, every pair must come out unchanged and in order per column, and a column
// must pass one psum per cycle when nothing holds it back.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "Vpsum_pairs_tb_top.h"
#include "bit_fields.hpp"
#include "sim_harness.hpp"

namespace ocelli::tb {
namespace {

constexpr unsigned kCols = 14;
constexpr unsigned kPairBits = 65;  // psum_pair_t: two (bit 64), hi (63:32), lo (31:0)

struct Pair {
  bool two;
  std::uint32_t hi, lo;
};

class PairsBench {
 public:
  explicit PairsBench(std::uint64_t seed) : rng_(seed) {
    auto& d = sim_.model();
    d.start_i = 0;
    d.p_i = 1;
    d.in_valid_i = 0;
    d.link_en_i = 0;
    d.out_ready_i = 0;
    sim_.reset();
  }
  std::mt19937_64& rng() { return rng_; }

  // Each column's pairs for `positions` output positions of p filters, with random psums.
  std::array<std::vector<Pair>, kCols> make_pairs(unsigned p, unsigned positions) {
    std::array<std::vector<Pair>, kCols> pairs;
    for (auto& col : pairs) {
      for (unsigned x = 0; x < positions; ++x) {
        for (unsigned k = 0; 2 * k < p; ++k) {
          const bool two = 2 * k + 1 < p;
          col.push_back({two, two ? static_cast<std::uint32_t>(rng_()) : 0u, static_cast<std::uint32_t>(rng_())});
        }
      }
    }
    return pairs;
  }

  // Runs one pass; returns its cycles (0 on a failure, which it reports).
  std::uint64_t run(unsigned p, const std::array<std::vector<Pair>, kCols>& pairs, double in_prob, double link_prob,
                    double out_prob, std::uint64_t max_cycles = 100000) {
    auto& d = sim_.model();
    d.p_i = p;
    d.start_i = 1;
    sim_.tick();
    d.start_i = 0;
    const std::uint64_t first = sim_.cycles();
    std::array<std::size_t, kCols> next{};
    std::array<bool, kCols> offered{};
    std::array<std::deque<Pair>, kCols> expected;
    std::size_t left = 0;
    for (unsigned c = 0; c < kCols; ++c) {
      expected[c].assign(pairs[c].begin(), pairs[c].end());
      left += pairs[c].size();
    }
    std::bernoulli_distribution in(in_prob), link(link_prob), out(out_prob);
    while (left > 0) {
      if (sim_.cycles() - first >= max_cycles) {
        ADD_FAILURE() << fmt::format("p {}: timeout with {} pairs left", p, left);
        return 0;
      }
      for (unsigned c = 0; c < kCols; ++c) {
        if (!offered[c] && next[c] < pairs[c].size()) offered[c] = in(rng_);
        const Pair w = offered[c] ? pairs[c][next[c]] : Pair{true, 0xdeadbeef, 0xdeadbeef};
        set_bits(d.in_valid_i, c, 1, offered[c]);
        set_bits(d.in_data_i, c * kPairBits, 32, w.lo);
        set_bits(d.in_data_i, c * kPairBits + 32, 32, w.hi);
        set_bits(d.in_data_i, c * kPairBits + 64, 1, w.two);
        set_bits(d.link_en_i, c, 1, link(rng_));
        set_bits(d.out_ready_i, c, 1, out(rng_));
      }
      sim_.eval();
      for (unsigned c = 0; c < kCols; ++c) {
        if (offered[c] && get_bits(d.in_ready_o, c, 1)) {
          offered[c] = false;
          ++next[c];
        }
        if (!get_bits(d.out_valid_o, c, 1) || !get_bits(d.out_ready_i, c, 1)) continue;
        const Pair got{get_bits(d.out_data_o, c * kPairBits + 64, 1) != 0,
                       static_cast<std::uint32_t>(get_bits(d.out_data_o, c * kPairBits + 32, 32)),
                       static_cast<std::uint32_t>(get_bits(d.out_data_o, c * kPairBits, 32))};
        if (expected[c].empty()) {
          ADD_FAILURE() << fmt::format("p {} column {}: a pair too many", p, c);
          return 0;
        }
        const Pair want = expected[c].front();
        if (got.two != want.two || got.lo != want.lo || (want.two && got.hi != want.hi)) {
          ADD_FAILURE() << fmt::format("p {} column {} pair {}: got ({}, {:#x}, {:#x}), expected ({}, {:#x}, {:#x})", p,
                                       c, pairs[c].size() - expected[c].size(), got.two, got.hi, got.lo, want.two,
                                       want.hi, want.lo);
          return 0;
        }
        expected[c].pop_front();
        --left;
      }
      sim_.tick();
    }
    d.in_valid_i = 0;
    d.out_ready_i = 0;
    sim_.eval();
    EXPECT_TRUE(d.unpacker_idle_o) << "p " << p;
    EXPECT_EQ(d.out_valid_o, 0u) << "p " << p;
    return sim_.cycles() - first;
  }

 private:
  SimHarness<Vpsum_pairs_tb_top> sim_;
  std::mt19937_64 rng_;
};

class PsumPairsRandom : public ::testing::TestWithParam<int> {};

TEST_P(PsumPairsRandom, EveryPairComesOutUnchanged) {
  PairsBench bench(static_cast<std::uint64_t>(GetParam()));
  auto& rng = bench.rng();
  // Several passes back to back, each with its own p (odd ones included), as a layer's passes follow each other.
  for (int pass = 0; pass < 4; ++pass) {
    const unsigned p = std::uniform_int_distribution<unsigned>(1, 24)(rng);
    const unsigned positions = std::uniform_int_distribution<unsigned>(1, 12)(rng);
    const double in_prob = std::uniform_real_distribution<double>(0.1, 1.0)(rng);
    const double link_prob = std::uniform_real_distribution<double>(0.1, 1.0)(rng);
    const double out_prob = std::uniform_real_distribution<double>(0.1, 1.0)(rng);
    ASSERT_NE(bench.run(p, bench.make_pairs(p, positions), in_prob, link_prob, out_prob), 0u)
        << fmt::format("seed {} pass {}: p {} positions {} in {:.2f} link {:.2f} out {:.2f}", GetParam(), pass, p,
                       positions, in_prob, link_prob, out_prob);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, PsumPairsRandom, ::testing::Range(0, 12));

// Nothing held back: a column passes one psum per cycle (two per pair), p even or odd.
TEST(PsumPairs, OnePsumPerCyclePerColumn) {
  PairsBench bench(1);
  for (const unsigned p : {2u, 7u, 24u}) {
    const unsigned positions = 20;
    const std::uint64_t psums = std::uint64_t(positions) * p;
    const std::uint64_t cycles = bench.run(p, bench.make_pairs(p, positions), 1.0, 1.0, 1.0);
    ASSERT_NE(cycles, 0u) << "p " << p;
    EXPECT_LE(cycles, psums + 6) << "p " << p;
  }
}

}  // namespace
}  // namespace ocelli::tb
