#include "ocelli/driver/descriptor.hpp"

#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::driver {

void set_field(Descriptor& d, const isa::DescField& f, long value) {
  if (value < 0 || (static_cast<std::uint64_t>(value) & ~f.mask()) != 0) {
    throw std::invalid_argument(
        fmt::format("descriptor field {} = {} does not fit in {} bits", f.label, value, f.width));
  }
  auto& word = d[static_cast<std::size_t>(f.word)];
  word = (word & ~(f.mask() << f.lsb)) | (static_cast<std::uint64_t>(value) << f.lsb);
}

std::uint64_t get_field(const Descriptor& d, const isa::DescField& f) {
  return (d[static_cast<std::size_t>(f.word)] >> f.lsb) & f.mask();
}

Descriptor encode_layer_fields(const LayerFields& l) {
  namespace f = isa::desc;
  Descriptor d{};
  set_field(d, f::kOpcode, static_cast<long>(l.opcode));
  set_field(d, f::kRelu, l.relu);
  set_field(d, f::kIfmapRlc, l.ifmap_rlc);
  set_field(d, f::kOfmapRlc, l.ofmap_rlc);
  set_field(d, f::kNImg, l.in.n);
  set_field(d, f::kChans, l.in.c);
  set_field(d, f::kInH, l.in.h);
  set_field(d, f::kInW, l.in.w);
  set_field(d, f::kFilters, l.out.c);
  set_field(d, f::kRRows, l.r);
  set_field(d, f::kSCols, l.s);
  set_field(d, f::kStrideV, l.stride_v);
  set_field(d, f::kStrideH, l.stride_h);
  set_field(d, f::kPadT, l.pad_t);
  set_field(d, f::kPadB, l.pad_b);
  set_field(d, f::kPadL, l.pad_l);
  set_field(d, f::kPadR, l.pad_r);
  set_field(d, f::kOutH, l.out.h);
  set_field(d, f::kOutW, l.out.w);
  set_field(d, f::kIfmapAddr, l.addr.ifmap);
  set_field(d, f::kOfmapAddr, l.addr.ofmap);
  set_field(d, f::kWeightAddr, l.addr.weights);
  set_field(d, f::kBiasAddr, l.addr.bias);
  set_field(d, f::kIfmapIndexAddr, l.addr.ifmap_index);
  set_field(d, f::kOfmapIndexAddr, l.addr.ofmap_index);
  set_field(d, f::kIfmapTbl16, l.ifmap_rlc && l.addr.ifmap_tbl16);
  set_field(d, f::kOfmapTbl16, l.ofmap_rlc && l.addr.ofmap_tbl16);
  return d;
}

Descriptor encode_conv_descriptor(const ConvLayer& l, const Mapping& m, const ConvAddresses& a, const HwConfig& hw) {
  namespace f = isa::desc;
  const auto& c = l.conv;
  Descriptor d = encode_layer_fields({isa::Opcode::kConv, l.relu, l.ifmap_rlc, l.ofmap_rlc, l.in, l.out(), l.filter_h,
                                      l.filter_w, c.stride_h, c.stride_w, c.pad_top, c.pad_bottom, c.pad_left,
                                      c.pad_right, a});
  set_field(d, f::kGroups, c.groups);
  set_field(d, f::kShift, l.shift);
  set_field(d, f::kMapN, m.n);
  set_field(d, f::kMapE, m.e);
  set_field(d, f::kMapP, m.p);
  set_field(d, f::kMapQ, m.q);
  set_field(d, f::kMapR, m.r);
  set_field(d, f::kMapT, m.t);
  set_field(d, f::kFiltOuter, m.filter_outer);
  set_field(d, f::kMapF, m.f);
  // Resident filter chunks save DRAM bytes; they save cycles only where the link is slower than the core (at one
  // beat per cycle the chunks' loads hide behind the passes, and AlexNet at batch 1 measured up to 0.1% slower).
  set_field(d, f::kMapWres, hw.dram_cycles_per_beat > 1.0 ? resident_chunks(l, l.out(), m, hw) : 0);
  return d;
}

}  // namespace ocelli::driver
