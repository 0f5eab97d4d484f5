#include "rs_pass_builder.hpp"

#include <fmt/core.h>

#include <stdexcept>
#include <string>

#include "ocelli/driver/layout.hpp"

namespace ocelli::tb {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

void check_range(const char* field, int value, int lo, int hi) {
  require(value >= lo && value <= hi, fmt::format("PeConfig.{} = {} is outside {}..{}", field, value, lo, hi));
}

// Spad sizes of the RTL (rtl/ocelli_pkg.sv).
constexpr int kIfmapSpad = 12;
constexpr int kFilterSpad = 224;
constexpr int kPsumSpad = 24;

}  // namespace

void PeConfig::validate() const {
  check_range("filt_width", filt_width, 1, 12);
  check_range("stride", stride, 1, 15);
  check_range("num_filters", num_filters, 1, kPsumSpad);
  check_range("num_channels", num_channels, 1, 12);
  check_range("ofmap_width", ofmap_width, 1, 255);
  check_range("num_images", num_images, 1, 15);
  require(num_channels * filt_width <= kIfmapSpad,
          fmt::format("PeConfig: num_channels * filt_width = {} * {} exceeds the ifmap spad ({})", num_channels,
                      filt_width, kIfmapSpad));
  require(macs_per_column() <= kFilterSpad,
          fmt::format("PeConfig: num_filters * num_channels * filt_width = {} exceeds the filter spad ({})",
                      macs_per_column(), kFilterSpad));
  check_range("ifmap_width()", ifmap_width(), 1, 1023);
  require(!(psum_hold || psum_resume) || (ofmap_width == 1 && num_images * num_filters <= kPsumSpad),
          fmt::format("PeConfig: held psums need ofmap_width 1 and num_images * num_filters <= {} (got {} and {})",
                      kPsumSpad, ofmap_width, num_images * num_filters));
}

std::uint64_t PeConfig::pack() const {
  validate();
  // pe_cfg_t, MSB first: filt_width[4] stride[4] num_filters[5] num_channels[4] ofmap_width[8] ifmap_width[10]
  // num_images[4] psum_hold[1] psum_resume[1] filt_outer[1].
  std::uint64_t v = 0;
  auto put = [&v](int value, int bits) { v = (v << bits) | (static_cast<std::uint64_t>(value) & ((1u << bits) - 1)); };
  put(filt_width, 4);
  put(stride, 4);
  put(num_filters, 5);
  put(num_channels, 4);
  put(ofmap_width, 8);
  put(ifmap_width(), 10);
  put(num_images, 4);
  put(psum_hold ? 1 : 0, 1);
  put(psum_resume ? 1 : 0, 1);
  put(filter_outer ? 1 : 0, 1);
  return v;
}

int ArrayPass::active_pes() const {
  int n = 0;
  for (const auto& pe : pes) n += pe.enabled ? 1 : 0;
  return n;
}

RsPassBuilder::RsPassBuilder(int rows, int cols) : rows_(rows), cols_(cols) {
  require(rows > 0 && cols > 0, fmt::format("RsPassBuilder: array {} x {} is empty", rows, cols));
}

ArrayPass RsPassBuilder::build(const ConvSlice& slice, const RsMapping& map) const {
  const golden::Shape& in = slice.ifmap.shape;
  const golden::Shape& wt = slice.weights.shape;
  const golden::ConvParams& conv = slice.conv;
  require(conv.groups == 1, fmt::format("ConvSlice.conv.groups = {}: one pass covers one group", conv.groups));
  require(wt.c == in.c, fmt::format("ConvSlice.weights channels {} != ifmap channels {}", wt.c, in.c));
  require(in.c == map.r * map.q,
          fmt::format("ConvSlice ifmap channels {} != RsMapping r*q = {}*{}", in.c, map.r, map.q));
  require(wt.n == map.t * map.p,
          fmt::format("ConvSlice weights filters {} != RsMapping t*p = {}*{}", wt.n, map.t, map.p));
  const int R = wt.h;
  require(map.r * R <= rows_,
          fmt::format("RsMapping: r*R = {}*{} PE rows exceed the array's {} rows", map.r, R, rows_));
  require(map.t * map.e <= cols_,
          fmt::format("RsMapping: t*e = {}*{} PE columns exceed the array's {} columns", map.t, map.e, cols_));

  const golden::Tensor32 acc = golden::conv2d_accumulate(slice.ifmap, slice.weights, slice.bias, conv);
  const int E = acc.shape.h;
  const int F = acc.shape.w;
  require(map.e >= 1 && map.e <= E, fmt::format("RsMapping.e = {} is outside 1..{} (output rows)", map.e, E));
  if (slice.has_psum_in) {
    const golden::Shape want{in.n, wt.n, map.e, F};
    require(slice.psum_in.shape == want,
            fmt::format("ConvSlice.psum_in shape ({}, {}, {}, {}) != (n, M, e, F) = ({}, {}, {}, {})",
                        slice.psum_in.shape.n, slice.psum_in.shape.c, slice.psum_in.shape.h, slice.psum_in.shape.w,
                        want.n, want.c, want.h, want.w));
  }

  ArrayPass pass;
  pass.rows = rows_;
  pass.cols = cols_;
  pass.cfg.filt_width = wt.w;
  pass.cfg.stride = conv.stride_w;
  pass.cfg.num_filters = map.p;
  pass.cfg.num_channels = map.q;
  pass.cfg.ofmap_width = F;
  pass.cfg.num_images = in.n;
  pass.cfg.filter_outer = map.filter_outer;
  pass.cfg.validate();
  pass.pes.resize(static_cast<std::size_t>(rows_) * cols_);
  pass.expected.resize(cols_);

  const int S = wt.w;
  const int W = pass.cfg.ifmap_width();
  const bool init_psum = !slice.bias.empty() || slice.has_psum_in;
  // Ifmap value at padded coordinates (zero in the padding).
  auto ifmap_at = [&](int b, int c, int hp, int wp) -> std::int16_t {
    const int h = hp - conv.pad_top;
    const int w = wp - conv.pad_left;
    if (h < 0 || h >= in.h || w < 0 || w >= in.w) return 0;
    return slice.ifmap.at(b, c, h, w);
  };
  auto initial_psum = [&](int b, int m, int j, int x) -> std::int32_t {
    std::uint32_t v = slice.bias.empty() ? 0u : static_cast<std::uint32_t>(slice.bias[m]);
    if (slice.has_psum_in) v += static_cast<std::uint32_t>(slice.psum_in.at(b, m, j, x));
    return static_cast<std::int32_t>(v);
  };

  for (int rg = 0; rg < map.r; ++rg) {
    for (int tg = 0; tg < map.t; ++tg) {
      for (int i = 0; i < R; ++i) {
        for (int j = 0; j < map.e; ++j) {
          const int row = rg * R + i;
          const int col = tg * map.e + j;
          PeJob& pe = pass.pes[static_cast<std::size_t>(row) * cols_ + col];
          pe.enabled = true;
          const bool chain_bottom = rg == 0 && i == 0;
          pe.accum = chain_bottom ? init_psum : true;
          pe.psum_ext = chain_bottom;
          // Filter stream in the PE's issue order: m, s, c (filter outer) or s, c, m.
          pe.filter.resize(static_cast<std::size_t>(map.p) * map.q * S);
          for (int m = 0; m < map.p; ++m)
            for (int s = 0; s < S; ++s)
              for (int c = 0; c < map.q; ++c) {
                const int at = driver::filter_spad_offset(map.filter_outer, map.p, map.q, S, m, s, c);
                pe.filter[static_cast<std::size_t>(at)] = slice.weights.at(tg * map.p + m, rg * map.q + c, i, s);
              }
          const int hp = i + j * conv.stride_h;  // ifmap row (padded coordinates) of PE(i, j)
          for (int b = 0; b < in.n; ++b)
            for (int w = 0; w < W; ++w)
              for (int c = 0; c < map.q; ++c) pe.ifmap.push_back(ifmap_at(b, rg * map.q + c, hp, w));
          if (pe.accum && pe.psum_ext) {
            for (int b = 0; b < in.n; ++b)
              for (int x = 0; x < F; ++x)
                for (int m = 0; m < map.p; ++m) pe.psum_in.push_back(initial_psum(b, tg * map.p + m, j, x));
          }
          for (int b = 0; b < in.n; ++b)
            for (int x = 0; x < F; ++x)
              for (int s = 0; s < S; ++s)
                for (int c = 0; c < map.q; ++c) {
                  pass.macs += map.p;
                  if (ifmap_at(b, rg * map.q + c, hp, x * conv.stride_w + s) == 0) pass.zero_macs += map.p;
                }
        }
      }
    }
  }
  // The top PE of each column (last channel group, last filter row) outputs ofmap row j of filter group tg.
  for (int tg = 0; tg < map.t; ++tg) {
    for (int j = 0; j < map.e; ++j) {
      auto& out = pass.expected[tg * map.e + j];
      for (int b = 0; b < in.n; ++b)
        for (int x = 0; x < F; ++x)
          for (int m = 0; m < map.p; ++m) {
            const int mf = tg * map.p + m;
            const std::uint32_t extra =
                slice.has_psum_in ? static_cast<std::uint32_t>(slice.psum_in.at(b, mf, j, x)) : 0u;
            out.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(acc.at(b, mf, j, x)) + extra));
          }
    }
  }
  return pass;
}

}  // namespace ocelli::tb
