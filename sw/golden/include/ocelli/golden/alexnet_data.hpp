// Deterministic synthetic AlexNet: seeded weights, image-like inputs and the calibration of fixed-point formats.
// Everything is integer arithmetic on a portable PRNG, so a seed gives the same bits on every platform.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocelli/golden/alexnet.hpp"

namespace ocelli::golden {

// splitmix64 (Steele, Lea, Flood 2014): tiny, portable, good enough for synthetic data.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) (bound > 0); the tiny modulo bias is irrelevant for synthetic data.
  std::uint32_t below(std::uint32_t bound) { return static_cast<std::uint32_t>(next() % bound); }
  // Approximately normal integer with standard deviation `sigma` (Irwin-Hall sum of four 16-bit uniforms;
  // support is +-3.46 sigma).
  std::int32_t normalish(std::int32_t sigma);

 private:
  std::uint64_t state_;
};

// Independent stream for (seed, purpose, index) so changing one layer never shifts another layer's data.
SplitMix64 make_stream(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index);

// `batch` image-like 3x227x227 inputs: smooth colour gradients, rectangles with sharp edges and slight noise;
// pixels 0..255 in format frac 0 (value = raw).
inline constexpr int kAlexNetInputFrac = 0;
Tensor16 make_alexnet_input(std::uint64_t seed, int batch);

// How calibration shaped each layer (for reports and tests).
struct CalibrationLayer {
  std::string name;
  int weight_sigma_raw = 0;     // standard deviation of the raw int16 weights
  double bias_sigmas = 0.0;     // bias pushes each channel's mean this many standard deviations below zero
  std::int64_t acc_max_abs = 0; // largest |accumulator| seen on the calibration image
  int shift = 0;                // requantize shift s = in_frac + weight_frac - out_frac
};

struct CalibratedNetwork {
  Network net;
  std::vector<CalibrationLayer> calibration;  // one entry per layer with weights
};

// Synthetic AlexNet for `seed`: weights (He-scaled, zero-mean), per-channel biases that centre each channel and then
// move it `bias_sigmas` below zero (post-ReLU zero fractions ~55% in conv1, 58-70% in conv2..fc7), and formats
// chosen on one calibration image (seeded, not part of any batch): weight_frac from the He scale, out_frac the finest
// that holds twice the largest |accumulator| of that image (one bit of headroom for other images). Weights are
// halved until no accumulator overflows int32 on the calibration image.
CalibratedNetwork make_alexnet(std::uint64_t seed, int batch);

// FNV-1a (64-bit) of the int16 data as little-endian bytes: the checksum `ocelli golden alexnet` prints.
std::uint64_t fnv1a64(const std::vector<std::int16_t>& data);

}  // namespace ocelli::golden
