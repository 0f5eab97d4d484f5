// Layer descriptors in the binary format of docs/isa.md; the field layout comes from rtl/isa/isa.json through the
// generated header ocelli/isa.hpp.
#pragma once

#include <array>
#include <cstdint>

#include "ocelli/driver/conv_layer.hpp"
#include "ocelli/isa.hpp"

namespace ocelli::driver {

constexpr int kDescriptorWords = isa::kDescriptorWords;
constexpr std::uint64_t kDescriptorBytes = kDescriptorWords * 8;

struct ConvAddresses {
  std::uint32_t ifmap = 0, ofmap = 0, weights = 0, bias = 0, ifmap_index = 0, ofmap_index = 0;
  // Row-table formats of the RLC ifmap and ofmap (descriptor ifmap_tbl16, ofmap_tbl16): 16-bit entries.
  bool ifmap_tbl16 = false, ofmap_tbl16 = false;
};

// True when a layer writing `out_rows` ofmap rows in tiles of `tile_rows` rows may write 16-bit row-table entries:
// every tile then starts a table word (one tile, or tiles of a multiple of 4 rows; docs/isa.md, ofmap_tbl16).
constexpr bool tbl16_writable(int out_rows, int tile_rows) { return out_rows <= tile_rows || tile_rows % 4 == 0; }

using Descriptor = std::array<std::uint64_t, kDescriptorWords>;

// Sets `field` of `d` to `value`; throws std::invalid_argument naming the field when the value does not fit its
// bits (no silent truncation).
void set_field(Descriptor& d, const isa::DescField& field, long value);
// The value of `field` in `d`.
std::uint64_t get_field(const Descriptor& d, const isa::DescField& field);

// The fields every opcode sets: operation and flags, ifmap and ofmap shapes (M = out.c), window, strides, padding,
// DRAM addresses. Each encoder adds its own (CONV: groups, shift, mapping; POOL/LRN: tile, LRN table format).
struct LayerFields {
  isa::Opcode opcode = isa::Opcode::kConv;
  bool relu = false, ifmap_rlc = false, ofmap_rlc = false;
  golden::Shape in, out;
  int r = 1, s = 1, stride_v = 1, stride_h = 1;
  int pad_t = 0, pad_b = 0, pad_l = 0, pad_r = 0;
  ConvAddresses addr;
};
Descriptor encode_layer_fields(const LayerFields& fields);

// `hw`: the configuration the layer runs on: the resident filter chunks (field wres) depend on its GLB and are used
// only with a DRAM link slower than the core (HwConfig::dram_cycles_per_beat > 1).
Descriptor encode_conv_descriptor(const ConvLayer& layer, const Mapping& mapping, const ConvAddresses& addr,
                                  const HwConfig& hw = {});

}  // namespace ocelli::driver
