// Convolution and fully connected layers: exact products, int64 accumulation per output, int32 wrap-around result.
//
// Speed: the input of one (image, group) is rearranged once into zero-padded polyphase planes (one plane per
// (row phase, column phase) of the strides). In a plane, tap (r, s) of output (e, f) sits at
// [e + r / stride_h][f + s / stride_w], so for a fixed weight the whole output plane is one contiguous
// multiply-add loop over a "wide" grid whose rows have the plane's width (the extra columns are discarded).
#include <algorithm>

#include "ocelli/golden/layers.hpp"
#include "validate.hpp"

namespace ocelli::golden {
namespace {

using detail::require;

constexpr std::int64_t kInt32Min = -(std::int64_t{1} << 31);
constexpr std::int64_t kInt32Max = (std::int64_t{1} << 31) - 1;

// One (image, group) of the input as polyphase planes, plus zero counts for the statistics.
class PolyphaseInput {
 public:
  PolyphaseInput(int stride_h, int stride_w, int rows, int cols)
      : stride_h_(stride_h), stride_w_(stride_w), rows_(rows), cols_(cols) {}

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  std::size_t plane_size() const { return static_cast<std::size_t>(rows_) * cols_; }

  void resize(int channels) {
    data_.assign(static_cast<std::size_t>(channels) * stride_h_ * stride_w_ * plane_size(), 0);
  }
  std::int32_t* plane(int c, int row_phase, int col_phase) {
    return data_.data() + ((static_cast<std::size_t>(c) * stride_h_ + row_phase) * stride_w_ + col_phase) * plane_size();
  }
  const std::int32_t* plane(int c, int row_phase, int col_phase) const {
    return data_.data() + ((static_cast<std::size_t>(c) * stride_h_ + row_phase) * stride_w_ + col_phase) * plane_size();
  }

  // Fill from channels [c0, c0 + channels) of image n, with zero padding.
  void load(const Tensor16& in, int n, int c0, int channels, const ConvParams& p) {
    resize(channels);
    const int h = in.shape.h, w = in.shape.w;
    for (int c = 0; c < channels; ++c) {
      for (int y = 0; y < h; ++y) {
        const int py = y + p.pad_top;
        const std::int16_t* src = &in.data[in.index(n, c0 + c, y, 0)];
        const int row_phase = py % stride_h_;
        const int row = py / stride_h_;
        for (int x = 0; x < w; ++x) {
          const int px = x + p.pad_left;
          plane(c, row_phase, px % stride_w_)[static_cast<std::size_t>(row) * cols_ + px / stride_w_] = src[x];
        }
      }
    }
  }

 private:
  int stride_h_, stride_w_, rows_, cols_;
  std::vector<std::int32_t> data_;
};

// acc[i] += w * x[i]: the hot loop. Products are exact in int32 (|x*w| <= 2^30) and added in int64.
void multiply_accumulate(std::int64_t* __restrict acc, const std::int32_t* __restrict x, std::int32_t w,
                         std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    acc[i] += static_cast<std::int64_t>(x[i] * w);
  }
}

// Counts zero-or-padding input operands of one tap over the output plane, using a summed-area table of zeros.
class ZeroCounter {
 public:
  void build(const std::int32_t* plane, int rows, int cols) {
    cols_ = cols;
    table_.assign(static_cast<std::size_t>(rows + 1) * (cols + 1), 0);
    for (int y = 0; y < rows; ++y) {
      std::uint32_t row_sum = 0;
      for (int x = 0; x < cols; ++x) {
        row_sum += plane[static_cast<std::size_t>(y) * cols + x] == 0 ? 1u : 0u;
        at(y + 1, x + 1) = at(y, x + 1) + row_sum;
      }
    }
  }
  // Zeros in rows [y0, y0 + h) x cols [x0, x0 + w).
  std::uint64_t count(int y0, int x0, int h, int w) const {
    return at(y0 + h, x0 + w) - at(y0, x0 + w) - at(y0 + h, x0) + at(y0, x0);
  }

 private:
  std::uint32_t& at(int y, int x) { return table_[static_cast<std::size_t>(y) * (cols_ + 1) + x]; }
  std::uint32_t at(int y, int x) const { return table_[static_cast<std::size_t>(y) * (cols_ + 1) + x]; }
  int cols_ = 0;
  std::vector<std::uint32_t> table_;
};

void check_bias(const char* op, const std::vector<int32_t>& bias, int m) {
  require(bias.empty() || static_cast<int>(bias.size()) == m, op,
          "bias has {} entries; expected 0 or {} (one per output channel)", bias.size(), m);
}

// Stores the int64 sums as wrapped int32 and counts the ones that did not fit.
std::uint64_t store_wrapped(const std::int64_t* sums, std::int32_t* out, std::size_t count) {
  std::uint64_t overflows = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::int64_t s = sums[i];
    overflows += (s < kInt32Min || s > kInt32Max) ? 1 : 0;
    out[i] = static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(s)));
  }
  return overflows;
}

}  // namespace

Shape conv2d_output_shape(const Shape& in, const Shape& weights, const ConvParams& p) {
  const char* op = "conv2d";
  require(p.groups >= 1, op, "groups = {} must be >= 1", p.groups);
  require(in.c % p.groups == 0, op, "input channels {} not divisible by groups {}", in.c, p.groups);
  require(weights.n % p.groups == 0, op, "filters (weights.n) {} not divisible by groups {}", weights.n, p.groups);
  require(weights.c == in.c / p.groups, op, "weights.c = {} but input channels / groups = {} / {} = {}", weights.c,
          in.c, p.groups, in.c / p.groups);
  Shape out;
  out.n = in.n;
  out.c = weights.n;
  out.h = detail::window_output_size(op, "h", in.h, p.pad_top, p.pad_bottom, weights.h, p.stride_h);
  out.w = detail::window_output_size(op, "w", in.w, p.pad_left, p.pad_right, weights.w, p.stride_w);
  return out;
}

Tensor32 conv2d_accumulate(const Tensor16& in, const Tensor16& weights, const std::vector<int32_t>& bias,
                           const ConvParams& p, LayerStats* stats) {
  const char* op = "conv2d";
  detail::check_tensor(op, "input", in);
  detail::check_tensor(op, "weights", weights);
  const Shape out_shape = conv2d_output_shape(in.shape, weights.shape, p);
  check_bias(op, bias, weights.shape.n);

  const int groups = p.groups;
  const int cg = in.shape.c / groups, mg = weights.shape.n / groups;
  const int kr = weights.shape.h, ks = weights.shape.w;
  const int sh = p.stride_h, sw = p.stride_w;
  const int eo = out_shape.h, fo = out_shape.w;
  const int padded_h = in.shape.h + p.pad_top + p.pad_bottom;
  const int padded_w = in.shape.w + p.pad_left + p.pad_right;
  PolyphaseInput planes(sh, sw, (padded_h + sh - 1) / sh, (padded_w + sw - 1) / sw);
  const int wide = planes.cols();
  // Outputs on the wide grid: rows of `wide` entries, of which the first fo are real.
  const std::size_t wide_count = static_cast<std::size_t>(eo - 1) * wide + fo;
  std::vector<std::int64_t> sums(wide_count);
  std::vector<std::int64_t> row_sums;

  Tensor32 out(out_shape, in.frac + weights.frac);
  LayerStats local;
  local.macs = static_cast<std::uint64_t>(out_shape.elements()) * cg * kr * ks;
  ZeroCounter zeros;

  for (int n = 0; n < in.shape.n; ++n) {
    for (int g = 0; g < groups; ++g) {
      planes.load(in, n, g * cg, cg, p);
      if (stats) {
        // The zero table depends only on the (channel, row phase, column phase) plane.
        for (int c = 0; c < cg; ++c) {
          for (int row_phase = 0; row_phase < std::min(sh, kr); ++row_phase) {
            for (int col_phase = 0; col_phase < std::min(sw, ks); ++col_phase) {
              zeros.build(planes.plane(c, row_phase, col_phase), planes.rows(), planes.cols());
              for (int r = row_phase; r < kr; r += sh) {
                for (int s = col_phase; s < ks; s += sw) {
                  local.zero_operand_macs += zeros.count(r / sh, s / sw, eo, fo) * static_cast<std::uint64_t>(mg);
                }
              }
            }
          }
        }
      }
      for (int mi = 0; mi < mg; ++mi) {
        const int m = g * mg + mi;
        std::fill(sums.begin(), sums.end(), bias.empty() ? 0 : bias[m]);
        for (int c = 0; c < cg; ++c) {
          const std::int16_t* wrow = &weights.data[weights.index(m, c, 0, 0)];
          for (int r = 0; r < kr; ++r) {
            for (int s = 0; s < ks; ++s) {
              const std::int32_t w = wrow[r * ks + s];
              if (w == 0) continue;  // skipping a zero weight does not change the exact sum
              const std::int32_t* x = planes.plane(c, r % sh, s % sw) + static_cast<std::size_t>(r / sh) * wide + s / sw;
              multiply_accumulate(sums.data(), x, w, wide_count);
            }
          }
        }
        for (int e = 0; e < eo; ++e) {
          local.acc_overflows +=
              store_wrapped(sums.data() + static_cast<std::size_t>(e) * wide, &out.at(n, m, e, 0), fo);
        }
      }
    }
  }
  if (stats) *stats += local;
  return out;
}

Tensor16 conv2d(const Tensor16& in, const Tensor16& weights, const std::vector<int32_t>& bias, const ConvParams& p,
                int out_frac, bool relu, LayerStats* stats) {
  return requantize(conv2d_accumulate(in, weights, bias, p, stats), out_frac, relu, stats);
}

Tensor32 fc_accumulate(const Tensor16& in, const Tensor16& weights, const std::vector<int32_t>& bias,
                       LayerStats* stats) {
  const char* op = "fully_connected";
  detail::check_tensor(op, "input", in);
  detail::check_tensor(op, "weights", weights);
  const std::size_t k = static_cast<std::size_t>(in.shape.c) * in.shape.h * in.shape.w;
  require(weights.shape.h == 1 && weights.shape.w == 1, op,
          "weights must be (M, K, 1, 1); got h = {}, w = {}", weights.shape.h, weights.shape.w);
  require(static_cast<std::size_t>(weights.shape.c) == k, op,
          "weights.c = {} but the input flattens to K = C*H*W = {}*{}*{} = {}", weights.shape.c, in.shape.c,
          in.shape.h, in.shape.w, k);
  const int m_count = weights.shape.n;
  check_bias(op, bias, m_count);

  Tensor32 out(Shape{in.shape.n, m_count, 1, 1}, in.frac + weights.frac);
  LayerStats local;
  local.macs = static_cast<std::uint64_t>(in.shape.n) * m_count * k;
  if (stats) {
    const auto zero_inputs = static_cast<std::uint64_t>(std::count(in.data.begin(), in.data.end(), std::int16_t{0}));
    local.zero_operand_macs = zero_inputs * static_cast<std::uint64_t>(m_count);
  }
  for (int m = 0; m < m_count; ++m) {
    const std::int16_t* w = &weights.data[static_cast<std::size_t>(m) * k];
    for (int n = 0; n < in.shape.n; ++n) {
      const std::int16_t* x = &in.data[static_cast<std::size_t>(n) * k];
      std::int64_t sum = bias.empty() ? 0 : bias[m];
      for (std::size_t i = 0; i < k; ++i) {
        sum += static_cast<std::int32_t>(x[i]) * static_cast<std::int32_t>(w[i]);
      }
      local.acc_overflows += store_wrapped(&sum, &out.data[static_cast<std::size_t>(n) * m_count + m], 1);
    }
  }
  if (stats) *stats += local;
  return out;
}

Tensor16 fully_connected(const Tensor16& in, const Tensor16& weights, const std::vector<int32_t>& bias, int out_frac,
                         bool relu, LayerStats* stats) {
  return requantize(fc_accumulate(in, weights, bias, stats), out_frac, relu, stats);
}

}  // namespace ocelli::golden
