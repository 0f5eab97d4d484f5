// Runs one convolution layer through the verilated top: lays the tensors out in DRAM the way the driver does,
// writes the descriptor, runs the queue, reads the ofmap back.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "ocelli/driver/conv_layer.hpp"
#include "ocelli/driver/descriptor.hpp"
#include "ocelli/dram/storage.hpp"
#include "ocelli/dram/timing.hpp"
#include "ocelli/golden/tensor.hpp"
#include "ocelli/sim/top_sim.hpp"

namespace ocelli::tb {

struct ConvOnTop {
  golden::Tensor16 output;
  sim::TopRunResult result;
  std::uint64_t macs = 0, gated_macs = 0, pe_busy_cycles = 0, glb_reads = 0, glb_writes = 0;
  std::uint64_t array_active_cycles = 0;  // cycles with a PE busy: the passes, without the load and output phases
  std::uint64_t bytes_in = 0, bytes_out = 0;
  std::uint64_t bytes_ifmap = 0, bytes_weights = 0;
};

struct ConvInputs {
  const golden::Tensor16& input;
  const golden::Tensor16& weights;
  const std::vector<std::int32_t>& bias;
};

// Called after the tensors are in DRAM and before the descriptor is written: invalid-instruction tests change
// the descriptor or corrupt memory here.
using ConvEdit = std::function<void(driver::Descriptor&, dram::Storage&, const driver::ConvAddresses&)>;

// Row-table formats of the coded ifmap and ofmap (docs/isa.md): 16-bit entries instead of one word per row.
struct RowTables {
  bool ifmap_tbl16 = false, ofmap_tbl16 = false;
};

// `model`: another build of the top (empty: the checked build of the default configuration).
ConvOnTop run_conv_on_top(const driver::ConvLayer& layer, const driver::Mapping& mapping, const ConvInputs& in,
                          const dram::TimingConfig& timing, std::uint64_t max_cycles, const ConvEdit& edit = {},
                          const sim::TopModelFactory& model = {}, const RowTables& tables = {},
                          const driver::HwConfig& hw = {});

}  // namespace ocelli::tb
