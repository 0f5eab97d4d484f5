#include "ocelli/import/lowering.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "ocelli/golden/layers.hpp"
#include "ocelli/onnx/attributes.hpp"
#include "ocelli/onnx/model_file.hpp"

namespace ocelli::import {

Refused::Refused(const std::string& node, const std::string& op_type, const std::string& reason)
    : std::runtime_error(fmt::format("node '{}' ({}): {}", node, op_type, reason)),
      node_(node),
      op_type_(op_type),
      reason_(reason) {}

namespace {

namespace pb = ::onnx;
using golden::LayerDesc;
using golden::LayerKind;
using golden::Shape;
using ocelli::onnx::NumericTensor;

// The hardware's limits the importer checks up front (docs/isa.md): the descriptor's groups field is 8 bits, LRN
// windows are 1..15 channels, pooling windows at most 12 x 12.
constexpr int kMaxGroups = 255;
constexpr int kMaxLrnSize = 15;
constexpr int kMaxWindow = 12;

const char* const kUnsupportedOperator =
    "operator not supported (ocelli runs Conv, Gemm, MatMul+Add, Relu, MaxPool, AveragePool, GlobalAveragePool, LRN, "
    "BatchNormalization, Flatten, Reshape, Dropout, Identity; Constant and Transpose of constants are folded)";

bool known_operator(const pb::NodeProto& node) {
  static const std::set<std::string> ops = {
      "Conv",    "BatchNormalization", "Relu",    "Gemm",    "MatMul",   "Add",       "MaxPool",  "AveragePool",
      "GlobalAveragePool", "LRN",     "Flatten", "Reshape", "Dropout",  "Identity",  "Constant", "Transpose"};
  return (node.domain().empty() || node.domain() == "ai.onnx") && ops.count(node.op_type()) != 0;
}

std::string node_name(const pb::NodeProto& node, int index) {
  return node.name().empty() ? fmt::format("#{}", index) : node.name();
}

// The activation flowing down the chain: its name and shape. `flat` after Flatten/Reshape to (N, K): the data is
// the same NCHW array, read as K = C*H*W values per image.
struct Activation {
  std::string name;
  Shape shape;  // batch 1
  bool flat = false;
};

class Lowering {
 public:
  Lowering(const pb::ModelProto& model, const std::map<std::string, NumericTensor>& constants)
      : graph_(model.graph()), constants_(constants) {}

  FloatNetwork run() {
    for (const auto& init : graph_.initializer()) {
      values_[init.name()] = ocelli::onnx::tensor_from_proto(init, fmt::format("initializer '{}'", init.name()));
    }
    for (const auto& [name, t] : constants_) values_[name] = t;
    find_data_input();
    for (int i = 0; i < graph_.node_size(); ++i) {
      const pb::NodeProto& node = graph_.node(i);
      name_ = node_name(node, i);
      op_ = node.op_type();
      try {
        lower(node);
      } catch (const ocelli::onnx::Unsupported& e) {
        refuse(e.what());
      }
    }
    finish();
    return std::move(net_);
  }

 private:
  [[noreturn]] void refuse(const std::string& reason) const { throw Refused(name_, op_, reason); }
  [[noreturn]] void malformed(const std::string& problem) const {
    throw std::runtime_error(fmt::format("node '{}' ({}): {}", name_, op_, problem));
  }

  void find_data_input() {
    net_.name = graph_.name().empty() ? "model" : graph_.name();
    std::vector<const pb::ValueInfoProto*> fed;
    for (const auto& vi : graph_.input()) {
      if (!values_.count(vi.name())) fed.push_back(&vi);
    }
    if (fed.size() != 1) {
      std::vector<std::string> names;
      for (const auto* vi : fed) names.push_back(vi->name());
      throw Refused(graph_.name(), "graph",
                    fmt::format("{} graph inputs without a value ({}); ocelli runs chains with one data input",
                                fed.size(), fmt::join(names, ", ")));
    }
    const auto& vi = *fed[0];
    net_.input_name = vi.name();
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) {
      throw std::runtime_error(fmt::format("graph input '{}': no tensor type with a shape", vi.name()));
    }
    std::vector<std::int64_t> dims;
    for (const auto& d : vi.type().tensor_type().shape().dim()) dims.push_back(d.has_dim_value() ? d.dim_value() : 1);
    const int elem = vi.type().tensor_type().elem_type();
    if (elem != pb::TensorProto_DataType_FLOAT && elem != pb::TensorProto_DataType_DOUBLE) {
      throw Refused(vi.name(), "graph input",
                    fmt::format("data type {} (ocelli imports float models)", ocelli::onnx::onnx_type_name(elem)));
    }
    current_.name = vi.name();
    if (dims.size() == 4) {
      current_.shape = Shape{1, static_cast<int>(dims[1]), static_cast<int>(dims[2]), static_cast<int>(dims[3])};
    } else if (dims.size() == 2) {
      current_.shape = Shape{1, static_cast<int>(dims[1]), 1, 1};
      current_.flat = true;
    } else {
      throw Refused(vi.name(), "graph input",
                    fmt::format("rank {} (dims [{}]); ocelli takes N x C x H x W images or N x K vectors",
                                dims.size(), fmt::join(dims, ",")));
    }
    for (auto d : dims) {
      if (d < 1) throw std::runtime_error(fmt::format("graph input '{}': dimension {}", vi.name(), d));
    }
    net_.input_shape = current_.shape;
  }

  // The node's data input must be the chain's current activation.
  void require_chain(const pb::NodeProto& node) {
    if (node.input_size() < 1 || node.input(0) != current_.name) {
      refuse(fmt::format("its input '{}' is not the output of the node before it ('{}'); ocelli runs chains of "
                         "layers (no branches, no skip connections)",
                         node.input_size() ? node.input(0) : "", current_.name));
    }
  }

  const NumericTensor& constant_input(const pb::NodeProto& node, int i, const char* what) {
    if (i >= node.input_size() || node.input(i).empty()) malformed(fmt::format("missing input {} ({})", i, what));
    auto it = values_.find(node.input(i));
    if (it == values_.end()) {
      refuse(fmt::format("input {} '{}' ({}) is computed at run time; it must be a constant (initializer)", i,
                         node.input(i), what));
    }
    return it->second;
  }
  std::optional<NumericTensor> optional_constant(const pb::NodeProto& node, int i, const char* what) {
    if (i >= node.input_size() || node.input(i).empty()) return std::nullopt;
    return constant_input(node, i, what);
  }

  void advance(const pb::NodeProto& node, const Shape& shape, bool flat) {
    if (node.output_size() < 1) malformed("no output");
    current_.name = node.output(0);
    current_.shape = shape;
    current_.flat = flat;
  }

  void require_image(const char* what) {
    if (current_.flat) refuse(fmt::format("{} needs an N x C x H x W input, got a flattened N x K one", what));
  }

  // Only the first output may be used (Dropout's mask, MaxPool's indices, BatchNormalization's running stats).
  void require_single_output(const pb::NodeProto& node, const char* what) {
    for (int i = 1; i < node.output_size(); ++i) {
      if (!node.output(i).empty()) refuse(fmt::format("output {} ('{}', {}) is used", i, node.output(i), what));
    }
  }

  void add_layer(FloatLayer layer) {
    layer.desc.name = fmt::format("l{}_{}", net_.layers.size() + 1, sanitize(name_));
    layer.origin = fmt::format("{} '{}'", op_, name_);
    layer.node = name_;
    layer.op_type = op_;
    net_.layers.push_back(std::move(layer));
  }

  static std::string sanitize(const std::string& s) {
    std::string out;
    for (char c : s) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '-' || c == '.';
      out += ok ? c : '_';
    }
    return out.substr(0, 32);
  }

  // The layer before the current activation when nothing consumed its output in between (fusion and folding).
  FloatLayer* producer_layer() {
    if (net_.layers.empty() || last_layer_output_ != current_.name) return nullptr;
    return &net_.layers.back();
  }

  void lower(const pb::NodeProto& node) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") refuse(fmt::format("operator domain '{}'", node.domain()));
    if (op_ == "Constant") return constant(node);
    if (op_ == "Transpose" && node.input_size() == 1 && values_.count(node.input(0))) return transpose_constant(node);
    require_chain(node);
    if (op_ == "Conv") {
      conv(node);
    } else if (op_ == "BatchNormalization") {
      batch_norm(node);
    } else if (op_ == "Relu") {
      relu(node);
    } else if (op_ == "Gemm") {
      gemm(node);
    } else if (op_ == "MatMul") {
      matmul(node);
    } else if (op_ == "Add") {
      add(node);
    } else if (op_ == "MaxPool") {
      max_pool(node);
    } else if (op_ == "AveragePool") {
      average_pool(node);
    } else if (op_ == "GlobalAveragePool") {
      global_average_pool(node);
    } else if (op_ == "LRN") {
      lrn(node);
    } else if (op_ == "Flatten") {
      flatten(node);
    } else if (op_ == "Reshape") {
      reshape(node);
    } else if (op_ == "Dropout" || op_ == "Identity") {
      drop(node);
    } else {
      refuse(kUnsupportedOperator);
    }
  }

  void constant(const pb::NodeProto& node) {
    ocelli::onnx::Attributes attrs(node);
    if (!attrs.has("value")) refuse("Constant without a tensor 'value' attribute");
    for (const auto& a : node.attribute()) {
      if (a.name() == "value") values_[node.output(0)] = ocelli::onnx::tensor_from_proto(a.t(), "Constant " + name_);
    }
  }

  // A Transpose of a constant matrix (an exporter's way of writing FC weights) is folded at import.
  void transpose_constant(const pb::NodeProto& node) {
    ocelli::onnx::Attributes attrs(node);
    const auto perm = attrs.get_ints("perm", {1, 0});
    attrs.reject_unused();
    const NumericTensor& t = values_.at(node.input(0));
    if (t.dims.size() != 2 || perm != std::vector<std::int64_t>{1, 0}) {
      refuse(fmt::format("Transpose of a rank-{} constant with perm [{}] (only 2-D matrices are folded)", t.dims.size(),
                         fmt::join(perm, ",")));
    }
    NumericTensor r = t;
    r.dims = {t.dims[1], t.dims[0]};
    for (std::int64_t i = 0; i < t.dims[0]; ++i) {
      for (std::int64_t j = 0; j < t.dims[1]; ++j) r.values[j * t.dims[0] + i] = t.values[i * t.dims[1] + j];
    }
    values_[node.output(0)] = std::move(r);
  }

  // Layout-only nodes keep the layer before them fusable (Relu after Dropout still fuses).
  void pass_through(const pb::NodeProto& node, bool flat) {
    const bool fusable = last_layer_output_ == current_.name;
    advance(node, current_.shape, flat);
    if (fusable) last_layer_output_ = current_.name;
  }

  void conv(const pb::NodeProto& node) {
    require_image("Conv");
    ocelli::onnx::Attributes attrs(node);
    const NumericTensor& w = constant_input(node, 1, "W");
    const auto b = optional_constant(node, 2, "B");
    if (w.dims.size() != 4) refuse(fmt::format("weights of rank {} (only 2-D convolutions)", w.dims.size()));
    const auto auto_pad = attrs.get_string("auto_pad", "NOTSET");
    ocelli::onnx::require_unit_dilations(op_, attrs.get_ints("dilations", {1, 1}));
    const auto group = attrs.get_int("group", 1);
    const auto kernel = ocelli::onnx::two_ints(op_, "kernel_shape", attrs.get_ints("kernel_shape", {w.dims[2], w.dims[3]}));
    const auto strides = ocelli::onnx::two_ints(op_, "strides", attrs.get_ints("strides", {1, 1}));
    const auto pads_attr = attrs.get_ints("pads", {0, 0, 0, 0});
    attrs.reject_unused();
    const Shape& in = current_.shape;
    if (kernel[0] != w.dims[2] || kernel[1] != w.dims[3]) {
      malformed(fmt::format("kernel_shape [{}] differs from W dims [{}]", fmt::join(kernel, ","), fmt::join(w.dims, ",")));
    }
    if (group < 1 || in.c % group != 0 || w.dims[0] % group != 0 || w.dims[1] != in.c / group) {
      malformed(fmt::format("group {} inconsistent with {} input channels and W dims [{}]", group, in.c,
                            fmt::join(w.dims, ",")));
    }
    if (group > kMaxGroups) refuse(fmt::format("group {} (the hardware takes at most {} groups)", group, kMaxGroups));
    FloatLayer l;
    l.desc.kind = LayerKind::Conv;
    l.desc.in_shape = in;
    l.desc.weight_shape = Shape{static_cast<int>(w.dims[0]), static_cast<int>(w.dims[1]), static_cast<int>(w.dims[2]),
                                static_cast<int>(w.dims[3])};
    const auto p = ocelli::onnx::resolve_pads(op_, auto_pad, pads_attr, in.h, in.w, l.desc.weight_shape.h,
                                              l.desc.weight_shape.w, static_cast<int>(strides[0]),
                                              static_cast<int>(strides[1]));
    l.desc.conv = golden::ConvParams{static_cast<int>(strides[0]), static_cast<int>(strides[1]), p.top, p.bottom,
                                     p.left, p.right, static_cast<int>(group)};
    l.desc.out_shape = output_shape(l.desc);
    l.weights = w.values;
    if (b) {
      if (b->elements() != static_cast<std::size_t>(w.dims[0])) {
        malformed(fmt::format("bias has {} entries for {} filters", b->elements(), w.dims[0]));
      }
      l.bias = b->values;
    }
    const Shape out = l.desc.out_shape;
    add_layer(std::move(l));
    finish_layer(node, out);
  }

  Shape output_shape(const LayerDesc& d) {
    try {
      return golden::conv2d_output_shape(d.in_shape, d.weight_shape, d.conv);
    } catch (const std::invalid_argument& e) {
      malformed(e.what());
    }
  }

  void finish_layer(const pb::NodeProto& node, const Shape& out) {
    advance(node, out, false);
    last_layer_output_ = current_.name;
  }

  // BatchNormalization (inference): y = gamma * (x - mean) / sqrt(var + eps) + beta per channel. Folded into the
  // Conv before it (scaled filters, shifted bias); alone, it is a depthwise 1x1 convolution with that scale and shift.
  void batch_norm(const pb::NodeProto& node) {
    require_image("BatchNormalization");
    ocelli::onnx::Attributes attrs(node);
    const double eps = attrs.get_float("epsilon", 1e-5);
    attrs.get_float("momentum", 0.9);  // training only
    if (attrs.get_int("training_mode", 0) != 0) refuse("training_mode=1 (batch statistics; ocelli runs inference)");
    if (attrs.get_int("spatial", 1) != 1) refuse("spatial=0 (per-element statistics)");
    attrs.get_int("is_test", 1);
    attrs.get_ints("consumed_inputs", {});
    attrs.reject_unused();
    require_single_output(node, "training statistics");
    const int c = current_.shape.c;
    const NumericTensor& gamma = constant_input(node, 1, "scale");
    const NumericTensor& beta = constant_input(node, 2, "B");
    const NumericTensor& mean = constant_input(node, 3, "mean");
    const NumericTensor& var = constant_input(node, 4, "var");
    for (const auto* t : {&gamma, &beta, &mean, &var}) {
      if (t->elements() != static_cast<std::size_t>(c)) {
        malformed(fmt::format("'{}' has {} entries for {} channels", t->name, t->elements(), c));
      }
    }
    std::vector<double> scale(c), shift(c);
    for (int i = 0; i < c; ++i) {
      scale[i] = gamma.values[i] / std::sqrt(var.values[i] + eps);
      shift[i] = beta.values[i] - mean.values[i] * scale[i];
    }
    FloatLayer* prev = producer_layer();
    if (prev && prev->desc.kind == LayerKind::Conv && !prev->desc.relu) {
      const std::size_t per_filter = prev->weights.size() / static_cast<std::size_t>(c);
      for (int m = 0; m < c; ++m) {
        for (std::size_t j = 0; j < per_filter; ++j) prev->weights[m * per_filter + j] *= scale[m];
      }
      prev->bias.resize(static_cast<std::size_t>(c), 0.0);
      for (int m = 0; m < c; ++m) prev->bias[m] = prev->bias[m] * scale[m] + shift[m];
      prev->origin += fmt::format(" + {} '{}' (folded)", op_, name_);
      advance(node, current_.shape, false);
      last_layer_output_ = current_.name;
      return;
    }
    add_depthwise(node, scale, shift, 1, 1, golden::ConvParams{1, 1, 0, 0, 0, 0, c}, "a depthwise 1x1 convolution");
  }

  // A depthwise convolution (groups = C) with the same weight `w[c]` on every tap of channel c.
  void add_depthwise(const pb::NodeProto& node, const std::vector<double>& per_channel, const std::vector<double>& bias,
                     int kh, int kw, golden::ConvParams params, const char* as_what) {
    const int c = current_.shape.c;
    if (c > kMaxGroups) {
      refuse(fmt::format("runs as {} with {} groups; the hardware takes at most {}", as_what, c, kMaxGroups));
    }
    FloatLayer l;
    l.desc.kind = LayerKind::Conv;
    l.desc.in_shape = current_.shape;
    l.desc.weight_shape = Shape{c, 1, kh, kw};
    params.groups = c;
    l.desc.conv = params;
    l.desc.out_shape = output_shape(l.desc);
    l.weights.resize(static_cast<std::size_t>(c) * kh * kw);
    for (int m = 0; m < c; ++m) {
      std::fill_n(l.weights.begin() + static_cast<std::ptrdiff_t>(m) * kh * kw, kh * kw, per_channel[m]);
    }
    l.bias = bias;
    const Shape out = l.desc.out_shape;
    add_layer(std::move(l));
    net_.layers.back().origin += fmt::format(" as {}", as_what);
    finish_layer(node, out);
  }

  void relu(const pb::NodeProto& node) {
    ocelli::onnx::Attributes attrs(node);
    attrs.reject_unused();
    FloatLayer* prev = producer_layer();
    if (!prev || !prev->desc.has_weights() || prev->desc.relu) {
      // Nothing to fuse into: a layer of its own, a depthwise 1x1 convolution with weight 1 and ReLU (exact).
      if (current_.flat) refuse("Relu on an N x K vector that no FC layer produced (nothing to fuse it into)");
      add_depthwise(node, std::vector<double>(current_.shape.c, 1.0), {}, 1, 1,
                    golden::ConvParams{1, 1, 0, 0, 0, 0, current_.shape.c},
                    "a depthwise 1x1 convolution with weight 1 (nothing to fuse into)");
      net_.layers.back().desc.relu = true;
      return;
    }
    prev->desc.relu = true;
    prev->origin += fmt::format(" + Relu '{}'", name_);
    advance(node, current_.shape, current_.flat);
    last_layer_output_ = current_.name;
  }

  // FC over the current activation, K = C*H*W (a 4-D activation must have been flattened by the graph first).
  void add_fc(const pb::NodeProto& node, std::vector<double> weights_mk, std::vector<double> bias, int m) {
    if (!current_.flat) refuse(fmt::format("{} input must be 2-D (N x K; flatten the image first)", op_));
    FloatLayer l;
    l.desc.kind = LayerKind::FullyConnected;
    l.desc.in_shape = current_.shape;
    const int k = current_.shape.c * current_.shape.h * current_.shape.w;
    l.desc.weight_shape = Shape{m, k, 1, 1};
    l.desc.out_shape = Shape{1, m, 1, 1};
    l.weights = std::move(weights_mk);
    l.bias = std::move(bias);
    add_layer(std::move(l));
    advance(node, Shape{1, m, 1, 1}, true);
    last_layer_output_ = current_.name;
  }

  int flat_k() const { return current_.shape.c * current_.shape.h * current_.shape.w; }

  void gemm(const pb::NodeProto& node) {
    ocelli::onnx::Attributes attrs(node);
    const double alpha = attrs.get_float("alpha", 1.0), beta = attrs.get_float("beta", 1.0);
    const auto trans_a = attrs.get_int("transA", 0), trans_b = attrs.get_int("transB", 0);
    attrs.get_int("broadcast", 0);
    attrs.reject_unused();
    if (trans_a != 0) refuse("transA=1 (the activations would have to be transposed)");
    const NumericTensor& b = constant_input(node, 1, "B");
    const auto c = optional_constant(node, 2, "C");
    if (b.dims.size() != 2) malformed(fmt::format("B of rank {}", b.dims.size()));
    const int k = flat_k();
    const int kb = static_cast<int>(trans_b ? b.dims[1] : b.dims[0]);
    const int n = static_cast<int>(trans_b ? b.dims[0] : b.dims[1]);
    if (kb != k) malformed(fmt::format("the input has K = {} but B gives K = {}", k, kb));
    std::vector<double> w(static_cast<std::size_t>(n) * k);
    for (int j = 0; j < n; ++j) {
      for (int i = 0; i < k; ++i) {
        const std::size_t src = trans_b ? static_cast<std::size_t>(j) * k + i : static_cast<std::size_t>(i) * n + j;
        w[static_cast<std::size_t>(j) * k + i] = alpha * b.values[src];
      }
    }
    std::vector<double> bias;
    if (c && c->elements() > 0) bias = per_output_bias(*c, n, beta);
    add_fc(node, std::move(w), std::move(bias), n);
  }

  // A bias that broadcasts over the batch: one value per output (or one for all). A per-row (per-image) C is refused.
  std::vector<double> per_output_bias(const NumericTensor& c, int n, double beta) {
    std::int64_t rows = 1, cols = 1;
    if (c.dims.size() == 1) {
      cols = c.dims[0];
    } else if (c.dims.size() == 2) {
      rows = c.dims[0];
      cols = c.dims[1];
    } else if (c.dims.size() > 2) {
      malformed(fmt::format("bias of rank {}", c.dims.size()));
    }
    if (cols != 1 && cols != n) malformed(fmt::format("bias dims [{}] do not broadcast to {} outputs", fmt::join(c.dims, ","), n));
    for (std::int64_t r = 1; r < rows; ++r) {
      for (std::int64_t j = 0; j < cols; ++j) {
        if (c.values[r * cols + j] != c.values[j]) {
          refuse("bias varies along the batch (the hardware bias is one value per output channel)");
        }
      }
    }
    std::vector<double> bias(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j) bias[j] = beta * c.values[cols == 1 ? 0 : j];
    return bias;
  }

  void matmul(const pb::NodeProto& node) {
    ocelli::onnx::Attributes attrs(node);
    attrs.reject_unused();
    const NumericTensor& b = constant_input(node, 1, "B");
    if (b.dims.size() != 2) refuse(fmt::format("B of rank {} (only 2-D MatMul is an FC layer)", b.dims.size()));
    const int k = flat_k();
    if (b.dims[0] != k) malformed(fmt::format("the input has K = {} but B is {}x{}", k, b.dims[0], b.dims[1]));
    const int n = static_cast<int>(b.dims[1]);
    std::vector<double> w(static_cast<std::size_t>(n) * k);
    for (int j = 0; j < n; ++j) {
      for (int i = 0; i < k; ++i) w[static_cast<std::size_t>(j) * k + i] = b.values[static_cast<std::size_t>(i) * n + j];
    }
    add_fc(node, std::move(w), {}, n);
    matmul_output_ = current_.name;
  }

  // Add of a constant right after MatMul (nothing in between): the FC's bias.
  void add(const pb::NodeProto& node) {
    ocelli::onnx::Attributes attrs(node);
    attrs.reject_unused();
    FloatLayer* prev = producer_layer();
    if (!prev || matmul_output_ != current_.name || !prev->bias.empty()) {
      refuse("Add is supported only as the bias of the MatMul right before it");
    }
    const NumericTensor& c = constant_input(node, 1, "B");
    prev->bias = per_output_bias(c, prev->desc.weight_shape.n, 1.0);
    prev->origin += fmt::format(" + Add '{}' (bias)", name_);
    advance(node, current_.shape, current_.flat);
    last_layer_output_ = current_.name;
  }

  struct Window {
    int kh = 1, kw = 1, sh = 1, sw = 1;
    ocelli::onnx::Pads pads;
  };

  Window window(ocelli::onnx::Attributes& attrs) {
    const auto auto_pad = attrs.get_string("auto_pad", "NOTSET");
    ocelli::onnx::require_unit_dilations(op_, attrs.get_ints("dilations", {1, 1}));
    if (!attrs.has("kernel_shape")) malformed("required attribute kernel_shape missing");
    const auto kernel = ocelli::onnx::two_ints(op_, "kernel_shape", attrs.get_ints("kernel_shape", {}));
    const auto strides = ocelli::onnx::two_ints(op_, "strides", attrs.get_ints("strides", {1, 1}));
    const auto pads_attr = attrs.get_ints("pads", {0, 0, 0, 0});
    Window w{static_cast<int>(kernel[0]), static_cast<int>(kernel[1]), static_cast<int>(strides[0]),
             static_cast<int>(strides[1]), {}};
    w.pads = ocelli::onnx::resolve_pads(op_, auto_pad, pads_attr, current_.shape.h, current_.shape.w, w.kh, w.kw, w.sh,
                                        w.sw);
    if (attrs.get_int("ceil_mode", 0) != 0) {
      auto partial = [](int in, int pad, int k, int s) { return (in + pad - k) % s != 0; };
      if (partial(current_.shape.h, w.pads.top + w.pads.bottom, w.kh, w.sh) ||
          partial(current_.shape.w, w.pads.left + w.pads.right, w.kw, w.sw)) {
        refuse("ceil_mode=1 with a partial last window");
      }
    }
    if (w.kh > kMaxWindow || w.kw > kMaxWindow) {
      refuse(fmt::format("window {}x{} (the hardware takes at most {}x{})", w.kh, w.kw, kMaxWindow, kMaxWindow));
    }
    return w;
  }

  void max_pool(const pb::NodeProto& node) {
    require_image("MaxPool");
    ocelli::onnx::Attributes attrs(node);
    const Window w = window(attrs);
    attrs.get_int("storage_order", 0);  // numbering of the Indices output, refused below
    attrs.reject_unused();
    require_single_output(node, "argmax indices");
    FloatLayer l;
    l.desc.kind = LayerKind::MaxPool;
    l.desc.in_shape = current_.shape;
    l.desc.pool = golden::PoolParams{w.kh, w.kw, w.sh, w.sw, w.pads.top, w.pads.bottom, w.pads.left, w.pads.right};
    try {
      l.desc.out_shape = golden::max_pool_output_shape(current_.shape, l.desc.pool);
    } catch (const std::invalid_argument& e) {
      refuse(e.what());
    }
    const Shape out = l.desc.out_shape;
    add_layer(std::move(l));
    finish_layer(node, out);
  }

  // AveragePool = depthwise convolution with weight 1/(kh*kw) on every tap (docs/numerics.md, "Average pooling").
  // Padding counts as zeros in the window, which is count_include_pad=1; with count_include_pad=0 a border window
  // divides by fewer elements, which one weight per tap cannot express.
  void average_pool(const pb::NodeProto& node) {
    require_image("AveragePool");
    ocelli::onnx::Attributes attrs(node);
    const Window w = window(attrs);
    const bool include_pad = attrs.get_int("count_include_pad", 0) != 0;
    attrs.reject_unused();
    const bool padded = w.pads.top || w.pads.bottom || w.pads.left || w.pads.right;
    if (padded && !include_pad) {
      refuse("padding with count_include_pad=0 (border windows divide by fewer elements; the hardware's average "
             "is a convolution with one weight 1/k per tap)");
    }
    const int c = current_.shape.c;
    add_depthwise(node, std::vector<double>(c, 1.0 / (w.kh * w.kw)), {}, w.kh, w.kw,
                  golden::ConvParams{w.sh, w.sw, w.pads.top, w.pads.bottom, w.pads.left, w.pads.right, c},
                  "a depthwise convolution with weights 1/k");
  }

  void global_average_pool(const pb::NodeProto& node) {
    require_image("GlobalAveragePool");
    ocelli::onnx::Attributes attrs(node);
    attrs.reject_unused();
    const int h = current_.shape.h, w = current_.shape.w, c = current_.shape.c;
    if (h > kMaxWindow || w > kMaxWindow) {
      refuse(fmt::format("input {}x{}: the average runs as a {}x{} filter, the hardware takes at most {}x{}", h, w, h,
                         w, kMaxWindow, kMaxWindow));
    }
    add_depthwise(node, std::vector<double>(c, 1.0 / (h * w)), {}, h, w, golden::ConvParams{1, 1, 0, 0, 0, 0, c},
                  "a depthwise convolution with weights 1/k");
  }

  void lrn(const pb::NodeProto& node) {
    require_image("LRN");
    ocelli::onnx::Attributes attrs(node);
    FloatLayer l;
    l.desc.kind = LayerKind::Lrn;
    l.desc.lrn.alpha = attrs.get_float("alpha", 1e-4);
    l.desc.lrn.beta = attrs.get_float("beta", 0.75);
    l.desc.lrn.k = attrs.get_float("bias", 1.0);
    if (!attrs.has("size")) malformed("required attribute size missing");
    l.desc.lrn.size = static_cast<int>(attrs.get_int("size", 0));
    attrs.reject_unused();
    if (l.desc.lrn.size % 2 == 0 || l.desc.lrn.size < 1 || l.desc.lrn.size > kMaxLrnSize) {
      refuse(fmt::format("size {} (the hardware's window is odd, 1..{})", l.desc.lrn.size, kMaxLrnSize));
    }
    if (!(l.desc.lrn.alpha > 0) || !(l.desc.lrn.k > 0) || l.desc.lrn.beta < 0) {
      refuse(fmt::format("alpha {} beta {} bias {} (needs alpha > 0, beta >= 0, bias > 0)", l.desc.lrn.alpha,
                         l.desc.lrn.beta, l.desc.lrn.k));
    }
    l.desc.in_shape = l.desc.out_shape = current_.shape;
    const Shape out = current_.shape;
    add_layer(std::move(l));
    finish_layer(node, out);
  }

  void flatten(const pb::NodeProto& node) {
    ocelli::onnx::Attributes attrs(node);
    auto axis = attrs.get_int("axis", 1);
    attrs.reject_unused();
    const int rank = current_.flat ? 2 : 4;
    if (axis < 0) axis += rank;
    if (axis != 1) {
      refuse(fmt::format("axis {} (only axis 1, N x C x H x W -> N x CHW, leaves the data as it is)", axis));
    }
    pass_through(node, true);
  }

  void reshape(const pb::NodeProto& node) {
    ocelli::onnx::Attributes attrs(node);
    const bool allow_zero = attrs.get_int("allowzero", 0) != 0;
    attrs.get_ints("shape", {});  // opset 1-4 attribute form
    attrs.reject_unused();
    std::vector<std::int64_t> target;
    if (node.input_size() >= 2) {
      for (double v : constant_input(node, 1, "shape").values) target.push_back(static_cast<std::int64_t>(v));
    } else {
      refuse("Reshape with a shape attribute (opset < 5)");
    }
    const std::vector<std::int64_t> in = current_.flat
                                             ? std::vector<std::int64_t>{1, flat_k()}
                                             : std::vector<std::int64_t>{1, current_.shape.c, current_.shape.h,
                                                                         current_.shape.w};
    std::int64_t total = flat_k(), known = 1;
    int infer = -1;
    std::vector<std::int64_t> out = target;
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (out[i] == 0 && !allow_zero) {
        if (i >= in.size()) malformed("shape copies a dimension the input does not have");
        out[i] = in[i];
      }
      if (out[i] == -1) {
        if (infer >= 0) malformed("shape has two -1 entries");
        infer = static_cast<int>(i);
      } else {
        known *= out[i];
      }
    }
    if (infer >= 0) out[infer] = known > 0 ? total / known : 0;
    // N x K (the flat view) or the same N x C x H x W: the data stays where it is.
    if (out.size() == 2 && out[0] == 1 && out[1] == total) {
      pass_through(node, true);
      return;
    }
    if (out == in) {
      pass_through(node, current_.flat);
      return;
    }
    refuse(fmt::format("shape [{}] from [{}] (batch 1) moves data; only N x K flattening or the same shape are "
                       "layout-free",
                       fmt::join(out, ","), fmt::join(in, ",")));
  }

  void drop(const pb::NodeProto& node) {
    ocelli::onnx::Attributes attrs(node);
    if (op_ == "Dropout") {
      attrs.get_float("ratio", 0.5);
      attrs.get_int("is_test", 1);
      attrs.get_ints("consumed_inputs", {});
      if (attrs.get_int("seed", 0) != 0) { /* randomness of training only */ }
      if (node.input_size() >= 3 && !node.input(2).empty()) {
        const auto& t = constant_input(node, 2, "training_mode");
        if (!t.values.empty() && t.values[0] != 0) refuse("training_mode=true (random dropout at inference)");
      }
      require_single_output(node, "dropout mask");
    }
    attrs.reject_unused();
    net_.dropped.push_back(fmt::format("{} '{}'", op_, name_));
    pass_through(node, current_.flat);
  }

  void finish() {
    if (graph_.output_size() != 1) {
      throw Refused(graph_.name(), "graph", fmt::format("{} graph outputs (ocelli runs chains with one output)",
                                                        graph_.output_size()));
    }
    if (graph_.output(0).name() != current_.name) {
      throw Refused(graph_.output(0).name(), "graph output",
                    fmt::format("is not the end of the chain ('{}')", current_.name));
    }
    if (net_.layers.empty()) {
      // Only layout nodes (Flatten, Dropout, ...): an identity layer, a depthwise 1x1 convolution with weight 1
      // (exact: frac_w 0, shift 0), gives the hardware something to run.
      if (current_.shape.c > kMaxGroups) {
        throw Refused(graph_.name(), "graph", fmt::format("no computing layer, and the identity layer would need {} "
                                                          "groups (at most {})",
                                                          current_.shape.c, kMaxGroups));
      }
      FloatLayer l;
      l.desc.kind = LayerKind::Conv;
      l.desc.name = "identity";
      l.desc.in_shape = l.desc.out_shape = current_.shape;
      l.desc.weight_shape = Shape{current_.shape.c, 1, 1, 1};
      l.desc.conv.groups = current_.shape.c;
      l.weights.assign(static_cast<std::size_t>(current_.shape.c), 1.0);
      l.origin = "identity (the graph has no computing node)";
      l.node = graph_.name();
      l.op_type = "graph";
      net_.layers.push_back(std::move(l));
    }
    if (current_.flat) {
      net_.output_dims_per_image = {flat_k()};
    } else {
      net_.output_dims_per_image = {current_.shape.c, current_.shape.h, current_.shape.w};
    }
  }

  const pb::GraphProto& graph_;
  const std::map<std::string, NumericTensor>& constants_;
  std::map<std::string, NumericTensor> values_;
  FloatNetwork net_;
  Activation current_;
  std::string last_layer_output_, matmul_output_;
  std::string name_, op_;
};

}  // namespace

void check_operators(const pb::ModelProto& model) {
  for (int i = 0; i < model.graph().node_size(); ++i) {
    const auto& node = model.graph().node(i);
    if (!known_operator(node)) {
      const std::string op = node.domain().empty() ? node.op_type() : node.domain() + "." + node.op_type();
      throw Refused(node_name(node, i), op, kUnsupportedOperator);
    }
  }
}

FloatNetwork lower_model(const pb::ModelProto& model, const std::map<std::string, NumericTensor>& constants) {
  check_operators(model);
  return Lowering(model, constants).run();
}

FloatNetwork lower_model_file(const std::string& path, const std::map<std::string, NumericTensor>& constants) {
  return lower_model(ocelli::onnx::load_model_file(path), constants);
}

}  // namespace ocelli::import
