// Per-layer fixed-point formats chosen from calibration inputs (docs/numerics.md, "Formats of imported models"):
// the float network becomes a golden::Network whose formats hold every calibration value without saturation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocelli/golden/alexnet.hpp"
#include "ocelli/import/lowering.hpp"
#include "ocelli/onnx/numeric_tensor.hpp"

namespace ocelli::import {

struct QuantizeOptions {
  int max_activation_frac = 15;  // activation formats at most Q.15 (the LRN tables are defined for frac <= 15)
  int headroom_bits = 0;         // output formats this many bits coarser than calibration alone would choose
};

// What calibration saw and chose for one layer.
struct LayerFormat {
  std::string name, kind, origin;
  std::string node, op_type;  // FloatLayer::node, op_type
  int in_frac = 0, weight_frac = 0, out_frac = 0;
  double max_abs_out = 0.0;        // largest |output| on the calibration inputs (before saturation), real units
  std::uint64_t saturated = 0;     // outputs clipped on the calibration inputs (golden::LayerStats::saturated)
  std::uint64_t weights_rounded_to_zero = 0;  // nonzero float weights that quantize to 0
};

struct QuantizedModel {
  golden::Network network;           // batch = the calibration batch; formats and int parameters set
  golden::Tensor16 calibration_input;  // the calibration inputs in the network's input format
  std::vector<LayerFormat> formats;  // one per layer
};

// Calibration inputs: a tensor of dims [N, C, H, W] (or [N, K] for a vector input) matching the float network's
// input. Throws std::invalid_argument naming the problem (shape, a layer whose range does not fit int16).
QuantizedModel quantize(const FloatNetwork& net, const ocelli::onnx::NumericTensor& calibration,
                        const QuantizeOptions& options = {});

// A float tensor in a fixed-point format with the network input's shape (N from the data): round half away from
// zero, saturating (values outside the format clip; the count is returned through `saturated` when given).
golden::Tensor16 quantize_input(const ocelli::onnx::NumericTensor& data, const golden::Shape& per_image, int frac,
                                std::uint64_t* saturated = nullptr);

}  // namespace ocelli::import
