#include "ocelli/onnx/quantize.hpp"

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
std::vector<std::int32_t> quantize32(const std::vector<double>& values, int frac) {
  return quantize<std::int32_t>(values, frac);
}

}  // namespace ocelli::onnx
