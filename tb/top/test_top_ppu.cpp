// Max pooling and LRN through the accelerator top's post-processing unit (controller, DMA, RLC, GLB, unit, output
// stage), compared bit for bit with the golden. Seeded random layers print their seed and shape on failure.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <random>

#include "ocelli/golden/layers.hpp"
#include "postproc_on_top.hpp"

namespace {

using ocelli::driver::LrnLayer;
using ocelli::driver::PoolLayer;
using ocelli::driver::PostprocTile;
using ocelli::golden::Shape;
using ocelli::golden::Tensor16;

const auto kTiming = ocelli::dram::TimingConfig::preset("default");

Tensor16 random_tensor(const Shape& s, int frac, int magnitude, double zero_fraction, std::mt19937_64& rng) {
  Tensor16 t(s, frac);
  std::bernoulli_distribution zero(zero_fraction);
  std::uniform_int_distribution<int> v(-magnitude, magnitude);
  for (auto& x : t.data) x = zero(rng) ? 0 : static_cast<std::int16_t>(v(rng));
  return t;
}

void expect_bit_exact(const Tensor16& got, const Tensor16& want, const std::string& what) {
  ASSERT_EQ(got.shape, want.shape) << what;
  for (std::size_t i = 0; i < want.data.size(); ++i) {
    if (got.data[i] != want.data[i]) {
      const int w = want.shape.w, h = want.shape.h, c = want.shape.c;
      FAIL() << what
             << fmt::format(": first mismatch at (n {}, c {}, h {}, w {}): expected {}, got {}", i / (w * h * c),
                            i / (w * h) % c, i / w % h, i % w, want.data[i], got.data[i]);
    }
  }
}

void run_pool_case(const PoolLayer& l, const PostprocTile& tile, const Tensor16& in, const std::string& what) {
  auto want = ocelli::golden::max_pool(in, l.pool);
  if (l.relu) want = ocelli::golden::relu(want);
  const auto r = ocelli::tb::run_pool_on_top(l, tile, in, kTiming, 2'000'000);
  ASSERT_TRUE(r.result.done) << what << ": " << r.result.message();
  expect_bit_exact(r.output, want, what);
}

TEST(TopPool, AlexNetPool3x3Stride2) {
  std::mt19937_64 rng(11);
  PoolLayer l;
  l.in = Shape{1, 3, 13, 13};
  l.pool = ocelli::golden::PoolParams{3, 3, 2, 2};
  l.ifmap_rlc = l.ofmap_rlc = true;
  const auto in = random_tensor(l.in, 8, 3000, 0.5, rng);
  run_pool_case(l, ocelli::driver::choose_pool_tile(l), in, "pool 3x3/2 on 1x3x13x13");
}

TEST(TopPool, RandomLayers) {
  for (int seed = 1; seed <= 24; ++seed) {
    std::mt19937_64 rng(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    PoolLayer l;
    l.pool.kernel_h = pick(1, 4);
    l.pool.kernel_w = pick(1, 4);
    const int strides_v[] = {1, 2, 4};
    l.pool.stride_h = strides_v[pick(0, 2)];
    l.pool.stride_w = pick(1, 3);
    l.pool.pad_top = pick(0, l.pool.kernel_h - 1);
    l.pool.pad_left = pick(0, l.pool.kernel_w - 1);
    l.pool.pad_bottom = pick(0, 2);
    l.pool.pad_right = pick(0, 2);
    l.in = Shape{pick(1, 3), pick(1, 5), pick(l.pool.kernel_h, 20), pick(l.pool.kernel_w, 30)};
    l.relu = pick(0, 1);
    l.ifmap_rlc = pick(0, 1);
    l.ofmap_rlc = pick(0, 1);
    Shape out;
    try {
      out = l.out();
    } catch (const std::invalid_argument&) {
      continue;  // e.g. the last window entirely in the padding: not a layer
    }
    auto tile = ocelli::driver::choose_pool_tile(l);
    tile.e = pick(1, tile.e);  // partial strips too
    tile.n = pick(1, tile.n);
    const auto in = random_tensor(l.in, 7, 20000, pick(0, 1) ? 0.6 : 0.0, rng);
    run_pool_case(l, tile, in,
                  fmt::format("seed {}: pool {}x{}x{}x{} k {}x{} s {}x{} pad t{} b{} l{} r{} relu {} rlc {}/{} tile {}",
                              seed, l.in.n, l.in.c, l.in.h, l.in.w, l.pool.kernel_h, l.pool.kernel_w,
                              l.pool.stride_h, l.pool.stride_w, l.pool.pad_top, l.pool.pad_bottom, l.pool.pad_left,
                              l.pool.pad_right, l.relu, l.ifmap_rlc, l.ofmap_rlc, tile.to_string()));
    if (HasFatalFailure()) return;
  }
}

void run_lrn_case(const LrnLayer& l, const ocelli::golden::LrnParams& p, const PostprocTile& tile,
                  const Tensor16& in, const std::string& what) {
  const auto table = ocelli::golden::make_lrn_table(p, in.frac);
  const auto want = ocelli::golden::lrn(in, table);
  const auto r = ocelli::tb::run_lrn_on_top(l, table, tile, in, kTiming, 2'000'000);
  ASSERT_TRUE(r.result.done) << what << ": " << r.result.message();
  expect_bit_exact(r.output, want, what);
}

TEST(TopLrn, AlexNetParameters) {
  std::mt19937_64 rng(5);
  LrnLayer l;
  l.in = Shape{1, 12, 5, 9};
  l.ifmap_rlc = l.ofmap_rlc = true;
  const auto in = random_tensor(l.in, 8, 32767, 0.5, rng);
  run_lrn_case(l, ocelli::golden::LrnParams{5, 1e-4, 0.75, 1.0}, ocelli::driver::choose_lrn_tile(l), in,
               "lrn size 5 on 1x12x5x9");
}

TEST(TopLrn, RandomLayers) {
  for (int seed = 1; seed <= 16; ++seed) {
    std::mt19937_64 rng(100 + seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    LrnLayer l;
    l.in = Shape{pick(1, 2), pick(1, 20), pick(1, 8), pick(1, 21)};
    l.ifmap_rlc = pick(0, 1);
    l.ofmap_rlc = pick(0, 1);
    ocelli::golden::LrnParams p;
    p.size = 2 * pick(0, 4) + 1;
    p.alpha = std::uniform_real_distribution<double>(1e-5, 1e-2)(rng);
    p.beta = std::uniform_real_distribution<double>(0.3, 1.0)(rng);
    p.k = std::uniform_real_distribution<double>(0.5, 2.0)(rng);
    auto tile = ocelli::driver::choose_lrn_tile(l);
    tile.e = pick(1, tile.e);
    tile.n = pick(1, tile.n);
    const auto in = random_tensor(l.in, pick(4, 12), pick(0, 1) ? 32767 : 2000, pick(0, 1) ? 0.5 : 0.0, rng);
    run_lrn_case(l, p, tile, in,
                 fmt::format("seed {}: lrn {}x{}x{}x{} size {} alpha {} beta {} k {} frac {} rlc {}/{} tile {}",
                             100 + seed, l.in.n, l.in.c, l.in.h, l.in.w, p.size, p.alpha, p.beta, p.k, in.frac,
                             l.ifmap_rlc, l.ofmap_rlc, tile.to_string()));
    if (HasFatalFailure()) return;
  }
}

}  // namespace
