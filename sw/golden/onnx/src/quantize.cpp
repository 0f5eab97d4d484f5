#include "ocelli/onnx/quantize.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/core.h>

#include "ocelli/onnx/numeric_tensor.hpp"

namespace ocelli::onnx {

double step(int frac) { return std::ldexp(1.0, -frac); }

int choose_frac(double max_abs) {
  for (int f = kMaxFrac; f >= kMinFrac; --f) {
    if (std::round(std::ldexp(max_abs, f)) <= 32767.0) return f;
  }
  throw Unsupported(fmt::format("value range: |x| up to {} does not fit int16 with {} fractional bits", max_abs,
                                kMinFrac));
}

int shift_to_fit(const std::vector<std::int32_t>& acc) {
  std::int64_t lo = 0, hi = 0;
  for (auto v : acc) {
    lo = std::min<std::int64_t>(lo, v);
    hi = std::max<std::int64_t>(hi, v);
  }
  for (int s = 0; s <= 31; ++s) {
    const std::int64_t half = s > 0 ? (std::int64_t{1} << (s - 1)) : 0;
    if (((hi + half) >> s) <= 32767 && ((lo + half) >> s) >= -32768) return s;
  }
  return 31;  // unreachable for int32 inputs
}

namespace {
template <class T>
std::vector<T> quantize(const std::vector<double>& values, int frac) {
  std::vector<T> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double r = std::round(std::ldexp(values[i], frac));  // std::round: half away from zero
    if (!(r >= std::numeric_limits<T>::min() && r <= std::numeric_limits<T>::max())) {
      throw std::range_error(fmt::format("value {} at index {} does not fit {} bits with frac {}", values[i], i,
                                         sizeof(T) * 8, frac));
    }
    out[i] = static_cast<T>(r);
  }
  return out;
}
}  // namespace

std::vector<std::int16_t> quantize16(const std::vector<double>& values, int frac) {
  return quantize<std::int16_t>(values, frac);
}
std::vector<std::int16_t> quantize16_saturating(const std::vector<double>& values, int frac,
                                                std::uint64_t* saturated) {
  std::vector<std::int16_t> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double r = std::round(std::ldexp(values[i], frac));
    if (std::isnan(r)) throw std::range_error(fmt::format("value at index {} is not a number", i));
    const double c = std::clamp(r, -32768.0, 32767.0);
    if (saturated && c != r) ++*saturated;
    out[i] = static_cast<std::int16_t>(c);
  }
  return out;
}

std::vector<std::int32_t> quantize32(const std::vector<double>& values, int frac) {
  return quantize<std::int32_t>(values, frac);
}

}  // namespace ocelli::onnx
