// Runs one max-pooling or LRN layer through the verilated top (post-processing unit), the way run_conv_on_top
// runs a convolution: lay out the ifmap (raw or RLC) and the LRN table, write the descriptor, run, read back.
#pragma once

#include <cstdint>

#include "conv_on_top.hpp"
#include "ocelli/driver/postproc.hpp"

namespace ocelli::tb {

ConvOnTop run_pool_on_top(const driver::PoolLayer& layer, const driver::PostprocTile& tile,
                          const golden::Tensor16& input, const dram::TimingConfig& timing, std::uint64_t max_cycles,
                          const ConvEdit& edit = {});
ConvOnTop run_lrn_on_top(const driver::LrnLayer& layer, const golden::LrnTable& table,
                         const driver::PostprocTile& tile, const golden::Tensor16& input,
                         const dram::TimingConfig& timing, std::uint64_t max_cycles, const ConvEdit& edit = {});

}  // namespace ocelli::tb
