#include "ops.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "ocelli/golden/layers.hpp"
#include "ocelli/onnx/attributes.hpp"
#include "ocelli/onnx/quantize.hpp"

namespace ocelli::onnx {
namespace {

namespace pb = ::onnx;
using golden::Shape;
using golden::Tensor16;
using golden::Tensor32;

// What the row-stationary array can map natively (docs/onnx-crosscheck.md; chip spec in docs/eyeriss-reference.md).
struct HardwareLimits {
  int max_filter_h = 12;
  int max_filter_w = 32;
  int max_filters = 1024;
  int max_channels = 1024;
  int max_stride_w = 12;
  std::vector<int> strides_h = {1, 2, 4};
};
const HardwareLimits kLimits;

constexpr double kFloat32Unit = 1.0 / (1 << 24);  // unit roundoff of float32

const NumericTensor& required_input(const std::vector<std::optional<NumericTensor>>& in, std::size_t i,
                                    const std::string& op, const char* what) {
  if (i >= in.size() || !in[i]) throw std::runtime_error(fmt::format("{}: missing input {} ({})", op, i, what));
  return *in[i];
}

std::optional<NumericTensor> optional_input(const std::vector<std::optional<NumericTensor>>& in, std::size_t i) {
  return i < in.size() ? in[i] : std::nullopt;
}

void require_rank(const NumericTensor& t, std::size_t rank, const std::string& what) {
  if (t.dims.size() != rank) {
    throw Unsupported(fmt::format("{} of rank {} (dims [{}]); only rank {} is supported", what, t.dims.size(),
                                  fmt::join(t.dims, ","), rank));
  }
}

// Fractional bits for a tensor: integer data is used as is (frac 0), float data gets the finest format that holds it.
int frac_for(const NumericTensor& t, int max_frac = kMaxFrac) {
  if (t.kind == ElementKind::Integer) {
    for (double v : t.values) {
      if (v < -32768 || v > 32767) {
        throw Unsupported(fmt::format("{} integer value {} outside int16", t.name, v));
      }
    }
    return 0;
  }
  return std::min(choose_frac(t.max_abs()), max_frac);
}

Tensor16 to_fixed(const NumericTensor& t, const Shape& shape, int frac) {
  Tensor16 out(shape, frac);
  if (out.data.size() != t.values.size()) {
    throw std::logic_error(fmt::format("{}: shape holds {} elements, tensor {}", t.name, out.data.size(),
                                       t.values.size()));
  }
  out.data = quantize16(t.values, frac);
  return out;
}

NumericTensor to_numeric(const Tensor16& t, std::vector<std::int64_t> dims, ElementKind kind, int onnx_type,
                         const std::string& name) {
  NumericTensor out;
  out.name = name;
  out.dims = std::move(dims);
  out.kind = kind;
  out.onnx_type = onnx_type;
  out.values.resize(t.data.size());
  for (std::size_t i = 0; i < t.data.size(); ++i) out.values[i] = std::ldexp(static_cast<double>(t.data[i]), -t.frac);
  return out;
}

double max_abs_fixed(const Tensor16& t) {
  int m = 0;
  for (auto v : t.data) m = std::max(m, std::abs(static_cast<int>(v)));
  return std::ldexp(static_cast<double>(m), -t.frac);
}

Shape nchw(const NumericTensor& t) {
  return Shape{static_cast<int>(t.dims[0]), static_cast<int>(t.dims[1]), static_cast<int>(t.dims[2]),
               static_cast<int>(t.dims[3])};
}

// The result of an int32 accumulation whose formats were chosen so nothing overflowed.
struct Accumulation {
  Tensor32 acc;
  int frac_x = 0, frac_w = 0;
  double max_abs_x_fixed = 0.0;
  bool has_bias = false;
};

// Quantizes x, w and (scaled) bias, runs `compute`, and if any output overflowed int32 gives up a bit of the finer
// operand format and retries: calibration by construction, deterministic.
template <class Compute>
Accumulation accumulate_without_overflow(const std::string& op, const NumericTensor& x, const Shape& x_shape,
                                         const NumericTensor& w, const Shape& w_shape,
                                         const std::vector<double>& bias, Compute compute) {
  int fx = frac_for(x), fw = frac_for(w);
  const bool x_float = x.kind == ElementKind::Float, w_float = w.kind == ElementKind::Float;
  for (;;) {
    bool overflow = false;
    std::vector<std::int32_t> bias_fixed;
    try {
      bias_fixed = quantize32(bias, fx + fw);
    } catch (const std::range_error&) {
      overflow = true;
    }
    Accumulation r;
    if (!overflow) {
      Tensor16 xq = to_fixed(x, x_shape, fx);
      Tensor16 wq = to_fixed(w, w_shape, fw);
      golden::LayerStats stats;
      r.acc = compute(xq, wq, bias_fixed, &stats);
      overflow = stats.acc_overflows != 0;
      r.frac_x = fx;
      r.frac_w = fw;
      r.max_abs_x_fixed = max_abs_fixed(xq);
      r.has_bias = !bias.empty();
      if (!overflow) return r;
    }
    const bool can_x = x_float && fx > kMinFrac, can_w = w_float && fw > kMinFrac;
    if (can_w && (fw >= fx || !can_x)) {
      --fw;
    } else if (can_x) {
      --fx;
    } else {
      throw Unsupported(fmt::format("{}: int32 accumulator overflows even with frac_x {} frac_w {}", op, fx, fw));
    }
  }
}

// Requantizes an accumulation to the finest int16 format that holds it, and derives the comparison tolerance:
// |error| <= K*(max|x^|*dw/2 + max|w|*dx/2) + db/2 + dout/2 + gamma_(K+1)*(K*max|x|*max|w| + max|b|),
// the last term being the float32 rounding of the reference itself (Higham's bound for a K-term dot product).
OpOutput finish_linear(const std::string& op, const Accumulation& a, const NumericTensor& x, const NumericTensor& w,
                       double max_abs_bias, std::int64_t taps, std::vector<std::int64_t> out_dims,
                       const std::string& out_name) {
  const bool integer = x.kind == ElementKind::Integer && w.kind == ElementKind::Integer;
  const int s = shift_to_fit(a.acc.data);
  if (integer && s > 0) throw Unsupported(fmt::format("{}: integer result does not fit int16", op));
  const int out_frac = a.acc.frac - s;
  golden::LayerStats stats;
  Tensor16 y = golden::requantize(a.acc, out_frac, false, &stats);

  OpOutput out;
  out.tensor = to_numeric(y, std::move(out_dims), integer ? ElementKind::Integer : ElementKind::Float,
                          integer ? x.onnx_type : pb::TensorProto_DataType_FLOAT, out_name);
  if (integer) {
    out.tolerance = {0.0};
    out.tolerance_note = "integer: exact";
    return out;
  }
  const double K = static_cast<double>(taps);
  const double dx = step(a.frac_x), dw = step(a.frac_w);
  const double quant = K * (a.max_abs_x_fixed * dw / 2 + w.max_abs() * dx / 2) +
                       (a.has_bias ? step(a.frac_x + a.frac_w) / 2 : 0.0) + (s > 0 ? step(out_frac) / 2 : 0.0);
  const double n = K + 1;
  const double gamma = n * kFloat32Unit / (1 - n * kFloat32Unit);
  const double reference = gamma * (K * x.max_abs() * w.max_abs() + max_abs_bias);
  out.tolerance = {quant + reference};
  out.tolerance_note = fmt::format("frac x {} w {} acc {} out {} (shift {}), K {}: quantization {:.3g} + float32 "
                                   "reference {:.3g}",
                                   a.frac_x, a.frac_w, a.acc.frac, out_frac, s, taps, quant, reference);
  return out;
}

std::vector<OpOutput> run_conv(const pb::NodeProto& node, const std::vector<std::optional<NumericTensor>>& in) {
  const std::string op = "Conv";
  Attributes attrs(node);
  const NumericTensor& x = required_input(in, 0, op, "X");
  const NumericTensor& w = required_input(in, 1, op, "W");
  const auto b = optional_input(in, 2);
  require_rank(x, 4, "Conv input X");
  require_rank(w, 4, "Conv weights W");
  const auto auto_pad = attrs.get_string("auto_pad", "NOTSET");
  require_unit_dilations(op, attrs.get_ints("dilations", {1, 1}));
  const auto group = attrs.get_int("group", 1);
  const auto kernel = two_ints(op, "kernel_shape", attrs.get_ints("kernel_shape", {w.dims[2], w.dims[3]}));
  const auto strides = two_ints(op, "strides", attrs.get_ints("strides", {1, 1}));
  const auto pads_attr = attrs.get_ints("pads", {0, 0, 0, 0});
  attrs.reject_unused();

  if (kernel[0] != w.dims[2] || kernel[1] != w.dims[3]) {
    throw std::runtime_error(fmt::format("Conv: kernel_shape [{}] differs from W dims [{}]", fmt::join(kernel, ","),
                                         fmt::join(w.dims, ",")));
  }
  const Shape xs = nchw(x), ws = nchw(w);
  if (group < 1 || xs.c % group != 0 || ws.n % group != 0 || ws.c != xs.c / group) {
    throw std::runtime_error(fmt::format("Conv: group {} inconsistent with X channels {} and W dims [{}]", group,
                                         xs.c, fmt::join(w.dims, ",")));
  }
  const int kh = ws.h, kw = ws.w, sh = static_cast<int>(strides[0]), sw = static_cast<int>(strides[1]);
  if (kh > kLimits.max_filter_h || kw > kLimits.max_filter_w) {
    throw Unsupported(fmt::format("Conv filter {}x{} (hardware: height <= {}, width <= {})", kh, kw,
                                  kLimits.max_filter_h, kLimits.max_filter_w));
  }
  if (std::find(kLimits.strides_h.begin(), kLimits.strides_h.end(), sh) == kLimits.strides_h.end() ||
      sw > kLimits.max_stride_w) {
    throw Unsupported(fmt::format("Conv strides [{},{}] (hardware: vertical 1, 2 or 4; horizontal 1..{})", sh, sw,
                                  kLimits.max_stride_w));
  }
  if (ws.n > kLimits.max_filters || ws.c > kLimits.max_channels) {
    throw Unsupported(fmt::format("Conv with {} filters of {} channels (hardware: <= {} and <= {})", ws.n, ws.c,
                                  kLimits.max_filters, kLimits.max_channels));
  }
  const Pads pads = resolve_pads(op, auto_pad, pads_attr, xs.h, xs.w, kh, kw, sh, sw);

  golden::ConvParams p;
  p.stride_h = sh;
  p.stride_w = sw;
  p.pad_top = pads.top;
  p.pad_bottom = pads.bottom;
  p.pad_left = pads.left;
  p.pad_right = pads.right;
  p.groups = static_cast<int>(group);
  const Shape out_shape = golden::conv2d_output_shape(xs, ws, p);

  std::vector<double> bias;
  double max_abs_bias = 0.0;
  if (b) {
    if (b->elements() != static_cast<std::size_t>(ws.n)) {
      throw std::runtime_error(fmt::format("Conv: bias has {} entries for {} filters", b->elements(), ws.n));
    }
    bias = b->values;
    max_abs_bias = b->max_abs();
  }
  auto acc = accumulate_without_overflow(
      op, x, xs, w, ws, bias,
      [&](const Tensor16& xq, const Tensor16& wq, const std::vector<std::int32_t>& bq, golden::LayerStats* st) {
        return golden::conv2d_accumulate(xq, wq, bq, p, st);
      });
  std::vector<OpOutput> outs;
  outs.push_back(finish_linear(op, acc, x, w, max_abs_bias, static_cast<std::int64_t>(ws.c) * kh * kw,
                               {out_shape.n, out_shape.c, out_shape.h, out_shape.w}, node.output(0)));
  return outs;
}

std::vector<OpOutput> run_gemm(const pb::NodeProto& node, const std::vector<std::optional<NumericTensor>>& in) {
  const std::string op = "Gemm";
  Attributes attrs(node);
  const NumericTensor& a = required_input(in, 0, op, "A");
  const NumericTensor& b = required_input(in, 1, op, "B");
  const auto c = optional_input(in, 2);
  const double alpha = attrs.get_float("alpha", 1.0);
  const double beta = attrs.get_float("beta", 1.0);
  const auto trans_a = attrs.get_int("transA", 0);
  const auto trans_b = attrs.get_int("transB", 0);
  // Opset < 7: broadcast=1 lets C broadcast, broadcast=0 requires C of shape (M, N); both are handled below.
  attrs.get_int("broadcast", 0);
  attrs.reject_unused();
  require_rank(a, 2, "Gemm input A");
  require_rank(b, 2, "Gemm input B");
  if (trans_a != 0) throw Unsupported("Gemm transA=1 (activations would have to be transposed)");
  if (alpha != 1.0) throw Unsupported(fmt::format("Gemm alpha={} (the array has no product scaling)", alpha));

  const int m = static_cast<int>(a.dims[0]), k = static_cast<int>(a.dims[1]);
  const int kb = static_cast<int>(trans_b ? b.dims[1] : b.dims[0]);
  const int n = static_cast<int>(trans_b ? b.dims[0] : b.dims[1]);
  if (kb != k) throw std::runtime_error(fmt::format("Gemm: A is {}x{} but B gives K = {}", m, k, kb));

  // FC weights are (N outputs, K inputs): B transposed when transB=0 (a weight layout choice, done offline).
  NumericTensor weights = b;
  if (!trans_b) {
    for (int j = 0; j < n; ++j) {
      for (int i = 0; i < k; ++i) weights.values[static_cast<std::size_t>(j) * k + i] = b.values[static_cast<std::size_t>(i) * n + j];
    }
  }
  weights.dims = {n, k};

  // The hardware bias is one value per output channel: C must not vary along M. beta folds into the bias constants.
  std::vector<double> bias;
  double max_abs_bias = 0.0;
  if (c && c->elements() > 0) {
    std::int64_t rows = 1, cols = 1;
    if (c->dims.size() == 1) {
      cols = c->dims[0];
    } else if (c->dims.size() == 2) {
      rows = c->dims[0];
      cols = c->dims[1];
    } else if (c->dims.size() > 2) {
      throw std::runtime_error(fmt::format("Gemm: C of rank {}", c->dims.size()));
    }
    if ((rows != 1 && rows != m) || (cols != 1 && cols != n)) {
      throw std::runtime_error(fmt::format("Gemm: C dims [{}] do not broadcast to {}x{}", fmt::join(c->dims, ","), m, n));
    }
    bias.resize(n);
    for (int j = 0; j < n; ++j) bias[j] = beta * c->values[cols == 1 ? 0 : j];
    for (std::int64_t r = 1; r < rows; ++r) {
      for (int j = 0; j < n; ++j) {
        if (c->values[r * cols + (cols == 1 ? 0 : j)] != c->values[cols == 1 ? 0 : j]) {
          throw Unsupported("Gemm bias C varies along M (a per-row bias; the hardware bias is per output channel)");
        }
      }
    }
    for (double v : bias) max_abs_bias = std::max(max_abs_bias, std::fabs(v));
  }

  const Shape xs{m, k, 1, 1}, ws{n, k, 1, 1};
  auto acc = accumulate_without_overflow(
      op, a, xs, weights, ws, bias,
      [&](const Tensor16& xq, const Tensor16& wq, const std::vector<std::int32_t>& bq, golden::LayerStats* st) {
        return golden::fc_accumulate(xq, wq, bq, st);
      });
  std::vector<OpOutput> outs;
  outs.push_back(finish_linear(op, acc, a, weights, max_abs_bias, k, {m, n}, node.output(0)));
  return outs;
}

std::vector<OpOutput> run_max_pool(const pb::NodeProto& node, const std::vector<std::optional<NumericTensor>>& in) {
  const std::string op = "MaxPool";
  Attributes attrs(node);
  const NumericTensor& x = required_input(in, 0, op, "X");
  require_rank(x, 4, "MaxPool input X");
  const auto auto_pad = attrs.get_string("auto_pad", "NOTSET");
  const auto ceil_mode = attrs.get_int("ceil_mode", 0);
  require_unit_dilations(op, attrs.get_ints("dilations", {1, 1}));
  if (!attrs.has("kernel_shape")) throw std::runtime_error("MaxPool: required attribute kernel_shape missing");
  const auto kernel = two_ints(op, "kernel_shape", attrs.get_ints("kernel_shape", {}));
  const auto strides = two_ints(op, "strides", attrs.get_ints("strides", {1, 1}));
  const auto pads_attr = attrs.get_ints("pads", {0, 0, 0, 0});
  // storage_order only changes how the optional Indices output numbers elements; that output is refused below.
  attrs.get_int("storage_order", 0);
  attrs.reject_unused();
  if (node.output_size() > 1 && !node.output(1).empty()) {
    throw Unsupported("MaxPool Indices output (argmax positions)");
  }
  const Shape xs = nchw(x);
  const int kh = static_cast<int>(kernel[0]), kw = static_cast<int>(kernel[1]);
  const int sh = static_cast<int>(strides[0]), sw = static_cast<int>(strides[1]);
  const Pads pads = resolve_pads(op, auto_pad, pads_attr, xs.h, xs.w, kh, kw, sh, sw);
  if (ceil_mode != 0) {
    auto differs = [](int in, int pad, int k, int s) { return (in + pad - k) % s != 0; };
    if (differs(xs.h, pads.top + pads.bottom, kh, sh) || differs(xs.w, pads.left + pads.right, kw, sw)) {
      throw Unsupported("MaxPool ceil_mode=1 with a partial last window");
    }
  }
  golden::PoolParams p;
  p.kernel_h = kh;
  p.kernel_w = kw;
  p.stride_h = sh;
  p.stride_w = sw;
  p.pad_top = pads.top;
  p.pad_bottom = pads.bottom;
  p.pad_left = pads.left;
  p.pad_right = pads.right;

  const int fx = frac_for(x);
  const Tensor16 y = golden::max_pool(to_fixed(x, xs, fx), p);
  OpOutput out;
  out.tensor = to_numeric(y, {y.shape.n, y.shape.c, y.shape.h, y.shape.w}, x.kind, x.onnx_type, node.output(0));
  const bool integer = x.kind == ElementKind::Integer;
  out.tolerance = {integer ? 0.0 : step(fx) / 2};
  out.tolerance_note = integer ? "integer: exact" : fmt::format("frac {}: input quantization step/2", fx);
  std::vector<OpOutput> outs;
  outs.push_back(std::move(out));
  return outs;
}

std::vector<OpOutput> run_relu(const pb::NodeProto& node, const std::vector<std::optional<NumericTensor>>& in) {
  Attributes attrs(node);
  attrs.reject_unused();
  const NumericTensor& x = required_input(in, 0, "Relu", "X");
  const int fx = frac_for(x);
  // Element-wise, so any rank maps onto a flat tensor.
  const Shape flat{1, 1, 1, static_cast<int>(x.elements())};
  const Tensor16 y = golden::relu(to_fixed(x, flat, fx));
  OpOutput out;
  out.tensor = to_numeric(y, x.dims, x.kind, x.onnx_type, node.output(0));
  const bool integer = x.kind == ElementKind::Integer;
  out.tolerance = {integer ? 0.0 : step(fx) / 2};
  out.tolerance_note = integer ? "integer: exact" : fmt::format("frac {}: input quantization step/2", fx);
  std::vector<OpOutput> outs;
  outs.push_back(std::move(out));
  return outs;
}

std::vector<OpOutput> run_lrn(const pb::NodeProto& node, const std::vector<std::optional<NumericTensor>>& in) {
  const std::string op = "LRN";
  Attributes attrs(node);
  golden::LrnParams params;
  params.alpha = attrs.get_float("alpha", 1e-4);
  params.beta = attrs.get_float("beta", 0.75);
  params.k = attrs.get_float("bias", 1.0);
  if (!attrs.has("size")) throw std::runtime_error("LRN: required attribute size missing");
  params.size = static_cast<int>(attrs.get_int("size", 0));
  attrs.reject_unused();
  const NumericTensor& x = required_input(in, 0, op, "X");
  require_rank(x, 4, "LRN input X");
  if (params.size % 2 == 0) {
    throw Unsupported(fmt::format("LRN size {} is even (the window would be asymmetric)", params.size));
  }
  if (x.kind == ElementKind::Integer) throw Unsupported("LRN on integer data");
  const Shape xs = nchw(x);
  const int fx = frac_for(x, 15);  // the LUT is defined for input formats 0..15
  const Tensor16 xq = to_fixed(x, xs, fx);
  golden::LrnTable table;
  try {
    table = golden::make_lrn_table(params, fx);
  } catch (const std::invalid_argument& e) {
    throw Unsupported(fmt::format("LRN parameters: {}", e.what()));
  }
  golden::LayerStats stats;
  const Tensor16 y = golden::lrn(xq, table, &stats);

  OpOutput out;
  out.tensor = to_numeric(y, x.dims, ElementKind::Float, pb::TensorProto_DataType_FLOAT, node.output(0));
  // Per-element bound around the exact LRN of the quantized input x^:
  //  input quantization: sum_j |dy_c/dx_j| * dx/2 with dy_c/dx_j = f*[c==j] + x_c*f'(S)*2*x_j,
  //  LUT bucketing: |y| * beta*a*S/(k + a*S) * 2^-mantissa_bits (elasticity of f times the relative width of a
  //  pseudo-float bucket, a = alpha/size, S at the bucket's upper end),
  //  sums below 2^exp_min (treated as one bucket): |y| * beta * alpha/size*2^exp_min*dx^2 / k,
  //  LUT entry rounding: |x| * 2^-lut_frac, output rounding dx/2, float32 reference rounding.
  const double dx = step(fx);
  const double a_n = params.alpha / params.size;
  const double small_sum = std::ldexp(1.0, table.exp_min) * dx * dx;
  out.tolerance.resize(xq.data.size());
  const int half = params.size / 2;
  for (int n = 0; n < xs.n; ++n) {
    for (int c = 0; c < xs.c; ++c) {
      for (int h = 0; h < xs.h; ++h) {
        for (int w = 0; w < xs.w; ++w) {
          double sum = 0.0, sum_abs = 0.0;
          for (int j = std::max(0, c - half); j <= std::min(xs.c - 1, c + half); ++j) {
            const double v = std::ldexp(static_cast<double>(xq.at(n, j, h, w)), -fx);
            sum += v * v;
            sum_abs += std::fabs(v);
          }
          const double xc = std::ldexp(static_cast<double>(xq.at(n, c, h, w)), -fx);
          const double base = params.k + a_n * sum;
          const double f = std::pow(base, -params.beta);
          const double fprime = params.beta * a_n * f / base;
          const double y_abs = std::fabs(xc) * f;
          const double input = (f + std::fabs(xc) * fprime * 2 * (sum_abs + dx)) * dx / 2;
          // f changes by at most elasticity * relative bucket width across a bucket holding S (S <= upper end).
          const double s_hi = sum * (1 + std::ldexp(1.0, -table.mantissa_bits));
          const double elasticity = params.beta * a_n * s_hi / (params.k + a_n * s_hi);
          const double lut = y_abs * (elasticity * std::ldexp(1.0, -table.mantissa_bits) +
                                      params.beta * a_n * small_sum / params.k) +
                             std::fabs(xc) * std::ldexp(1.0, -table.lut_frac);
          out.tolerance[xq.index(n, c, h, w)] = input + lut + dx / 2 + 4 * kFloat32Unit * y_abs;
        }
      }
    }
  }
  out.tolerance_note = fmt::format("frac {}, LUT mantissa bits {}, lut_frac {}, exp_min {}: per-element bound", fx,
                                   table.mantissa_bits, table.lut_frac, table.exp_min);
  std::vector<OpOutput> outs;
  outs.push_back(std::move(out));
  return outs;
}

}  // namespace

bool is_supported_operator(const pb::NodeProto& node) {
  static const std::set<std::string> ops = {"Conv", "Gemm", "MaxPool", "Relu", "LRN"};
  return (node.domain().empty() || node.domain() == "ai.onnx") && ops.count(node.op_type()) != 0;
}

std::vector<OpOutput> run_node(const pb::NodeProto& node, const std::vector<std::optional<NumericTensor>>& inputs,
                               std::ostream* verbose) {
  if (!node.domain().empty() && node.domain() != "ai.onnx") {
    throw Unsupported(fmt::format("operator domain '{}'", node.domain()));
  }
  const std::string& op = node.op_type();
  std::vector<OpOutput> outs;
  if (op == "Conv") {
    outs = run_conv(node, inputs);
  } else if (op == "Gemm") {
    outs = run_gemm(node, inputs);
  } else if (op == "MaxPool") {
    outs = run_max_pool(node, inputs);
  } else if (op == "Relu") {
    outs = run_relu(node, inputs);
  } else if (op == "LRN") {
    outs = run_lrn(node, inputs);
  } else {
    throw Unsupported(fmt::format("operator {}", op));
  }
  if (verbose) {
    for (const auto& o : outs) *verbose << fmt::format("  {}: {}\n", o.tensor.name, o.tolerance_note);
  }
  return outs;
}

}  // namespace ocelli::onnx
