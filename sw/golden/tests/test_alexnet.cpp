// AlexNet description, seeded synthetic data and calibration.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <set>

#include "ocelli/golden/alexnet.hpp"
#include "ocelli/golden/alexnet_data.hpp"

namespace ocelli::golden {
namespace {

TEST(AlexNetDescription, ShapesFollowThePaper) {
  const NetworkDesc d = alexnet_description(2);
  ASSERT_EQ(d.layers.size(), 13u);
  EXPECT_EQ(d.input_shape, (Shape{2, 3, 227, 227}));
  EXPECT_EQ(d.layers[d.index_of("conv1")].out_shape, (Shape{2, 96, 55, 55}));
  EXPECT_EQ(d.layers[d.index_of("pool1")].out_shape, (Shape{2, 96, 27, 27}));
  EXPECT_EQ(d.layers[d.index_of("conv2")].out_shape, (Shape{2, 256, 27, 27}));
  EXPECT_EQ(d.layers[d.index_of("conv2")].weight_shape, (Shape{256, 48, 5, 5}));
  EXPECT_EQ(d.layers[d.index_of("pool2")].out_shape, (Shape{2, 256, 13, 13}));
  EXPECT_EQ(d.layers[d.index_of("conv3")].weight_shape, (Shape{384, 256, 3, 3}));
  EXPECT_EQ(d.layers[d.index_of("conv4")].weight_shape, (Shape{384, 192, 3, 3}));
  EXPECT_EQ(d.layers[d.index_of("conv5")].weight_shape, (Shape{256, 192, 3, 3}));
  EXPECT_EQ(d.layers[d.index_of("pool5")].out_shape, (Shape{2, 256, 6, 6}));
  EXPECT_EQ(d.layers[d.index_of("fc6")].weight_shape, (Shape{4096, 9216, 1, 1}));
  EXPECT_EQ(d.layers[d.index_of("fc8")].out_shape, (Shape{2, 1000, 1, 1}));
  EXPECT_FALSE(d.layers[d.index_of("fc8")].relu);
  EXPECT_THROW(d.index_of("conv9"), std::out_of_range);
}

TEST(AlexNetDescription, MacsMatchThePublishedTable) {
  // Per-image MACs from docs/eyeriss-reference.md (millions, one decimal).
  const NetworkDesc d = alexnet_description(1);
  const std::pair<const char*, double> published[] = {{"conv1", 105.4}, {"conv2", 223.9}, {"conv3", 149.5},
                                                      {"conv4", 112.1}, {"conv5", 74.8},  {"fc6", 37.7},
                                                      {"fc7", 16.8},    {"fc8", 4.1}};
  for (const auto& [name, mmacs] : published) {
    EXPECT_NEAR(d.layers[d.index_of(name)].macs() / 1e6, mmacs, 0.051) << name;
  }
  EXPECT_NEAR(d.macs() / 1e6, 724.4, 0.5);
  EXPECT_EQ(alexnet_description(4).macs(), 4 * d.macs());
}

TEST(SplitMix64, MatchesTheReferenceSequence) {
  // First outputs of the reference splitmix64.c seeded with 0.
  SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(rng.next(), 0x6E789E6AA1B965F4ull);
}

TEST(SplitMix64, NormalishHasTheRequestedSpread) {
  SplitMix64 rng(42);
  const int n = 200000;
  double sum = 0, sq = 0;
  for (int i = 0; i < n; ++i) {
    const double v = rng.normalish(512);
    sum += v;
    sq += v * v;
  }
  const double mean = sum / n, sigma = std::sqrt(sq / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 5.0);
  EXPECT_NEAR(sigma, 512.0, 10.0);
}

TEST(AlexNetInput, DeterministicImageLike) {
  const Tensor16 a = make_alexnet_input(5, 2), b = make_alexnet_input(5, 2), c = make_alexnet_input(6, 2);
  EXPECT_EQ(a.data, b.data);
  EXPECT_NE(a.data, c.data);
  // Image n does not depend on the batch size.
  const Tensor16 single = make_alexnet_input(5, 1);
  EXPECT_TRUE(std::equal(single.data.begin(), single.data.end(), a.data.begin()));
  // 8-bit nonnegative pixels; smooth: neighbours differ little on average (white noise on 0..255 gives ~85).
  long long diff = 0, count = 0;
  std::set<int> distinct;
  for (int ch = 0; ch < 3; ++ch) {
    for (int y = 0; y < 227; ++y) {
      for (int x = 0; x < 227; ++x) {
        const int v = a.at(0, ch, y, x);
        ASSERT_GE(v, 0);
        ASSERT_LE(v, 255);
        distinct.insert(v);
        if (x > 0) {
          diff += std::abs(v - a.at(0, ch, y, x - 1));
          ++count;
        }
      }
    }
  }
  EXPECT_LT(static_cast<double>(diff) / count, 8.0);
  EXPECT_GT(distinct.size(), 100u);  // not flat either
}

TEST(Fnv1a64, KnownValues) {
  EXPECT_EQ(fnv1a64({}), 0xCBF29CE484222325ull);
  // int16 0x0061 is the bytes "a\0": FNV-1a("a") = 0xAF63DC4C8601EC8C, then one more step with byte 0.
  const std::uint64_t after_a = 0xAF63DC4C8601EC8Cull;
  EXPECT_EQ(fnv1a64({0x61}), after_a * 0x100000001B3ull);
}

// One calibrated network + run shared by the tests below (built once per process on first use).
struct AlexNetRun {
  CalibratedNetwork cal = make_alexnet(3, 2);
  Tensor16 input = make_alexnet_input(3, 2);
  std::vector<LayerRun> runs = run_network(cal.net, input);
};

class CalibratedAlexNet : public ::testing::Test {
 protected:
  static const AlexNetRun& shared() {
    static const AlexNetRun run;
    return run;
  }
  static double zero_fraction(const Tensor16& t) {
    std::size_t z = 0;
    for (auto v : t.data) z += v == 0;
    return static_cast<double>(z) / static_cast<double>(t.data.size());
  }
  const CalibratedNetwork* net_ = &shared().cal;
  const std::vector<LayerRun>* runs_ = &shared().runs;
};

TEST_F(CalibratedAlexNet, NoAccumulatorOverflowAndRareSaturation) {
  for (std::size_t i = 0; i < runs_->size(); ++i) {
    const auto& l = net_->net.desc.layers[i];
    EXPECT_EQ((*runs_)[i].stats.acc_overflows, 0u) << l.name;
    EXPECT_LE((*runs_)[i].stats.saturated, (*runs_)[i].output.data.size() / 1000) << l.name;
    EXPECT_EQ((*runs_)[i].output.shape, l.out_shape) << l.name;
  }
}

TEST_F(CalibratedAlexNet, RealisticSparsity) {
  const auto& d = net_->net.desc;
  EXPECT_GT(zero_fraction((*runs_)[d.index_of("conv1")].output), 0.3);
  for (const char* name : {"conv2", "conv3", "conv4", "conv5", "fc6", "fc7"}) {
    const double z = zero_fraction((*runs_)[d.index_of(name)].output);
    EXPECT_GE(z, 0.4) << name;
    EXPECT_LE(z, 0.8) << name;
  }
  // Deeper is sparser, as in the trained network.
  EXPECT_LT(zero_fraction((*runs_)[d.index_of("conv2")].output), zero_fraction((*runs_)[d.index_of("fc7")].output));
  EXPECT_LT(zero_fraction((*runs_)[d.index_of("fc8")].output), 0.05);  // logits, no ReLU
}

TEST_F(CalibratedAlexNet, FormatsAreConsistentAndUseTheRange) {
  validate(net_->net);
  ASSERT_EQ(net_->calibration.size(), 8u);
  for (const auto& c : net_->calibration) {
    // The calibration image's largest accumulator lands in [2^13, 2^14) after the shift: one bit of headroom, and
    // no more (a smaller shift would not have left the headroom).
    const std::int64_t top = (c.acc_max_abs + (c.shift > 0 ? (std::int64_t{1} << (c.shift - 1)) : 0)) >> c.shift;
    EXPECT_LE(top, 16383) << c.name;
    EXPECT_GE(top, 8192) << c.name;
  }
}

TEST_F(CalibratedAlexNet, DeterministicAcrossCalls) {
  const CalibratedNetwork again = make_alexnet(3, 2);
  for (std::size_t i = 0; i < again.net.params.size(); ++i) {
    EXPECT_EQ(again.net.params[i].weights.data, net_->net.params[i].weights.data);
    EXPECT_EQ(again.net.params[i].bias, net_->net.params[i].bias);
    EXPECT_EQ(again.net.desc.layers[i].out_frac, net_->net.desc.layers[i].out_frac);
  }
  // The batch size does not change weights or formats.
  const CalibratedNetwork one = make_alexnet(3, 1);
  EXPECT_EQ(one.net.params[0].weights.data, net_->net.params[0].weights.data);
  EXPECT_EQ(one.net.desc.layers.back().out_frac, net_->net.desc.layers.back().out_frac);
}

TEST_F(CalibratedAlexNet, ValidateNamesTheBrokenLayer) {
  Network broken = net_->net;
  broken.desc.layers[broken.desc.index_of("conv3")].in_frac += 1;
  try {
    validate(broken);
    FAIL() << "validate accepted a broken format chain";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("conv3"), std::string::npos) << e.what();
  }
  Network wrong_input = net_->net;
  Tensor16 small(Shape{1, 3, 100, 100}, 0);
  EXPECT_THROW(run_network(wrong_input, small), std::invalid_argument);
}

}  // namespace
}  // namespace ocelli::golden
