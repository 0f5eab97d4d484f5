// Invalid layer instructions: each error code of docs/isa.md is raised with the failing descriptor's index, and
// nothing hangs. Every case starts from a valid layer and breaks one thing.
#include <gtest/gtest.h>

#include <random>

#include "conv_on_top.hpp"

namespace {

using ocelli::driver::ConvAddresses;
using ocelli::driver::ConvLayer;
using ocelli::driver::Descriptor;
using ocelli::driver::Mapping;
using ocelli::dram::Storage;
using ocelli::golden::Shape;
using ocelli::golden::Tensor16;

enum Code { kOpcode = 1, kShape = 2, kOutShape = 3, kMapping = 4, kGlbFit = 5, kGroups = 6, kDma = 7, kRlc = 8 };

struct Case {
  ConvLayer layer;
  Mapping mapping;
  Tensor16 input, weights;
  std::vector<std::int32_t> bias;
};

Case valid_case(Shape in = Shape{1, 4, 8, 9}, int groups = 1) {
  Case c;
  c.layer.in = in;
  c.layer.filters = 4;
  c.layer.filter_h = 3;
  c.layer.filter_w = 3;
  c.layer.conv.groups = groups;
  c.layer.shift = 6;
  c.layer.ifmap_rlc = true;
  c.layer.ofmap_rlc = true;
  c.mapping = Mapping{1, 2, 2, 2, 1, 2};
  c.input = Tensor16(in, 4);
  c.weights = Tensor16(Shape{4, in.c / groups, 3, 3}, 4);
  std::mt19937_64 rng(5);
  for (auto& x : c.input.data) x = static_cast<std::int16_t>(rng() % 200);
  for (auto& x : c.weights.data) x = static_cast<std::int16_t>(rng() % 100) - 50;
  c.bias.assign(4, 10);
  return c;
}

void set_bits(std::uint64_t& word, int lsb, int width, std::uint64_t value) {
  const std::uint64_t mask = ((width == 64) ? ~0ull : ((1ull << width) - 1)) << lsb;
  word = (word & ~mask) | ((value << lsb) & mask);
}

ocelli::sim::TopRunResult run(const Case& c, const ocelli::tb::ConvEdit& edit) {
  return ocelli::tb::run_conv_on_top(c.layer, c.mapping, {c.input, c.weights, c.bias},
                                     ocelli::dram::TimingConfig::preset("default"), 2'000'000, edit)
      .result;
}

void expect_error(const ocelli::sim::TopRunResult& r, int code) {
  EXPECT_TRUE(r.error) << r.message();
  EXPECT_FALSE(r.done);
  EXPECT_EQ(r.error_code, code) << r.message();
  EXPECT_EQ(r.error_index, 0);
}

TEST(TopErrors, ValidBaselineRuns) {
  const auto r = run(valid_case(), {});
  EXPECT_TRUE(r.done) << r.message();
}

TEST(TopErrors, UnknownOpcode) {
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[0], 0, 8, 9); }),
               kOpcode);
}

TEST(TopErrors, ReservedWordNotZero) {
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { d[12] = 1; }), kOpcode);
}

TEST(TopErrors, FilterTallerThanTwelveRows) {
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[2], 16, 8, 13); }),
               kShape);
}

TEST(TopErrors, VerticalStrideThree) {
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[2], 32, 4, 3); }),
               kShape);
}

TEST(TopErrors, OutputRowsDisagreeWithShape) {
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[3], 0, 16, 7); }),
               kOutShape);
}

TEST(TopErrors, FiltersPerPeOverflowPsumSpad) {
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[4], 16, 8, 25); }),
               kMapping);
}

TEST(TopErrors, ChannelsPerPeOverflowIfmapSpad) {
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[4], 24, 8, 5); }),
               kMapping);
}

TEST(TopErrors, NoFilterBlockPerIfmapLoad) {
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[4], 56, 8, 0); }),
               kMapping);
}

TEST(TopErrors, PsumRegionsOfTheFilterBlocksDoNotFitTheGlb) {
  // f = 200 filter blocks per ifmap load: 199 whole-bank psum regions and the last exceed the GLB's 25 banks.
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[4], 56, 8, 200); }),
               kGlbFit);
}

TEST(TopErrors, TileDoesNotFitTheGlb) {
  // 15 images of 4 x 16 x 250 per pass, 14 tile rows each: the ifmap tile needs 26460 words, the GLB has 12800.
  auto c = valid_case(Shape{15, 4, 16, 250});
  c.mapping = Mapping{15, 12, 2, 2, 1, 1};
  expect_error(run(c, {}), kGlbFit);
}

TEST(TopErrors, GroupsDoNotDivideChannels) {
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[0], 16, 8, 3); }),
               kGroups);
}

TEST(TopErrors, IfmapOutsideMemoryIsADmaError) {
  expect_error(
      run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[7], 0, 32, 0xfffff000u); }),
      kDma);
}

TEST(TopErrors, SixteenBitOfmapTableAcrossTileRowsIsRefused) {
  // ofmap_tbl16 with E = 6 rows in tiles of e = 2: the second tile's rows would share a table word with the first's.
  expect_error(run(valid_case(), [](Descriptor& d, Storage&, const ConvAddresses&) { set_bits(d[0], 12, 1, 1); }),
               kMapping);
}

TEST(TopErrors, CorruptSixteenBitRowTableIsAnRlcError) {
  const auto c = valid_case();
  const auto r = ocelli::tb::run_conv_on_top(
      c.layer, c.mapping, {c.input, c.weights, c.bias}, ocelli::dram::TimingConfig::preset("default"), 2'000'000,
      [](Descriptor&, Storage& mem, const ConvAddresses& a) {
        // Row 1 of plane 0 (lane 1 of the plane's first table word) claims 0 words.
        std::uint64_t word = 0;
        mem.read(a.ifmap_index, &word, 8);
        word &= ~(std::uint64_t{0xffff} << 16);
        mem.write(a.ifmap_index, &word, 8);
      },
      {}, {true, false});
  expect_error(r.result, kRlc);
}

TEST(TopErrors, CorruptCodedIfmapIsAnRlcError) {
  expect_error(run(valid_case(),
                   [](Descriptor&, Storage& mem, const ConvAddresses& a) {
                     // Row 0 claims one word more than it has: the decoder finds words after the terminator.
                     std::uint64_t len = 0;
                     mem.read(a.ifmap_index, &len, 8);
                     len += 1;
                     mem.write(a.ifmap_index, &len, 8);
                   }),
               kRlc);
}

}  // namespace
