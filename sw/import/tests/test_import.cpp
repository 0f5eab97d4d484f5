// ONNX import: Debian's ONNX test data imported like `ocelli import` and run on the golden against ONNX's expected
// outputs (every supported operator), refusals naming node/op/reason, the calibration rule, atomic writes.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "ocelli/driver/program.hpp"
#include "ocelli/golden/layers.hpp"
#include "ocelli/import/lowering.hpp"
#include "ocelli/import/node_test.hpp"
#include "ocelli/import/quantizer.hpp"
#include "ocelli/import/writer.hpp"

namespace {

namespace fs = std::filesystem;
using namespace ocelli;

const fs::path kData = OCELLI_ONNX_TESTDATA;

class ImportedOnGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(ImportedOnGolden, MatchesTheExpectedOutput) {
  const auto t = import::import_node_test(kData / GetParam());
  const auto runs = golden::run_network(t.model.network, t.model.calibration_input);
  const auto cmp = import::compare_with_expected(runs.back().output, t.expected);
  EXPECT_TRUE(cmp.passed()) << GetParam() << ": " << cmp.outside << " of " << cmp.elements
                            << " outside tolerance " << cmp.tolerance << ", max diff " << cmp.max_diff << "; "
                            << cmp.first_outside;
  for (const auto& f : t.model.formats) EXPECT_EQ(f.saturated, 0u) << f.name << " saturated on its calibration";
}

// Every supported operator: Conv (strides, symmetric/asymmetric pads, auto_pad, groups, depthwise, no bias), Gemm
// (alpha, beta, transB, vector/scalar bias), MatMul, Relu (fused and alone), MaxPool (pads, auto_pad, strides),
// AveragePool (count_include_pad with pads, strides), GlobalAveragePool, LRN, BatchNormalization (alone: a depthwise
// 1x1 conv), Flatten, Reshape, Dropout, Identity.
INSTANTIATE_TEST_SUITE_P(
    Node, ImportedOnGolden,
    ::testing::Values("node/test_basic_conv_with_padding", "node/test_basic_conv_without_padding",
                      "node/test_conv_with_autopad_same", "node/test_conv_with_strides_and_asymmetric_padding",
                      "node/test_conv_with_strides_no_padding", "node/test_conv_with_strides_padding",
                      "node/test_gemm_alpha", "node/test_gemm_beta", "node/test_gemm_transposeB",
                      "node/test_gemm_default_no_bias", "node/test_gemm_default_vector_bias",
                      "node/test_gemm_default_scalar_bias", "node/test_gemm_default_single_elem_vector_bias",
                      "node/test_gemm_default_zero_bias", "node/test_matmul_2d", "node/test_maxpool_2d_default",
                      "node/test_maxpool_2d_pads", "node/test_maxpool_2d_precomputed_pads",
                      "node/test_maxpool_2d_precomputed_same_upper", "node/test_maxpool_2d_precomputed_strides",
                      "node/test_maxpool_2d_same_lower", "node/test_maxpool_2d_same_upper",
                      "node/test_maxpool_2d_strides", "node/test_averagepool_2d_default",
                      "node/test_averagepool_2d_strides", "node/test_averagepool_2d_pads_count_include_pad",
                      "node/test_averagepool_2d_precomputed_pads_count_include_pad",
                      "node/test_averagepool_2d_precomputed_strides", "node/test_globalaveragepool",
                      "node/test_globalaveragepool_precomputed", "node/test_lrn", "node/test_lrn_default",
                      "node/test_batchnorm_example", "node/test_batchnorm_epsilon", "node/test_flatten_axis1",
                      "node/test_flatten_default_axis", "node/test_flatten_negative_axis3",
                      "node/test_identity"));
INSTANTIATE_TEST_SUITE_P(
    PytorchConverted, ImportedOnGolden,
    ::testing::Values("pytorch-converted/test_Conv2d", "pytorch-converted/test_Conv2d_depthwise",
                      "pytorch-converted/test_Conv2d_depthwise_padded", "pytorch-converted/test_Conv2d_depthwise_strided",
                      "pytorch-converted/test_Conv2d_depthwise_with_multiplier", "pytorch-converted/test_Conv2d_groups",
                      "pytorch-converted/test_Conv2d_groups_thnn", "pytorch-converted/test_Conv2d_no_bias",
                      "pytorch-converted/test_Conv2d_padding", "pytorch-converted/test_Conv2d_strided",
                      "pytorch-converted/test_AvgPool2d", "pytorch-converted/test_AvgPool2d_stride",
                      "pytorch-converted/test_BatchNorm2d_eval", "pytorch-converted/test_BatchNorm2d_momentum_eval",
                      "pytorch-converted/test_Linear", "pytorch-converted/test_Linear_no_bias",
                      "pytorch-converted/test_MaxPool2d", "pytorch-converted/test_ReLU"));
INSTANTIATE_TEST_SUITE_P(PytorchOperator, ImportedOnGolden,
                         ::testing::Values("pytorch-operator/test_operator_conv", "pytorch-operator/test_operator_mm",
                                           "pytorch-operator/test_operator_flatten"));

// The tolerance is tight enough to fail: one expected element moved by 1 % of the output range is caught.
TEST(ExpectedComparison, DetectsAnElementOnePercentOff) {
  const auto t = import::import_node_test(kData / "pytorch-converted/test_Conv2d_groups");
  const auto out = golden::run_network(t.model.network, t.model.calibration_input).back().output;
  ASSERT_TRUE(import::compare_with_expected(out, t.expected).passed());
  auto moved = t.expected;
  moved.values[5] += 0.01 * moved.max_abs();
  const auto cmp = import::compare_with_expected(out, moved);
  EXPECT_EQ(cmp.outside, 1u);
  EXPECT_NE(cmp.first_outside.find("index 5:"), std::string::npos) << cmp.first_outside;
}

struct RefusalCase {
  const char* dir;
  const char* op;      // op type the message names
  const char* reason;  // part of the reason
};

class Refusal : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(Refusal, NamesTheNodeItsOpAndTheReason) {
  const auto& c = GetParam();
  try {
    import::import_node_test(kData / c.dir);
    FAIL() << c.dir << " was imported";
  } catch (const import::Refused& e) {
    EXPECT_EQ(e.op_type(), c.op) << e.what();
    EXPECT_NE(e.reason().find(c.reason), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("node '"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Unsupported, Refusal,
    ::testing::Values(RefusalCase{"pytorch-converted/test_Sigmoid", "Sigmoid", "operator not supported"},
                      RefusalCase{"pytorch-converted/test_Conv2d_dilated", "Conv", "dilations"},
                      RefusalCase{"node/test_gemm_all_attributes", "Gemm", "transA=1"},
                      RefusalCase{"node/test_gemm_default_matrix_bias", "Gemm", "bias varies along the batch"},
                      RefusalCase{"node/test_averagepool_2d_pads", "AveragePool", "count_include_pad=0"},
                      RefusalCase{"node/test_maxpool_2d_ceil", "MaxPool", "ceil_mode=1"},
                      RefusalCase{"node/test_maxpool_with_argmax_2d_precomputed_pads", "MaxPool", "argmax"},
                      RefusalCase{"node/test_batchnorm_example_training_mode", "BatchNormalization", "training_mode"},
                      RefusalCase{"node/test_flatten_axis2", "Flatten", "axis 2"},
                      RefusalCase{"node/test_relu", "graph input", "rank 3"},
                      RefusalCase{"pytorch-operator/test_operator_params", "Mul", "operator not supported"},
                      RefusalCase{"pytorch-operator/test_operator_maxpool", "graph input", "rank 3"}));

// Small ONNX graphs built in the tests: a model with one float input, one output and opset 13.
::onnx::ModelProto model_with_input(const char* input, std::vector<std::int64_t> dims, const char* output) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("built");
  auto* in = g->add_input();
  in->set_name(input);
  in->mutable_type()->mutable_tensor_type()->set_elem_type(::onnx::TensorProto_DataType_FLOAT);
  for (auto d : dims) in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  g->add_output()->set_name(output);
  return m;
}

void add_initializer(::onnx::GraphProto* g, const char* name, std::vector<std::int64_t> dims, std::vector<float> v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto_DataType_FLOAT);
  for (auto d : dims) t->add_dims(d);
  for (float x : v) t->add_float_data(x);
}

::onnx::NodeProto* add_node(::onnx::GraphProto* g, const char* op, const char* name, std::vector<const char*> ins,
                            const char* out) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (auto* i : ins) n->add_input(i);
  n->add_output(out);
  return n;
}

// Conv + BatchNormalization + Relu: BN folds into the conv (scaled filters, shifted bias), Relu fuses.
::onnx::ModelProto conv_bn_relu() {
  auto m = model_with_input("x", {1, 2, 5, 5}, "y");
  auto* g = m.mutable_graph();
  add_initializer(g, "w", {2, 2, 1, 1}, {1.0f, 0.5f, -0.25f, 2.0f});
  add_initializer(g, "b", {2}, {0.1f, -0.2f});
  add_initializer(g, "gamma", {2}, {2.0f, 0.5f});
  add_initializer(g, "beta", {2}, {0.3f, 0.0f});
  add_initializer(g, "mean", {2}, {0.1f, -1.0f});
  add_initializer(g, "var", {2}, {3.0f, 0.25f});
  add_node(g, "Conv", "conv", {"x", "w", "b"}, "c");
  auto* bn = add_node(g, "BatchNormalization", "bn", {"c", "gamma", "beta", "mean", "var"}, "n");
  auto* eps = bn->add_attribute();
  eps->set_name("epsilon");
  eps->set_type(::onnx::AttributeProto_AttributeType_FLOAT);
  eps->set_f(1e-3f);
  add_node(g, "Relu", "relu", {"n"}, "y");
  return m;
}

TEST(Lowering, FoldsBatchNormalizationIntoTheConvAndFusesRelu) {
  const auto net = import::lower_model(conv_bn_relu());
  ASSERT_EQ(net.layers.size(), 1u);
  const auto& l = net.layers[0];
  EXPECT_TRUE(l.desc.relu);
  const double s0 = 2.0 / std::sqrt(3.0f + 1e-3f), s1 = 0.5 / std::sqrt(0.25 + 1e-3f);
  EXPECT_NEAR(l.weights[0], 1.0 * s0, 1e-6);
  EXPECT_NEAR(l.weights[1], 0.5 * s0, 1e-6);
  EXPECT_NEAR(l.weights[2], -0.25 * s1, 1e-6);
  EXPECT_NEAR(l.weights[3], 2.0 * s1, 1e-6);
  EXPECT_NEAR(l.bias[0], (0.1f - 0.1f) * s0 + 0.3f, 1e-6);
  EXPECT_NEAR(l.bias[1], (-0.2f + 1.0f) * s1 + 0.0f, 1e-6);
  EXPECT_NE(l.origin.find("BatchNormalization 'bn' (folded)"), std::string::npos) << l.origin;
  EXPECT_NE(l.origin.find("Relu 'relu'"), std::string::npos) << l.origin;
}

// Dropout between Conv and BatchNormalization is dropped and the folding still happens.
TEST(Lowering, DropsDropoutBetweenConvAndBatchNormalization) {
  auto m = conv_bn_relu();
  auto* g = m.mutable_graph();
  g->mutable_node(1)->set_input(0, "d");
  add_node(g, "Dropout", "drop", {"c"}, "d");
  // Nodes must stay in order: move the Dropout (last) between Conv and BN.
  g->mutable_node()->SwapElements(1, 3);
  g->mutable_node()->SwapElements(2, 3);
  const auto net = import::lower_model(m);
  ASSERT_EQ(net.layers.size(), 1u);
  EXPECT_EQ(net.dropped, std::vector<std::string>{"Dropout 'drop'"});
  EXPECT_TRUE(net.layers[0].desc.relu);
  EXPECT_NE(net.layers[0].origin.find("(folded)"), std::string::npos) << net.layers[0].origin;
}

// Reshape to N x K (with -1, as exporters write it) lowers exactly like Flatten; a reshape that moves data is refused.
TEST(Lowering, ReshapeToNByKIsFlattenAndOthersAreRefused) {
  auto with_tail = [](const char* op, std::vector<std::int64_t> shape) {
    auto m = conv_bn_relu();
    auto* g = m.mutable_graph();
    g->mutable_output(0)->set_name("z");
    auto* n = add_node(g, op, "tail", {"y"}, "z");
    if (std::string(op) == "Reshape") {
      n->add_input("shape");
      auto* t = g->add_initializer();
      t->set_name("shape");
      t->set_data_type(::onnx::TensorProto_DataType_INT64);
      t->add_dims(static_cast<std::int64_t>(shape.size()));
      for (auto v : shape) t->add_int64_data(v);
    }
    return m;
  };
  const auto flat = import::lower_model(with_tail("Flatten", {}));
  const auto reshaped = import::lower_model(with_tail("Reshape", {1, -1}));
  EXPECT_EQ(flat.output_dims_per_image, (std::vector<std::int64_t>{50}));
  EXPECT_EQ(reshaped.output_dims_per_image, flat.output_dims_per_image);
  ASSERT_EQ(reshaped.layers.size(), flat.layers.size());
  EXPECT_EQ(reshaped.layers[0].weights, flat.layers[0].weights);
  try {
    import::lower_model(with_tail("Reshape", {1, 5, 10}));
    FAIL();
  } catch (const import::Refused& e) {
    EXPECT_EQ(e.op_type(), "Reshape");
    EXPECT_NE(e.reason().find("moves data"), std::string::npos) << e.what();
  }
}

// MatMul with a constant B followed by Add of a constant vector: one FC layer, weights B transposed to (N, K), the
// Add as its bias; an Add that is not a MatMul's bias is refused.
TEST(Lowering, MatMulPlusAddIsOneFcWithBias) {
  auto m = model_with_input("x", {1, 3}, "y");
  auto* g = m.mutable_graph();
  add_initializer(g, "B", {3, 2}, {1, 2, 3, 4, 5, 6});  // K = 3 rows, N = 2 columns
  add_initializer(g, "C", {2}, {0.5f, -0.5f});
  add_node(g, "MatMul", "mm", {"x", "B"}, "t");
  add_node(g, "Add", "add", {"t", "C"}, "y");
  const auto net = import::lower_model(m);
  ASSERT_EQ(net.layers.size(), 1u);
  EXPECT_EQ(net.layers[0].desc.kind, golden::LayerKind::FullyConnected);
  EXPECT_EQ(net.layers[0].weights, (std::vector<double>{1, 3, 5, 2, 4, 6}));
  EXPECT_EQ(net.layers[0].bias, (std::vector<double>{0.5, -0.5}));
  // A second Add has no MatMul right before it.
  add_node(g, "Add", "add2", {"y", "C"}, "z");
  g->mutable_output(0)->set_name("z");
  try {
    import::lower_model(m);
    FAIL();
  } catch (const import::Refused& e) {
    EXPECT_EQ(e.node(), "add2");
    EXPECT_NE(e.reason().find("bias of the MatMul"), std::string::npos) << e.what();
  }
}

TEST(Lowering, RefusesABranchNamingTheNode) {
  auto m = conv_bn_relu();
  m.mutable_graph()->mutable_node(1)->set_input(0, "x");  // BN reads the graph input, not the conv's output
  try {
    import::lower_model(m);
    FAIL();
  } catch (const import::Refused& e) {
    EXPECT_EQ(e.node(), "bn");
    EXPECT_NE(e.reason().find("chains"), std::string::npos) << e.what();
  }
}

// The calibration rule of docs/numerics.md on numbers small enough to follow by hand.
TEST(Quantizer, ChoosesTheFinestFormatsThatHoldTheCalibrationRange) {
  import::FloatNetwork net;
  net.name = "fc";
  net.input_shape = golden::Shape{1, 2, 1, 1};
  import::FloatLayer l;
  l.desc.name = "f";
  l.desc.kind = golden::LayerKind::FullyConnected;
  l.desc.in_shape = net.input_shape;
  l.desc.weight_shape = golden::Shape{1, 2, 1, 1};
  l.desc.out_shape = golden::Shape{1, 1, 1, 1};
  l.weights = {0.75, -0.5};  // max 0.75: frac_w 15 (0.75 * 2^15 = 24576)
  l.bias = {0.125};
  net.layers.push_back(l);
  ocelli::onnx::NumericTensor cal;
  cal.dims = {2, 2};
  cal.values = {3.0, 1.0, -2.0, 0.5};  // max 3: input frac 13 (3 * 2^13 = 24576), within the cap 15
  const auto q = import::quantize(net, cal);
  EXPECT_EQ(q.network.desc.input_frac, 13);
  EXPECT_EQ(q.formats[0].weight_frac, 15);
  // Outputs 0.75*3 - 0.5 + 0.125 = 1.875 and -1.5 - 0.25 + 0.125 = -1.625: the cap 15 would need 1.875 * 2^15 > 32767,
  // so frac_out 14.
  EXPECT_EQ(q.formats[0].out_frac, 14);
  EXPECT_EQ(q.formats[0].saturated, 0u);
  EXPECT_NEAR(q.formats[0].max_abs_out, 1.875, 1e-3);
  // A test input beyond the calibration range saturates, and the golden counts it.
  ocelli::onnx::NumericTensor big = cal;
  big.dims = {1, 2};
  big.values = {3.9, -3.9};
  golden::Network n = q.network;
  n.desc = golden::with_batch(n.desc, 1);
  golden::LayerStats stats;
  const auto x = import::quantize_input(big, net.input_shape, q.network.desc.input_frac);
  golden::fully_connected(x, n.params[0].weights, n.params[0].bias, n.desc.layers[0].out_frac, false, &stats);
  EXPECT_EQ(stats.saturated, 1u);  // 0.75*3.9 + 0.5*3.9 + 0.125 = 5.0 > 2 at frac 14
}

TEST(Writer, ARefusedCheckLeavesNothingBehind) {
  const auto t = import::import_node_test(kData / "node/test_basic_conv_with_padding");
  const fs::path dir = fs::temp_directory_path() / ("ocelli-import-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  import::ImportInfo info;
  info.model_path = "model.onnx";
  info.calibration = "test";
  EXPECT_THROW(import::write_import(t.model, info, dir, false,
                                    [](const fs::path&) { throw import::Refused("n", "Conv", "test refusal"); }),
               import::Refused);
  EXPECT_FALSE(fs::exists(dir));
  for (const auto& e : fs::directory_iterator(dir.parent_path())) {
    EXPECT_EQ(e.path().filename().string().find("." + dir.filename().string() + ".import-"), std::string::npos)
        << "staging directory left behind: " << e.path();
  }
  // Written for real, the program parses back with the same layers, formats and parameter files.
  const fs::path program = import::write_import(t.model, info, dir, false, [](const fs::path&) {});
  const auto p = driver::parse_program_file(program.string());
  ASSERT_EQ(p.network.layers.size(), t.model.network.desc.layers.size());
  EXPECT_EQ(p.network.input_frac, t.model.network.desc.input_frac);
  EXPECT_EQ(p.network.layers[0].weight_frac, t.model.network.desc.layers[0].weight_frac);
  EXPECT_EQ(p.network.layers[0].out_frac, t.model.network.desc.layers[0].out_frac);
  EXPECT_TRUE(fs::exists(p.options[0].weights_path)) << p.options[0].weights_path;
  // A second import into the same directory is refused unless replacing.
  EXPECT_THROW(import::write_import(t.model, info, dir, false, [](const fs::path&) {}), std::runtime_error);
  fs::remove_all(dir);
}

}  // namespace
