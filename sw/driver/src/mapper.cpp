#include "ocelli/driver/mapper.hpp"
#include "int_math.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::driver {

namespace {

// Cycles from a read command to its first word: the default DRAM timing's 24 plus the two flops of the registered
// memory port (rtl/dma/mem_port_regs.sv).
constexpr std::uint64_t kDramLatency = 26;

// Cycles the ifmap feeder spends per column group beyond its reads and words: the line buffer's drain (the last
// read's answer) and the turns between fill and emit.
constexpr std::uint64_t kFeederGroupTurn = 4;
// Cycles of a pass beyond its bound: start, the pipeline's fill and drain, the last psum's trip up the column.
constexpr std::uint64_t kPassOverhead = 60;
// Share of the second-slowest pass resource that shows when it is close to the slowest (scaled by the fourth power
// of their ratio): the streams stall each other through the PEs' small queues.
constexpr double kCloseShare = 0.05;
constexpr double kCloseExponent = 4;

// Cycles per ofmap row of the output stage beyond one per element: the psum reads' and the DRAM write's turns.
constexpr std::uint64_t kOutputRowTurn = 8;
// RLC decode of a coded ifmap row, per element and per row (a level per cycle, up to four zeros per cycle: AlexNet's
// activations are 40-70% zeros), calibrated with the conv passes.
constexpr double kDecodePerElement = 0.75;
constexpr std::uint64_t kDecodeRowTurn = 5;
// Coded activations' share of their raw size on the link, in percent (AlexNet's code to 0.6-0.7 of raw, row tables
// included: `make eyeriss`'s RLC ratios 1.5-1.7).
constexpr std::uint64_t kCodedRowPercent = 70;

// Core cycles the DRAM link takes for `beats` 64-bit beats (one every HwConfig::dram_cycles_per_beat cycles).
std::uint64_t link_cycles(const HwConfig& hw, std::uint64_t beats) {
  return static_cast<std::uint64_t>(std::ceil(std::max(1.0, hw.dram_cycles_per_beat) * double(beats)));
}
// Resident filter chunks are kept (descriptor field wres) only with a link slower than the core.
bool chunks_kept(const HwConfig& hw) { return hw.dram_cycles_per_beat > 1.0; }

// True when the controller has a second psum region for f = 1 (rtl/ctrl/glb_plan.sv, ps_two_fit): from the bank
// after the first region, which follows the ifmap buffer(s) or the resident ifmap.
bool second_psum_region_fits(const ConvLayer& l, const Mapping& m, const MappingFootprint& f, bool resident,
                             bool doubled, const HwConfig& hw) {
  const long bank = hw.glb_bank_words;
  const long resident_words = f.plane_words * (l.channels_per_group() + long(m.q) * m.r - 1) * m.n;
  const long region0 = resident ? round_up(resident_words, bank) : round_up(f.ifmap_tile_words, bank) * (doubled ? 2 : 1);
  return region0 + round_up(f.psum_words, bank) + f.psum_words <= long(hw.glb_act_banks) * bank;
}

// The ifmap feeder's cycles for one column group of a pass (rtl/ctrl/ifmap_feeder.sv): it first fills its line
// buffer, one GLB read per (target, channel) word (a target is one (vertical set, tile row); rows no PE uses cost a
// cycle), then sends every target its words in sweeps of one word per target; the two phases do not overlap.
struct FeederGroup {
  std::uint64_t fill = 0;     // line buffer fill of one group
  std::uint64_t targets = 0;  // words per sweep
};
FeederGroup feeder_group(const ConvLayer& l, const Mapping& m, std::uint64_t rows_tile) {
  const std::uint64_t stride_v = l.conv.stride_h, r_rows = l.filter_h;
  std::uint64_t covered = 0;  // tile rows some PE of a set uses (row mod stride_v < R)
  for (std::uint64_t hr = 0; hr < rows_tile; ++hr) covered += (hr % stride_v) < r_rows ? 1 : 0;
  FeederGroup g;
  g.targets = std::uint64_t(m.r) * rows_tile;
  const std::uint64_t used = std::uint64_t(m.r) * covered;
  g.fill = used * m.q + (g.targets - used);
  return g;
}
}  // namespace

PassCost pass_cost(const ConvLayer& l, const golden::Shape& out, const Mapping& m, const HwConfig& hw) {
  const auto f = footprint(l, out, m, hw);
  const std::uint64_t s = l.filter_w, pqs = std::uint64_t(m.p) * m.q * s;
  const std::uint64_t stream_w = (out.w - 1) * l.conv.stride_w + s;
  PassCost c;
  c.macs = std::uint64_t(m.n) * out.w * pqs;
  // The filter network moves one word (four values) per cycle to one PE row at a time; a PE starts its MACs as
  // its first filter's weights arrive, so only the chunk's feed beyond one output column's MACs shows. With double
  // buffers the next pass's first values reach the PEs during the pass before (into the filter spad entries the
  // pass does not use: docs/pe-array.md, "Filter prefetch"), so only the rest of the chunk is fed after the start.
  const std::uint64_t ahead =
      double_buffered(f, hw) ? std::min<std::uint64_t>(pqs, std::uint64_t(hw.filter_spad) - pqs) : 0;
  const std::uint64_t feed = std::uint64_t(f.chunk_words) * (pqs - ahead) / pqs;
  c.filter_feed = feed > pqs ? feed - pqs : 0;
  const FeederGroup g = feeder_group(l, m, f.rows_tile);
  // A pass's first chunk is filled ahead during the pass before when that one reads the same ifmap block (the next
  // of f filter blocks) or, with double buffers, the block before it: only a tile's first pass (of f, or of f times
  // the channel blocks) shows its first fill.
  const std::uint64_t blocks = ceil_div(std::uint64_t(l.channels_per_group()), std::uint64_t(m.q) * m.r);
  const std::uint64_t fill_shows_every =
      std::uint64_t(std::max(1, m.f)) * (double_buffered(f, hw) ? blocks : 1);  // passes
  c.first_fill = g.fill / fill_shows_every;
  // Groups of 4 streamed columns per image: each a fill and ceil(columns * q / 4) sweeps.
  const std::uint64_t full_groups = stream_w / 4, last_cols = stream_w % 4;
  auto group = [&](std::uint64_t cols) { return g.fill + g.targets * ceil_div(cols * m.q, 4) + kFeederGroupTurn; };
  c.ifmap = std::uint64_t(m.n) * (full_groups * group(4) + (last_cols != 0 ? group(last_cols) : 0)) -
            g.fill * (fill_shows_every - 1) / fill_shows_every;
  // The psum GIN and the GON move one GLB psum word per transfer: the psums of filters 2k and 2k+1 of one output
  // position (docs/glb-noc.md), one alone for the last of an odd p.
  c.psum_out = std::uint64_t(m.n) * out.w * std::uint64_t(ceil_div(m.p, 2)) * m.t * m.e;
  return c;
}

std::uint64_t PassCost::cycles(bool sends_psums) const {
  // Three streams overlap, and the slowest bounds: the MACs behind the later of the filter feed beyond the first
  // column and the first ifmap group's fill; the ifmap feeder; the psum transfers (one pair per cycle through the GON, and back through the psum GIN when the
  // pass accumulates, the two side by side on their own GLB ports), which start after the filter feed and the first
  // ifmap group's fill. Calibrated against measured passes (docs/performance-log.md, 2026-12-02 "A mapper cost
  // model"): a second stream close to the bound adds a little (kCloseShare).
  const std::uint64_t start = std::max(first_fill, filter_feed);
  std::uint64_t v[3] = {macs + start, ifmap, sends_psums ? psum_out + start : 0};
  std::sort(std::begin(v), std::end(v));
  const double closeness = std::pow(double(v[1]) / double(std::max<std::uint64_t>(v[2], 1)), kCloseExponent);
  const auto close = static_cast<std::uint64_t>(kCloseShare * double(v[1]) * closeness);
  return v[2] + close + kPassOverhead;
}

namespace {
// Cycles of an FC pass beyond its slowest stream: start, the pipeline's fill and drain, the sums' trip up the column.
constexpr std::uint64_t kFcPassTurn = 20;
// Cycles of the row mover per ifmap plane of an FC layer beyond its rows (measured: fc8 at batch 4, n4 p8 q2 r9
// t14, 72 planes per channel block, 2,715 cycles per pass).
constexpr std::uint64_t kFcPlaneTurn = 24;

// The estimate of a layer with one output column (FC): its passes stream weights. The filter network moves the chunk
// word by word while the PEs multiply (one column: a PE starts as its weights arrive), so a pass takes the slowest of
// the chunk's feed, the MACs of its n images and the ifmap feed; psums not kept in the PEs go to the GLB and come
// back around the MACs (out, then in for the next channel block). The next chunk loads from DRAM during the pass, so
// a channel block takes the slower of its DRAM load and its pass. Calibrated on fc6-fc8 (docs/performance-log.md,
// 2026-12-03 "FC estimate").
MappingEstimate estimate_one_column(const ConvLayer& l, const golden::Shape& out, const Mapping& m, const HwConfig& hw) {
  const std::uint64_t mg = l.filters_per_group(), cg = l.channels_per_group();
  const std::uint64_t pt = m.p * m.t, qr = m.q * m.r;
  const std::uint64_t filter_blocks = ceil_div(mg, pt);
  const std::uint64_t strips_images = ceil_div(l.in.n, m.n) * ceil_div(out.h, m.e);
  const std::uint64_t tiles = l.conv.groups * filter_blocks * strips_images;
  const std::uint64_t blocks = ceil_div(cg, qr);
  const auto f = footprint(l, out, m, hw);
  const std::uint64_t s = l.filter_w;
  const std::uint64_t stream_w = (out.w - 1) * l.conv.stride_w + s;

  auto link = [&hw](std::uint64_t beats) { return link_cycles(hw, beats); };
  const std::uint64_t filter_load = link(f.chunk_words) + kDramLatency;
  // A channel block's ifmap rows: per plane (channel of one image) a turn of the row mover (row table, then rows;
  // the planes of FC layers are a few values each), then its rows.
  const std::uint64_t planes = std::uint64_t(m.n) * qr;
  const std::uint64_t rows = planes * std::min<std::uint64_t>(f.rows_tile, l.in.h);
  const std::uint64_t ifmap_load = l.ifmap_rlc ? planes * kFcPlaneTurn + rows * (l.in.w + kDecodeRowTurn)
                                               : planes * kFcPlaneTurn + rows * link(ceil_div(l.in.w, 4));
  const std::uint64_t filter_feed = f.chunk_words;
  const std::uint64_t macs_per_pe = std::uint64_t(m.n) * out.w * m.p * m.q * s;
  const std::uint64_t ifmap_feed = std::uint64_t(m.n) * stream_w * qr * f.rows_tile;
  // Psum pairs through the GON per pass; kept in the PEs they leave once per tile, with the output stage.
  const std::uint64_t psum_out = std::uint64_t(m.n) * out.w * ceil_div(m.p, 2) * m.t * m.e;
  const bool keep = keeps_psums(l, out, m, hw);
  const std::uint64_t psum_traffic = keep ? 0 : psum_out * (blocks > 1 ? 2 : 1);
  const std::uint64_t pass = std::max({filter_feed, macs_per_pe, ifmap_feed}) + psum_traffic + kFcPassTurn;
  const std::uint64_t output = std::uint64_t(m.n) * pt * m.e * (out.w + 2 * kDramLatency) + (keep ? psum_out : 0);

  // A resident ifmap is loaded by the group's first filter block only; the others load only their filters.
  const bool resident = resident_ifmap(l, out, m, f, hw);
  const bool overlapped = resident || double_buffered(f, hw);
  auto tile_cycles = [&](std::uint64_t load) {
    return overlapped ? load + blocks * std::max(load, pass) : blocks * (load + pass);
  };
  const std::uint64_t compute =
      resident ? l.conv.groups * (tile_cycles(filter_load + ifmap_load) + (filter_blocks - 1) * tile_cycles(filter_load))
               : l.conv.groups * filter_blocks * strips_images * tile_cycles(filter_load + ifmap_load);

  MappingEstimate e;
  e.mapping = m;
  e.passes = tiles * blocks;
  e.dram_bytes = static_cast<std::uint64_t>(dram_reads(l, out, m, hw, chunks_kept(hw)).total()) * 8;
  e.pass.macs = macs_per_pe;
  e.pass.filter_feed = filter_feed;
  e.pass.ifmap = ifmap_feed;
  e.pass.psum_out = psum_out;
  e.pass_cycles = pass;
  e.cycles = compute + tiles * output;
  e.active_pes = m.r * l.filter_h * m.t * m.e;
  return e;
}

// estimate() given the layer's output shape `out` (= l.out()): the search computes it once per layer.
MappingEstimate estimate_with_out(const ConvLayer& l, const golden::Shape& out, const Mapping& m, const HwConfig& hw) {
  if (out.w == 1) return estimate_one_column(l, out, m, hw);
  const std::uint64_t mg = l.filters_per_group(), cg = l.channels_per_group();
  const std::uint64_t pt = m.p * m.t, qr = m.q * m.r;
  const std::uint64_t filter_blocks = ceil_div(mg, pt);
  const std::uint64_t strips_images = ceil_div(l.in.n, m.n) * ceil_div(out.h, m.e);
  // Tiles of one filter block each; the controller runs up to m.f of them side by side on one ifmap load.
  const std::uint64_t tiles = l.conv.groups * filter_blocks * strips_images;
  const std::uint64_t blocks = ceil_div(cg, qr);
  const auto f = footprint(l, out, m, hw);

  auto link = [&hw](std::uint64_t beats) { return link_cycles(hw, beats); };
  const std::uint64_t filter_load = link(f.chunk_words) + kDramLatency;
  // Loading is pipelined: one latency per plane (two when coded: row table, then rows), then the rows stream at the
  // slower of the link and (coded) the decoder.
  const std::uint64_t planes = std::uint64_t(m.n) * qr;
  const std::uint64_t rows = planes * std::min<std::uint64_t>(f.rows_tile, l.in.h);
  const std::uint64_t raw_row_beats = ceil_div(l.in.w, 4);
  const auto coded_row = std::max(static_cast<std::uint64_t>(kDecodePerElement * l.in.w) + kDecodeRowTurn,
                                  link(raw_row_beats) * kCodedRowPercent / 100);
  const std::uint64_t ifmap_load = l.ifmap_rlc ? planes * 2 * kDramLatency + rows * coded_row
                                               : planes * kDramLatency + rows * link(raw_row_beats);
  // (Psums stay in the PEs only with one output column: estimate_one_column.)
  const PassCost cost = pass_cost(l, out, m, hw);
  const std::uint64_t pass = cost.cycles(true);
  // The output stage reads, requantizes and writes one ofmap row (b, filter, j) after the other.
  const std::uint64_t output = std::uint64_t(m.n) * pt * m.e * (out.w + kOutputRowTurn);

  // With doubled ifmap and filter buffers the controller loads block k+1 during pass k (docs/architecture.md).
  // A resident ifmap is loaded by the group's first filter block only; the others load only their filters.
  const bool resident = resident_ifmap(l, out, m, f, hw);
  const bool overlapped = resident || double_buffered(f, hw);
  // An output stage runs beside the passes that follow it when they write another psum region (f > 1: each filter
  // block has its own; f = 1: when a second region fits); the next output stage waits for it. So a group of fe
  // filter blocks shows an output stage's excess over one pass fe - 1 times, and its last one's excess over the
  // next group's passes until its first output; without a second region every output stage runs alone.
  const bool output_beside = m.f > 1 || second_psum_region_fits(l, m, f, resident, overlapped, hw);
  auto exposed_outputs = [&](std::uint64_t fe) {
    if (!output_beside) return fe * output;
    const std::uint64_t hidden_by_next_group = ((blocks - 1) * fe + 1) * pass;
    return (fe - 1) * (output > pass ? output - pass : 0) +
           (output > hidden_by_next_group ? output - hidden_by_next_group : 0);
  };
  auto tile_cycles = [&](std::uint64_t load) {
    return (overlapped ? load + blocks * std::max(load, pass) : blocks * (load + pass)) + exposed_outputs(1);
  };
  // `fe` filter blocks on one ifmap load: per channel block one ifmap load and fe filter loads. Double-buffered,
  // each filter load is prefetched during the pass before it, and the next channel block's ifmap rows load from
  // the block's first pass on, in the DRAM time the fe filter loads leave (a tile's first block during the
  // previous tile's last pass).
  auto group_cycles = [&](std::uint64_t fe) {
    const std::uint64_t block = overlapped ? std::max(fe * std::max(filter_load, pass), fe * filter_load + ifmap_load)
                                           : ifmap_load + fe * (filter_load + pass);
    return blocks * block + exposed_outputs(fe);
  };
  const std::uint64_t per_load = std::max(1, m.f);
  const std::uint64_t compute =
      resident ? l.conv.groups * (tile_cycles(filter_load + ifmap_load) + (filter_blocks - 1) * tile_cycles(filter_load))
               : (overlapped ? filter_load + ifmap_load : 0) +
                     l.conv.groups * strips_images *
                         ((filter_blocks / per_load) * group_cycles(per_load) +
                          (filter_blocks % per_load != 0 ? group_cycles(filter_blocks % per_load) : 0));

  MappingEstimate e;
  e.mapping = m;
  e.passes = tiles * blocks;
  e.pass = cost;
  e.pass_cycles = pass;
  const DramReads reads = dram_reads(l, out, m, hw, chunks_kept(hw));
  e.dram_bytes = static_cast<std::uint64_t>(reads.total()) * 8;
  // The link bounds the layer: its reads and the ofmap's writes, coded activations at kCodedRowPercent of raw.
  auto coded = [](std::uint64_t words, bool rlc) { return rlc ? words * kCodedRowPercent / 100 : words; };
  const std::uint64_t ofmap_words = ceil_div(std::uint64_t(out.n) * out.c * out.h * out.w, 4);
  const std::uint64_t link_words = coded(std::uint64_t(reads.ifmap_words), l.ifmap_rlc) +
                                   std::uint64_t(reads.weight_words) + coded(ofmap_words, l.ofmap_rlc);
  e.cycles = std::max(compute, link(link_words));
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
              // With a link slower than the core, f goes down where that reads fewer DRAM words (resident chunks).
              if (hw.dram_cycles_per_beat > 1.0) m.f = fewest_dram_filter_blocks(l, out, m, hw);
              if (first_broken_rule(l, out, m, hw) != MappingRule::Legal) continue;
              visit(estimate_with_out(l, out, m, hw));
            }
          }
        }
      }
    }
  }
}

// The index of the pick among `all` (search order): the first fewest estimate, or a mapping that estimates within
// kDramTieTolerance of it and differs from it only in n and f, or (tie_any: layers with more than one output column,
// whose estimates follow the pass model) any mapping within kDramTieToleranceAny, and reads less from DRAM (the
// least such); with a link slower than the core (slow_link) the first fewest estimate.
std::size_t pick(const std::vector<MappingEstimate>& all, bool tie_any, bool slow_link) {
  std::size_t fewest = 0;
  for (std::size_t i = 1; i < all.size(); ++i) {
    if (all[i].cycles < all[fewest].cycles) fewest = i;
  }
  // With a link slower than the core the estimate holds the DRAM's time itself (loads at the link's rate, the
  // layer's bound), so the fewest estimate is taken: AlexNet conv2 at batch 4 and the `eyeriss` timing measured
  // 7.12 M cycles with n2 e7 p8 q2 r2 t2 f2 (estimate 7.04 M) against 7.34 M with n1 e7 f2 (7.16 M, 1.2 MB less
  // DRAM), which the 2% rule took (docs/performance-log.md, 2026-12-03).
  if (slow_link) return fewest;
  const auto& b = all[fewest].mapping;
  const double limit = static_cast<double>(all[fewest].cycles) * (1.0 + kDramTieTolerance);
  const double limit_any = tie_any ? static_cast<double>(all[fewest].cycles) * (1.0 + kDramTieToleranceAny) : 0.0;
  std::size_t best = fewest;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& m = all[i].mapping;
    const bool same_array = m.e == b.e && m.p == b.p && m.q == b.q && m.r == b.r && m.t == b.t &&
                            m.filter_outer == b.filter_outer;
    const auto cycles = static_cast<double>(all[i].cycles);
    if (((same_array && cycles <= limit) || cycles <= limit_any) && all[i].dram_bytes < all[best].dram_bytes) {
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
  const auto first = all.begin() + static_cast<long>(pick(all, l.out().w > 1, hw.dram_cycles_per_beat > 1.0));
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
  return all[pick(all, l.out().w > 1, hw.dram_cycles_per_beat > 1.0)];
}

}  // namespace ocelli::driver
