#include "ocelli/import/quantizer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/core.h>

#include "ocelli/golden/layers.hpp"
#include "ocelli/onnx/quantize.hpp"

namespace ocelli::import {
namespace {

using golden::LayerKind;
using golden::Shape;
using golden::Tensor16;

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// choose_frac's rule (largest frac that holds the range in int16), bounded to [0, cap].
int frac_for_range(double range, int cap) {
  if (range == 0.0) return cap;
  try {
    return std::min(ocelli::onnx::choose_frac(range), cap);
  } catch (const ocelli::onnx::Unsupported&) {
    return -1;
  }
}

// Chooses the weight and output formats of a conv/fc layer on the calibration activations `x` (docs/numerics.md):
// the finest weight format that holds the weights, the bias fits int32 in the accumulator format and no calibration
// accumulator overflows; then the finest output format (<= the activation cap) that holds every calibration output.
struct LinearChoice {
  golden::LayerParams params;
  golden::Tensor32 acc;
  int weight_frac = 0, out_frac = 0;
};

LinearChoice choose_linear(const FloatLayer& layer, const Tensor16& x, const QuantizeOptions& o) {
  const golden::LayerDesc& d = layer.desc;
  int fw = frac_for_range(max_abs(layer.weights), 31);
  if (fw < 0) {
    throw std::invalid_argument(fmt::format("layer '{}' ({}): weights up to {} do not fit int16", d.name, layer.origin,
                                            max_abs(layer.weights)));
  }
  for (; fw >= 0; --fw) {
    LinearChoice c;
    c.weight_frac = fw;
    try {
      // No bias: zeros (the golden's networks carry one bias entry per filter).
      c.params.bias = layer.bias.empty() ? std::vector<std::int32_t>(static_cast<std::size_t>(d.weight_shape.n), 0)
                                         : ocelli::onnx::quantize32(layer.bias, x.frac + fw);
    } catch (const std::range_error&) {
      continue;  // the bias needs a coarser accumulator format
    }
    c.params.weights = Tensor16(d.weight_shape, fw);
    c.params.weights.data = ocelli::onnx::quantize16(layer.weights, fw);
    golden::LayerStats stats;
    c.acc = d.kind == LayerKind::Conv ? golden::conv2d_accumulate(x, c.params.weights, c.params.bias, d.conv, &stats)
                                      : golden::fc_accumulate(x, c.params.weights, c.params.bias, &stats);
    if (stats.acc_overflows != 0) continue;
    const int shift = ocelli::onnx::shift_to_fit(c.acc.data);
    c.out_frac = std::min(o.max_activation_frac, x.frac + fw - shift) - o.headroom_bits;
    if (c.out_frac < 0) {
      throw std::invalid_argument(fmt::format("layer '{}' ({}): outputs up to {:.6g} do not fit int16 even with 0 "
                                              "fractional bits",
                                              d.name, layer.origin,
                                              std::ldexp(static_cast<double>(INT32_MAX), -c.acc.frac)));
    }
    if (x.frac + fw - c.out_frac > 31) continue;  // shift beyond the requantizer's 0..31
    return c;
  }
  throw std::invalid_argument(fmt::format("layer '{}' ({}): no weight format keeps the int32 accumulator from "
                                          "overflowing on the calibration inputs",
                                          d.name, layer.origin));
}

}  // namespace

golden::Tensor16 quantize_input(const ocelli::onnx::NumericTensor& data, const Shape& per_image, int frac,
                                std::uint64_t* saturated) {
  const std::size_t per = per_image.elements();
  if (data.dims.empty() || per == 0 || data.elements() % per != 0 ||
      data.elements() / per != static_cast<std::size_t>(data.dims[0])) {
    std::string dims;
    for (auto d : data.dims) dims += (dims.empty() ? "" : ",") + std::to_string(d);
    throw std::invalid_argument(fmt::format("input '{}' of dims [{}] is not N images of {}x{}x{}", data.name, dims,
                                            per_image.c, per_image.h, per_image.w));
  }
  Tensor16 t(Shape{static_cast<int>(data.dims[0]), per_image.c, per_image.h, per_image.w}, frac);
  t.data = ocelli::onnx::quantize16_saturating(data.values, frac, saturated);
  return t;
}

QuantizedModel quantize(const FloatNetwork& net, const ocelli::onnx::NumericTensor& calibration,
                        const QuantizeOptions& o) {
  QuantizedModel q;
  const int in_frac = frac_for_range(calibration.max_abs(), o.max_activation_frac);
  if (in_frac < 0) {
    throw std::invalid_argument(fmt::format("calibration input values up to {} do not fit int16", calibration.max_abs()));
  }
  q.calibration_input = quantize_input(calibration, net.input_shape, in_frac);
  const int batch = q.calibration_input.shape.n;
  golden::NetworkDesc& desc = q.network.desc;
  desc.name = net.name;
  desc.input_shape = q.calibration_input.shape;
  desc.input_frac = in_frac;

  Tensor16 x = q.calibration_input;
  for (const FloatLayer& fl : net.layers) {
    golden::LayerDesc d = fl.desc;
    d.in_shape.n = d.out_shape.n = batch;
    d.in_frac = x.frac;
    LayerFormat f;
    f.name = d.name;
    f.kind = golden::to_string(d.kind);
    f.origin = fl.origin;
    f.node = fl.node;
    f.op_type = fl.op_type;
    f.in_frac = x.frac;
    golden::LayerParams params;
    golden::LayerStats stats;
    Tensor16 y;
    if (d.has_weights()) {
      LinearChoice c = choose_linear(fl, x, o);
      d.weight_frac = f.weight_frac = c.weight_frac;
      d.out_frac = c.out_frac;
      for (std::size_t i = 0; i < fl.weights.size(); ++i) {
        if (fl.weights[i] != 0.0 && c.params.weights.data[i] == 0) ++f.weights_rounded_to_zero;
      }
      std::int64_t extreme = 0;
      for (auto v : c.acc.data) extreme = std::max<std::int64_t>(extreme, std::abs(static_cast<std::int64_t>(v)));
      f.max_abs_out = std::ldexp(static_cast<double>(extreme), -c.acc.frac);
      y = golden::requantize(c.acc, d.out_frac, d.relu, &stats);
      params = std::move(c.params);
    } else if (d.kind == LayerKind::MaxPool) {
      d.out_frac = x.frac;
      y = golden::max_pool(x, d.pool);
    } else {
      d.out_frac = x.frac;
      y = golden::lrn(x, golden::make_lrn_table(d.lrn, x.frac), &stats);
    }
    if (!d.has_weights()) {
      int m = 0;
      for (auto v : y.data) m = std::max(m, std::abs(static_cast<int>(v)));
      f.max_abs_out = std::ldexp(static_cast<double>(m), -y.frac);
    }
    f.out_frac = d.out_frac;
    f.saturated = stats.saturated;
    desc.layers.push_back(d);
    q.network.params.push_back(std::move(params));
    q.formats.push_back(f);
    x = std::move(y);
  }
  golden::validate(q.network);
  return q;
}

}  // namespace ocelli::import
