// Descriptors encoded by the C++ driver (set_field over the generated field table, encode_conv_descriptor) and
// decoded by the RTL's isa_pkg::decode_desc must agree on every field.
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "Vdesc_decode_tb.h"
#include "bit_fields.hpp"
#include "ocelli/driver/descriptor.hpp"
#include "ocelli/isa.hpp"
#include "verilated.h"

namespace {

using ocelli::driver::Descriptor;
using ocelli::tb::get_bits;
using ocelli::tb::set_bits;
namespace desc = ocelli::isa::desc;

class Decoder {
 public:
  Decoder() : context_(std::make_unique<VerilatedContext>()), model_(std::make_unique<Vdesc_decode_tb>(context_.get())) {}
  ~Decoder() {
    Verilated::threadContextp(context_.get());  // the model erases its scopes through the current context
    model_->final();
  }
  // The decoded value of every field of desc::kAll.
  std::vector<std::uint64_t> decode(const Descriptor& d) {
    for (int w = 0; w < ocelli::isa::kDescriptorDecodedWords; ++w) set_bits(model_->words_i, 64u * w, 64, d[w]);
    model_->eval();
    std::vector<std::uint64_t> fields;
    for (std::size_t i = 0; i < desc::kAll.size(); ++i) {
      fields.push_back(get_bits(model_->desc_o, desc::kDecodedLsb[i], desc::kAll[i].width));
    }
    return fields;
  }

 private:
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vdesc_decode_tb> model_;
};

TEST(IsaDecode, RandomDescriptorsDecodeFieldByField) {
  Decoder rtl;
  std::mt19937_64 rng(20261202);
  for (int trial = 0; trial < 500; ++trial) {
    Descriptor d{};
    std::vector<std::uint64_t> want;
    for (const auto& f : desc::kAll) {
      const std::uint64_t v = rng() & f.mask();
      ocelli::driver::set_field(d, f, static_cast<long>(v));
      want.push_back(v);
    }
    const auto got = rtl.decode(d);
    for (std::size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(got[i], want[i]) << "field " << desc::kAll[i].name << " (" << desc::kAll[i].label << ") of trial "
                                 << trial;
      ASSERT_EQ(ocelli::driver::get_field(d, desc::kAll[i]), want[i]) << desc::kAll[i].name;
    }
  }
}

// One field at its maximum, every other zero: a field read from the wrong bits shows up as a value in a neighbour.
TEST(IsaDecode, EachFieldAloneReachesOnlyItself) {
  Decoder rtl;
  for (std::size_t k = 0; k < desc::kAll.size(); ++k) {
    Descriptor d{};
    ocelli::driver::set_field(d, desc::kAll[k], static_cast<long>(desc::kAll[k].mask()));
    const auto got = rtl.decode(d);
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i], i == k ? desc::kAll[i].mask() : 0u)
          << "setting " << desc::kAll[k].name << " shows in " << desc::kAll[i].name;
    }
  }
}

TEST(IsaDecode, DriverConvDescriptorDecodesToTheLayer) {
  Decoder rtl;
  ocelli::driver::ConvLayer l;
  l.in = {2, 6, 13, 11};
  l.filters = 10;
  l.filter_h = 3;
  l.filter_w = 5;
  l.conv.stride_h = 2;
  l.conv.stride_w = 3;
  l.conv.pad_top = 1;
  l.conv.pad_bottom = 2;
  l.conv.pad_left = 3;
  l.conv.pad_right = 4;
  l.conv.groups = 2;
  l.shift = 9;
  l.relu = true;
  l.ofmap_rlc = true;
  const ocelli::driver::Mapping m{1, 2, 3, 1, 4, 5};
  const ocelli::driver::ConvAddresses a{0x1000, 0x2008, 0x3010, 0x4018, 0x5020, 0x6028};
  const auto got = rtl.decode(ocelli::driver::encode_conv_descriptor(l, m, a));
  auto at = [&](const ocelli::isa::DescField& f) {
    for (std::size_t i = 0; i < desc::kAll.size(); ++i) {
      if (desc::kAll[i].name == f.name) return got[i];
    }
    ADD_FAILURE() << "no field " << f.name;
    return std::uint64_t{0};
  };
  const auto out = l.out();
  EXPECT_EQ(at(desc::kOpcode), static_cast<std::uint64_t>(ocelli::isa::Opcode::kConv));
  EXPECT_EQ(at(desc::kRelu), 1u);
  EXPECT_EQ(at(desc::kIfmapRlc), 0u);
  EXPECT_EQ(at(desc::kOfmapRlc), 1u);
  EXPECT_EQ(at(desc::kGroups), 2u);
  EXPECT_EQ(at(desc::kShift), 9u);
  EXPECT_EQ(at(desc::kNImg), 2u);
  EXPECT_EQ(at(desc::kChans), 6u);
  EXPECT_EQ(at(desc::kInH), 13u);
  EXPECT_EQ(at(desc::kInW), 11u);
  EXPECT_EQ(at(desc::kFilters), 10u);
  EXPECT_EQ(at(desc::kRRows), 3u);
  EXPECT_EQ(at(desc::kSCols), 5u);
  EXPECT_EQ(at(desc::kStrideV), 2u);
  EXPECT_EQ(at(desc::kStrideH), 3u);
  EXPECT_EQ(at(desc::kPadT), 1u);
  EXPECT_EQ(at(desc::kPadB), 2u);
  EXPECT_EQ(at(desc::kPadL), 3u);
  EXPECT_EQ(at(desc::kPadR), 4u);
  EXPECT_EQ(at(desc::kOutH), static_cast<std::uint64_t>(out.h));
  EXPECT_EQ(at(desc::kOutW), static_cast<std::uint64_t>(out.w));
  EXPECT_EQ(at(desc::kMapN), 1u);
  EXPECT_EQ(at(desc::kMapE), 2u);
  EXPECT_EQ(at(desc::kMapP), 3u);
  EXPECT_EQ(at(desc::kMapQ), 1u);
  EXPECT_EQ(at(desc::kMapR), 4u);
  EXPECT_EQ(at(desc::kMapT), 5u);
  EXPECT_EQ(at(desc::kIfmapAddr), 0x1000u);
  EXPECT_EQ(at(desc::kOfmapAddr), 0x2008u);
  EXPECT_EQ(at(desc::kWeightAddr), 0x3010u);
  EXPECT_EQ(at(desc::kBiasAddr), 0x4018u);
  EXPECT_EQ(at(desc::kIfmapIndexAddr), 0x5020u);
  EXPECT_EQ(at(desc::kOfmapIndexAddr), 0x6028u);
}

TEST(IsaDecode, SetFieldRefusesValuesThatDoNotFit) {
  Descriptor d{};
  EXPECT_THROW(ocelli::driver::set_field(d, desc::kStrideV, 16), std::invalid_argument);
  EXPECT_THROW(ocelli::driver::set_field(d, desc::kRelu, 2), std::invalid_argument);
  EXPECT_THROW(ocelli::driver::set_field(d, desc::kMapN, -1), std::invalid_argument);
  ocelli::driver::set_field(d, desc::kStrideV, 15);
  EXPECT_EQ(d[desc::kStrideV.word], std::uint64_t{15} << desc::kStrideV.lsb);
}

}  // namespace
