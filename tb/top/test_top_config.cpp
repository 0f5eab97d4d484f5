// The accelerator in a non-default configuration (fewer PE rows and columns, a smaller GLB: tb/top/CMakeLists.txt):
// random conv layers mapped for that configuration run bit-exactly against the golden, and a mapping that fits the
// default array but not this one is refused by the RTL (error 4), so the sizes are real parameters of the design.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <random>

#include "conv_on_top.hpp"
#include "random_layers.hpp"
#include "ocelli/driver/mapper.hpp"
#include "ocelli/golden/layers.hpp"
#include "ocelli/isa.hpp"
#include "ocelli/runtime/model_hw.hpp"
#include "top_model_config.hpp"

namespace {

using ocelli::driver::ConvLayer;
using ocelli::driver::HwConfig;
using ocelli::driver::Mapping;
using ocelli::golden::Shape;

const auto kTiming = ocelli::dram::TimingConfig::preset("default");

using ocelli::tb::expect_bit_exact;
using ocelli::tb::golden_output;
using ocelli::tb::random_data;
using ocelli::tb::random_mapping;

TEST(TopConfig, ConfigurationIsSmallerThanTheDefault) {
  const HwConfig hw = ocelli::tb::config_hw(), eyeriss;
  EXPECT_LT(hw.array_rows * hw.array_cols, eyeriss.array_rows * eyeriss.array_cols) << hw.name();
  EXPECT_LT(hw.glb_act_banks, eyeriss.glb_act_banks) << hw.name();
  EXPECT_LT(hw.ifmap_spad, eyeriss.ifmap_spad) << hw.name();
  EXPECT_LT(hw.filter_spad, eyeriss.filter_spad) << hw.name();
  EXPECT_LT(hw.psum_spad, eyeriss.psum_spad) << hw.name();
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
    const Mapping m = random_mapping(l, rng, hw);
    const auto d = random_data(l, rng, 0.25);
    const auto what = fmt::format("{}; seed {}: in {}x{}x{}x{} M{} R{} S{} stride {}x{} g{} map {}", hw.name(), seed,
                                  l.in.n, l.in.c, l.in.h, l.in.w, l.filters, l.filter_h, l.filter_w,
                                  l.conv.stride_h, l.conv.stride_w, l.conv.groups, m.to_string());
    const auto r = ocelli::tb::run_conv_on_top(l, m, {d.input, d.weights, d.bias}, kTiming, 2000000, {},
                                               ocelli::tb::make_config_top_model, {}, hw);
    ASSERT_TRUE(r.result.done) << what << ": " << r.result.message();
    expect_bit_exact(r.output, golden_output(l, d), what);
    if (HasFatalFailure()) return;
  }
}

// The model reports the configuration it was built with (register HwConfig), and it is the one the tests map for.
TEST(TopConfig, ModelReportsItsConfiguration) {
  ocelli::dram::InProcessDram mem(1 << 20);
  ocelli::sim::TopSim sim(mem, kTiming, ocelli::tb::make_config_top_model);
  const HwConfig built = ocelli::runtime::model_hw(sim);
  EXPECT_EQ(ocelli::tb::config_hw().hardware_difference(built), "") << built.name();
  EXPECT_NE(HwConfig{}.hardware_difference(built), "") << built.name();
  EXPECT_THROW(ocelli::runtime::require_model_hw(sim, HwConfig{}), std::runtime_error);
}

// Runs `l` mapped by `m` for this configuration with one descriptor field changed to `value`, and expects the RTL's
// own mapping check to refuse it (error 4).
void expect_refused(const ConvLayer& l, const Mapping& m, const ocelli::isa::DescField& field, long value) {
  const HwConfig hw = ocelli::tb::config_hw();
  ASSERT_TRUE(ocelli::driver::check_mapping(l, m, hw).empty());
  std::mt19937_64 rng(5);
  const auto d = random_data(l, rng, 0.25);
  const auto change = [&](ocelli::driver::Descriptor& desc, ocelli::dram::Storage&,
                          const ocelli::driver::ConvAddresses&) { ocelli::driver::set_field(desc, field, value); };
  const auto r = ocelli::tb::run_conv_on_top(l, m, {d.input, d.weights, d.bias}, kTiming, 200000, change,
                                             ocelli::tb::make_config_top_model, {}, hw);
  ASSERT_TRUE(r.result.error) << field.name << " = " << value << ": " << r.result.message();
  EXPECT_EQ(r.result.error_code, static_cast<int>(ocelli::isa::ErrorCode::kMapping)) << r.result.message();
}

// t*e = 12 columns fits the default 14-column array, not this one: the RTL's own check refuses it. (The layer is
// mapped for this array, t*e = 6, and the descriptor's t doubled: the runtime would not map it so.)
TEST(TopConfig, MappingWiderThanTheArrayIsRefused) {
  ASSERT_LT(ocelli::tb::config_hw().array_cols, 12);
  ConvLayer l;
  l.in = Shape{1, 1, 14, 8};
  l.filters = 2;
  l.filter_h = 3;
  l.filter_w = 3;
  ASSERT_TRUE(ocelli::driver::check_mapping(l, Mapping{1, 6, 1, 1, 1, 2}, HwConfig{}).empty())
      << "legal on the default array";
  expect_refused(l, Mapping{1, 6, 1, 1, 1, 1}, ocelli::isa::desc::kMapT, 2);
}

// p = 20 filters per PE fits the default 24-entry psum spad, not this configuration's: the spad depth reaches the
// RTL's mapping check (the layer is mapped with p at this configuration's psum spad, then p is raised).
TEST(TopConfig, MoreFiltersPerPeThanThePsumSpadAreRefused) {
  const HwConfig hw = ocelli::tb::config_hw();
  ASSERT_LT(hw.psum_spad, 20);
  ConvLayer l;
  l.in = Shape{1, 1, 10, 8};
  l.filters = 20;
  l.filter_h = 3;
  l.filter_w = 3;
  ASSERT_TRUE(ocelli::driver::check_mapping(l, Mapping{1, 4, 20, 1, 1, 1}, HwConfig{}).empty())
      << "legal on the default psum spad";
  expect_refused(l, Mapping{1, 4, hw.psum_spad, 1, 1, 1}, ocelli::isa::desc::kMapP, 20);
}

}  // namespace
