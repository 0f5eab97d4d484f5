// Layer descriptors in the binary format of docs/isa.md; the field layout comes from rtl/isa/isa.json through the
// generated header ocelli/isa.hpp.
#pragma once

#include <array>
#include <cstdint>

#include "ocelli/driver/conv_layer.hpp"
#include "ocelli/isa.hpp"

namespace ocelli::driver {

constexpr int kDescriptorWords = isa::kDescriptorWords;
constexpr std::uint64_t kDescriptorBytes = kDescriptorWords * 8;

struct ConvAddresses {
  std::uint32_t ifmap = 0, ofmap = 0, weights = 0, bias = 0, ifmap_index = 0, ofmap_index = 0;
};

using Descriptor = std::array<std::uint64_t, kDescriptorWords>;

// Sets `field` of `d` to `value`; throws std::invalid_argument naming the field when the value does not fit its
// bits (no silent truncation).
void set_field(Descriptor& d, const isa::DescField& field, long value);
// The value of `field` in `d`.
std::uint64_t get_field(const Descriptor& d, const isa::DescField& field);

Descriptor encode_conv_descriptor(const ConvLayer& layer, const Mapping& mapping, const ConvAddresses& addr);

}  // namespace ocelli::driver
