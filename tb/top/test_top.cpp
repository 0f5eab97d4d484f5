// Whole convolution layers through the accelerator top (controller, DMA, RLC, GLB, NoC, PE array), compared bit
// for bit with the golden. Seeded random layers print their seed and shape on failure.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <array>
#include <random>
#include <utility>

#include "conv_on_top.hpp"
#include "random_layers.hpp"
#include "ocelli/driver/mapper.hpp"
#include "ocelli/golden/layers.hpp"

namespace {

using ocelli::driver::ConvLayer;
using ocelli::driver::Mapping;
using ocelli::golden::Shape;
using ocelli::golden::Tensor16;

using ocelli::tb::expect_bit_exact;
using ocelli::tb::golden_output;
using ocelli::tb::random_data;
using ocelli::tb::random_mapping;

const auto kTiming = ocelli::dram::TimingConfig::preset("default");

// A 3x3 convolution with padding 1 and ReLU, the shape of the GLB-reuse tests below.
ConvLayer padded_conv3x3(const Shape& in, int filters, int shift) {
  ConvLayer l;
  l.in = in;
  l.filters = filters;
  l.filter_h = 3;
  l.filter_w = 3;
  l.conv.pad_top = l.conv.pad_bottom = l.conv.pad_left = l.conv.pad_right = 1;
  l.shift = shift;
  l.relu = true;
  return l;
}

TEST(Top, SmallConvBitExact) {
  ConvLayer l;
  l.in = Shape{1, 2, 6, 7};
  l.filters = 3;
  l.filter_h = 3;
  l.filter_w = 3;
  l.shift = 8;
  l.relu = true;
  std::mt19937_64 rng(1);
  const auto d = random_data(l, rng, 0.3);
  const Mapping m{1, 2, 2, 2, 1, 2};
  const auto r = ocelli::tb::run_conv_on_top(l, m, {d.input, d.weights, d.bias}, kTiming, 200000);
  ASSERT_TRUE(r.result.done) << r.result.message();
  const auto want = golden_output(l, d);
  int nonzero = 0;
  for (auto v : want.data) nonzero += v != 0;
  ASSERT_GT(nonzero, 0) << "degenerate test data";
  expect_bit_exact(r.output, want, "small conv");
  // 2 tiles (E = 4 rows, e = 2) x 12 PEs (r*R = 3 rows, t*e = 4 columns) x n*F*p*q*S = 1*5*2*2*3 MACs each.
  EXPECT_EQ(r.macs, 2u * 12u * 60u);
}

// FC layers run as convolutions whose filter covers the ifmap (docs/isa.md); the expected output comes from the
// golden's fully_connected, so this also checks that the two agree on the weight order (C, H, W flattened).
TEST(Top, FullyConnectedAsConvBitExact) {
  struct FcCase {
    Shape in;
    int outputs;
  };
  for (const FcCase& c : {FcCase{Shape{1, 64, 6, 6}, 40}, FcCase{Shape{2, 300, 1, 1}, 50}}) {
    ConvLayer l;
    l.in = c.in;
    l.filters = c.outputs;
    l.filter_h = c.in.h;
    l.filter_w = c.in.w;
    l.shift = 9;
    l.relu = true;
    l.ifmap_rlc = true;
    l.ofmap_rlc = false;
    std::mt19937_64 rng(c.outputs);
    const auto d = random_data(l, rng, 0.5);
    Tensor16 fc_weights(Shape{l.filters, c.in.c * c.in.h * c.in.w, 1, 1}, d.weights.frac);
    fc_weights.data = d.weights.data;  // (M, C, R, S) flattened is (M, C*H*W)
    const auto want = ocelli::golden::fully_connected(d.input, fc_weights, d.bias,
                                                      d.input.frac + d.weights.frac - l.shift, l.relu);
    const auto m = ocelli::driver::choose_mapping(l).mapping;
    const auto what = fmt::format("fc {}x{}x{}x{} -> {} map {}", c.in.n, c.in.c, c.in.h, c.in.w, c.outputs,
                                  m.to_string());
    const auto r = ocelli::tb::run_conv_on_top(l, m, {d.input, d.weights, d.bias}, kTiming, 4000000);
    ASSERT_TRUE(r.result.done) << what << ": " << r.result.message();
    Tensor16 got = r.output;
    got.shape = want.shape;  // (N, M, 1, 1) either way
    expect_bit_exact(got, want, what);
  }
}

// Several filter blocks on one ifmap load (Mapping::f): every f computes the same layer, and the ifmap is read from
// DRAM once per group of f filter blocks. 10 filter blocks (p*t = 2 of M = 20) over 2 channel blocks and 2 row
// strips; f = 3 and 4 leave a shorter last group; f = 10 no longer double-buffers (two ifmap tiles and ten psum
// regions exceed the GLB), so it loads and passes in turn.
TEST(Top, FilterBlocksShareOneIfmapLoad) {
  ConvLayer l = padded_conv3x3(Shape{1, 12, 8, 100}, 20, 9);
  std::array<std::uint64_t, 11> bytes_in{};
  // coded ifmap and ofmap with f = 1, 4, 10; raw ones with f = 3
  for (const auto& [f, rlc] : {std::pair{1, true}, std::pair{4, true}, std::pair{10, true}, std::pair{3, false}}) {
    l.ifmap_rlc = l.ofmap_rlc = rlc;
    std::mt19937_64 rng(5);
    const auto d = random_data(l, rng, 0.4);
    Mapping m{1, 6, 2, 2, 3, 1};
    m.f = f;
    m.filter_outer = f % 2 == 0;
    ASSERT_EQ(ocelli::driver::check_mapping(l, m, {}), "") << m.to_string();
    const auto fp = ocelli::driver::footprint(l, l.out(), m, {});
    ASSERT_EQ(ocelli::driver::double_buffered(fp, {}), f != 10) << m.to_string();
    const auto what = fmt::format("map {} rlc {}", m.to_string(), rlc);
    const auto r = ocelli::tb::run_conv_on_top(l, m, {d.input, d.weights, d.bias}, kTiming, 3000000);
    ASSERT_TRUE(r.result.done) << what << ": " << r.result.message();
    expect_bit_exact(r.output, golden_output(l, d), what);
    bytes_in[f] = r.bytes_ifmap;
  }
  // The coded ifmap is read once per filter-block group (10, 3 and 1 groups), so the savings are proportional:
  // (b1 - b4) / 7 == (b1 - b10) / 9. (Weights: f = 4 keeps its filter chunks in the GLB, next test.)
  EXPECT_GT(bytes_in[1], bytes_in[4]);
  EXPECT_EQ((bytes_in[1] - bytes_in[4]) * 9, (bytes_in[1] - bytes_in[10]) * 7);
}

// 16-bit row-table entries (docs/isa.md, ifmap_tbl16/ofmap_tbl16): a coded ifmap of 11 rows read in tiles of e = 4
// and e = 3 output rows (stride 1, pad 1: first loaded rows 0, 3, 7 and 0, 2, 5, 8, so a tile's first entry sits in
// every lane of a table word), and with e = 4 a coded ofmap written with 16-bit entries too (each tile starts a
// table word; the last is partial). Bit-exact against the golden, and fewer DRAM bytes than with 64-bit entries.
TEST(Top, SixteenBitRowTables) {
  ConvLayer l = padded_conv3x3(Shape{2, 5, 11, 13}, 6, 8);
  l.ifmap_rlc = l.ofmap_rlc = true;
  std::mt19937_64 rng(17);
  const auto d = random_data(l, rng, 0.4);
  const auto want = golden_output(l, d);
  for (const int e : {4, 3}) {
    Mapping m{1, e, 3, 2, 2, 1};
    m.filter_outer = true;
    ASSERT_EQ(ocelli::driver::check_mapping(l, m, {}), "");
    const bool out16 = ocelli::driver::tbl16_writable(l.out().h, m.e);
    ASSERT_EQ(out16, e == 4);
    const auto what = fmt::format("map {}", m.to_string());
    const auto wide = ocelli::tb::run_conv_on_top(l, m, {d.input, d.weights, d.bias}, kTiming, 2000000);
    ASSERT_TRUE(wide.result.done) << what << ": " << wide.result.message();
    expect_bit_exact(wide.output, want, what + ", 64-bit row tables");
    const auto narrow = ocelli::tb::run_conv_on_top(l, m, {d.input, d.weights, d.bias}, kTiming, 2000000, {}, {},
                                                    {true, out16});
    ASSERT_TRUE(narrow.result.done) << what << ": " << narrow.result.message();
    expect_bit_exact(narrow.output, want, what + ", 16-bit row tables");
    EXPECT_LT(narrow.bytes_in, wide.bytes_in) << what;
    // ofmap: 2 images x 6 planes, 3 tiles of 4, 4, 3 rows: one table word each instead of one per row
    EXPECT_EQ(wide.bytes_out - narrow.bytes_out, out16 ? 2u * 6 * (11 - 3) * 8 : 0u) << what;
  }
}

// Resident filter chunks (descriptor wres, docs/isa.md): the layer above with f = 4 in 2 row strips has 8 filter
// chunks per tile, all of which fit the GLB after the psum regions; the first strip of each filter-block group loads
// them there and the second reads them from the GLB, so the weights cross the DRAM link once instead of twice. With
// wres = 3 only the first 3 chunks of each tile stay (the others are streamed per tile); with 0 none. All bit-exact.
TEST(Top, FilterChunksStayInTheGlbAcrossTiles) {
  ConvLayer l = padded_conv3x3(Shape{1, 12, 8, 100}, 20, 9);
  l.ifmap_rlc = l.ofmap_rlc = true;
  std::mt19937_64 rng(5);
  const auto d = random_data(l, rng, 0.4);
  Mapping m{1, 6, 2, 2, 3, 1};
  m.f = 4;
  m.filter_outer = true;
  ASSERT_EQ(ocelli::driver::resident_chunks(l, l.out(), m, {}), 8);
  const auto want = golden_output(l, d);
  std::array<std::uint64_t, 3> weights{};
  const std::array<int, 3> kept{8, 3, 0};
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const int k = kept[i];
    const auto r = ocelli::tb::run_conv_on_top(
        l, m, {d.input, d.weights, d.bias}, kTiming, 3000000,
        [k](ocelli::driver::Descriptor& desc, ocelli::dram::Storage&, const ocelli::driver::ConvAddresses&) {
          ocelli::driver::set_field(desc, ocelli::isa::desc::kMapWres, k);
        });
    const auto what = fmt::format("wres {}", k);
    ASSERT_TRUE(r.result.done) << what << ": " << r.result.message();
    expect_bit_exact(r.output, want, what);
    weights[i] = r.bytes_weights;
  }
  // filter-block groups of 4, 4, 2 blocks: 8, 8, 4 chunks per tile, 2 tiles each
  EXPECT_EQ(weights[0] * 2, weights[2]);
  EXPECT_LT(weights[0], weights[1]);
  EXPECT_LT(weights[1], weights[2]);
}

TEST(Top, RandomConvLayersBitExact) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed * 7919);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    ConvLayer l;
    const int groups = pick(1, 3) == 3 ? 2 : 1;
    l.conv.groups = groups;
    l.filter_h = pick(1, 5);
    l.filter_w = pick(1, 5);
    l.conv.stride_h = std::array<int, 3>{1, 2, 4}[pick(0, 2)];
    l.conv.stride_w = pick(1, 4);
    l.conv.pad_top = pick(0, 2);
    l.conv.pad_bottom = pick(0, 2);
    l.conv.pad_left = pick(0, 2);
    l.conv.pad_right = pick(0, 2);
    l.in = Shape{pick(1, 3), groups * pick(1, 6), pick(l.filter_h, 16), pick(l.filter_w, 20)};
    l.filters = groups * pick(1, 12);
    l.shift = pick(4, 10);
    l.relu = pick(0, 1);
    l.ifmap_rlc = pick(0, 1);
    l.ofmap_rlc = pick(0, 1);
    const auto m = random_mapping(l, rng);
    const auto d = random_data(l, rng, pick(0, 10) / 10.0);
    // row-table formats drawn last, so the layers and data are those of the seeds before 16-bit tables
    ocelli::tb::RowTables tables;
    tables.ifmap_tbl16 = pick(0, 1);
    tables.ofmap_tbl16 = pick(0, 1) && ocelli::driver::tbl16_writable(l.out().h, m.e);
    const auto what = fmt::format("seed {}: in {}x{}x{}x{} M{} R{} S{} stride {}x{} pad {}{}{}{} g{} rlc {}/{} tbl16 "
                                  "{}/{} map {}",
                                  seed, l.in.n, l.in.c, l.in.h, l.in.w, l.filters, l.filter_h, l.filter_w,
                                  l.conv.stride_h, l.conv.stride_w, l.conv.pad_top, l.conv.pad_bottom,
                                  l.conv.pad_left, l.conv.pad_right, groups, l.ifmap_rlc, l.ofmap_rlc,
                                  tables.ifmap_tbl16, tables.ofmap_tbl16, m.to_string());
    // odd seeds as on a slow DRAM link: the driver then keeps filter chunks in the GLB (descriptor wres)
    ocelli::driver::HwConfig hw;
    hw.dram_cycles_per_beat = seed % 2 == 1 ? 10.0 / 3 : 1.0;
    const auto r =
        ocelli::tb::run_conv_on_top(l, m, {d.input, d.weights, d.bias}, kTiming, 2000000, {}, {}, tables, hw);
    ASSERT_TRUE(r.result.done) << what << ": " << r.result.message();
    expect_bit_exact(r.output, golden_output(l, d), what);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
