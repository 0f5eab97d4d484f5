// The five AlexNet CONV layers (calibrated synthetic AlexNet, seed 1, batch 1) through the accelerator top, each
// bit-exact with the golden. Every layer's input is the golden output of the layer before it (LRN and pooling run
// in the golden until the RTL has them), coded with RLC like the chip's DRAM traffic. Prints cycles beside the
// dense limit (MACs / 168) and the mapping chosen.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <chrono>

#include "conv_on_top.hpp"
#include "ocelli/driver/mapper.hpp"
#include "ocelli/golden/alexnet_data.hpp"

namespace {

using ocelli::golden::LayerKind;

struct AlexNetFixture {
  ocelli::golden::CalibratedNetwork calibrated = ocelli::golden::make_alexnet(1, 1);
  ocelli::golden::Tensor16 input = ocelli::golden::make_alexnet_input(1, 1);
  std::vector<ocelli::golden::LayerRun> runs = ocelli::golden::run_network(calibrated.net, input);
};

const AlexNetFixture& alexnet() {
  static const AlexNetFixture fixture;
  return fixture;
}

void run_alexnet_conv(const std::string& name) {
  const auto& a = alexnet();
  const auto& net = a.calibrated.net;
  const std::size_t i = net.desc.index_of(name);
  const auto& desc = net.desc.layers[i];
  ASSERT_EQ(desc.kind, LayerKind::Conv);
  const auto& in = (i == 0) ? a.input : a.runs[i - 1].output;

  ocelli::driver::ConvLayer l;
  l.in = desc.in_shape;
  l.filters = desc.weight_shape.n;
  l.filter_h = desc.weight_shape.h;
  l.filter_w = desc.weight_shape.w;
  l.conv = desc.conv;
  l.shift = desc.in_frac + desc.weight_frac - desc.out_frac;
  l.relu = desc.relu;
  l.ifmap_rlc = i != 0;  // the network input is raw, activations travel coded
  l.ofmap_rlc = true;
  const auto est = ocelli::driver::choose_mapping(l);

  const auto start = std::chrono::steady_clock::now();
  const auto r = ocelli::tb::run_conv_on_top(l, est.mapping, {in, net.params[i].weights, net.params[i].bias},
                                             ocelli::dram::TimingConfig::preset("default"), 200'000'000);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.result.done) << name << ": " << r.result.message();

  const auto& want = a.runs[i].output;
  ASSERT_EQ(r.output.shape, want.shape);
  std::size_t mismatches = 0, first = 0;
  for (std::size_t k = 0; k < want.data.size(); ++k) {
    if (r.output.data[k] != want.data[k] && mismatches++ == 0) first = k;
  }
  EXPECT_EQ(mismatches, 0u) << name << ": first mismatch at element " << first << ": expected " << want.data[first]
                            << ", got " << r.output.data[first];

  const double dense = static_cast<double>(desc.macs()) / 168.0;
  fmt::print("{}: mapping {} | {} cycles, dense limit {:.0f} ({:.1f}% of peak), estimate {} | MACs issued {} "
             "(useful {}), gated {:.1f}% | DRAM in {:.2f} MB out {:.2f} MB | {:.1f} s wall, {:.0f} cycles/s\n",
             name, est.mapping.to_string(), r.result.cycles, dense, 100.0 * dense / r.result.cycles, est.cycles,
             r.macs, desc.macs(), 100.0 * r.gated_macs / std::max<std::uint64_t>(1, r.macs), r.bytes_in / 1e6,
             r.bytes_out / 1e6, seconds, r.result.cycles / seconds);
}

TEST(TopAlexNet, Conv1) { run_alexnet_conv("conv1"); }
TEST(TopAlexNet, Conv2) { run_alexnet_conv("conv2"); }
TEST(TopAlexNet, Conv3) { run_alexnet_conv("conv3"); }
TEST(TopAlexNet, Conv4) { run_alexnet_conv("conv4"); }
TEST(TopAlexNet, Conv5) { run_alexnet_conv("conv5"); }

}  // namespace
