// Requantization, ReLU and max pooling (docs/numerics.md).
#include <algorithm>
#include <limits>

#include "ocelli/golden/layers.hpp"
#include "validate.hpp"

namespace ocelli::golden {

using detail::require;

Tensor16 requantize(const Tensor32& acc, int out_frac, bool relu, LayerStats* stats) {
  const char* op = "requantize";
  require(acc.data.size() == acc.shape.elements(), op,
          "accumulator holds {} elements but its shape needs {}", acc.data.size(), acc.shape.elements());
  const int shift = acc.frac - out_frac;
  require(shift >= 0 && shift <= 31, op,
          "shift = acc.frac - out_frac = {} - {} = {} is outside 0..31", acc.frac, out_frac, shift);
  const std::int64_t half = shift > 0 ? (std::int64_t{1} << (shift - 1)) : 0;
  const std::int64_t lo = std::numeric_limits<std::int16_t>::min(), hi = std::numeric_limits<std::int16_t>::max();
  Tensor16 out(acc.shape, out_frac);
  std::uint64_t saturated = 0;
  for (std::size_t i = 0; i < acc.data.size(); ++i) {
    // The add needs 33 bits; >> of a negative int64 is arithmetic (round half up overall).
    const std::int64_t shifted = (static_cast<std::int64_t>(acc.data[i]) + half) >> shift;
    saturated += (shifted < lo || shifted > hi) ? 1 : 0;
    std::int64_t y = std::clamp(shifted, lo, hi);
    if (relu) y = std::max<std::int64_t>(y, 0);
    out.data[i] = static_cast<std::int16_t>(y);
  }
  if (stats) stats->saturated += saturated;
  return out;
}

Tensor16 relu(const Tensor16& in) {
  detail::check_tensor("relu", "input", in);
  Tensor16 out = in;
  for (auto& v : out.data) v = std::max<std::int16_t>(v, 0);
  return out;
}

Shape max_pool_output_shape(const Shape& in, const PoolParams& p) {
  const char* op = "max_pool";
  Shape out = in;
  out.h = detail::window_output_size(op, "h", in.h, p.pad_top, p.pad_bottom, p.kernel_h, p.stride_h);
  out.w = detail::window_output_size(op, "w", in.w, p.pad_left, p.pad_right, p.kernel_w, p.stride_w);
  // Every window must contain at least one real element: padding never wins, so an all-padding window has no value.
  require(p.pad_top < p.kernel_h && p.pad_left < p.kernel_w, op,
          "padding (top {}, left {}) must be smaller than the kernel ({} x {})", p.pad_top, p.pad_left, p.kernel_h,
          p.kernel_w);
  require((out.h - 1) * p.stride_h - p.pad_top < in.h && (out.w - 1) * p.stride_w - p.pad_left < in.w, op,
          "the last window lies entirely in the bottom/right padding ({}, {})", p.pad_bottom, p.pad_right);
  return out;
}

Tensor16 max_pool(const Tensor16& in, const PoolParams& p) {
  detail::check_tensor("max_pool", "input", in);
  const Shape os = max_pool_output_shape(in.shape, p);
  Tensor16 out(os, in.frac);
  for (int n = 0; n < os.n; ++n) {
    for (int c = 0; c < os.c; ++c) {
      for (int e = 0; e < os.h; ++e) {
        const int y0 = std::max(e * p.stride_h - p.pad_top, 0);
        const int y1 = std::min(e * p.stride_h - p.pad_top + p.kernel_h, in.shape.h);
        for (int f = 0; f < os.w; ++f) {
          const int x0 = std::max(f * p.stride_w - p.pad_left, 0);
          const int x1 = std::min(f * p.stride_w - p.pad_left + p.kernel_w, in.shape.w);
          std::int16_t best = std::numeric_limits<std::int16_t>::min();
          for (int y = y0; y < y1; ++y) {
            for (int x = x0; x < x1; ++x) best = std::max(best, in.at(n, c, y, x));
          }
          out.at(n, c, e, f) = best;
        }
      }
    }
  }
  return out;
}

}  // namespace ocelli::golden
