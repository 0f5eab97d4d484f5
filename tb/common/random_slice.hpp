// A seeded random 2-D convolution slice for a pass case (array and NoC tests share it). `Case` has the fields
// n, R, S, U, H, W, pad, map (p, q, r, t, e), zero_prob, bias, psum_in.
#pragma once

#include <random>

#include "random_tensors.hpp"
#include "rs_pass_builder.hpp"

namespace ocelli::tb {

template <class Case>
ConvSlice random_slice(std::mt19937_64& rng, const Case& c) {
  ConvSlice slice;
  const int channels = c.map.r * c.map.q;
  const int filters = c.map.t * c.map.p;
  slice.ifmap = random_tensor16(rng, {c.n, channels, c.H, c.W}, c.zero_prob);
  slice.weights = random_tensor16(rng, {filters, channels, c.R, c.S}, 0.1);
  slice.conv.stride_h = slice.conv.stride_w = c.U;
  slice.conv.pad_top = slice.conv.pad_bottom = slice.conv.pad_left = slice.conv.pad_right = c.pad;
  if (c.bias) {
    for (int m = 0; m < filters; ++m) slice.bias.push_back(static_cast<std::int32_t>(rng()));
  }
  const int out_w = (c.W + 2 * c.pad - c.S) / c.U + 1;
  if (c.psum_in) {
    slice.has_psum_in = true;
    slice.psum_in = random_tensor32(rng, {c.n, filters, c.map.e, out_w});
  }
  return slice;
}

}  // namespace ocelli::tb
