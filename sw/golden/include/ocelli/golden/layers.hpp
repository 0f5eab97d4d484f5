// Golden layer operators: the bit-exact definition of ocelli's numerics (docs/numerics.md).
// All activations/weights are int16 fixed point; accumulators are int32 with wrap-around.
#pragma once

#include <cstdint>
#include <vector>

#include "ocelli/golden/tensor.hpp"

namespace ocelli::golden {

struct ConvParams {
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int groups = 1;
};

// Counters a layer call adds to (they accumulate across calls, so one LayerStats can cover a network).
struct LayerStats {
  std::uint64_t macs = 0;               // nominal MACs, padded taps included (the usual MAC count)
  std::uint64_t zero_operand_macs = 0;  // MACs whose input activation is zero or padding (PE zero gating skips these)
  std::uint64_t saturated = 0;          // outputs clipped to [-32768, 32767] by requantize (or lrn)
  std::uint64_t acc_overflows = 0;      // outputs whose exact sum (bias included) does not fit int32 (result wrapped)

  LayerStats& operator+=(const LayerStats& o) {
    macs += o.macs;
    zero_operand_macs += o.zero_operand_macs;
    saturated += o.saturated;
    acc_overflows += o.acc_overflows;
    return *this;
  }
};

// Output shape of a convolution: out = (in + pad_before + pad_after - kernel) / stride + 1 (floor).
// Throws std::invalid_argument naming the bad field if the arguments are inconsistent or the output is empty.
Shape conv2d_output_shape(const Shape& in, const Shape& weights, const ConvParams& p);

// in: (N, C, H, W); weights: (M, C/groups, R, S); bias: empty or M entries in accumulator format (frac_in + frac_w).
// Returns int32 accumulators (wrap-around) with frac = in.frac + weights.frac. Throws std::invalid_argument naming
// the bad field.
Tensor32 conv2d_accumulate(const Tensor16& in, const Tensor16& weights, const std::vector<int32_t>& bias,
                           const ConvParams& p, LayerStats* stats = nullptr);

// y = sat16((acc + (s > 0 ? 2^(s-1) : 0)) >> s), s = acc.frac - out_frac in [0, 31]; then optional ReLU.
Tensor16 requantize(const Tensor32& acc, int out_frac, bool relu, LayerStats* stats = nullptr);

// conv2d_accumulate followed by requantize.
Tensor16 conv2d(const Tensor16& in, const Tensor16& weights, const std::vector<int32_t>& bias, const ConvParams& p,
                int out_frac, bool relu, LayerStats* stats = nullptr);

// Fully connected: in (N, C, H, W) flattened per image in CHW order to K = C*H*W; weights (M, K, 1, 1)
// -> out (N, M, 1, 1). Numerically identical to a conv with a C x H x W filter.
Tensor32 fc_accumulate(const Tensor16& in, const Tensor16& weights, const std::vector<int32_t>& bias,
                       LayerStats* stats = nullptr);
Tensor16 fully_connected(const Tensor16& in, const Tensor16& weights, const std::vector<int32_t>& bias, int out_frac,
                         bool relu, LayerStats* stats = nullptr);

// max(x, 0) element-wise; frac unchanged.
Tensor16 relu(const Tensor16& in);

struct PoolParams {
  int kernel_h = 3, kernel_w = 3, stride_h = 2, stride_w = 2;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
};

Shape max_pool_output_shape(const Shape& in, const PoolParams& p);
// Max over the window's real elements; padded positions never win (they are not -0). frac unchanged.
Tensor16 max_pool(const Tensor16& in, const PoolParams& p);

// Local response normalisation across channels: b = a / (k + alpha/size * sum_{window} a^2)^beta,
// window = channels c - size/2 .. c + size/2 clipped to the tensor (missing channels count as 0).
struct LrnParams {
  int size = 5;
  double alpha = 1e-4, beta = 0.75, k = 1.0;
};

// Hardware LUT contents + indexing parameters (docs/numerics.md, "LRN"). The hardware computes
//   sum = sum of raw^2 over the window (exact, unsigned 64-bit; < 2^35 for size <= 31)
//   idx = sum < 2^exp_min ? 0 : 1 + (e - exp_min) * 2^mantissa_bits + mant,
//         e = floor(log2(sum)), mant = the mantissa_bits bits below the leading one (zero-filled if e < mantissa_bits)
//   out = sat16((raw * lut[idx] + 2^(lut_frac-1)) >> lut_frac)   (arithmetic shift: round half up)
struct LrnTable {
  LrnParams params;                // what the table was made from (documentation / checks)
  int in_frac = 0;                 // the activation format the table is valid for
  int size = 5;                    // channels in the window (odd)
  int mantissa_bits = 6;           // mantissa bits of the pseudo-float index
  int exp_min = 0;                 // sums below 2^exp_min share entry 0
  int exp_max = 0;                 // largest exponent a sum can have
  int lut_frac = 15;               // multiplier format: value = lut[i] / 2^lut_frac
  std::vector<std::uint16_t> lut;  // 1 + (exp_max - exp_min + 1) * 2^mantissa_bits entries

  std::size_t index_of(std::uint64_t sum_of_squares) const;  // the LUT address the hardware computes
};

// Computed once by software and loaded into hardware as data. Throws std::invalid_argument on bad parameters
// (size not odd or outside 1..31, alpha/k not positive, beta negative, in_frac outside 0..15, mantissa_bits 1..10).
LrnTable make_lrn_table(const LrnParams& p, int in_frac, int mantissa_bits = 6);
// Output keeps in.frac. Throws std::invalid_argument if in.frac differs from table.in_frac.
Tensor16 lrn(const Tensor16& in, const LrnTable& table, LayerStats* stats = nullptr);

}  // namespace ocelli::golden
