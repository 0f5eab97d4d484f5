// Float <-> int16 fixed-point conversion for the ONNX cross-check.
#pragma once

#include <cstdint>
#include <vector>

namespace ocelli::onnx {

// Largest number of fractional bits in [kMinFrac, kMaxFrac] such that every value of magnitude <= max_abs
// rounds into int16. Throws Unsupported when even kMinFrac cannot hold max_abs.
int choose_frac(double max_abs);
inline constexpr int kMinFrac = 0;
inline constexpr int kMaxFrac = 24;

// round-half-away-from-zero to int16; throws std::range_error if a value does not fit.
std::vector<std::int16_t> quantize16(const std::vector<double>& values, int frac);
// The same, clipping to [-32768, 32767] instead of throwing; `saturated` (if given) counts the clipped values.
std::vector<std::int16_t> quantize16_saturating(const std::vector<double>& values, int frac,
                                                std::uint64_t* saturated = nullptr);
// round-half-away-from-zero to int32 (biases in the accumulator format); throws std::range_error if out of range.
std::vector<std::int32_t> quantize32(const std::vector<double>& values, int frac);

double step(int frac);  // 2^-frac, the quantization step

// Smallest right shift s (0..31) after which every accumulator, rounded half up (golden::requantize), fits int16.
int shift_to_fit(const std::vector<std::int32_t>& acc);

}  // namespace ocelli::onnx
