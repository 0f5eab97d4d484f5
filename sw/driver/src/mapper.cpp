#include "ocelli/driver/mapper.hpp"
#include "int_math.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::driver {

namespace {
// Cycles from a read command to its first word: the default DRAM timing's 24 plus the two flops of the registered
// memory port (rtl/dma/mem_port_regs.sv).
constexpr std::uint64_t kDramLatency = 26;

// estimate() given the layer's output shape `out` (= l.out()): the search computes it once per layer.
MappingEstimate estimate_with_out(const ConvLayer& l, const golden::Shape& out, const Mapping& m, const HwConfig& hw) {
  const std::uint64_t mg = l.filters_per_group(), cg = l.channels_per_group();
  const std::uint64_t pt = m.p * m.t, qr = m.q * m.r;
  const std::uint64_t filter_blocks = ceil_div(mg, pt);
  const std::uint64_t strips_images = ceil_div(l.in.n, m.n) * ceil_div(out.h, m.e);
  // Tiles of one filter block each; the controller runs up to m.f of them side by side on one ifmap load.
  const std::uint64_t tiles = l.conv.groups * filter_blocks * strips_images;
  const std::uint64_t blocks = ceil_div(cg, qr);
  const auto f = footprint(l, out, m, hw);
  const std::uint64_t s = l.filter_w;
  const std::uint64_t stream_w = (out.w - 1) * l.conv.stride_w + s;

  const std::uint64_t filter_load = f.chunk_words + kDramLatency;
  // Loading is pipelined: one latency per plane (two when coded: row table, then rows), then the rows stream;
  // a coded row costs its decode (a level per cycle, zeros up to four per cycle: about one cycle per element on
  // dense rows, half that on sparse ones; the estimate keeps one) plus a few cycles of row turnaround.
  const std::uint64_t planes = std::uint64_t(m.n) * qr;
  const std::uint64_t rows = planes * std::min<std::uint64_t>(f.rows_tile, l.in.h);
  const std::uint64_t ifmap_load = l.ifmap_rlc ? planes * 2 * kDramLatency + rows * (l.in.w + 5)
                                               : planes * kDramLatency + rows * ceil_div(l.in.w, 4);
  // The filter network moves one 64-bit word (up to four values) per cycle: the chunk, word by word.
  const std::uint64_t filter_feed = f.chunk_words;
  const std::uint64_t macs_per_pe = std::uint64_t(m.n) * out.w * m.p * m.q * s;
  const std::uint64_t ifmap_feed = std::uint64_t(m.n) * stream_w * qr * f.rows_tile;
  const std::uint64_t psum_out = std::uint64_t(m.n) * out.w * m.p * m.t * m.e;
  // Psums kept in the PEs leave the array once per tile (after the last block) instead of going to the GLB and
  // back between the passes.
  const bool keep = keeps_psums(l, out, m, hw);
  const std::uint64_t psum_traffic = keep ? 0 : psum_out * (blocks > 1 ? 2 : 1);
  const std::uint64_t pass = filter_feed + std::max({macs_per_pe, ifmap_feed, psum_traffic}) + 32;
  const std::uint64_t output = std::uint64_t(m.n) * pt * m.e * (out.w + 2 * kDramLatency) + (keep ? psum_out : 0);

  // With doubled ifmap and filter buffers the controller loads block k+1 during pass k (docs/architecture.md).
  // A resident ifmap is loaded by the group's first filter block only; the others load only their filters.
  const bool resident = resident_ifmap(l, out, m, f, hw);
  const bool overlapped = resident || double_buffered(f, hw);
  auto tile_cycles = [&](std::uint64_t load) {
    return overlapped ? load + blocks * std::max(load, pass) : blocks * (load + pass);
  };
  // `fe` filter blocks on one ifmap load: per channel block one ifmap load and fe filter loads, each prefetched
  // during the pass before it when double-buffered.
  auto group_cycles = [&](std::uint64_t fe) {
    const std::uint64_t block = overlapped ? (fe - 1) * std::max(filter_load, pass) +
                                                 std::max(filter_load + ifmap_load, pass)
                                           : ifmap_load + fe * (filter_load + pass);
    return (overlapped ? filter_load + ifmap_load : 0) + blocks * block;
  };
  const std::uint64_t per_load = std::max(1, m.f);
  const std::uint64_t compute =
      resident ? l.conv.groups * (tile_cycles(filter_load + ifmap_load) + (filter_blocks - 1) * tile_cycles(filter_load))
               : l.conv.groups * strips_images *
                     ((filter_blocks / per_load) * group_cycles(per_load) +
                      (filter_blocks % per_load != 0 ? group_cycles(filter_blocks % per_load) : 0));

  MappingEstimate e;
  e.mapping = m;
  e.passes = tiles * blocks;
  // DRAM reads: the ifmap rows once per tile group (once per group when resident), the filter chunks once per pass.
  const std::uint64_t loads =
      resident ? l.conv.groups : l.conv.groups * strips_images * ceil_div(filter_blocks, per_load);
  const std::uint64_t rows_per_load =
      std::uint64_t(std::min(m.n, l.in.n)) * cg * std::min<std::uint64_t>(f.rows_tile, l.in.h);
  e.dram_bytes = loads * rows_per_load * ceil_div(l.in.w, 4) * 8 + e.passes * f.chunk_words * 8;
  e.cycles = compute + tiles * output;
  e.active_pes = m.r * l.filter_h * m.t * m.e;
  return e;
}

}  // namespace

MappingEstimate estimate(const ConvLayer& l, const Mapping& m, const HwConfig& hw) {
  return estimate_with_out(l, l.out(), m, hw);
}

namespace {
// Calls visit(estimate) for every legal mapping of `l`, in search order.
template <typename Visit>
void for_each_legal_mapping(const ConvLayer& l, const HwConfig& hw, Visit&& visit) {
  const auto out = l.out();  // once: every candidate's rules and estimate need it
  const int mg = l.filters_per_group(), cg = l.channels_per_group();
  for (int n = 1; n <= std::min(l.in.n, 15); ++n) {
    for (int e = 1; e <= std::min(out.h, hw.array_cols); ++e) {
      for (int q = 1; q * l.filter_w <= hw.ifmap_spad && q <= cg; ++q) {
        for (int p = 1; p <= std::min(mg, hw.psum_spad) && p * q * l.filter_w <= hw.filter_spad; ++p) {
          for (int r = 1; r * l.filter_h <= hw.array_rows && (r - 1) * q < cg; ++r) {
            for (int t = 1; t * e <= hw.array_cols && (t - 1) * p < mg; ++t) {
              Mapping m{n, e, p, q, r, t};
              // Filter outer: a column's sums leave evenly spaced. Window offset outer was faster with a full ifmap
              // spad (q*S = 12) while the ifmap network carried one value per transfer; with q values per transfer
              // filter outer is faster there too (docs/performance-log.md, 2026-12-02).
              m.filter_outer = true;
              m.f = filter_blocks_per_load(l, out, m, hw);
              if (first_broken_rule(l, out, m, hw) != MappingRule::Legal) continue;
              visit(estimate_with_out(l, out, m, hw));
            }
          }
        }
      }
    }
  }
}

// The index of the pick among `all` (search order): the first fewest estimate, or a mapping that differs from it
// only in n and f, estimates within kDramTieTolerance of it and reads less from DRAM (the least such).
std::size_t pick(const std::vector<MappingEstimate>& all) {
  std::size_t fewest = 0;
  for (std::size_t i = 1; i < all.size(); ++i) {
    if (all[i].cycles < all[fewest].cycles) fewest = i;
  }
  const auto& b = all[fewest].mapping;
  const double limit = static_cast<double>(all[fewest].cycles) * (1.0 + kDramTieTolerance);
  std::size_t best = fewest;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& m = all[i].mapping;
    const bool same_array = m.e == b.e && m.p == b.p && m.q == b.q && m.r == b.r && m.t == b.t &&
                            m.filter_outer == b.filter_outer;
    if (same_array && static_cast<double>(all[i].cycles) <= limit && all[i].dram_bytes < all[best].dram_bytes) {
      best = i;
    }
  }
  return best;
}
}  // namespace

std::vector<MappingEstimate> rank_mappings(const ConvLayer& l, const HwConfig& hw) {
  std::vector<MappingEstimate> all;
  if (!check_conv_shape(l).empty()) return all;
  for_each_legal_mapping(l, hw, [&all](const MappingEstimate& e) { all.push_back(e); });
  if (all.empty()) return all;
  const auto first = all.begin() + static_cast<long>(pick(all));
  std::rotate(all.begin(), first, first + 1);  // the pick first, the others in search order behind it
  std::stable_sort(all.begin() + 1, all.end(),
                   [](const MappingEstimate& a, const MappingEstimate& b) { return a.cycles < b.cycles; });
  return all;
}

MappingEstimate choose_mapping(const ConvLayer& l, const HwConfig& hw) {
  if (const std::string why = check_conv_shape(l); !why.empty()) {
    throw std::invalid_argument(fmt::format("the hardware cannot run this conv: {}", why));
  }
  // rank_mappings' first, without sorting the others.
  std::vector<MappingEstimate> all;
  for_each_legal_mapping(l, hw, [&all](const MappingEstimate& e) { all.push_back(e); });
  if (all.empty()) {
    throw std::invalid_argument(fmt::format("no legal mapping for conv N{} C{} H{} W{} M{} R{} S{} on {}", l.in.n,
                                            l.in.c, l.in.h, l.in.w, l.filters, l.filter_h, l.filter_w, hw.name()));
  }
  return all[pick(all)];
}

}  // namespace ocelli::driver
