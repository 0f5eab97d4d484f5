#include "ocelli/driver/postproc.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::driver {

namespace {
constexpr int kLutDepth = 2048;    // ctrl_pkg::LrnLutDepth
constexpr int kMaxLrnSize = 15;    // the unit's channel window register
constexpr int kMaxMantissaBits = 6;
constexpr int kMaxTileFilters = 24 * 14;  // layer_ctrl MaxTileFilters: LRN channels per tile

long ceil_div(long a, long b) { return (a + b - 1) / b; }
long round_up(long a, long b) { return ceil_div(a, b) * b; }

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

void put(std::uint64_t& word, int lsb, int width, long value, const char* field) {
  if (value < 0 || (width < 64 && static_cast<std::uint64_t>(value) >> width) != 0) {
    throw std::invalid_argument(fmt::format("descriptor field {} = {} does not fit in {} bits", field, value, width));
  }
  word |= static_cast<std::uint64_t>(value) << lsb;
}

// Words 0-7 common to POOL and LRN: opcode, flags, shapes, tile, addresses (M = C: one output per channel).
Descriptor encode_common(int opcode, bool relu, bool ifmap_rlc, bool ofmap_rlc, const golden::Shape& in,
                         const golden::Shape& out, int r, int s, int stride_v, int stride_h,
                         const golden::PoolParams& pads, const PostprocTile& tile, const ConvAddresses& a) {
  Descriptor d{};
  put(d[0], 0, 8, opcode, "opcode");
  put(d[0], 8, 1, relu, "relu");
  put(d[0], 9, 1, ifmap_rlc, "ifmap_rlc");
  put(d[0], 10, 1, ofmap_rlc, "ofmap_rlc");
  put(d[1], 0, 16, in.n, "N");
  put(d[1], 16, 16, in.c, "C");
  put(d[1], 32, 16, in.h, "H");
  put(d[1], 48, 16, in.w, "W");
  put(d[2], 0, 16, in.c, "M");
  put(d[2], 16, 8, r, "R");
  put(d[2], 24, 8, s, "S");
  put(d[2], 32, 4, stride_v, "stride_v");
  put(d[2], 36, 4, stride_h, "stride_h");
  put(d[2], 40, 4, pads.pad_top, "pad_t");
  put(d[2], 44, 4, pads.pad_bottom, "pad_b");
  put(d[2], 48, 4, pads.pad_left, "pad_l");
  put(d[2], 52, 4, pads.pad_right, "pad_r");
  put(d[3], 0, 16, out.h, "E");
  put(d[3], 16, 16, out.w, "F");
  put(d[4], 0, 8, tile.n, "n");
  put(d[4], 8, 8, tile.e, "e");
  for (int k = 0; k < 4; ++k) put(d[4], 16 + 8 * k, 8, 1, "p/q/r/t");
  put(d[5], 0, 32, a.ifmap, "ifmap_addr");
  put(d[5], 32, 32, a.ofmap, "ofmap_addr");
  put(d[6], 0, 32, a.weights, "weight_addr");
  put(d[7], 0, 32, a.ifmap_index, "ifmap_index_addr");
  put(d[7], 32, 32, a.ofmap_index, "ofmap_index_addr");
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
  return check_glb(long(t.n) * rows_tile * ceil_div(l.in.w, 4), long(t.n) * t.e * ceil_div(out.w, 2), hw);
}

std::string check_lrn_tile(const LrnLayer& l, const PostprocTile& t, const HwConfig& hw) {
  if (auto why = check_tile_counts(t, l.in.h, hw); !why.empty()) return why;
  if (l.in.c > kMaxTileFilters) return fmt::format("C = {} exceeds {} channels per LRN tile", l.in.c, kMaxTileFilters);
  return check_glb(long(t.n) * l.in.c * t.e * ceil_div(l.in.w, 4), long(t.n) * l.in.c * t.e * ceil_div(l.in.w, 2),
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

std::uint64_t estimate_pool_cycles(const PoolLayer& l, const PostprocTile& t) {
  const auto out = l.out();
  const std::uint64_t tiles = std::uint64_t(l.in.c) * ceil_div(l.in.n, t.n) * ceil_div(out.h, t.e);
  const std::uint64_t reads = std::uint64_t(out.n) * out.c * out.h * out.w * l.pool.kernel_h * l.pool.kernel_w;
  const std::uint64_t rows_in = std::uint64_t(l.in.n) * l.in.c * l.in.h;
  return reads + tiles * 150 + rows_in * ceil_div(l.in.w, 4) + std::uint64_t(out.n) * out.c * out.h * out.w;
}

std::uint64_t estimate_lrn_cycles(const LrnLayer& l, const golden::LrnTable& table, const PostprocTile& t) {
  const std::uint64_t tiles = ceil_div(l.in.n, t.n) * ceil_div(l.in.h, t.e);
  const std::uint64_t positions = std::uint64_t(l.in.n) * l.in.h * l.in.w;
  return positions * (l.in.c + table.size / 2) + tiles * 150 + table.lut.size() / 4 +
         2 * positions * l.in.c;  // reads, tile overheads, table load, row loads + write-back
}

Descriptor encode_pool_descriptor(const PoolLayer& l, const PostprocTile& t, const ConvAddresses& a) {
  const auto& p = l.pool;
  return encode_common(2, l.relu, l.ifmap_rlc, l.ofmap_rlc, l.in, l.out(), p.kernel_h, p.kernel_w,
                       vertical_stride_code(p.stride_h), p.stride_w, p, t, a);
}

Descriptor encode_lrn_descriptor(const LrnLayer& l, const golden::LrnTable& table, const PostprocTile& t,
                                 const ConvAddresses& a) {
  check_table(table);
  auto d = encode_common(3, false, l.ifmap_rlc, l.ofmap_rlc, l.in, l.in, 1, 1, 1, 1, golden::PoolParams{0, 0, 1, 1},
                         t, a);
  put(d[3], 32, 8, table.exp_min, "lrn exp_min");
  put(d[3], 40, 8, table.exp_max, "lrn exp_max");
  put(d[3], 48, 5, table.lut_frac, "lrn lut_frac");
  put(d[3], 56, 3, table.mantissa_bits, "lrn mantissa_bits");
  put(d[3], 60, 4, table.size, "lrn size");
  return d;
}

std::vector<std::uint64_t> pack_lrn_table(const golden::LrnTable& table) {
  check_table(table);
  std::vector<std::uint64_t> words(ceil_div(long(table.lut.size()), 4), 0);
  for (std::size_t i = 0; i < table.lut.size(); ++i) words[i / 4] |= std::uint64_t{table.lut[i]} << (16 * (i % 4));
  return words;
}

}  // namespace ocelli::driver
