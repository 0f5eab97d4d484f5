// Row-stationary mapper: searches the legal mappings of a conv layer and picks the one with the fewest estimated
// cycles on the sequential controller (load filters, load ifmap rows, pass; output per tile); among the mappings
// that differ from it only in the DRAM loop nest (images per pass n, filter blocks per ifmap load f) and estimate
// within kDramTieTolerance of it, the one with the least estimated DRAM traffic.
#pragma once

#include <cstdint>
#include <vector>

#include "ocelli/driver/conv_layer.hpp"

namespace ocelli::driver {

struct MappingEstimate {
  Mapping mapping;
  std::uint64_t cycles = 0;
  std::uint64_t passes = 0;
  std::uint64_t dram_bytes = 0;  // ifmap rows (at their raw size; a coded ifmap reads less) and weight chunks read
  int active_pes = 0;
};

// Estimates this close to the fewest cycles count as equal when only n and f differ: the estimate is 15-50% off the
// RTL on the pass itself (docs/performance-log.md), but n and f change the passes little and the DRAM traffic much
// (conv2 at batch 4: n2 f2 measured 10.71 M cycles and 7.88 MB against n4 f1's 11.38 M and 9.05 MB).
constexpr double kDramTieTolerance = 0.02;

// Estimated cycles of `layer` with `mapping` (which must be legal).
MappingEstimate estimate(const ConvLayer& layer, const Mapping& mapping, const HwConfig& hw);
// The best legal mapping; throws std::invalid_argument naming the layer shape when none fits.
MappingEstimate choose_mapping(const ConvLayer& layer, const HwConfig& hw = {});
// Every legal mapping (filter-outer issue order): choose_mapping's first, then lowest estimate first
// (ties: search order); empty when none fits. For calibrating the estimate (bench/mapper_sweep.cpp).
std::vector<MappingEstimate> rank_mappings(const ConvLayer& layer, const HwConfig& hw = {});

}  // namespace ocelli::driver
