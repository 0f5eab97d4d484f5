// ONNX cross-check library: quantization helpers and node tests run in-process.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

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
                                           "node/test_maxpool_2d_same_upper",
                                           "node/test_conv_with_strides_and_asymmetric_padding",
                                           "pytorch-converted/test_Conv2d_groups",
                                           "pytorch-converted/test_Conv2d_depthwise_padded"));

TEST(NodeRunner, RefusesWhatTheHardwareCannotDo) {
  std::string log;
  EXPECT_EQ(run(kData / "pytorch-converted/test_Conv2d_dilated", &log), Verdict::Unsupported);
  EXPECT_NE(log.find("unsupported: Conv dilations"), std::string::npos) << log;
  EXPECT_EQ(run(kData / "node/test_gemm_transposeA", &log), Verdict::Unsupported);
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

// A one-node LRN test written by this test, with the expected output from a plain double reference of the ONNX
// definition; large alpha makes the hardware LUT matter (the shipped LRN tests barely normalise).
class SyntheticLrn {
 public:
  SyntheticLrn(float alpha, float beta, float bias, int size, float output_delta) {
    dir_ = fs::temp_directory_path() / ("ocelli-onnx-lrn-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "test_data_set_0");
    ::onnx::ModelProto model;
    model.set_ir_version(8);
    model.add_opset_import()->set_version(13);
    auto* graph = model.mutable_graph();
    graph->set_name("lrn");
    auto* node = graph->add_node();
    node->set_op_type("LRN");
    node->add_input("x");
    node->add_output("y");
    auto add_float = [node](const char* name, float v) {
      auto* a = node->add_attribute();
      a->set_name(name);
      a->set_type(::onnx::AttributeProto_AttributeType_FLOAT);
      a->set_f(v);
    };
    add_float("alpha", alpha);
    add_float("beta", beta);
    add_float("bias", bias);
    auto* a = node->add_attribute();
    a->set_name("size");
    a->set_type(::onnx::AttributeProto_AttributeType_INT);
    a->set_i(size);
    graph->add_input()->set_name("x");
    graph->add_output()->set_name("y");
    std::ofstream(dir_ / "model.onnx", std::ios::binary) << model.SerializeAsString();

    const int n = 2, c = 7, h = 3, w = 4;
    std::vector<float> x(static_cast<std::size_t>(n) * c * h * w), y(x.size());
    std::uint32_t state = 12345;
    for (auto& v : x) {
      state = state * 1664525u + 1013904223u;
      v = static_cast<float>(static_cast<int>(state >> 8) % 8001 - 4000) / 1000.0f;  // -4 .. 4
    }
    const int before = (size - 1) / 2, after = size / 2;  // floor and ceil of (size-1)/2
    for (int in = 0; in < n; ++in) {
      for (int ic = 0; ic < c; ++ic) {
        for (int p = 0; p < h * w; ++p) {
          double sq = 0;
          for (int j = std::max(0, ic - before); j <= std::min(c - 1, ic + after); ++j) {
            const double v = x[(static_cast<std::size_t>(in) * c + j) * h * w + p];
            sq += v * v;
          }
          const std::size_t i = (static_cast<std::size_t>(in) * c + ic) * h * w + p;
          y[i] = static_cast<float>(x[i] / std::pow(bias + alpha / size * sq, beta));
        }
      }
    }
    y[5] += output_delta;
    write(dir_ / "test_data_set_0" / "input_0.pb", "x", {n, c, h, w}, x);
    write(dir_ / "test_data_set_0" / "output_0.pb", "y", {n, c, h, w}, y);
  }
  ~SyntheticLrn() { fs::remove_all(dir_); }
  const fs::path& dir() const { return dir_; }

 private:
  static void write(const fs::path& path, const std::string& name, const std::vector<std::int64_t>& dims,
                    const std::vector<float>& values) {
    ::onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(::onnx::TensorProto_DataType_FLOAT);
    for (auto d : dims) t.add_dims(d);
    for (float v : values) t.add_float_data(v);
    std::ofstream(path, std::ios::binary) << t.SerializeAsString();
  }
  fs::path dir_;
};

TEST(NodeRunner, StrongLrnMatchesWithinTheDerivedTolerance) {
  for (const auto& [alpha, beta, bias] : {std::tuple{0.5f, 0.75f, 1.0f}, std::tuple{2.0f, 0.5f, 2.0f},
                                          std::tuple{1e-4f, 0.75f, 1.0f}}) {
    std::string log;
    EXPECT_EQ(run(SyntheticLrn(alpha, beta, bias, 5, 0.0f).dir(), &log), Verdict::Match) << log;
  }
  EXPECT_EQ(run(SyntheticLrn(0.5f, 0.75f, 1.0f, 5, 0.05f).dir()), Verdict::Mismatch);
  EXPECT_EQ(run(SyntheticLrn(0.5f, 0.75f, 1.0f, 4, 0.0f).dir()), Verdict::Unsupported);  // even window
}

// Gemm whose exact sums need ~41 bits at the inputs' natural formats: the runner must lower formats until the int32
// accumulator no longer overflows, and still match a double reference.
TEST(NodeRunner, GemmThatWouldOverflowInt32IsRequantizedAndMatches) {
  const fs::path dir = fs::temp_directory_path() / ("ocelli-onnx-gemm-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "test_data_set_0");
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  auto* graph = model.mutable_graph();
  auto* node = graph->add_node();
  node->set_op_type("Gemm");
  for (const char* in : {"a", "b", "c"}) {
    node->add_input(in);
    graph->add_input()->set_name(in);
  }
  node->add_output("y");
  graph->add_output()->set_name("y");
  std::ofstream(dir / "model.onnx", std::ios::binary) << model.SerializeAsString();

  const int m = 2, k = 2048, n = 3;
  std::vector<float> a(m * k), b(k * n), c(n), y(m * n);
  for (int i = 0; i < m * k; ++i) a[i] = 0.9f + 0.05f * static_cast<float>(i % 3);
  for (int i = 0; i < k * n; ++i) b[i] = 0.99f - 0.01f * static_cast<float>(i % 7);
  for (int j = 0; j < n; ++j) c[j] = 0.5f * static_cast<float>(j);
  for (int r = 0; r < m; ++r) {
    for (int j = 0; j < n; ++j) {
      double sum = c[j];
      for (int i = 0; i < k; ++i) sum += static_cast<double>(a[r * k + i]) * b[i * n + j];
      y[r * n + j] = static_cast<float>(sum);
    }
  }
  auto write = [](const fs::path& path, const char* name, std::vector<std::int64_t> dims, const std::vector<float>& v) {
    ::onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(::onnx::TensorProto_DataType_FLOAT);
    for (auto d : dims) t.add_dims(d);
    for (float x : v) t.add_float_data(x);
    std::ofstream(path, std::ios::binary) << t.SerializeAsString();
  };
  const fs::path set = dir / "test_data_set_0";
  write(set / "input_0.pb", "a", {m, k}, a);
  write(set / "input_1.pb", "b", {k, n}, b);
  write(set / "input_2.pb", "c", {n}, c);
  write(set / "output_0.pb", "y", {m, n}, y);
  std::string log;
  EXPECT_EQ(run(dir, &log), Verdict::Match) << log;
  // Natural formats would be 15 + 15 = acc frac 30; the overflow retry must have brought it far lower.
  EXPECT_EQ(log.find("acc 30"), std::string::npos) << log;
  fs::remove_all(dir);
}

TEST(NodeRunner, BadDirectoryIsAnError) {
  EXPECT_THROW(run("/nonexistent/ocelli"), std::runtime_error);
  EXPECT_THROW(load_tensor_file((kData / "node/test_relu/model.onnx").string() + ".missing"), std::runtime_error);
}

}  // namespace
}  // namespace ocelli::onnx
