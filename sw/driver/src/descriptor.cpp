#include "ocelli/driver/descriptor.hpp"

#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::driver {

namespace {
// Puts `value` into bits [lsb, lsb+width) of `word`, refusing values that do not fit (no silent truncation).
void put(std::uint64_t& word, int lsb, int width, long value, const char* field) {
  if (value < 0 || (width < 64 && static_cast<std::uint64_t>(value) >> width) != 0) {
    throw std::invalid_argument(fmt::format("descriptor field {} = {} does not fit in {} bits", field, value, width));
  }
  word |= static_cast<std::uint64_t>(value) << lsb;
}
}  // namespace

Descriptor encode_conv_descriptor(const ConvLayer& l, const Mapping& m, const ConvAddresses& a) {
  Descriptor d{};
  const auto out = l.out();
  put(d[0], 0, 8, 1, "opcode");
  put(d[0], 8, 1, l.relu, "relu");
  put(d[0], 9, 1, l.ifmap_rlc, "ifmap_rlc");
  put(d[0], 10, 1, l.ofmap_rlc, "ofmap_rlc");
  put(d[0], 16, 8, l.conv.groups, "groups");
  put(d[0], 24, 8, l.shift, "shift");
  put(d[1], 0, 16, l.in.n, "N");
  put(d[1], 16, 16, l.in.c, "C");
  put(d[1], 32, 16, l.in.h, "H");
  put(d[1], 48, 16, l.in.w, "W");
  put(d[2], 0, 16, l.filters, "M");
  put(d[2], 16, 8, l.filter_h, "R");
  put(d[2], 24, 8, l.filter_w, "S");
  put(d[2], 32, 4, l.conv.stride_h, "stride_v");
  put(d[2], 36, 4, l.conv.stride_w, "stride_h");
  put(d[2], 40, 4, l.conv.pad_top, "pad_t");
  put(d[2], 44, 4, l.conv.pad_bottom, "pad_b");
  put(d[2], 48, 4, l.conv.pad_left, "pad_l");
  put(d[2], 52, 4, l.conv.pad_right, "pad_r");
  put(d[3], 0, 16, out.h, "E");
  put(d[3], 16, 16, out.w, "F");
  put(d[4], 0, 8, m.n, "n");
  put(d[4], 8, 8, m.e, "e");
  put(d[4], 16, 8, m.p, "p");
  put(d[4], 24, 8, m.q, "q");
  put(d[4], 32, 8, m.r, "r");
  put(d[4], 40, 8, m.t, "t");
  put(d[5], 0, 32, a.ifmap, "ifmap_addr");
  put(d[5], 32, 32, a.ofmap, "ofmap_addr");
  put(d[6], 0, 32, a.weights, "weight_addr");
  put(d[6], 32, 32, a.bias, "bias_addr");
  put(d[7], 0, 32, a.ifmap_index, "ifmap_index_addr");
  put(d[7], 32, 32, a.ofmap_index, "ofmap_index_addr");
  return d;
}

}  // namespace ocelli::driver
