// Row-stationary mapper: searches the legal mappings of a conv layer and picks the one with the fewest estimated
// cycles. The estimate follows the controller: per pass the slowest of MACs (behind the filter feed), the ifmap
// feeder (line buffer fills, then sweeps) and the psums through the GON and psum GIN; loads prefetched during the
// passes when the buffers double; output stages beside the next passes when a second psum region exists. Its pass
// model is calibrated against measured passes (docs/performance-log.md, "A mapper cost model"). Among the mappings
// that differ from it only in the DRAM loop nest (images per pass n, filter blocks per ifmap load f) and estimate
// within kDramTieTolerance of it, the one with the least estimated DRAM traffic.
#pragma once

#include <cstdint>
#include <vector>

#include "ocelli/driver/conv_layer.hpp"

namespace ocelli::driver {

// One processing pass's demand on each resource that can bound it, in cycles (docs/performance-log.md, the pass
// model): a pass takes about the largest of them.
struct PassCost {
  std::uint64_t macs = 0;         // MACs per PE: n * F * p * q * S
  std::uint64_t filter_feed = 0;  // the filter chunk's feed beyond the first output column's MACs
  std::uint64_t ifmap = 0;        // the ifmap feeder: line buffer fills and sweeps
  std::uint64_t first_fill = 0;   // of them the first group's fill, before any PE has an ifmap value
  std::uint64_t psum_out = 0;     // psum pairs through the GON (and back through the psum GIN when accumulating)
  std::uint64_t cycles(bool sends_psums) const;  // estimated cycles of the pass (sends_psums: psums leave)
};

struct MappingEstimate {
  Mapping mapping;
  PassCost pass;                  // one pass of the mapping
  std::uint64_t pass_cycles = 0;  // the estimate of one pass
  std::uint64_t cycles = 0;
  std::uint64_t passes = 0;
  std::uint64_t dram_bytes = 0;  // ifmap rows (at their raw size; a coded ifmap reads less) and weight chunks read
  int active_pes = 0;
};

// Estimates this close to the fewest cycles count as equal when only n and f differ: n and f change the passes
// little and the DRAM traffic much (conv2 at batch 4: n2 f2 measured 10.71 M cycles and 7.88 MB against n4 f1's
// 11.38 M and 9.05 MB), and the estimate is a few percent off the RTL on most conv mappings, up to 20% on some
// (docs/performance-log.md, "A mapper cost model").
constexpr double kDramTieTolerance = 0.02;
// Any two mappings this close count as equal, and the one that reads less from DRAM is taken: conv2 at batch 4 (the
// `eyeriss` timing) measured 10.36 M cycles and 13.06 MB with n4 e14 p4 f2 against 9.79 M and 7.22 MB with n2 e14 p8
// f3, whose estimate was 0.56% higher (docs/performance-log.md, 2026-12-02 "The next channel block's rows").
constexpr double kDramTieToleranceAny = 0.01;
// Neither rule applies with a DRAM link slower than the core (HwConfig::dram_cycles_per_beat > 1): the estimate then
// holds the DRAM's time itself, and the fewest estimate is taken.

// The demands of one pass of `mapping` on `layer` (out = layer.out()).
PassCost pass_cost(const ConvLayer& layer, const golden::Shape& out, const Mapping& mapping, const HwConfig& hw);
// Estimated cycles of `layer` with `mapping` (which must be legal).
MappingEstimate estimate(const ConvLayer& layer, const Mapping& mapping, const HwConfig& hw);
// The best legal mapping; throws std::invalid_argument naming the layer shape when none fits.
MappingEstimate choose_mapping(const ConvLayer& layer, const HwConfig& hw = {});
// Every legal mapping (filter-outer issue order): choose_mapping's first, then lowest estimate first
// (ties: search order); empty when none fits. For calibrating the estimate (bench/mapper_sweep.cpp).
std::vector<MappingEstimate> rank_mappings(const ConvLayer& layer, const HwConfig& hw = {});

}  // namespace ocelli::driver
