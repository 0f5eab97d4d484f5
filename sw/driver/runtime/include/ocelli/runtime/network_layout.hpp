// The DRAM image of a whole program, decided once before the run: the descriptor queue, one activation region
// per layer boundary and every layer's own data.
//
// Rule between layers: the host never re-lays activations. Region i+1 is layer i's ofmap and layer i+1's ifmap;
// it is RLC coded iff its reader (layer i+1) has `rlc` on; the last layer's output is coded iff that layer has
// `rlc` on; the network input (region 0) is coded iff the first layer has `rlc` on.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ocelli/driver/conv_layer.hpp"
#include "ocelli/driver/descriptor.hpp"
#include "ocelli/driver/program.hpp"
#include "ocelli/golden/alexnet.hpp"
#include "ocelli/runtime/layer_executor.hpp"

namespace ocelli::runtime {

class NetworkLayout {
 public:
  // Plans every layer (mapping, addresses); throws std::invalid_argument naming the first layer the RTL cannot run.
  NetworkLayout(const golden::Network& network, const std::vector<driver::LayerOptions>& options,
                const driver::HwConfig& hw);

  std::size_t layers() const { return executors_.size(); }
  std::uint64_t bytes_needed() const { return bytes_needed_; }
  std::uint32_t descriptor_addr(std::size_t layer) const {
    return queue_addr_ + static_cast<std::uint32_t>(layer * driver::kDescriptorBytes);
  }
  // 0 = network input, i + 1 = output of layer i.
  const ActivationRegion& activation(std::size_t i) const { return activations_.at(i); }
  const LayerExecutor& executor(std::size_t layer) const { return *executors_.at(layer); }
  std::vector<driver::Descriptor> descriptors() const;

  // Writes the input and every layer's data (not the descriptors: write_queue does, so tests can edit them).
  void write_data(dram::Storage& storage, const golden::Tensor16& input);
  void write_queue(dram::Storage& storage, const std::vector<driver::Descriptor>& descriptors) const;

 private:
  std::uint32_t queue_addr_ = 0;
  std::vector<ActivationRegion> activations_;
  std::vector<std::unique_ptr<LayerExecutor>> executors_;
  std::uint64_t bytes_needed_ = 0;
};

}  // namespace ocelli::runtime
