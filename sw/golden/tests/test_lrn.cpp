// LRN: the LUT method against the float formula b = a / (k + alpha/size * sum a^2)^beta, computed here in double.
// Prints the measured error (max / mean abs error in output LSBs) that docs/numerics.md quotes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ocelli/golden/layers.hpp"

namespace ocelli::golden {
namespace {

constexpr unsigned kSeed = 0x1A7;

// Post-ReLU activations like AlexNet conv1/conv2 outputs: about half zeros, the rest roughly exponential with a
// long tail up to the format's limit.
Tensor16 realistic_activations(std::mt19937& rng, Shape s, int frac, double mean_real) {
  Tensor16 t(s, frac);
  std::bernoulli_distribution zero(0.5);
  std::exponential_distribution<double> magnitude(1.0 / mean_real);
  for (auto& v : t.data) {
    const double raw = zero(rng) ? 0.0 : std::round(std::ldexp(magnitude(rng), frac));
    v = static_cast<std::int16_t>(std::min(raw, 32767.0));
  }
  return t;
}

struct ErrorStats {
  double max_abs = 0, mean_abs = 0;
  double max_relative = 0;  // over outputs of at least 1024 LSB (rounding adds <= 0.05%)
  std::size_t bound_violations = 0;
};

// Compares lrn() with the double formula; also checks each element against the method's own error bound:
// half the multiplier's change over one LUT bin (relative width 2^-mantissa_bits) plus half a LUT LSB, times |a|,
// plus half an output LSB for the final rounding.
ErrorStats measure(const Tensor16& in, const LrnParams& p, int mantissa_bits) {
  const LrnTable table = make_lrn_table(p, in.frac, mantissa_bits);
  const Tensor16 out = lrn(in, table);
  const int half = p.size / 2;
  ErrorStats e;
  double total = 0;
  for (int n = 0; n < in.shape.n; ++n)
    for (int c = 0; c < in.shape.c; ++c)
      for (int y = 0; y < in.shape.h; ++y)
        for (int x = 0; x < in.shape.w; ++x) {
          double sum_sq = 0;
          for (int cc = c - half; cc <= c + half; ++cc) {
            if (cc < 0 || cc >= in.shape.c) continue;
            const double a = std::ldexp(in.at(n, cc, y, x), -in.frac);
            sum_sq += a * a;
          }
          const double a = std::ldexp(in.at(n, c, y, x), -in.frac);
          const double m = std::pow(p.k + p.alpha / p.size * sum_sq, -p.beta);
          const double expected_lsb = std::ldexp(a / std::pow(p.k + p.alpha / p.size * sum_sq, p.beta), in.frac);
          const double err = std::abs(out.at(n, c, y, x) - expected_lsb);
          const double bound = std::abs(in.at(n, c, y, x)) *
                                   (m * (std::pow(1.0 + std::ldexp(1.0, -mantissa_bits), p.beta) - 1.0) / 2.0 +
                                    std::ldexp(1.0, -table.lut_frac - 1)) +
                               0.5 + 1e-9;
          if (err > bound && e.bound_violations++ < 5) {
            ADD_FAILURE() << fmt::format("seed {} ({},{},{},{}) raw {} sum {} got {} expected {:.3f} bound {:.3f}",
                                         kSeed, n, c, y, x, in.at(n, c, y, x), sum_sq, out.at(n, c, y, x),
                                         expected_lsb, bound);
          }
          e.max_abs = std::max(e.max_abs, err);
          if (std::abs(expected_lsb) >= 1024) e.max_relative = std::max(e.max_relative, err / std::abs(expected_lsb));
          total += err;
        }
  e.mean_abs = total / static_cast<double>(in.data.size());
  return e;
}

TEST(Lrn, ErrorAgainstFloatOnRealisticTensors) {
  const LrnParams alexnet;  // size 5, alpha 1e-4, beta 0.75, k 1
  struct Layer { const char* name; Shape shape; int frac; double mean_real; };
  const Layer layers[] = {
      {"conv1-like (96x55x55, frac 6, mean 40)", {1, 96, 55, 55}, 6, 40.0},
      {"conv2-like (256x27x27, frac 7, mean 25)", {1, 256, 27, 27}, 7, 25.0},
      {"small values (64x27x27, frac 11, mean 2)", {1, 64, 27, 27}, 11, 2.0},
  };
  for (const auto& layer : layers) {
    std::mt19937 rng(kSeed);
    const Tensor16 in = realistic_activations(rng, layer.shape, layer.frac, layer.mean_real);
    for (int mbits = 4; mbits <= 8; ++mbits) {
      const ErrorStats e = measure(in, alexnet, mbits);
      const LrnTable t = make_lrn_table(alexnet, layer.frac, mbits);
      fmt::print("LRN {} mantissa {} ({} LUT entries, Q.{}): max {:.2f} LSB, mean {:.4f} LSB, max relative {:.3f}%\n",
                 layer.name, mbits, t.lut.size(), t.lut_frac, e.max_abs, e.mean_abs, 100 * e.max_relative);
      EXPECT_EQ(e.bound_violations, 0u) << layer.name << " mantissa " << mbits;
    }
  }
}

TEST(Lrn, DefaultTableAccuracy) {
  // The accuracy docs/numerics.md promises for the default 6 mantissa bits on the conv1-like tensor.
  std::mt19937 rng(kSeed);
  const Tensor16 in = realistic_activations(rng, {1, 96, 55, 55}, 6, 40.0);
  const ErrorStats e = measure(in, LrnParams{}, 6);
  EXPECT_LE(e.max_abs, 40.0);
  EXPECT_LE(e.mean_abs, 0.6);
  EXPECT_LE(e.max_relative, 0.75 / 128 + 0.5 / 1024 + 1e-4);  // beta * 2^-(mantissa_bits + 1) + rounding
}

TEST(Lrn, BetaZeroIsIdentity) {
  std::mt19937 rng(kSeed);
  const Tensor16 in = realistic_activations(rng, {2, 7, 5, 5}, 8, 30.0);
  LrnParams p;
  p.beta = 0.0;
  const Tensor16 out = lrn(in, make_lrn_table(p, 8));
  EXPECT_EQ(out.data, in.data);
  EXPECT_EQ(out.frac, 8);
}

TEST(Lrn, NegativeInputsAndSingleChannel) {
  // LRN is odd in a: b(-a) = -b(a) up to rounding half up.
  Tensor16 in({1, 1, 1, 4}, 4);
  in.data = {1000, -1000, 32767, -32768};
  LrnParams p;
  p.size = 1;
  p.alpha = 0.5;
  const Tensor16 out = lrn(in, make_lrn_table(p, 4, 8));
  for (int i = 0; i < 4; ++i) {
    const double a = std::ldexp(in.data[i], -4);
    const double expected = std::ldexp(a / std::pow(1.0 + 0.5 * a * a, 0.75), 4);
    EXPECT_NEAR(out.data[i], expected, std::abs(in.data[i]) * 0.75 / 512 + 1.0) << i;
  }
}

TEST(Lrn, TableShape) {
  const LrnTable t = make_lrn_table(LrnParams{}, 6, 6);
  EXPECT_EQ(t.lut_frac, 15);            // k^-beta = 1.0 -> 32768 fits 16 unsigned bits at Q1.15
  EXPECT_EQ(t.lut[0], 32768);
  EXPECT_EQ(t.exp_max, 32);             // 5 * 32768^2 < 2^33
  EXPECT_EQ(t.lut.size(), 1 + static_cast<std::size_t>(t.exp_max - t.exp_min + 1) * 64);
  for (std::size_t i = 1; i < t.lut.size(); ++i) ASSERT_LE(t.lut[i], t.lut[i - 1]) << i;  // m falls as the sum grows
  EXPECT_EQ(t.index_of(0), 0u);
  EXPECT_EQ(t.index_of((std::uint64_t{1} << t.exp_min) - 1), 0u);
  EXPECT_EQ(t.index_of(std::uint64_t{1} << t.exp_min), 1u);
  // 2^e * (1 + 5/64) -> bin (e, 5)
  const int e = t.exp_min + 3;
  EXPECT_EQ(t.index_of((std::uint64_t{69} << (e - 6)) + 1), 1 + 3 * 64 + 5u);
  EXPECT_EQ(t.index_of(5ull * 32768 * 32768), t.lut.size() - 64 + ((5ull * 32768 * 32768) >> 26 & 63));
  EXPECT_THROW(t.index_of(std::uint64_t{1} << 33), std::out_of_range);
}

TEST(Lrn, InvalidArgumentsThrow) {
  LrnParams p;
  p.size = 4;
  EXPECT_THROW(make_lrn_table(p, 6), std::invalid_argument);
  p = {};
  p.alpha = 0;
  EXPECT_THROW(make_lrn_table(p, 6), std::invalid_argument);
  p = {};
  p.k = -1;
  EXPECT_THROW(make_lrn_table(p, 6), std::invalid_argument);
  EXPECT_THROW(make_lrn_table(LrnParams{}, 16), std::invalid_argument);
  EXPECT_THROW(make_lrn_table(LrnParams{}, 6, 0), std::invalid_argument);
  const LrnTable t = make_lrn_table(LrnParams{}, 6);
  EXPECT_THROW(lrn(Tensor16({1, 5, 2, 2}, 7), t), std::invalid_argument);  // frac mismatch
}

}  // namespace
}  // namespace ocelli::golden
