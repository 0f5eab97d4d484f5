// ONNX cross-check library: quantization helpers and node tests run in-process.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ocelli/onnx/node_runner.hpp"
#include "ocelli/onnx/numeric_tensor.hpp"
#include "ocelli/onnx/quantize.hpp"

namespace ocelli::onnx {
namespace {

namespace fs = std::filesystem;

const fs::path kData = OCELLI_ONNX_TESTDATA;

TEST(Quantize, ChooseFracKeepsTheLargestValueInRange) {
  EXPECT_EQ(choose_frac(1.0), 14);     // 2^15 would make 1.0 = 32768
  EXPECT_EQ(choose_frac(0.99), 15);
  EXPECT_EQ(choose_frac(3.0), 13);
  EXPECT_EQ(choose_frac(255.0), 7);
  EXPECT_EQ(choose_frac(32767.0), 0);
  EXPECT_EQ(choose_frac(0.0), kMaxFrac);
  EXPECT_EQ(choose_frac(1e-9), kMaxFrac);
  EXPECT_THROW(choose_frac(40000.0), Unsupported);
}

TEST(Quantize, RoundsHalfAwayFromZeroAndRejectsOverflow) {
  EXPECT_EQ(quantize16({0.25, -0.25, 0.75, -0.75, 1.0}, 1), (std::vector<std::int16_t>{1, -1, 2, -2, 2}));
  EXPECT_THROW(quantize16({1.0}, 15), std::range_error);
  EXPECT_EQ(quantize32({1.0}, 30), (std::vector<std::int32_t>{1 << 30}));
  EXPECT_THROW(quantize32({2.0}, 30), std::range_error);
}

Verdict run(const fs::path& dir, std::string* log_out = nullptr) {
  std::ostringstream log;
  NodeTestOptions options;
  options.verbose = true;
  const Verdict v = run_node_test(dir.string(), options, log);
  if (log_out) *log_out = log.str();
  return v;
}

class NodeTest : public ::testing::TestWithParam<const char*> {};

TEST_P(NodeTest, MatchesTheExpectedOutput) {
  std::string log;
  EXPECT_EQ(run(kData / GetParam(), &log), Verdict::Match) << log;
}

INSTANTIATE_TEST_SUITE_P(Supported, NodeTest,
                         ::testing::Values("node/test_conv_with_strides_padding", "node/test_relu",
                                           "node/test_maxpool_2d_uint8", "node/test_gemm_transposeB",
                                           "node/test_gemm_default_vector_bias", "node/test_lrn",
                                           "pytorch-converted/test_Conv2d_groups",
                                           "pytorch-converted/test_Conv2d_depthwise_padded"));

TEST(NodeRunner, RefusesWhatTheHardwareCannotDo) {
  std::string log;
  EXPECT_EQ(run(kData / "pytorch-converted/test_Conv2d_dilated", &log), Verdict::Unsupported);
  EXPECT_NE(log.find("unsupported: Conv dilations"), std::string::npos) << log;
  EXPECT_EQ(run(kData / "node/test_gemm_transposeA", &log), Verdict::Unsupported);
  EXPECT_EQ(run(kData / "node/test_maxpool_2d_same_upper", &log), Verdict::Unsupported);
  EXPECT_NE(log.find("asymmetric padding"), std::string::npos) << log;
  EXPECT_EQ(run(kData / "node/test_maxpool_2d_ceil", &log), Verdict::Unsupported);
  EXPECT_EQ(run(kData / "node/test_convtranspose", &log), Verdict::Unsupported);
}

// Copies a node test to a temporary directory and adds `delta` to one expected output element.
fs::path perturbed_copy(const fs::path& src, std::size_t index, float delta) {
  const fs::path dst = fs::temp_directory_path() /
                       ("ocelli-onnx-" + src.filename().string() + "-" + std::to_string(::getpid()));
  fs::remove_all(dst);
  fs::copy(src, dst, fs::copy_options::recursive);
  const fs::path out = dst / "test_data_set_0" / "output_0.pb";
  fs::permissions(out, fs::perms::owner_write, fs::perm_options::add);
  ::onnx::TensorProto t;
  {
    std::ifstream in(out, std::ios::binary);
    EXPECT_TRUE(t.ParseFromIstream(&in));
  }
  if (t.has_raw_data()) {
    std::string raw = t.raw_data();
    float v;
    std::memcpy(&v, raw.data() + index * sizeof(float), sizeof(float));
    v += delta;
    std::memcpy(raw.data() + index * sizeof(float), &v, sizeof(float));
    t.set_raw_data(raw);
  } else {
    t.set_float_data(static_cast<int>(index), t.float_data(static_cast<int>(index)) + delta);
  }
  std::ofstream o(out, std::ios::binary | std::ios::trunc);
  EXPECT_TRUE(t.SerializeToOstream(&o));
  return dst;
}

TEST(NodeRunner, DetectsACorruptedExpectedOutput) {
  const fs::path dir = perturbed_copy(kData / "node/test_conv_with_strides_padding", 3, 0.5f);
  std::string log;
  EXPECT_EQ(run(dir, &log), Verdict::Mismatch);
  EXPECT_NE(log.find("index 3:"), std::string::npos) << log;
  // A perturbation well inside the tolerance still matches (the tolerance is not zero for float data).
  const fs::path tiny = perturbed_copy(kData / "node/test_relu", 0, 1e-6f);
  EXPECT_EQ(run(tiny), Verdict::Match);
  fs::remove_all(dir);
  fs::remove_all(tiny);
}

TEST(NodeRunner, BadDirectoryIsAnError) {
  EXPECT_THROW(run("/nonexistent/ocelli"), std::runtime_error);
  EXPECT_THROW(load_tensor_file((kData / "node/test_relu/model.onnx").string() + ".missing"), std::runtime_error);
}

}  // namespace
}  // namespace ocelli::onnx
