#include "ocelli/runtime/network_layout.hpp"

#include <fmt/core.h>

#include <stdexcept>

namespace ocelli::runtime {

NetworkLayout::NetworkLayout(const golden::Network& network, const std::vector<driver::LayerOptions>& options,
                             const driver::HwConfig& hw) {
  const auto& layers = network.desc.layers;
  if (layers.empty()) throw std::invalid_argument(fmt::format("network {}: no layers", network.desc.name));
  if (options.size() != layers.size() || network.params.size() != layers.size()) {
    throw std::invalid_argument(fmt::format("network {}: {} layers but {} layer options and {} parameter sets",
                                            network.desc.name, layers.size(), options.size(), network.params.size()));
  }
  DramArena arena;
  queue_addr_ = arena.take(layers.size() * driver::kDescriptorBytes, "descriptor queue");

  activations_.resize(layers.size() + 1);
  for (std::size_t i = 0; i <= layers.size(); ++i) {
    ActivationRegion& r = activations_[i];
    const std::size_t reader = i < layers.size() ? i : layers.size() - 1;
    r.rlc = options[reader].rlc;
    r.shape = i == 0 ? network.desc.input_shape : layers[i - 1].out_shape;
    r.frac = i == 0 ? network.desc.input_frac : layers[i - 1].out_frac;
  }
  // The executors choose their mappings first: a layer's output gets 16-bit row-table entries when its tiles each
  // start a table word (driver::tbl16_writable); the host writes the network input, any format will do.
  for (std::size_t i = 0; i < layers.size(); ++i) {
    executors_.push_back(make_executor(layers[i], network.params[i], activations_[i], activations_[i + 1], hw));
  }
  for (std::size_t i = 0; i <= layers.size(); ++i) {
    ActivationRegion& r = activations_[i];
    r.tbl16 = r.rlc && (i == 0 || driver::tbl16_writable(r.shape.h, executors_[i - 1]->ofmap_tile_rows()));
    r.allocate(arena, i == 0 ? std::string("network input") : fmt::format("layer '{}' output", layers[i - 1].name));
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    executors_[i]->set_activations(activations_[i], activations_[i + 1]);
    executors_[i]->allocate(arena);
  }
  bytes_needed_ = arena.used();
}

std::vector<driver::Descriptor> NetworkLayout::descriptors() const {
  std::vector<driver::Descriptor> out;
  for (const auto& e : executors_) out.push_back(e->descriptor());
  return out;
}

void NetworkLayout::write_data(dram::Storage& storage, const golden::Tensor16& input) {
  write_activation(storage, activations_.front(), input);
  for (auto& e : executors_) e->write(storage);
}

void NetworkLayout::write_queue(dram::Storage& storage, const std::vector<driver::Descriptor>& descriptors) const {
  for (std::size_t i = 0; i < descriptors.size(); ++i) {
    storage.write(descriptor_addr(i), descriptors[i].data(), driver::kDescriptorBytes);
  }
}

}  // namespace ocelli::runtime
