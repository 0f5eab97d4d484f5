// Conv, FC, requantize, ReLU and max-pool against independent double-precision references written here
// (plain loops over real values; nothing from the golden's internals), plus hand-computed cases and bad arguments.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "ocelli/golden/layers.hpp"

namespace ocelli::golden {
namespace {

constexpr unsigned kSeed = 0x0CE111;

Tensor16 random_tensor(std::mt19937& rng, Shape s, int frac, int max_abs, double zero_fraction = 0.0) {
  Tensor16 t(s, frac);
  std::uniform_int_distribution<int> value(-max_abs, max_abs);
  std::bernoulli_distribution zero(zero_fraction);
  for (auto& v : t.data) v = zero(rng) ? 0 : static_cast<std::int16_t>(value(rng));
  return t;
}

double real(const Tensor16& t, std::size_t i) { return std::ldexp(static_cast<double>(t.data[i]), -t.frac); }

// Reference convolution over real values. Returns real outputs (N, M, E, F) and counts zero/padded operands.
struct RefConv {
  Shape shape;
  std::vector<double> out;
  std::uint64_t zero_operands = 0;
};

RefConv reference_conv(const Tensor16& in, const Tensor16& w, const std::vector<double>& bias, const ConvParams& p) {
  const int N = in.shape.n, C = in.shape.c, H = in.shape.h, W = in.shape.w;
  const int M = w.shape.n, R = w.shape.h, S = w.shape.w, G = p.groups, Cg = C / G, Mg = M / G;
  const int E = (H + p.pad_top + p.pad_bottom - R) / p.stride_h + 1;
  const int F = (W + p.pad_left + p.pad_right - S) / p.stride_w + 1;
  RefConv r;
  r.shape = {N, M, E, F};
  r.out.assign(r.shape.elements(), 0.0);
  for (int n = 0; n < N; ++n)
    for (int m = 0; m < M; ++m)
      for (int e = 0; e < E; ++e)
        for (int f = 0; f < F; ++f) {
          double sum = bias.empty() ? 0.0 : bias[m];
          const int g = m / Mg;
          for (int c = 0; c < Cg; ++c)
            for (int i = 0; i < R; ++i)
              for (int j = 0; j < S; ++j) {
                const int y = e * p.stride_h + i - p.pad_top, x = f * p.stride_w + j - p.pad_left;
                double a = 0.0;
                if (y >= 0 && y < H && x >= 0 && x < W) a = real(in, in.index(n, g * Cg + c, y, x));
                if (a == 0.0) ++r.zero_operands;
                sum += a * real(w, w.index(m, c, i, j));
              }
          r.out[((static_cast<std::size_t>(n) * M + m) * E + e) * F + f] = sum;
        }
  return r;
}

// Round half up and saturate, in double (exact for the magnitudes used here).
double ref_requant(double real_value, int out_frac, bool relu) {
  double y = std::floor(std::ldexp(real_value, out_frac) + 0.5);
  y = std::min(32767.0, std::max(-32768.0, y));
  return relu ? std::max(y, 0.0) : y;
}

struct ConvCase {
  Shape in, weights;
  ConvParams p;
  int in_frac, w_frac, out_frac;
  bool relu;
  int max_abs = 3000;  // operand magnitude
};

class ConvVsReference : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvVsReference, AccumulatorsExactRequantizedWithinHalfLsb) {
  const ConvCase& c = GetParam();
  std::mt19937 rng(kSeed + c.in.c * 131 + c.weights.h * 17 + c.p.stride_w);
  const Tensor16 in = random_tensor(rng, c.in, c.in_frac, c.max_abs, 0.3);
  const Tensor16 w = random_tensor(rng, c.weights, c.w_frac, c.max_abs, 0.1);
  std::vector<std::int32_t> bias(c.weights.n);
  const int bias_range = std::min(1 << 20, 4 * c.max_abs * c.max_abs);
  std::uniform_int_distribution<int> bias_value(-bias_range, bias_range);
  for (auto& b : bias) b = bias_value(rng);
  std::vector<double> bias_real;
  for (auto b : bias) bias_real.push_back(std::ldexp(static_cast<double>(b), -(c.in_frac + c.w_frac)));

  LayerStats stats;
  const Tensor32 acc = conv2d_accumulate(in, w, bias, c.p, &stats);
  const Tensor16 y = requantize(acc, c.out_frac, c.relu, &stats);
  const RefConv ref = reference_conv(in, w, bias_real, c.p);
  ASSERT_EQ(acc.shape, ref.shape);
  ASSERT_EQ(acc.frac, c.in_frac + c.w_frac);
  std::size_t mismatches = 0, unsaturated = 0;
  for (std::size_t i = 0; i < ref.out.size() && mismatches < 5; ++i) {
    // The exact sum fits int32 here, so the accumulator equals the real sum scaled by 2^acc.frac.
    const double expected_acc = std::ldexp(ref.out[i], acc.frac);
    if (acc.data[i] != expected_acc) {
      ++mismatches;
      ADD_FAILURE() << fmt::format("seed {} acc[{}] = {} expected {}", kSeed, i, acc.data[i], expected_acc);
    }
    const double expected_y = ref_requant(ref.out[i], c.out_frac, c.relu);
    if (std::abs(std::ldexp(ref.out[i], c.out_frac)) < 32767) {
      ++unsaturated;
      // Quantization error of an unsaturated output is at most half an LSB.
      EXPECT_LE(std::abs(y.data[i] - (c.relu ? std::max(0.0, std::ldexp(ref.out[i], c.out_frac))
                                             : std::ldexp(ref.out[i], c.out_frac))),
                0.5)
          << "output " << i;
    }
    if (y.data[i] != expected_y) {
      ++mismatches;
      ADD_FAILURE() << fmt::format("seed {} y[{}] = {} expected {}", kSeed, i, y.data[i], expected_y);
    }
  }
  EXPECT_GT(unsaturated, 0u) << "case does not exercise unsaturated outputs";
  EXPECT_EQ(stats.macs, static_cast<std::uint64_t>(ref.out.size()) * w.shape.c * w.shape.h * w.shape.w);
  EXPECT_EQ(stats.zero_operand_macs, ref.zero_operands);
  EXPECT_EQ(stats.acc_overflows, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvVsReference,
    ::testing::Values(
        // in, weights, {sh, sw, pt, pb, pl, pr, groups}, in_frac, w_frac, out_frac, relu
        ConvCase{{1, 3, 9, 9}, {4, 3, 3, 3}, {1, 1, 0, 0, 0, 0, 1}, 8, 12, 12, false},
        ConvCase{{2, 4, 11, 13}, {6, 2, 3, 5}, {2, 3, 1, 2, 0, 3, 2}, 10, 14, 14, true},    // groups, stride, asym pad
        ConvCase{{3, 6, 15, 15}, {6, 2, 4, 4}, {3, 2, 2, 0, 1, 1, 3}, 7, 13, 10, false},   // batch 3, 3 groups
        ConvCase{{1, 2, 31, 35}, {3, 2, 11, 11}, {4, 4, 0, 0, 0, 0, 1}, 8, 15, 14, true},   // conv1-like
        ConvCase{{1, 2, 14, 40}, {2, 2, 12, 32}, {1, 1, 1, 1, 2, 2, 1}, 9, 15, 12, false},  // largest filter 12x32
        ConvCase{{2, 5, 7, 6}, {4, 5, 1, 1}, {1, 1, 0, 0, 0, 0, 1}, 6, 10, 7, false},      // 1x1
        ConvCase{{1, 4, 10, 10}, {4, 1, 3, 3}, {2, 2, 1, 1, 1, 1, 4}, 8, 12, 11, true},     // depthwise
        ConvCase{{1, 1, 3, 3}, {1, 1, 3, 3}, {1, 1, 0, 0, 0, 0, 1}, 0, 0, 0, false, 40},   // 1x1 output, shift 0
        ConvCase{{1, 2, 6, 5}, {2, 2, 2, 2}, {1, 1, 1, 0, 0, 1, 1}, 0, 0, 0, true, 40}),    // shift 0 + ReLU
    [](const ::testing::TestParamInfo<ConvCase>& info) { return fmt::format("case{}", info.index); });

TEST(Conv, HandComputedValidCase) {
  Tensor16 in({1, 1, 3, 3}, 0);
  for (int i = 0; i < 9; ++i) in.data[i] = static_cast<std::int16_t>(i + 1);  // 1..9
  Tensor16 w({1, 1, 2, 2}, 0);
  w.data = {1, 0, 0, -1};
  const Tensor32 acc = conv2d_accumulate(in, w, {10}, {});
  ASSERT_EQ(acc.shape, (Shape{1, 1, 2, 2}));
  EXPECT_EQ(acc.data, (std::vector<std::int32_t>{6, 6, 6, 6}));  // a - d + 10 = -4 + 10
}

TEST(Conv, HandComputedPaddingAndStride) {
  Tensor16 in({1, 1, 2, 3}, 0);
  in.data = {1, 2, 3, 4, 5, 6};
  Tensor16 w({1, 1, 2, 2}, 0);
  w.data = {1, 1, 1, 1};  // 2x2 box sum
  ConvParams p;
  p.pad_top = 1;
  p.pad_left = 1;
  p.stride_w = 2;  // padded 3x4 -> out rows (3-2)/1+1 = 2, cols (4-2)/2+1 = 2
  const Tensor32 acc = conv2d_accumulate(in, w, {}, p);
  ASSERT_EQ(acc.shape, (Shape{1, 1, 2, 2}));
  // windows at (y,x) = (-1,-1): 1; (-1,1): 2+3; (0,-1): 1+4; (0,1): 2+3+5+6
  EXPECT_EQ(acc.data, (std::vector<std::int32_t>{1, 5, 5, 16}));
}

TEST(Conv, OverflowWrapsAndIsCounted) {
  // 4 products of 32767*32767 = 4294705156 ~ 2^32: wraps in int32.
  Tensor16 in({1, 1, 2, 2}, 0);
  in.data = {32767, 32767, 32767, 32767};
  Tensor16 w({2, 1, 2, 2}, 0);
  w.data = {32767, 32767, 32767, 32767, 1, 1, 1, 1};
  LayerStats stats;
  const Tensor32 acc = conv2d_accumulate(in, w, {5, 0}, {}, &stats);
  const std::int64_t exact = 4LL * 32767 * 32767 + 5;
  EXPECT_EQ(acc.data[0], static_cast<std::int32_t>(static_cast<std::uint32_t>(exact)));
  EXPECT_EQ(acc.data[1], 4 * 32767);
  EXPECT_EQ(stats.acc_overflows, 1u);
  // Wrap-around is independent of order: (a + b) mod 2^32 computed in any order.
  EXPECT_EQ(static_cast<std::uint32_t>(acc.data[0]), static_cast<std::uint32_t>(exact & 0xFFFFFFFF));
}

TEST(Conv, InvalidArgumentsThrowNamingTheField) {
  const Tensor16 in({1, 4, 8, 8}, 8);
  const Tensor16 w({2, 4, 3, 3}, 8);
  const auto throws_with = [](auto fn, const std::string& needle) {
    try {
      fn();
      ADD_FAILURE() << "no throw, expected: " << needle;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  ConvParams p;
  throws_with([&] { conv2d_accumulate(in, w, {1, 2, 3}, p); }, "bias");
  p.stride_h = 0;
  throws_with([&] { conv2d_accumulate(in, w, {}, p); }, "stride_h");
  p = {};
  p.groups = 3;
  throws_with([&] { conv2d_accumulate(in, w, {}, p); }, "groups");
  p = {};
  p.groups = 2;  // weights.c must be 4/2 = 2
  throws_with([&] { conv2d_accumulate(in, w, {}, p); }, "weights.c");
  p = {};
  p.pad_left = -1;
  throws_with([&] { conv2d_accumulate(in, w, {}, p); }, "padding");
  throws_with([&] { conv2d_accumulate(in, Tensor16({2, 4, 9, 3}, 8), {}, {}); }, "kernel");
  Tensor16 broken = in;
  broken.data.pop_back();
  throws_with([&] { conv2d_accumulate(broken, w, {}, {}); }, "input holds");
  throws_with([&] { requantize(Tensor32({1, 1, 1, 1}, 10), 11, false); }, "shift");
  throws_with([&] { requantize(Tensor32({1, 1, 1, 1}, 40), 8, false); }, "shift");
  throws_with([&] { fc_accumulate(in, Tensor16({3, 100, 1, 1}, 8), {}); }, "weights.c");
  throws_with([&] { fc_accumulate(in, Tensor16({3, 256, 2, 1}, 8), {}); }, "(M, K, 1, 1)");
}

// ---- fully connected ----

TEST(FullyConnected, MatchesReferenceAndEqualsFullFilterConv) {
  std::mt19937 rng(kSeed);
  const Tensor16 in = random_tensor(rng, {3, 5, 4, 3}, 9, 8000, 0.4);
  const Tensor16 w = random_tensor(rng, {7, 60, 1, 1}, 14, 8000);
  std::vector<std::int32_t> bias = {1, -2, 3, -4, 5, -6, 1 << 22};
  LayerStats stats;
  const Tensor16 y = fully_connected(in, w, bias, 10, false, &stats);
  ASSERT_EQ(y.shape, (Shape{3, 7, 1, 1}));
  std::uint64_t zeros = 0;
  for (int n = 0; n < 3; ++n) {
    for (int m = 0; m < 7; ++m) {
      double sum = std::ldexp(static_cast<double>(bias[m]), -(9 + 14));
      for (int k = 0; k < 60; ++k) {
        sum += real(in, static_cast<std::size_t>(n) * 60 + k) * real(w, static_cast<std::size_t>(m) * 60 + k);
      }
      EXPECT_EQ(y.data[static_cast<std::size_t>(n) * 7 + m], ref_requant(sum, 10, false)) << n << "," << m;
    }
  }
  for (auto v : in.data) zeros += v == 0;
  EXPECT_EQ(stats.macs, 3u * 7 * 60);
  EXPECT_EQ(stats.zero_operand_macs, zeros * 7);
  // FC is a conv whose filter covers the whole input.
  Tensor16 w_conv = w;
  w_conv.shape = {7, 5, 4, 3};
  const Tensor32 via_conv = conv2d_accumulate(in, w_conv, bias, {});
  EXPECT_EQ(via_conv.data, fc_accumulate(in, w, bias).data);
}

// ---- requantize edge cases ----

Tensor16 requant_one(std::int32_t v, int acc_frac, int out_frac, bool relu, LayerStats* stats = nullptr) {
  Tensor32 acc({1, 1, 1, 1}, acc_frac);
  acc.data[0] = v;
  return requantize(acc, out_frac, relu, stats);
}

TEST(Requantize, ShiftZeroPassesThroughAndSaturates) {
  LayerStats stats;
  EXPECT_EQ(requant_one(1234, 5, 5, false).data[0], 1234);
  EXPECT_EQ(requant_one(-32768, 5, 5, false).data[0], -32768);
  EXPECT_EQ(requant_one(32767, 5, 5, false, &stats).data[0], 32767);
  EXPECT_EQ(stats.saturated, 0u);
  EXPECT_EQ(requant_one(32768, 5, 5, false, &stats).data[0], 32767);
  EXPECT_EQ(requant_one(-32769, 5, 5, false, &stats).data[0], -32768);
  EXPECT_EQ(stats.saturated, 2u);
  EXPECT_EQ(requant_one(5, 5, 5, false).frac, 5);
}

TEST(Requantize, ShiftThirtyOne) {
  const auto y = [](std::int32_t v) { return requant_one(v, 31, 0, false).data[0]; };
  EXPECT_EQ(y(1 << 30), 1);                                    // exactly 0.5 -> 1
  EXPECT_EQ(y((1 << 30) - 1), 0);                              // just below 0.5
  EXPECT_EQ(y(-(1 << 30)), 0);                                 // -0.5 -> 0 (half up)
  EXPECT_EQ(y(-(1 << 30) - 1), -1);                            // just below -0.5
  EXPECT_EQ(y(std::numeric_limits<std::int32_t>::max()), 1);   // ~1.0, needs the 33-bit add
  EXPECT_EQ(y(std::numeric_limits<std::int32_t>::min()), -1);  // -1.0
}

TEST(Requantize, TiesRoundHalfUp) {
  const auto y = [](std::int32_t v, int s) { return requant_one(v, s, 0, false).data[0]; };
  EXPECT_EQ(y(1, 1), 1);     // 0.5
  EXPECT_EQ(y(-1, 1), 0);    // -0.5
  EXPECT_EQ(y(3, 1), 2);     // 1.5
  EXPECT_EQ(y(-3, 1), -1);   // -1.5
  EXPECT_EQ(y(5, 1), 3);     // 2.5
  EXPECT_EQ(y(-5, 1), -2);   // -2.5
  EXPECT_EQ(y(12, 3), 2);    // 1.5
  EXPECT_EQ(y(11, 3), 1);    // 1.375
  EXPECT_EQ(y(-12, 3), -1);  // -1.5
  EXPECT_EQ(y(-13, 3), -2);  // -1.625
}

TEST(Requantize, SaturatesBothEndsAndCounts) {
  LayerStats stats;
  EXPECT_EQ(requant_one(32767 * 16 + 7, 4, 0, false, &stats).data[0], 32767);   // rounds to 32767: no saturation
  EXPECT_EQ(stats.saturated, 0u);
  EXPECT_EQ(requant_one(32767 * 16 + 8, 4, 0, false, &stats).data[0], 32767);   // rounds to 32768: saturates
  EXPECT_EQ(requant_one(-32768 * 16 - 8, 4, 0, false, &stats).data[0], -32768); // -32768.5 -> -32768 (half up)
  EXPECT_EQ(requant_one(-32768 * 16 - 9, 4, 0, false, &stats).data[0], -32768); // -> -32769: saturates
  EXPECT_EQ(stats.saturated, 2u);
}

TEST(Requantize, ReluAfterRounding) {
  LayerStats stats;
  EXPECT_EQ(requant_one(-100, 2, 0, true).data[0], 0);
  EXPECT_EQ(requant_one(-2, 2, 0, true).data[0], 0);  // -0.5 -> 0
  EXPECT_EQ(requant_one(6, 2, 0, true).data[0], 2);   // 1.5 -> 2
  EXPECT_EQ(requant_one(std::numeric_limits<std::int32_t>::min(), 0, 0, true, &stats).data[0], 0);
  EXPECT_EQ(stats.saturated, 1u);  // saturation happens before ReLU and is still counted
}

TEST(Relu, ClampsNegativesOnly) {
  std::mt19937 rng(kSeed);
  const Tensor16 in = random_tensor(rng, {2, 3, 4, 5}, 7, 32768);
  const Tensor16 out = relu(in);
  EXPECT_EQ(out.frac, 7);
  for (std::size_t i = 0; i < in.data.size(); ++i) EXPECT_EQ(out.data[i], in.data[i] < 0 ? 0 : in.data[i]);
}

// ---- max pool ----

Tensor16 reference_pool(const Tensor16& in, const PoolParams& p) {
  const int E = (in.shape.h + p.pad_top + p.pad_bottom - p.kernel_h) / p.stride_h + 1;
  const int F = (in.shape.w + p.pad_left + p.pad_right - p.kernel_w) / p.stride_w + 1;
  Tensor16 out({in.shape.n, in.shape.c, E, F}, in.frac);
  for (int n = 0; n < in.shape.n; ++n)
    for (int c = 0; c < in.shape.c; ++c)
      for (int e = 0; e < E; ++e)
        for (int f = 0; f < F; ++f) {
          double best = -std::numeric_limits<double>::infinity();  // padding is "absent", not zero
          for (int i = 0; i < p.kernel_h; ++i)
            for (int j = 0; j < p.kernel_w; ++j) {
              const int y = e * p.stride_h + i - p.pad_top, x = f * p.stride_w + j - p.pad_left;
              if (y >= 0 && y < in.shape.h && x >= 0 && x < in.shape.w) best = std::max(best, real(in, in.index(n, c, y, x)));
            }
          out.at(n, c, e, f) = static_cast<std::int16_t>(std::ldexp(best, in.frac));
        }
  return out;
}

TEST(MaxPool, MatchesReferenceWithNegativeValuesAndPadding) {
  std::mt19937 rng(kSeed);
  const std::vector<PoolParams> cases = {
      {3, 3, 2, 2, 0, 0, 0, 0},  // AlexNet
      {3, 3, 2, 2, 1, 1, 1, 1},
      {2, 3, 1, 2, 1, 0, 0, 2},  // asymmetric
      {4, 2, 3, 1, 3, 2, 1, 0},
  };
  for (const auto& p : cases) {
    Tensor16 in = random_tensor(rng, {2, 3, 13, 11}, 6, 32768);
    for (auto& v : in.data) v = static_cast<std::int16_t>(-std::abs(static_cast<int>(v)) / 2 - 1);  // all negative
    const Tensor16 out = max_pool(in, p);
    const Tensor16 ref = reference_pool(in, p);
    ASSERT_EQ(out.shape, ref.shape);
    EXPECT_EQ(out.data, ref.data) << "kernel " << p.kernel_h << "x" << p.kernel_w;
    for (auto v : out.data) ASSERT_LT(v, 0) << "padding won";
    in = random_tensor(rng, {2, 3, 13, 11}, 6, 32768);
    EXPECT_EQ(max_pool(in, p).data, reference_pool(in, p).data);
  }
}

TEST(MaxPool, HandComputed) {
  Tensor16 in({1, 1, 3, 3}, 0);
  in.data = {1, 9, 2, 4, 5, 6, -7, 8, 3};
  const Tensor16 out = max_pool(in, {2, 2, 1, 1, 0, 0, 0, 0});
  ASSERT_EQ(out.shape, (Shape{1, 1, 2, 2}));
  EXPECT_EQ(out.data, (std::vector<std::int16_t>{9, 9, 8, 8}));
}

TEST(MaxPool, InvalidArgumentsThrow) {
  const Tensor16 in({1, 1, 5, 5}, 0);
  EXPECT_THROW(max_pool(in, {0, 3, 1, 1, 0, 0, 0, 0}), std::invalid_argument);
  EXPECT_THROW(max_pool(in, {3, 3, 0, 1, 0, 0, 0, 0}), std::invalid_argument);
  EXPECT_THROW(max_pool(in, {6, 3, 1, 1, 0, 0, 0, 0}), std::invalid_argument);  // kernel > input
  EXPECT_THROW(max_pool(in, {2, 2, 1, 1, 2, 0, 0, 0}), std::invalid_argument);  // first window all padding
  EXPECT_THROW(max_pool(in, {2, 2, 3, 1, 0, 3, 0, 0}), std::invalid_argument);  // last window all padding
}

}  // namespace
}  // namespace ocelli::golden
