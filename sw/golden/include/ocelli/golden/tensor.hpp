// Tensors of the golden reference: dense NCHW arrays of fixed-point integers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ocelli::golden {

// NCHW shape. Weights use the same struct as (M filters, C/groups channels, R rows, S columns).
struct Shape {
  int n = 1;
  int c = 1;
  int h = 1;
  int w = 1;
  std::size_t elements() const {
    return static_cast<std::size_t>(n) * c * h * w;
  }
  bool operator==(const Shape& o) const { return n == o.n && c == o.c && h == o.h && w == o.w; }
  bool operator!=(const Shape& o) const { return !(*this == o); }
};

// "NxCxHxW", as messages and reports print a shape.
inline std::string to_string(const Shape& s) {
  return std::to_string(s.n) + "x" + std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w);
}

// A dense tensor. `frac` is the number of fractional bits of the fixed-point format (value = raw / 2^frac).
template <class T>
struct Tensor {
  Shape shape;
  int frac = 0;
  std::vector<T> data;

  Tensor() = default;
  explicit Tensor(Shape s, int frac_bits = 0) : shape(s), frac(frac_bits), data(s.elements(), T{}) {}

  std::size_t index(int n, int c, int h, int w) const {
    return ((static_cast<std::size_t>(n) * shape.c + c) * shape.h + h) * shape.w + w;
  }
  T& at(int n, int c, int h, int w) { return data[index(n, c, h, w)]; }
  const T& at(int n, int c, int h, int w) const { return data[index(n, c, h, w)]; }
};

using Tensor16 = Tensor<int16_t>;  // activations and weights
using Tensor32 = Tensor<int32_t>;  // partial sums / accumulators

}  // namespace ocelli::golden
