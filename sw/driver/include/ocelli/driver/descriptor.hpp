// Layer descriptors in the binary format of docs/isa.md.
#pragma once

#include <array>
#include <cstdint>

#include "ocelli/driver/conv_layer.hpp"

namespace ocelli::driver {

constexpr int kDescriptorWords = 16;
constexpr std::uint64_t kDescriptorBytes = kDescriptorWords * 8;

struct ConvAddresses {
  std::uint32_t ifmap = 0, ofmap = 0, weights = 0, bias = 0, ifmap_index = 0, ofmap_index = 0;
};

using Descriptor = std::array<std::uint64_t, kDescriptorWords>;

Descriptor encode_conv_descriptor(const ConvLayer& layer, const Mapping& mapping, const ConvAddresses& addr);

}  // namespace ocelli::driver
