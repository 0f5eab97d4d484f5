#include "ocelli/driver/postproc.hpp"
#include "int_math.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::driver {

namespace {
constexpr int kLutDepth = 2048;    // ctrl_pkg::LrnLutDepth
constexpr int kMaxLrnSize = 15;    // the unit's channel window register
constexpr int kMaxMantissaBits = 6;
constexpr int kMaxTileFilters = 24 * 14;  // layer_ctrl MaxTileFilters: LRN channels per tile


// The controller's GLB rule: the ifmap tile (whole banks) and the psums share the activation banks.
std::string check_glb(long ifmap_words, long psum_words, const HwConfig& hw) {
  const long act = long(hw.glb_act_banks) * hw.glb_bank_words;
  if (ifmap_words >= (1L << 14) || round_up(ifmap_words, hw.glb_bank_words) + psum_words > act) {
    return fmt::format("ifmap tile {} + outputs {} words exceed the GLB's {} words", ifmap_words, psum_words, act);
  }
  return {};
}

std::string check_tile_counts(const PostprocTile& t, int rows_max, const HwConfig& hw) {
  if (t.n < 1 || t.n > 15) return fmt::format("n = {} outside 1..15", t.n);
  if (t.e < 1 || t.e > std::min(rows_max, hw.array_cols))
    return fmt::format("e = {} outside 1..{}", t.e, std::min(rows_max, hw.array_cols));
  return {};
}

int vertical_stride_code(int stride) {
  if (stride != 1 && stride != 2 && stride != 4) {
    throw std::invalid_argument(fmt::format("pool: vertical stride {} is not supported (1, 2 or 4)", stride));
  }
  return stride;
}

// Words 0-7 common to POOL and LRN: opcode, flags, shapes, tile, addresses (M = C: one output per channel).
Descriptor encode_common(isa::Opcode opcode, bool relu, bool ifmap_rlc, bool ofmap_rlc, const golden::Shape& in,
                         const golden::Shape& out, int r, int s, int stride_v, int stride_h,
                         const golden::PoolParams& pads, const PostprocTile& tile, const ConvAddresses& a) {
  ConvAddresses no_bias = a;
  no_bias.bias = 0;  // POOL and LRN have none
  Descriptor d = encode_layer_fields({opcode, relu, ifmap_rlc, ofmap_rlc, in, out, r, s, stride_v, stride_h,
                                      pads.pad_top, pads.pad_bottom, pads.pad_left, pads.pad_right, no_bias});
  namespace f = isa::desc;
  set_field(d, f::kMapN, tile.n);
  set_field(d, f::kMapE, tile.e);
  for (const auto& one : {f::kMapP, f::kMapQ, f::kMapR, f::kMapT, f::kMapF}) set_field(d, one, 1);
  return d;
}

void check_table(const golden::LrnTable& t) {
  if (t.size < 1 || t.size > kMaxLrnSize || t.size % 2 == 0)
    throw std::invalid_argument(fmt::format("lrn: size {} is not supported by the hardware (odd, 1..{})", t.size,
                                            kMaxLrnSize));
  if (t.mantissa_bits < 1 || t.mantissa_bits > kMaxMantissaBits)
    throw std::invalid_argument(fmt::format("lrn: mantissa_bits {} is not supported by the hardware (1..{})",
                                            t.mantissa_bits, kMaxMantissaBits));
  if (t.lut.size() > std::size_t(kLutDepth) || t.lut_frac > 30 || t.exp_max > 34)
    throw std::invalid_argument(fmt::format("lrn: table of {} entries (lut_frac {}, exp_max {}) does not fit the unit "
                                            "({} entries, lut_frac <= 30, exp_max <= 34)",
                                            t.lut.size(), t.lut_frac, t.exp_max, kLutDepth));
}
}  // namespace

golden::Shape PoolLayer::out() const { return golden::max_pool_output_shape(in, pool); }

std::string PostprocTile::to_string() const { return fmt::format("n={} e={}", n, e); }

std::string check_pool_tile(const PoolLayer& l, const PostprocTile& t, const HwConfig& hw) {
  const auto out = l.out();
  if (auto why = check_tile_counts(t, out.h, hw); !why.empty()) return why;
  const long rows_tile = long(t.e - 1) * l.pool.stride_h + l.pool.kernel_h;
  if (rows_tile > hw.noc_col_ids) return fmt::format("tile rows {} exceed {}", rows_tile, hw.noc_col_ids);
  // Outputs in the psum layout of one-filter sets: one word per output (rtl/ctrl/ctrl_pkg.sv, tile_cfg_t).
  return check_glb(long(t.n) * rows_tile * ceil_div(l.in.w, 4), long(t.n) * t.e * out.w, hw);
}

std::string check_lrn_tile(const LrnLayer& l, const PostprocTile& t, const HwConfig& hw) {
  if (auto why = check_tile_counts(t, l.in.h, hw); !why.empty()) return why;
  if (l.in.c > kMaxTileFilters) return fmt::format("C = {} exceeds {} channels per LRN tile", l.in.c, kMaxTileFilters);
  // Outputs: one set of all C channels, two per word (rtl/ctrl/ctrl_pkg.sv, tile_cfg_t).
  return check_glb(long(t.n) * l.in.c * t.e * ceil_div(l.in.w, 4), long(t.n) * t.e * l.in.w * ceil_div(l.in.c, 2),
                   hw);
}

namespace {
template <typename Check>
PostprocTile choose_tile(int images, int rows, const HwConfig& hw, const Check& check, const std::string& what) {
  for (int e = std::min(rows, hw.array_cols); e >= 1; --e) {
    for (int n = std::min(images, 15); n >= 1; --n) {
      const PostprocTile t{n, e};
      if (check(t).empty()) return t;
    }
  }
  throw std::invalid_argument(fmt::format("{}: no tile fits the GLB even with one image and one row ({})", what,
                                          check(PostprocTile{1, 1})));
}
}  // namespace

PostprocTile choose_pool_tile(const PoolLayer& l, const HwConfig& hw) {
  vertical_stride_code(l.pool.stride_h);
  return choose_tile(l.in.n, l.out().h, hw, [&](const PostprocTile& t) { return check_pool_tile(l, t, hw); },
                     fmt::format("maxpool {}x{}x{}x{}", l.in.n, l.in.c, l.in.h, l.in.w));
}

PostprocTile choose_lrn_tile(const LrnLayer& l, const HwConfig& hw) {
  return choose_tile(l.in.n, l.in.h, hw, [&](const PostprocTile& t) { return check_lrn_tile(l, t, hw); },
                     fmt::format("lrn {}x{}x{}x{}", l.in.n, l.in.c, l.in.h, l.in.w));
}

// Calibrated on AlexNet's pool and LRN layers at batch 1 (`default` timing) and checked at batch 4 (`eyeriss`
// timing), docs/performance-log.md 2026-12-03: pool1/2/5 at 1.00-1.02 (batch 1) and 1.02-1.06 (batch 4) of the
// estimate, norm1/2 at 1.00 both.
std::uint64_t estimate_pool_cycles(const PoolLayer& l, const PostprocTile& t) {
  const auto out = l.out();
  const std::uint64_t tiles = std::uint64_t(l.in.c) * ceil_div(l.in.n, t.n) * ceil_div(out.h, t.e);
  const std::uint64_t outputs = std::uint64_t(out.n) * out.c * out.h * out.w;
  const std::uint64_t reads = outputs * l.pool.kernel_h * l.pool.kernel_w;
  const std::uint64_t rows_in = std::uint64_t(l.in.n) * l.in.c * l.in.h;
  // window reads, tile overheads, row loads, and about three cycles per output (its write-back and the unit's turn)
  return reads + tiles * 150 + rows_in * ceil_div(l.in.w, 4) + 3 * outputs;
}

std::uint64_t estimate_lrn_cycles(const LrnLayer& l, const golden::LrnTable& table, const PostprocTile& t) {
  const std::uint64_t tiles = ceil_div(l.in.n, t.n) * ceil_div(l.in.h, t.e);
  const std::uint64_t positions = std::uint64_t(l.in.n) * l.in.h * l.in.w;
  const std::uint64_t rows = std::uint64_t(l.in.n) * l.in.c * l.in.h;
  // window reads, tile overheads, table load, row loads and write-back (1.5 cycles per element, 22 per row)
  return positions * (l.in.c + table.size / 2) + tiles * 150 + table.lut.size() / 4 + 3 * positions * l.in.c / 2 +
         22 * rows;
}

Descriptor encode_pool_descriptor(const PoolLayer& l, const PostprocTile& t, const ConvAddresses& a) {
  const auto& p = l.pool;
  return encode_common(isa::Opcode::kPool, l.relu, l.ifmap_rlc, l.ofmap_rlc, l.in, l.out(), p.kernel_h, p.kernel_w,
                       vertical_stride_code(p.stride_h), p.stride_w, p, t, a);
}

Descriptor encode_lrn_descriptor(const LrnLayer& l, const golden::LrnTable& table, const PostprocTile& t,
                                 const ConvAddresses& a) {
  check_table(table);
  auto d = encode_common(isa::Opcode::kLrn, false, l.ifmap_rlc, l.ofmap_rlc, l.in, l.in, 1, 1, 1, 1,
                         golden::PoolParams{0, 0, 1, 1}, t, a);
  set_field(d, isa::desc::kLrnExpMin, table.exp_min);
  set_field(d, isa::desc::kLrnExpMax, table.exp_max);
  set_field(d, isa::desc::kLrnLutFrac, table.lut_frac);
  set_field(d, isa::desc::kLrnMantBits, table.mantissa_bits);
  set_field(d, isa::desc::kLrnSize, table.size);
  return d;
}

std::vector<std::uint64_t> pack_lrn_table(const golden::LrnTable& table) {
  check_table(table);
  std::vector<std::uint64_t> words(ceil_div(long(table.lut.size()), 4), 0);
  for (std::size_t i = 0; i < table.lut.size(); ++i) words[i / 4] |= std::uint64_t{table.lut[i]} << (16 * (i % 4));
  return words;
}

}  // namespace ocelli::driver
