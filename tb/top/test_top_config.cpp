// The accelerator in a non-default configuration (fewer PE rows and columns, a smaller GLB: tb/top/CMakeLists.txt):
// random conv layers mapped for that configuration run bit-exactly against the golden, and a mapping that fits the
// default array but not this one is refused by the RTL (error 4), so the sizes are real parameters of the design.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <random>

#include "conv_on_top.hpp"
#include "ocelli/driver/mapper.hpp"
#include "ocelli/golden/layers.hpp"
#include "ocelli/isa.hpp"
#include "top_model_config.hpp"

namespace {

using ocelli::driver::ConvLayer;
using ocelli::driver::HwConfig;
using ocelli::driver::Mapping;
using ocelli::golden::Shape;
using ocelli::golden::Tensor16;

const auto kTiming = ocelli::dram::TimingConfig::preset("default");

struct LayerData {
  Tensor16 input, weights;
  std::vector<std::int32_t> bias;
};

LayerData random_data(const ConvLayer& l, std::mt19937_64& rng) {
  LayerData d;
  d.input = Tensor16(l.in, 6);
  d.weights = Tensor16(Shape{l.filters, l.channels_per_group(), l.filter_h, l.filter_w}, 8);
  std::uniform_int_distribution<int> act(-300, 300), wt(-200, 200), b(-20000, 20000), zero(0, 3);
  for (auto& x : d.input.data) x = zero(rng) == 0 ? 0 : static_cast<std::int16_t>(act(rng));
  for (auto& x : d.weights.data) x = static_cast<std::int16_t>(wt(rng));
  d.bias.resize(l.filters);
  for (auto& x : d.bias) x = b(rng);
  return d;
}

// A random mapping that is legal on `hw` (or the mapper's choice when none is found quickly).
Mapping random_mapping(const ConvLayer& l, const HwConfig& hw, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> any(1, 24);
  for (int attempt = 0; attempt < 100000; ++attempt) {
    Mapping m;
    m.n = 1 + any(rng) % std::min(l.in.n, 15);
    m.e = 1 + any(rng) % std::min(l.out().h, hw.array_cols);
    m.q = 1 + any(rng) % std::max(1, std::min(hw.ifmap_spad / l.filter_w, l.channels_per_group()));
    m.p = 1 + any(rng) % std::min(hw.psum_spad, l.filters_per_group());
    m.r = 1 + any(rng) % std::max(1, hw.array_rows / l.filter_h);
    m.t = 1 + any(rng) % std::max(1, hw.array_cols / m.e);
    if (ocelli::driver::check_mapping(l, m, hw).empty()) return m;
  }
  return ocelli::driver::choose_mapping(l, hw).mapping;
}

TEST(TopConfig, ConfigurationIsSmallerThanTheDefault) {
  const HwConfig hw = ocelli::tb::config_hw(), eyeriss;
  EXPECT_LT(hw.array_rows * hw.array_cols, eyeriss.array_rows * eyeriss.array_cols) << hw.name();
  EXPECT_LT(hw.glb_act_banks, eyeriss.glb_act_banks) << hw.name();
}

TEST(TopConfig, RandomConvLayersBitExact) {
  const HwConfig hw = ocelli::tb::config_hw();
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng(seed * 104729);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    ConvLayer l;
    l.conv.groups = pick(1, 3) == 3 ? 2 : 1;
    l.filter_h = pick(1, 5);
    l.filter_w = pick(1, 5);
    l.conv.stride_h = std::array<int, 3>{1, 2, 4}[pick(0, 2)];
    l.conv.stride_w = pick(1, 3);
    l.conv.pad_top = pick(0, 2);
    l.conv.pad_bottom = pick(0, 2);
    l.conv.pad_left = pick(0, 2);
    l.conv.pad_right = pick(0, 2);
    l.in = Shape{pick(1, 2), l.conv.groups * pick(1, 6), pick(l.filter_h, 16), pick(l.filter_w, 20)};
    l.filters = l.conv.groups * pick(1, 12);
    l.shift = pick(4, 10);
    l.relu = pick(0, 1);
    l.ifmap_rlc = pick(0, 1);
    l.ofmap_rlc = pick(0, 1);
    const Mapping m = random_mapping(l, hw, rng);
    const auto d = random_data(l, rng);
    const auto what = fmt::format("{}; seed {}: in {}x{}x{}x{} M{} R{} S{} stride {}x{} g{} map {}", hw.name(), seed,
                                  l.in.n, l.in.c, l.in.h, l.in.w, l.filters, l.filter_h, l.filter_w,
                                  l.conv.stride_h, l.conv.stride_w, l.conv.groups, m.to_string());
    const auto r = ocelli::tb::run_conv_on_top(l, m, {d.input, d.weights, d.bias}, kTiming, 2000000, {},
                                               ocelli::tb::make_config_top_model);
    ASSERT_TRUE(r.result.done) << what << ": " << r.result.message();
    const auto want = ocelli::golden::conv2d(d.input, d.weights, d.bias, l.conv,
                                             d.input.frac + d.weights.frac - l.shift, l.relu);
    ASSERT_EQ(r.output.shape, want.shape) << what;
    ASSERT_TRUE(r.output.data == want.data) << what << ": output differs from the golden";
  }
}

// t*e = 12 columns fits the default 14-column array, not this one: the RTL's own check refuses it.
TEST(TopConfig, MappingWiderThanTheArrayIsRefused) {
  const HwConfig hw = ocelli::tb::config_hw();
  ASSERT_LT(hw.array_cols, 12);
  ConvLayer l;
  l.in = Shape{1, 1, 14, 8};
  l.filters = 2;
  l.filter_h = 3;
  l.filter_w = 3;
  const Mapping m{1, 6, 1, 1, 1, 2};  // n e p q r t: t*e = 12
  ASSERT_TRUE(ocelli::driver::check_mapping(l, m, HwConfig{}).empty()) << "legal on the default array";
  std::mt19937_64 rng(5);
  const auto d = random_data(l, rng);
  const auto r = ocelli::tb::run_conv_on_top(l, m, {d.input, d.weights, d.bias}, kTiming, 200000, {},
                                             ocelli::tb::make_config_top_model);
  ASSERT_TRUE(r.result.error) << r.result.message();
  EXPECT_EQ(r.result.error_code, static_cast<int>(ocelli::isa::ErrorCode::kMapping)) << r.result.message();
}

}  // namespace
