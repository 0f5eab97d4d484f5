// Max pooling and LRN as the accelerator runs them: on the post-processing unit, tile by tile through the GLB
// (docs/isa.md, POOL and LRN). The driver picks the tile (images and ofmap rows per tile), encodes the descriptor
// and packs the LRN multiplier table; the numerics stay in the golden (golden::max_pool, golden::lrn, LrnTable).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocelli/driver/conv_layer.hpp"
#include "ocelli/driver/descriptor.hpp"
#include "ocelli/golden/layers.hpp"

namespace ocelli::driver {

struct PoolLayer {
  golden::Shape in;         // N, C, H, W
  golden::PoolParams pool;  // vertical stride 1, 2 or 4; window up to 12 x 12
  bool relu = false;
  bool ifmap_rlc = false;
  bool ofmap_rlc = false;
  golden::Shape out() const;
};

struct LrnLayer {
  golden::Shape in;         // N, C, H, W; the output has the same shape and format
  bool ifmap_rlc = false;
  bool ofmap_rlc = false;
};

// Images and ofmap rows per tile (the controller's n and e for POOL/LRN).
struct PostprocTile {
  int n = 1, e = 1;
  std::string to_string() const;  // "n=2 e=14"
};

// Empty when the tile is legal for the layer on `hw` (the same rules as rtl/ctrl/layer_ctrl.sv), else what is not.
std::string check_pool_tile(const PoolLayer& layer, const PostprocTile& tile, const HwConfig& hw);
std::string check_lrn_tile(const LrnLayer& layer, const PostprocTile& tile, const HwConfig& hw);
// The tile with the fewest tiles per layer (most rows, then most images); throws std::invalid_argument naming the
// shape when nothing fits (e.g. an LRN whose channels do not fit the GLB for one row).
PostprocTile choose_pool_tile(const PoolLayer& layer, const HwConfig& hw = {});
PostprocTile choose_lrn_tile(const LrnLayer& layer, const HwConfig& hw = {});

// Cycle estimates of the post-processing unit (one GLB read per window element / per channel, plus per-tile
// load and write-back overheads), for progress and reports.
std::uint64_t estimate_pool_cycles(const PoolLayer& layer, const PostprocTile& tile);
std::uint64_t estimate_lrn_cycles(const LrnLayer& layer, const golden::LrnTable& table, const PostprocTile& tile);

// Addresses: ifmap/ofmap (+ row tables when RLC); for LRN `weights` is the multiplier table.
Descriptor encode_pool_descriptor(const PoolLayer& layer, const PostprocTile& tile, const ConvAddresses& addr);
Descriptor encode_lrn_descriptor(const LrnLayer& layer, const golden::LrnTable& table, const PostprocTile& tile,
                                 const ConvAddresses& addr);
// The LRN table as the unit loads it: four 16-bit entries per 64-bit word, entry 0 in the low bits.
// Throws std::invalid_argument when the table does not fit the unit (size > 15, mantissa bits > 6, > 2048 entries).
std::vector<std::uint64_t> pack_lrn_table(const golden::LrnTable& table);

}  // namespace ocelli::driver
