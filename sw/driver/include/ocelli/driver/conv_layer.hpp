// A convolution layer as the accelerator runs it, the row-stationary mapping chosen for it, and the hardware
// configuration that bounds the mapping (defaults: Eyeriss v1, docs/architecture.md).
#pragma once

#include <cstdint>
#include <string>

#include "ocelli/golden/alexnet.hpp"
#include "ocelli/golden/layers.hpp"
#include "ocelli/golden/tensor.hpp"

namespace ocelli::driver {

struct HwConfig {
  int array_rows = 12;
  int array_cols = 14;
  int ifmap_spad = 12;
  int filter_spad = 224;
  int psum_spad = 24;
  int glb_bank_words = 512;     // 64-bit words per bank
  int glb_act_banks = 25;       // ifmap tiles + psums
  int glb_filter_banks = 2;     // filter chunk
  int noc_col_ids = 64;         // distinct column tags of the ifmap network
  // The ifmap feeder's line buffer (rtl/ctrl/ifmap_feeder.sv, LbEntries): (target, channel) entries of two 64-bit GLB
  // words, storage beside the GLB that Eyeriss v1 does not list; named in name() so every report says it is there.
  int ifmap_line_entries = 256;
  // The DRAM link beside the core: core cycles per 64-bit beat (1 with the `default` timing, 10/3 with `eyeriss`; the
  // runtime sets it from --dram-timing). Not part of name(): the array and buffers are the same. With a link slower
  // than the core the driver keeps filter chunks in the GLB (resident_chunks, descriptor wres) and chooses f for DRAM
  // bytes (fewest_dram_filter_blocks).
  double dram_cycles_per_beat = 1.0;
  std::string name() const;     // e.g. "eyeriss-v1 12x14, spads 12/224/24, GLB 25+2 x 4 KB"

  // The configuration a top reports in its HwConfig register (docs/isa.md): array, spads and GLB from the register,
  // the rest as the defaults.
  static HwConfig from_register(std::uint64_t value);
  // What differs between this configuration and `built` in the parts the register reports ("" when none): a program
  // mapped for one configuration cannot run on a top built with another.
  std::string hardware_difference(const HwConfig& built) const;
};

// Row-stationary mapping (docs/isa.md): n images per pass, e ofmap rows per PE set, p filters and q channels per PE,
// r sets stacked vertically on channel groups, t sets side by side on filter groups.
struct Mapping {
  int n = 1, e = 1, p = 1, q = 1, r = 1, t = 1;
  // PE issue order (descriptor field filt_outer, docs/pe-array.md): filter outer, window offset inner when set
  // (weights in PE order m, s, c), else window offset outer (order s, c, m). choose_mapping() sets it
  // (measured faster on every AlexNet conv layer); any value computes the same sums.
  bool filter_outer = false;
  // Filter blocks (of p*t filters) that share one loaded ifmap block (descriptor field map_f): the controller runs a
  // channel block's passes for each of them, each into its own GLB psum region, so the ifmap is read from DRAM once
  // per f filter blocks instead of once per filter block. choose_mapping() takes the most that fit the GLB
  // (filter_blocks_per_load()).
  int f = 1;
  std::string to_string() const;
};
// The mapping written as to_string() writes it ("n2 e13 p14 q4 r4 t1 f3 fo"; f and fo optional, any order);
// std::invalid_argument naming the bad word otherwise. Legality is check_mapping's business.
Mapping parse_mapping(const std::string& text);

struct ConvLayer {
  golden::Shape in;             // N, C, H, W
  int filters = 1;              // M
  int filter_h = 1, filter_w = 1;  // R, S
  golden::ConvParams conv;      // strides, padding, groups
  int shift = 0;                // requantization shift
  bool relu = false;
  bool ifmap_rlc = false;
  bool ofmap_rlc = false;

  golden::Shape out() const;    // N, M, E, F
  int channels_per_group() const { return in.c / conv.groups; }
  int filters_per_group() const { return filters / conv.groups; }
};

// Sizes of a mapping in the units the controller checks (docs/isa.md).
struct MappingFootprint {
  long ifmap_tile_words = 0;    // GLB words of one ifmap tile
  long plane_words = 0;         // GLB words of one channel's tile rows (rows_tile * ceil(W/4))
  long psum_words = 0;          // GLB words of the tile's psums (one filter block)
  long psum_span_words = 0;     // GLB words of the f psum regions: (f-1) whole-bank regions, then psum_words
  long chunk_words = 0;         // GLB words of one filter chunk
  int rows_tile = 0;            // (e-1)*stride_v + R
};

// The helpers below take the layer's output shape `out` (= layer.out()) from the caller: the mapper weighs every
// candidate mapping of one layer, so it computes the shape once instead of once per helper and mapping.
MappingFootprint footprint(const ConvLayer& layer, const golden::Shape& out, const Mapping& m,
                           const HwConfig& hw);
// True when two ifmap tiles, the psum regions and two filter chunks (footprint `f` of the mapping) fit: the
// controller then loads the next pass's filters and ifmap rows while a pass runs (the same rule as
// rtl/ctrl/layer_ctrl.sv).
bool double_buffered(const MappingFootprint& f, const HwConfig& hw);
// The f of Mapping::f the mapper chooses for `m` (whose own f is ignored): as many filter blocks per ifmap load as
// fit the GLB without losing double buffering (if f = 1 has it), spread evenly over the filter-block groups; 1 when
// the layer has one output column (FC), the ifmap is already resident or the psums stay in the PEs.
int filter_blocks_per_load(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw);
// Filter chunks per tile kept in the GLB (descriptor field wres, docs/isa.md): with f >= 2 and double buffering (no
// resident ifmap), as many of a tile's chunks (ceil(C/G / (q*r)) * f, in load order) as fit the activation banks
// right after the f psum regions' words, at most 127: the filter-block group's first tile loads
// them there, its other tiles (image blocks, row strips) read them from the GLB instead of DRAM. Same rule as
// rtl/ctrl/glb_plan.sv. 0 otherwise.
int resident_chunks(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw);
// The 64-bit words `m` reads from DRAM (with its own f): the ifmap rows at their raw size once per tile and
// filter-block group (once per group when resident_ifmap), the filter chunks once per pass, except, with
// `chunks_kept`, the resident ones (resident_chunks; the driver keeps them only with a link slower than the core,
// descriptor field wres) once per filter-block group.
struct DramReads {
  long ifmap_words = 0;
  long weight_words = 0;
  long total() const { return ifmap_words + weight_words; }
};
DramReads dram_reads(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw,
                     bool chunks_kept);
// The f (at most m.f, filling its filter-block groups evenly) with which `m` reads the fewest DRAM words: the
// ifmap once per filter-block group, the filter chunks once per tile except the resident ones (resident_chunks);
// m.f itself on a tie. A smaller f than the mapper's can leave room to keep every chunk of a group in the GLB
// across its tiles (AlexNet conv1: f 3 -> 2, docs/performance-log.md). The mapper's search applies it to every
// candidate when the DRAM link is slower than the core (HwConfig::dram_cycles_per_beat > 1): at one beat per cycle
// the extra ifmap loads cost more cycles than the chunks save (AlexNet batch 1, `default` timing: conv1 +0.1%, conv2
// +0.5%).
int fewest_dram_filter_blocks(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw);
// True when the controller keeps every channel block's ifmap tile of a group in the GLB at once and loads it only
// for the group's first filter block: f = 1, one image block, one row strip, more than one channel block, and
// (C/G + q*r - 1) planes per image fit beside the psums (FC layers). `f` is footprint(layer, out, m, hw). Same rule as
// rtl/ctrl/layer_ctrl.sv.
bool resident_ifmap(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const MappingFootprint& f,
                    const HwConfig& hw);
// True when the PEs keep their psums across the channel blocks of a tile (f = 1, one output column, n*p psum spad
// entries): only the last block's pass sends psums out. Same rule as rtl/ctrl/layer_ctrl.sv.
bool keeps_psums(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw);

// The limits a mapping must respect, in the order they are checked (docs/isa.md); Legal when none is broken.
enum class MappingRule {
  Legal,
  ImagesPerPass,   // n in 1..15
  OfmapRows,       // e in 1..array columns
  PsumSpad,        // p fits the psum spad
  IfmapSpad,       // q*S fits the ifmap spad
  FilterSpad,      // p*q*S fits the filter spad
  ArrayRows,       // r*R fits the array's rows
  ArrayColumns,    // t*e fits the array's columns
  NocColumnIds,    // tile rows fit the ifmap network's column IDs
  FilterBlocks,    // f in 1..255
  GlbActivations,  // ifmap tile (bank aligned) + psum regions fit the activation banks
  GlbFilters,      // filter chunk fits the filter banks
};
// The first limit `m` breaks on `hw`: cheap (no formatting), for the mapper's search.
MappingRule first_broken_rule(const ConvLayer& layer, const golden::Shape& out, const Mapping& m, const HwConfig& hw);
// Empty when the mapping is legal for the layer on `hw`, else what is violated (first_broken_rule, in words).
std::string check_mapping(const ConvLayer& layer, const Mapping& m, const HwConfig& hw);
// Empty when the controller accepts the layer's shape (filter, strides, padding, widths; docs/isa.md), else why not.
std::string check_conv_shape(const ConvLayer& layer);

// A conv or FC layer of a network description as the hardware runs it: an FC layer is a conv whose filter covers the
// whole input, weights (M, C*H*W) viewed as (M, C, H, W). Throws std::invalid_argument naming the layer when an FC
// input is wider or taller than a filter can be (12), std::logic_error if the conv view gives another output shape.
ConvLayer conv_layer_of(const golden::LayerDesc& desc, bool ifmap_rlc, bool ofmap_rlc);

}  // namespace ocelli::driver
