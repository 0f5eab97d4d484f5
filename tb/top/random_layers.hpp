// Random conv layers for the top's tests (test_top, test_top_config): seeded data, a random legal mapping for a
// hardware configuration, the golden's output and a bit-exact comparison that names the first mismatch.
#pragma once

#include <gtest/gtest.h>
#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ocelli/driver/conv_layer.hpp"
#include "ocelli/driver/mapper.hpp"
#include "ocelli/golden/layers.hpp"

namespace ocelli::tb {

struct LayerData {
  golden::Tensor16 input, weights;
  std::vector<std::int32_t> bias;
};

inline LayerData random_data(const driver::ConvLayer& l, std::mt19937_64& rng, double zero_fraction) {
  LayerData d;
  d.input = golden::Tensor16(l.in, 6);
  d.weights = golden::Tensor16(golden::Shape{l.filters, l.channels_per_group(), l.filter_h, l.filter_w}, 8);
  std::bernoulli_distribution zero(zero_fraction);
  std::uniform_int_distribution<int> act(-300, 300), wt(-200, 200), b(-20000, 20000);
  for (auto& x : d.input.data) x = zero(rng) ? 0 : static_cast<std::int16_t>(act(rng));
  for (auto& x : d.weights.data) x = static_cast<std::int16_t>(wt(rng));
  d.bias.resize(l.filters);
  for (auto& x : d.bias) x = b(rng);
  return d;
}

inline golden::Tensor16 golden_output(const driver::ConvLayer& l, const LayerData& d) {
  return golden::conv2d(d.input, d.weights, d.bias, l.conv, d.input.frac + d.weights.frac - l.shift, l.relu);
}

// A random legal mapping of `l` on `hw` (the controller must handle any, not only the mapper's favourite); the
// mapper's choice when none turns up.
inline driver::Mapping random_mapping(const driver::ConvLayer& l, std::mt19937_64& rng,
                                      const driver::HwConfig& hw = {}) {
  std::uniform_int_distribution<int> any(1, 24);
  for (int attempt = 0; attempt < 100000; ++attempt) {
    driver::Mapping m;
    m.n = 1 + any(rng) % std::min(l.in.n, 15);
    m.e = 1 + any(rng) % std::min(l.out().h, hw.array_cols);
    m.q = 1 + any(rng) % std::max(1, std::min(hw.ifmap_spad / l.filter_w, l.channels_per_group()));
    m.p = 1 + any(rng) % std::min(hw.psum_spad, l.filters_per_group());
    m.r = 1 + any(rng) % std::max(1, hw.array_rows / l.filter_h);
    m.t = 1 + any(rng) % std::max(1, hw.array_cols / m.e);
    m.filter_outer = any(rng) % 2 == 0;  // both PE issue orders
    // filter blocks per ifmap load: the mapper's choice or any count up to all of the group's
    const int blocks = (l.filters_per_group() + m.p * m.t - 1) / (m.p * m.t);
    m.f = any(rng) % 2 == 0 ? driver::filter_blocks_per_load(l, l.out(), m, hw) : 1 + any(rng) % blocks;
    if (driver::check_mapping(l, m, hw).empty()) return m;
  }
  return driver::choose_mapping(l, hw).mapping;
}

inline void expect_bit_exact(const golden::Tensor16& got, const golden::Tensor16& want, const std::string& what) {
  ASSERT_EQ(got.shape, want.shape) << what;
  for (std::size_t i = 0; i < want.data.size(); ++i) {
    if (got.data[i] != want.data[i]) {
      const int w = want.shape.w, h = want.shape.h, c = want.shape.c;
      FAIL() << what
             << fmt::format(": first mismatch at (n {}, m {}, e {}, f {}): expected {}, got {}",
                            i / (w * h * c), i / (w * h) % c, i / w % h, i % w, want.data[i], got.data[i]);
    }
  }
}

}  // namespace ocelli::tb
