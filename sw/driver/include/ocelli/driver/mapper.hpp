// Row-stationary mapper: searches the legal mappings of a conv layer and picks the one with the fewest estimated
// cycles on the sequential controller (load filters, load ifmap rows, pass; output per tile).
#pragma once

#include <cstdint>
#include <vector>

#include "ocelli/driver/conv_layer.hpp"

namespace ocelli::driver {

struct MappingEstimate {
  Mapping mapping;
  std::uint64_t cycles = 0;
  std::uint64_t passes = 0;
  int active_pes = 0;
};

// Estimated cycles of `layer` with `mapping` (which must be legal).
MappingEstimate estimate(const ConvLayer& layer, const Mapping& mapping, const HwConfig& hw);
// The best legal mapping; throws std::invalid_argument naming the layer shape when none fits.
MappingEstimate choose_mapping(const ConvLayer& layer, const HwConfig& hw = {});
// Every legal mapping (issue order by prefer_filter_outer), lowest estimate first (ties: search order, the first
// being choose_mapping's); empty when none fits. For calibrating the estimate (bench/mapper_sweep.cpp).
std::vector<MappingEstimate> rank_mappings(const ConvLayer& layer, const HwConfig& hw = {});

}  // namespace ocelli::driver
