#include "ocelli/driver/descriptor.hpp"

#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::driver {

namespace {
std::uint64_t field_mask(const isa::DescField& f) {
  return f.width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << f.width) - 1;
}
}  // namespace

void set_field(Descriptor& d, const isa::DescField& f, long value) {
  if (value < 0 || (static_cast<std::uint64_t>(value) & ~field_mask(f)) != 0) {
    throw std::invalid_argument(
        fmt::format("descriptor field {} = {} does not fit in {} bits", f.label, value, f.width));
  }
  auto& word = d[static_cast<std::size_t>(f.word)];
  word = (word & ~(field_mask(f) << f.lsb)) | (static_cast<std::uint64_t>(value) << f.lsb);
}

std::uint64_t get_field(const Descriptor& d, const isa::DescField& f) {
  return (d[static_cast<std::size_t>(f.word)] >> f.lsb) & field_mask(f);
}

Descriptor encode_conv_descriptor(const ConvLayer& l, const Mapping& m, const ConvAddresses& a) {
  namespace f = isa::desc;
  Descriptor d{};
  const auto out = l.out();
  set_field(d, f::kOpcode, static_cast<long>(isa::Opcode::kConv));
  set_field(d, f::kRelu, l.relu);
  set_field(d, f::kIfmapRlc, l.ifmap_rlc);
  set_field(d, f::kOfmapRlc, l.ofmap_rlc);
  set_field(d, f::kGroups, l.conv.groups);
  set_field(d, f::kShift, l.shift);
  set_field(d, f::kNImg, l.in.n);
  set_field(d, f::kChans, l.in.c);
  set_field(d, f::kInH, l.in.h);
  set_field(d, f::kInW, l.in.w);
  set_field(d, f::kFilters, l.filters);
  set_field(d, f::kRRows, l.filter_h);
  set_field(d, f::kSCols, l.filter_w);
  set_field(d, f::kStrideV, l.conv.stride_h);
  set_field(d, f::kStrideH, l.conv.stride_w);
  set_field(d, f::kPadT, l.conv.pad_top);
  set_field(d, f::kPadB, l.conv.pad_bottom);
  set_field(d, f::kPadL, l.conv.pad_left);
  set_field(d, f::kPadR, l.conv.pad_right);
  set_field(d, f::kOutH, out.h);
  set_field(d, f::kOutW, out.w);
  set_field(d, f::kMapN, m.n);
  set_field(d, f::kMapE, m.e);
  set_field(d, f::kMapP, m.p);
  set_field(d, f::kMapQ, m.q);
  set_field(d, f::kMapR, m.r);
  set_field(d, f::kMapT, m.t);
  set_field(d, f::kIfmapAddr, a.ifmap);
  set_field(d, f::kOfmapAddr, a.ofmap);
  set_field(d, f::kWeightAddr, a.weights);
  set_field(d, f::kBiasAddr, a.bias);
  set_field(d, f::kIfmapIndexAddr, a.ifmap_index);
  set_field(d, f::kOfmapIndexAddr, a.ofmap_index);
  return d;
}

}  // namespace ocelli::driver
