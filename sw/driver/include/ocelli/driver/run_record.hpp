// What a run of a layer program through the RTL produced, layer by layer: the runtime (`ocelli run`) fills it,
// the report (table, JSON, CSV, chart) and the regression read it. Plain data so both sides stay independent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ocelli::driver {

struct LayerRecord {
  std::string name;              // layer name from the program
  std::string kind;              // golden::to_string(LayerKind): conv, fc, maxpool, lrn
  std::string shape;             // e.g. "1x3x227x227 -> 1x96x55x55"
  std::string mapping;           // Mapping::to_string() for conv/fc, tile rows for maxpool/lrn
  int active_pes = 0;            // PEs a pass uses (0 for layers that do not use the array)
  std::uint64_t estimated_cycles = 0;  // mapper's estimate (0 when it has none)

  // Measured on the RTL (registers of docs/isa.md).
  std::uint64_t cycles = 0;
  std::uint64_t macs = 0;        // nominal MACs of the layer (golden count)
  std::uint64_t macs_issued = 0;  // MACs the PEs issued (padding of partial blocks included)
  std::uint64_t gated_macs = 0;  // issued MACs with a zero ifmap operand (filter read + multiply skipped)
  std::uint64_t pe_busy_cycles = 0;
  std::uint64_t glb_reads = 0, glb_writes = 0, glb_conflicts = 0;
  std::uint64_t noc_deliveries = 0;  // words delivered to PEs (multicast fan-out counted)
  std::uint64_t dram_read_ifmap = 0, dram_read_weights = 0, dram_read_bias = 0, dram_read_descriptors = 0;
  std::uint64_t dram_write_ofmap = 0;  // bytes
  std::uint64_t rlc_words_in = 0, rlc_words_out = 0;  // coded words through the decoder / encoder
  std::uint64_t ifmap_elements = 0, ofmap_elements = 0;  // tensor sizes (for compression ratios)
  bool ifmap_rlc = false, ofmap_rlc = false;
  std::uint64_t saturated = 0;

  double wall_seconds = 0.0;     // host time of this layer (simulation + check)
  bool matched = false;          // bit-exact against the golden
  std::string mismatch;          // first mismatch: "index (n,c,h,w) expected X got Y" (empty when matched)
};

struct RunRecord {
  std::string program;           // program file
  std::string network;           // network name
  std::string hw_config;         // HwConfig::name()
  std::string dram;              // "inproc" or "tcp://host:port"
  std::string timing;            // DRAM timing preset
  std::string model;             // build of the top that ran: "fast", "checked" or "traced" (sw/sim/include/ocelli/sim/top_model.hpp)
  int batch = 1;
  std::uint64_t seed = 1;
  std::vector<LayerRecord> layers;
  std::vector<int> top1_golden, top1_rtl;  // per image: argmax of the last layer's output
  double wall_seconds = 0.0;
  std::string outcome;           // "passed", "mismatch", "rtl-error", "stuck" (empty: not recorded)
  std::string failure;           // the message naming the failing layer (empty when passed)
  bool passed() const {
    for (const auto& l : layers)
      if (!l.matched) return false;
    return !layers.empty();
  }
};

}  // namespace ocelli::driver
