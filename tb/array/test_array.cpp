// The 12x14 PE array against the golden: 2-D convolution passes mapped row-stationary (RsPassBuilder), psums
// accumulated up the columns, several PE sets folded onto the array, the five AlexNet CONV shapes (one
// representative pass each) and seeded random passes with valid gaps and output back-pressure.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "array_runner.hpp"
#include "random_slice.hpp"
#include "random_tensors.hpp"
#include "rs_pass_builder.hpp"

namespace {

using namespace ocelli;
using namespace ocelli::tb;

constexpr int kRows = 12;
constexpr int kCols = 14;

struct ArrayCase {
  int n = 1;          // images
  int R = 3, S = 3;   // filter
  int U = 1;          // stride (both directions)
  int H = 0, W = 0;   // input size (before padding)
  int pad = 0;        // on all four sides
  RsMapping map;
  bool bias = false;
  bool psum_in = false;
  double zero_prob = 0.3;
  StreamTiming timing;
};

std::string describe(const ArrayCase& c) {
  return fmt::format("n={} R={} S={} U={} H={} W={} pad={} p={} q={} r={} t={} e={} bias={} psum_in={} "
                     "zero={:.2f} valid={:.2f} ready={:.2f}",
                     c.n, c.R, c.S, c.U, c.H, c.W, c.pad, c.map.p, c.map.q, c.map.r, c.map.t, c.map.e, c.bias,
                     c.psum_in, c.zero_prob, c.timing.valid_prob, c.timing.ready_prob);
}

// corrupt_filter_word: flip a bit of one filter word after the golden ran, to show a wrong result is caught.
ArrayRunResult check_array_case_on(SimHarness<Vpe_array>& sim, const ArrayCase& c, std::uint64_t seed,
                                   bool corrupt_filter_word = false) {
  SCOPED_TRACE(fmt::format("seed {} ({})", seed, describe(c)));
  std::mt19937_64 rng(seed);
  const ConvSlice slice = random_slice(rng, c);
  const int F = (c.W + 2 * c.pad - c.S) / c.U + 1;
  ArrayPass pass = RsPassBuilder(kRows, kCols).build(slice, c.map);
  if (corrupt_filter_word) {  // flip a bit the golden did not see, in the PE that starts column 0's chain
    pass.pes[0].filter.back() ^= 0x0100;
  }

  ArrayRunner runner(sim, kRows, kCols, seed ^ 0x5a5a5a5aull);
  ArrayRunResult r = runner.run(pass, c.timing);
  if (corrupt_filter_word) {
    EXPECT_NE(r.outputs[0], pass.expected[0]) << "a corrupted filter word went unnoticed";
    return r;
  }
  for (int col = 0; col < kCols; ++col) {
    const auto& want = pass.expected[col];
    const auto& got = r.outputs[col];
    EXPECT_EQ(got.size(), want.size()) << "column " << col;
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
      const int m = static_cast<int>(i % c.map.p);
      const int x = static_cast<int>(i / c.map.p % F);
      const int b = static_cast<int>(i / c.map.p / F);
      if (got[i] != want[i]) {
        ADD_FAILURE() << fmt::format("column {} psum {} (image {}, ofmap column {}, filter {} of the set): got {}, "
                                     "golden {}",
                                     col, i, b, x, m, got[i], want[i]);
        break;
      }
    }
  }
  EXPECT_EQ(r.counters.macs, pass.macs);
  EXPECT_EQ(r.counters.gated_macs, pass.zero_macs);
  return r;
}

ArrayCase random_array_case(std::mt19937_64& rng);

// A fresh model per case.
ArrayRunResult check_array_case(const ArrayCase& c, std::uint64_t seed, bool corrupt_filter_word = false) {
  SimHarness<Vpe_array> sim;
  sim.reset();
  return check_array_case_on(sim, c, seed, corrupt_filter_word);
}

// Smallest geometry: one PE set of 3 x 3 accumulating up the columns.
TEST(PeArray, OneSetAccumulatesVertically) {
  ArrayCase c;
  c.R = c.S = 3;
  c.H = c.W = 7;
  c.map = {2, 1, 1, 1, 3};
  check_array_case(c, 101);
}

TEST(PeArray, FullHeightFilterStride4) {
  ArrayCase c;
  c.R = c.S = 11;
  c.U = 4;
  c.H = 11 + 4 * 3;
  c.W = 31;
  c.map = {4, 1, 1, 1, 4};
  c.bias = true;
  check_array_case(c, 102);
}

// Channel-group sets stacked (r) accumulate through each other; filter-group sets (t) side by side.
TEST(PeArray, SetsFoldedVerticallyAndHorizontally) {
  ArrayCase c;
  c.R = c.S = 3;
  c.H = 9;
  c.W = 9;
  c.pad = 1;
  c.map = {3, 2, 4, 2, 7};  // 12 x 14 PEs: 4 channel groups of 2, 2 filter groups of 3
  c.bias = true;
  c.psum_in = true;
  check_array_case(c, 103);
}

TEST(PeArray, BackPressureAndValidGaps) {
  ArrayCase c;
  c.R = 2;
  c.S = 4;
  c.U = 2;
  c.H = 12;
  c.W = 14;
  c.n = 2;
  c.map = {5, 3, 2, 3, 4};
  c.psum_in = true;
  c.timing = {0.4, 0.25};
  check_array_case(c, 104);
}

TEST(PeArray, CorruptedFilterWordIsCaught) {
  ArrayCase c;
  c.R = c.S = 3;
  c.H = c.W = 7;
  c.zero_prob = 0.0;
  c.map = {2, 1, 2, 1, 3};
  check_array_case(c, 105, true);
}

// Passes back to back on one model (as the accelerator runs them): every start must reset the PEs' pass state,
// including PEs that were idle in the previous pass and PEs that drop out.
TEST(PeArray, PassesBackToBackOnOneModel) {
  SimHarness<Vpe_array> sim;
  sim.reset();
  std::mt19937_64 rng(106);
  for (int i = 0; i < 6; ++i) {
    const std::uint64_t seed = rng();
    std::mt19937_64 case_rng(seed);
    ArrayCase c = random_array_case(case_rng);
    check_array_case_on(sim, c, seed);
    if (HasFailure()) break;
  }
}

// ---- AlexNet CONV layers: one representative pass each (a slice of rows/filters/channels that fits). ----
// CONV1: 11x11 stride 4, C=3 (q=1: one channel per pass), 2 sets of 7 rows x 11 filter rows = 154 PEs.
TEST(PeArrayAlexNet, Conv1Pass) {
  ArrayCase c;
  c.R = c.S = 11;
  c.U = 4;
  c.W = 227;
  c.H = 11 + 4 * 6;  // rows for e = 7 ofmap rows
  c.map = {16, 1, 1, 2, 7};
  c.bias = true;
  check_array_case(c, 201);
}

// CONV2: 5x5 pad 2, q=2 per PE, two channel groups stacked (10 rows), 13 of the 27 ofmap rows.
TEST(PeArrayAlexNet, Conv2Pass) {
  ArrayCase c;
  c.R = c.S = 5;
  c.W = 27;
  c.H = 15;
  c.pad = 2;
  c.map = {16, 2, 2, 1, 13};
  c.psum_in = true;
  check_array_case(c, 202);
}

// CONV3: 3x3 pad 1 on 13x13, q=4 (q*S=12), 4 channel groups stacked = 12 x 13 PEs, p=16 (192 spad words).
TEST(PeArrayAlexNet, Conv3Pass) {
  ArrayCase c;
  c.R = c.S = 3;
  c.H = c.W = 13;
  c.pad = 1;
  c.map = {16, 4, 4, 1, 13};
  c.bias = true;
  check_array_case(c, 203);
}

// CONV4: 3x3 pad 1, q=3, 4 channel groups stacked, 2 images.
TEST(PeArrayAlexNet, Conv4Pass) {
  ArrayCase c;
  c.n = 2;
  c.R = c.S = 3;
  c.H = c.W = 13;
  c.pad = 1;
  c.map = {16, 3, 4, 1, 13};
  c.psum_in = true;
  check_array_case(c, 204);
}

// CONV5: 3x3 pad 1, q=3, p=16, 2 channel groups stacked, 2 images.
TEST(PeArrayAlexNet, Conv5Pass) {
  ArrayCase c;
  c.n = 2;
  c.R = c.S = 3;
  c.H = c.W = 13;
  c.pad = 1;
  c.map = {16, 3, 2, 1, 13};
  c.bias = true;
  c.psum_in = true;
  check_array_case(c, 205);
}

// Seeded random 2-D passes: filter heights/widths 1-11, strides 1/2/4, p and q often at their spad limits,
// several sets folded (r, t), padding, several images, random gaps. Re-run one with --gtest_filter=*/<index>.
ArrayCase random_array_case(std::mt19937_64& rng) {
  ArrayCase c;
  const int strides[] = {1, 2, 4};
  c.R = rand_int(rng, 1, 11);
  c.S = rand_int(rng, 1, 11);
  c.U = strides[rand_int(rng, 0, 2)];
  const int q_max = 12 / c.S;
  c.map.q = rand_int(rng, 0, 2) == 0 ? q_max : rand_int(rng, 1, q_max);
  const int p_max = std::min(24, 224 / (c.map.q * c.S));
  c.map.p = rand_int(rng, 0, 2) == 0 ? p_max : rand_int(rng, 1, std::min(p_max, 8));
  c.map.r = rand_int(rng, 1, kRows / c.R);
  c.map.e = rand_int(rng, 1, 7);
  c.map.t = rand_int(rng, 1, kCols / c.map.e);
  c.map.filter_outer = rand_int(rng, 0, 1);
  c.n = rand_int(rng, 1, 2);
  c.pad = rand_int(rng, 0, std::min(2, (std::min(c.R, c.S) - 1)));
  const int F = rand_int(rng, 1, 6);
  c.W = std::max(1, (F - 1) * c.U + c.S - 2 * c.pad);
  c.H = std::max(1, (c.map.e - 1) * c.U + c.R - 2 * c.pad);
  // Keep the sizes consistent with the golden's output shape after the max(1, ...) above.
  while ((c.W + 2 * c.pad - c.S) < 0) ++c.W;
  while ((c.H + 2 * c.pad - c.R) / c.U + 1 < c.map.e) ++c.H;
  c.bias = rand_int(rng, 0, 1);
  c.psum_in = rand_int(rng, 0, 1);
  c.zero_prob = std::uniform_real_distribution<double>(0.0, 0.7)(rng);
  if (rand_int(rng, 0, 1)) {
    c.timing.valid_prob = std::uniform_real_distribution<double>(0.4, 1.0)(rng);
    c.timing.ready_prob = std::uniform_real_distribution<double>(0.3, 1.0)(rng);
  }
  return c;
}

class PeArrayRandom : public ::testing::TestWithParam<int> {};

TEST_P(PeArrayRandom, MatchesGolden) {
  const std::uint64_t seed = 0xd1b54a32d192ed03ull * static_cast<std::uint64_t>(GetParam() + 1);
  std::mt19937_64 rng(seed);
  check_array_case(random_array_case(rng), seed);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PeArrayRandom, ::testing::Range(0, 100));

// The PEs' rule checks are asserted by pe_array: a word withdrawn from a full PE ifmap queue before it was taken
// stops the simulation with a message naming the PE and the rule.
void withdraw_offered_word_in_array() {
  std::fflush(stdout);
  dup2(2, 1);  // Verilator reports assertion failures on stdout; the death test matches stderr
  SimHarness<Vpe_array> sim;
  sim.reset();
  auto& m = sim.model();
  constexpr int kPe = 1 * kCols + 2;  // row 1, column 2
  set_field(m.pe_en_i, kPe, 1, 1);
  set_field(m.ifmap_valid_i, kPe, 1, 1);
  for (int i = 0; i < 3; ++i) sim.tick();  // no pass started: the PE's 2-entry ifmap FIFO fills and ready drops
  if (get_field(m.ifmap_ready_o, kPe, 1)) {  // not the failure this test is after
    std::fputs("ifmap FIFO did not fill\n", stderr);
    std::exit(1);
  }
  set_field(m.ifmap_valid_i, kPe, 1, 0);  // withdrawn while not ready
  for (int i = 0; i < 3; ++i) sim.tick();
  std::exit(0);
}

TEST(PeArrayDeathTest, WithdrawnInputWordTripsPeRuleAssertion) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(withdraw_offered_word_in_array(), "PE row 1 col 2: ifmap queue: a_in_hold");
}

}  // namespace
