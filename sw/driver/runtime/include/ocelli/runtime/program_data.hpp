// The golden side of a run: a parsed program turned into a golden::Network (weights, biases, formats) and its
// input tensor, with the command line's batch/seed overrides applied.
#pragma once

#include <cstdint>
#include <optional>

#include "ocelli/driver/program.hpp"
#include "ocelli/golden/alexnet.hpp"
#include "ocelli/golden/tensor.hpp"

namespace ocelli::runtime {

struct ProgramOverrides {
  std::optional<int> batch;            // replaces the program's `batch`
  std::optional<std::uint64_t> seed;   // replaces the program's `seed`
};

struct ProgramData {
  driver::Program program;   // overrides and (formats calibrate) calibrated formats applied
  golden::Network network;   // program.network plus parameters
  golden::Tensor16 input;    // shape network.desc.input_shape, frac network.desc.input_frac
};

// Weights and biases:
// - `formats calibrate`: the calibrated synthetic AlexNet's (golden::make_alexnet(seed, batch)), by layer name; a
//   synthetic input is the AlexNet image batch pushed through the golden AlexNet layers before the program's first
//   layer (so a single-layer program sees the activations that layer sees inside AlexNet).
// - `formats explicit`: seeded synthetic parameters (make_synthetic_params); a synthetic input is seeded,
//   non-negative (like a post-ReLU activation) with about half zeros.
// A `source=file` input is read with golden::read_tensor_file and must have the program's shape and format.
// Throws driver::ProgramError / std::invalid_argument / std::runtime_error naming what does not fit.
ProgramData make_program_data(driver::Program program, const ProgramOverrides& overrides = {});

// Seeded parameters of a layer with weights: zero-mean weights with a standard deviation of 2^weight_frac/sqrt(fan_in)
// raw units (about unit gain per layer) and small biases in the accumulator format. Index = the layer's position.
golden::LayerParams make_synthetic_params(const golden::LayerDesc& layer, std::uint64_t seed, std::size_t index);
golden::Tensor16 make_synthetic_input(const golden::Shape& shape, int frac, std::uint64_t seed);

}  // namespace ocelli::runtime
