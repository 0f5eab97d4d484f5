// Argument checks shared by the golden operators: each failure names the operator, the field and the value.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "ocelli/golden/tensor.hpp"

namespace ocelli::golden::detail {

[[noreturn]] inline void bad_argument(const char* op, const std::string& what) {
  throw std::invalid_argument(fmt::format("{}: {}", op, what));
}

// The message is formatted only when the check fails: some checks run on hot paths (the driver's mapper asks
// conv2d_output_shape for the shape of every candidate mapping's layer).
template <class... Args>
void require(bool ok, const char* op, fmt::format_string<Args...> what, Args&&... args) {
  if (!ok) bad_argument(op, fmt::format(what, std::forward<Args>(args)...));
}

// A tensor is well formed if its dimensions are positive and its data matches the shape.
template <class T>
void check_tensor(const char* op, const char* name, const Tensor<T>& t) {
  const Shape& s = t.shape;
  require(s.n >= 1 && s.c >= 1 && s.h >= 1 && s.w >= 1, op,
          "{} shape ({}, {}, {}, {}) has a dimension < 1", name, s.n, s.c, s.h, s.w);
  require(t.data.size() == s.elements(), op, "{} holds {} elements but its shape ({}, {}, {}, {}) needs {}", name,
          t.data.size(), s.n, s.c, s.h, s.w, s.elements());
}

// out = (in + pad_before + pad_after - kernel) / stride + 1, error if < 1.
inline int window_output_size(const char* op, const char* axis, int in, int pad_before, int pad_after, int kernel,
                              int stride) {
  require(stride >= 1, op, "stride_{} = {} must be >= 1", axis, stride);
  require(pad_before >= 0 && pad_after >= 0, op, "padding along {} ({}, {}) must be >= 0", axis, pad_before,
          pad_after);
  require(kernel >= 1, op, "kernel size along {} = {} must be >= 1", axis, kernel);
  const int span = in + pad_before + pad_after - kernel;
  require(span >= 0, op, "kernel along {} ({}) is larger than the padded input ({} + {} + {})", axis, kernel, in,
          pad_before, pad_after);
  return span / stride + 1;
}

}  // namespace ocelli::golden::detail
