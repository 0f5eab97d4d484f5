#include "ocelli/driver/conv_layer.hpp"
#include "int_math.hpp"
#include "ocelli/isa.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::driver {

namespace {
// GLB words of the activation banks (ifmap tiles + psums) and of the filter banks.
long act_words(const HwConfig& hw) { return long(hw.glb_act_banks) * hw.glb_bank_words; }
long filter_words(const HwConfig& hw) { return long(hw.glb_filter_banks) * hw.glb_bank_words; }
}  // namespace

std::string HwConfig::name() const {
  return fmt::format("{}x{} PEs, spads {}/{}/{}, GLB {}+{} banks x {} KB, ifmap line buffer {} KB", array_rows,
                     array_cols, ifmap_spad, filter_spad, psum_spad, glb_act_banks, glb_filter_banks,
                     glb_bank_words * 8 / 1024, ifmap_line_entries * 2 * 8 / 1024);
}

HwConfig HwConfig::from_register(std::uint64_t value) {
  namespace f = isa::csr_hwconfig;
  HwConfig hw;
  hw.array_rows = static_cast<int>(f::kRows.of(value));
  hw.array_cols = static_cast<int>(f::kCols.of(value));
  hw.ifmap_spad = static_cast<int>(f::kIfmapSpad.of(value));
  hw.filter_spad = static_cast<int>(f::kFilterSpad.of(value));
  hw.psum_spad = static_cast<int>(f::kPsumSpad.of(value));
  hw.glb_bank_words = static_cast<int>(f::kBankWords.of(value));
  hw.glb_filter_banks = 2;  // the GLB's last two banks (rtl/ocelli_top.sv)
  hw.glb_act_banks = static_cast<int>(f::kGlbBanks.of(value)) - hw.glb_filter_banks;
  return hw;
}

std::string HwConfig::hardware_difference(const HwConfig& built) const {
  std::string out;
  auto field = [&](const char* what, int planned, int actual) {
    if (planned != actual) out += fmt::format("{}{} {} (built: {})", out.empty() ? "" : ", ", what, planned, actual);
  };
  field("PE rows", array_rows, built.array_rows);
  field("PE columns", array_cols, built.array_cols);
  field("ifmap spad", ifmap_spad, built.ifmap_spad);
  field("filter spad", filter_spad, built.filter_spad);
  field("psum spad", psum_spad, built.psum_spad);
  field("GLB ifmap/psum banks", glb_act_banks, built.glb_act_banks);
  field("GLB filter banks", glb_filter_banks, built.glb_filter_banks);
  field("GLB bank words", glb_bank_words, built.glb_bank_words);
  return out;
}

std::string Mapping::to_string() const {
  return fmt::format("n{} e{} p{} q{} r{} t{}{}{}", n, e, p, q, r, t, f > 1 ? fmt::format(" f{}", f) : "",
                     filter_outer ? " fo" : "");
}

Mapping parse_mapping(const std::string& text) {
  Mapping m;
  std::istringstream words(text);
  std::string word;
  std::string seen;
  while (words >> word) {
    if (word == "fo") {
      m.filter_outer = true;
      continue;
    }
    const char key = word[0];
    int* field = key == 'n' ? &m.n : key == 'e' ? &m.e : key == 'p' ? &m.p : key == 'q' ? &m.q
               : key == 'r' ? &m.r : key == 't' ? &m.t : key == 'f' ? &m.f : nullptr;
    std::size_t used = 0;
    int value = 0;
    try {
      value = word.size() > 1 ? std::stoi(word.substr(1), &used) : 0;
    } catch (const std::exception&) {
      used = 0;
    }
    if (field == nullptr || used == 0 || used + 1 != word.size() || value < 1) {
      throw std::invalid_argument(fmt::format(
          "mapping '{}': word '{}' is not one of n<N> e<N> p<N> q<N> r<N> t<N> f<N> (N >= 1) or fo", text, word));
    }
    if (seen.find(key) != std::string::npos) {
      throw std::invalid_argument(fmt::format("mapping '{}': '{}' given twice", text, key));
    }
    seen += key;
    *field = value;
  }
  for (const char key : std::string("neqprt")) {
    if (seen.find(key) == std::string::npos) {
      throw std::invalid_argument(fmt::format("mapping '{}': '{}' missing (n, e, p, q, r, t are required)", text, key));
    }
  }
  return m;
}

golden::Shape ConvLayer::out() const {
  golden::Shape w{filters, channels_per_group(), filter_h, filter_w};
  return golden::conv2d_output_shape(in, w, conv);
}

MappingFootprint footprint(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw) {
  MappingFootprint f;
  const long pitch = ceil_div(layer.in.w, 4);
  // golden::ConvParams::stride_h is the vertical stride (along H).
  f.rows_tile = (m.e - 1) * layer.conv.stride_h + layer.filter_h;
  f.plane_words = f.rows_tile * pitch;
  f.ifmap_tile_words = long(m.n) * m.q * m.r * f.plane_words;
  // [b][set][row][column][ceil(p/2) words]: two filters of a set per word (rtl/ctrl/ctrl_pkg.sv, tile_cfg_t).
  f.psum_words = long(m.n) * m.t * m.e * out.w * ceil_div(m.p, 2);
  f.psum_span_words = long(std::max(m.f, 1) - 1) * round_up(f.psum_words, hw.glb_bank_words) + f.psum_words;
  f.chunk_words = long(m.r) * layer.filter_h * m.t * ceil_div(long(m.p) * m.q * layer.filter_w, 4);
  return f;
}

bool double_buffered(const MappingFootprint& f, const HwConfig& hw) {
  const long banked = round_up(f.ifmap_tile_words, hw.glb_bank_words);
  return 2 * banked + f.psum_span_words <= act_words(hw) && 2 * f.chunk_words <= filter_words(hw);
}

int filter_blocks_per_load(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw) {
  Mapping one = m;
  one.f = 1;
  const auto f1 = footprint(layer, out, one, hw);
  // FC layers (one output column) keep f = 1: their ifmap is small beside their weights, and sharing loads has not
  // been measured on them (docs/performance-log.md).
  if (out.w == 1 || resident_ifmap(layer, out, one, f1, hw) || keeps_psums(layer, out, one, hw)) return 1;
  const long blocks = ceil_div(layer.filters_per_group(), long(m.p) * m.t);
  const bool dbuf = double_buffered(f1, hw);
  const long ifmap = round_up(f1.ifmap_tile_words, hw.glb_bank_words) * (dbuf ? 2 : 1);
  const long region = round_up(f1.psum_words, hw.glb_bank_words);
  // f-1 whole regions and the last one's psums beside the ifmap buffer(s)
  const long most = std::min<long>({blocks, 255, 1 + (act_words(hw) - ifmap - f1.psum_words) / region});
  if (most <= 1) return 1;
  return static_cast<int>(ceil_div(blocks, ceil_div(blocks, most)));  // the same number of groups, evenly filled
}

DramReads dram_reads(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw,
                     bool chunks_kept) {
  const auto f = footprint(layer, out, m, hw);
  const long groups = layer.conv.groups;
  const long blocks = ceil_div(layer.filters_per_group(), long(m.p) * m.t);
  const long tiles = ceil_div(layer.in.n, m.n) * ceil_div(out.h, m.e);  // image blocks x row strips
  const long cblocks = ceil_div(layer.channels_per_group(), long(m.q) * m.r);
  const long per_load = std::max(1, m.f);
  const long ifmap_load = long(std::min(m.n, layer.in.n)) * layer.channels_per_group() *
                          std::min<long>(f.rows_tile, layer.in.h) * ceil_div(layer.in.w, 4);
  if (resident_ifmap(layer, out, m, f, hw)) {
    return {groups * ifmap_load, groups * blocks * cblocks * f.chunk_words};
  }
  // Per group of fe filter blocks: the ifmap once per tile, the chunks once per tile except the resident ones
  // (loaded by the group's first tile only).
  const long kept = chunks_kept ? resident_chunks(layer, out, m, hw) : 0;
  auto chunk_words = [&](long fe) {
    const long chunks = cblocks * fe, k = std::min(kept, chunks);
    return f.chunk_words * (tiles * (chunks - k) + k);
  };
  const long full = blocks / per_load, rest = blocks % per_load;
  return {groups * (full + (rest != 0 ? 1 : 0)) * tiles * ifmap_load,
          groups * (full * chunk_words(per_load) + (rest != 0 ? chunk_words(rest) : 0))};
}

int fewest_dram_filter_blocks(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw) {
  if (m.f < 2) return std::max(m.f, 1);
  const long blocks = ceil_div(layer.filters_per_group(), long(m.p) * m.t);
  auto words = [&](long f) {
    Mapping mf = m;
    mf.f = static_cast<int>(f);
    return dram_reads(layer, out, mf, hw, true).total();
  };
  long best = m.f;
  long best_words = words(best);
  for (long f = best - 1; f >= 1; --f) {
    if (ceil_div(blocks, ceil_div(blocks, f)) != f) continue;  // not evenly filled: a smaller f has its groups
    if (const long w = words(f); w < best_words) {
      best = f;
      best_words = w;
    }
  }
  return static_cast<int>(best);
}

int resident_chunks(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw) {
  const auto f = footprint(layer, out, m, hw);
  if (m.f < 2 || !double_buffered(f, hw) || f.chunk_words <= 0) return 0;
  const long used = 2 * round_up(f.ifmap_tile_words, hw.glb_bank_words) + f.psum_span_words;
  if (used >= act_words(hw)) return 0;
  const long per_tile = ceil_div(layer.channels_per_group(), long(m.q) * m.r) * m.f;
  return static_cast<int>(std::min<long>({(act_words(hw) - used) / f.chunk_words, per_tile, 127}));
}

bool resident_ifmap(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const MappingFootprint& f,
                    const HwConfig& hw) {
  const long cg = layer.channels_per_group(), qr = long(m.q) * m.r;
  if (m.f != 1 || cg <= qr || layer.in.n > m.n || out.h > m.e) return false;
  const long words = round_up(f.plane_words * (cg + qr - 1) * m.n, hw.glb_bank_words);
  return words + f.psum_words <= act_words(hw) && 2 * f.chunk_words <= filter_words(hw);
}

bool keeps_psums(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw) {
  return m.f == 1 && out.w == 1 && long(std::min(m.n, layer.in.n)) * m.p <= hw.psum_spad;
}

std::string check_conv_shape(const ConvLayer& l) {
  // The controller's shape checks (docs/isa.md, error code 2/3), so the host refuses before the run.
  const auto out = l.out();
  if (l.filter_h < 1 || l.filter_h > 12 || l.filter_w < 1 || l.filter_w > 12) {
    return fmt::format("filter {}x{}: R and S must be 1..12", l.filter_h, l.filter_w);
  }
  const int sv = l.conv.stride_h, sh = l.conv.stride_w;  // golden: stride_h runs along H (vertical)
  if (sv != 1 && sv != 2 && sv != 4) return fmt::format("vertical stride {} is not supported (1, 2 or 4)", sv);
  if (sh < 1 || sh > 15) return fmt::format("horizontal stride {} outside 1..15", sh);
  for (int pad : {l.conv.pad_top, l.conv.pad_bottom, l.conv.pad_left, l.conv.pad_right}) {
    if (pad < 0 || pad > 15) return fmt::format("padding {} outside 0..15", pad);
  }
  if (l.in.w > 1020) return fmt::format("input width {} exceeds 1020", l.in.w);
  if (out.w < 1 || out.w > 255 || out.h < 1) return fmt::format("output {}x{}: width must be 1..255", out.h, out.w);
  return {};
}

namespace {
// The message of check_mapping: the broken rule (decided by first_broken_rule alone) with the values it compared.
std::string describe_broken_rule(MappingRule rule, const ConvLayer& layer, const golden::Shape& out, const Mapping& m,
                                 const HwConfig& hw) {
  const int s = layer.filter_w;
  const auto f = footprint(layer, out, m, hw);
  switch (rule) {
    case MappingRule::Legal: return {};
    case MappingRule::ImagesPerPass: return fmt::format("n = {} outside 1..15", m.n);
    case MappingRule::OfmapRows: return fmt::format("e = {} outside 1..{}", m.e, hw.array_cols);
    case MappingRule::PsumSpad: return fmt::format("p = {} outside 1..{} (psum spad)", m.p, hw.psum_spad);
    case MappingRule::IfmapSpad:
      return fmt::format("q*S = {} exceeds the ifmap spad ({})", m.q * s, hw.ifmap_spad);
    case MappingRule::FilterSpad:
      return fmt::format("p*q*S = {} exceeds the filter spad ({})", m.p * m.q * s, hw.filter_spad);
    case MappingRule::ArrayRows:
      return fmt::format("r*R = {} exceeds {} rows", m.r * layer.filter_h, hw.array_rows);
    case MappingRule::ArrayColumns: return fmt::format("t*e = {} exceeds {} columns", m.t * m.e, hw.array_cols);
    case MappingRule::NocColumnIds:
      return fmt::format("tile rows {} exceed {} NoC column IDs", f.rows_tile, hw.noc_col_ids);
    case MappingRule::FilterBlocks: return fmt::format("f = {} outside 1..255", m.f);
    case MappingRule::GlbActivations:
      return fmt::format("ifmap tile {} + psums {} words ({} filter blocks of {}) exceed the GLB's {} words",
                         f.ifmap_tile_words, f.psum_span_words, m.f, f.psum_words, act_words(hw));
    case MappingRule::GlbFilters:
      return fmt::format("filter chunk {} words exceeds the filter banks ({})", f.chunk_words, filter_words(hw));
  }
  return fmt::format("unknown mapping rule {}", static_cast<int>(rule));
}
}  // namespace

MappingRule first_broken_rule(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw) {
  const int s = layer.filter_w;
  if (m.n < 1 || m.n > 15) return MappingRule::ImagesPerPass;
  if (m.e < 1 || m.e > hw.array_cols) return MappingRule::OfmapRows;
  if (m.p < 1 || m.p > hw.psum_spad) return MappingRule::PsumSpad;
  if (m.q < 1 || m.q * s > hw.ifmap_spad) return MappingRule::IfmapSpad;
  if (m.p * m.q * s > hw.filter_spad) return MappingRule::FilterSpad;
  if (m.r < 1 || m.r * layer.filter_h > hw.array_rows) return MappingRule::ArrayRows;
  if (m.t < 1 || m.t * m.e > hw.array_cols) return MappingRule::ArrayColumns;
  const auto f = footprint(layer, out, m, hw);
  if (f.rows_tile > hw.noc_col_ids) return MappingRule::NocColumnIds;
  if (m.f < 1 || m.f > 255) return MappingRule::FilterBlocks;
  const long psum_base = round_up(f.ifmap_tile_words, hw.glb_bank_words);  // psums start at a bank boundary
  if (psum_base + f.psum_span_words > act_words(hw)) return MappingRule::GlbActivations;
  if (f.chunk_words > filter_words(hw)) return MappingRule::GlbFilters;
  return MappingRule::Legal;
}

std::string check_mapping(const ConvLayer& layer, const Mapping& m, const HwConfig& hw) {
  const auto out = layer.out();
  const MappingRule rule = first_broken_rule(layer, out, m, hw);
  return rule == MappingRule::Legal ? std::string() : describe_broken_rule(rule, layer, out, m, hw);
}

ConvLayer conv_layer_of(const golden::LayerDesc& d, bool ifmap_rlc, bool ofmap_rlc) {
  constexpr int kMaxFilterSide = 12;  // R and S limit of the descriptor (docs/isa.md)
  ConvLayer l;
  l.in = d.in_shape;
  l.filters = d.weight_shape.n;
  if (d.kind == golden::LayerKind::FullyConnected) {
    if (d.in_shape.h > kMaxFilterSide || d.in_shape.w > kMaxFilterSide) {
      throw std::invalid_argument(fmt::format(
          "layer '{}': fc input {} needs a {}x{} filter, the RTL takes at most {}x{} (R or S > {})", d.name,
          golden::to_string(d.in_shape), d.in_shape.h, d.in_shape.w, kMaxFilterSide, kMaxFilterSide, kMaxFilterSide));
    }
    l.filter_h = d.in_shape.h;
    l.filter_w = d.in_shape.w;
  } else {
    l.filter_h = d.weight_shape.h;
    l.filter_w = d.weight_shape.w;
    l.conv = d.conv;
  }
  l.shift = d.in_frac + d.weight_frac - d.out_frac;
  l.relu = d.relu;
  l.ifmap_rlc = ifmap_rlc;
  l.ofmap_rlc = ofmap_rlc;
  if (l.out() != d.out_shape) {
    throw std::logic_error(fmt::format("layer '{}': as a conv it gives {} but the program says {}", d.name,
                                       golden::to_string(l.out()), golden::to_string(d.out_shape)));
  }
  return l;
}

}  // namespace ocelli::driver
