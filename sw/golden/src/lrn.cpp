// Local response normalisation with a hardware-friendly method (docs/numerics.md, "LRN"):
// exact integer sum of squares -> pseudo-float LUT index -> one unsigned multiplier -> rounded shift.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ocelli/golden/layers.hpp"
#include "validate.hpp"

namespace ocelli::golden {
namespace {

using detail::require;

int floor_log2(std::uint64_t v) { return 63 - __builtin_clzll(v); }

// The real multiplier (k + alpha/size * sum a^2)^-beta for a sum of squares of raw values.
class LrnFormula {
 public:
  LrnFormula(const LrnParams& p, int in_frac)
      : p_(p), per_raw_square_(p.alpha / p.size / std::ldexp(1.0, 2 * in_frac)) {}
  double operator()(double raw_sum_of_squares) const {
    return std::pow(p_.k + per_raw_square_ * raw_sum_of_squares, -p_.beta);
  }

 private:
  LrnParams p_;
  double per_raw_square_;
};

}  // namespace

std::size_t LrnTable::index_of(std::uint64_t sum_of_squares) const {
  if (sum_of_squares < (std::uint64_t{1} << exp_min)) return 0;
  const int e = floor_log2(sum_of_squares);
  if (e > exp_max) {
    throw std::out_of_range(fmt::format("lrn: sum of squares {} exceeds the table range 2^{}", sum_of_squares,
                                        exp_max + 1));
  }
  const std::uint64_t mant = (sum_of_squares >> (e - mantissa_bits)) & ((std::uint64_t{1} << mantissa_bits) - 1);
  return 1 + (static_cast<std::size_t>(e - exp_min) << mantissa_bits) + mant;
}

LrnTable make_lrn_table(const LrnParams& p, int in_frac, int mantissa_bits) {
  const char* op = "make_lrn_table";
  require(p.size >= 1 && p.size <= 31 && p.size % 2 == 1, op, "size = {} must be odd, 1..31", p.size);
  require(p.alpha > 0 && std::isfinite(p.alpha), op, "alpha = {} must be > 0", p.alpha);
  require(p.beta >= 0 && std::isfinite(p.beta), op, "beta = {} must be >= 0", p.beta);
  require(p.k > 0 && std::isfinite(p.k), op, "k = {} must be > 0", p.k);
  require(in_frac >= 0 && in_frac <= 15, op, "in_frac = {} must be 0..15", in_frac);
  require(mantissa_bits >= 1 && mantissa_bits <= 10, op, "mantissa_bits = {} must be 1..10", mantissa_bits);
  const LrnFormula multiplier(p, in_frac);

  LrnTable t;
  t.params = p;
  t.in_frac = in_frac;
  t.size = p.size;
  t.mantissa_bits = mantissa_bits;
  // Largest sum: size * 32768^2.
  t.exp_max = floor_log2(static_cast<std::uint64_t>(p.size)) + 30;
  // The largest multiplier is k^-beta (empty window); give it as many fraction bits as 16 unsigned bits allow.
  const double largest = multiplier(0);
  require(largest < 32768.0, op, "k^-beta = {} is too large for a 16-bit multiplier", largest);
  t.lut_frac = 0;
  while (t.lut_frac < 30 && std::llround(std::ldexp(largest, t.lut_frac + 1)) <= 65535) ++t.lut_frac;
  const auto quantize = [&](double m) { return std::llround(std::ldexp(m, t.lut_frac)); };
  // Entry 0 covers small sums whose multiplier rounds to the same LUT value as an empty window; the index
  // arithmetic needs at least mantissa_bits below the leading one, hence the lower limit.
  t.exp_min = mantissa_bits;
  while (t.exp_min <= t.exp_max &&
         quantize(multiplier(std::ldexp(1.0, t.exp_min + 1))) == quantize(largest)) {
    ++t.exp_min;
  }
  // Each entry holds the mean of the multiplier at both ends of its bin, which halves the worst-case error.
  const auto bin_value = [&](double lo, double hi) {
    return static_cast<std::uint16_t>(quantize(0.5 * (multiplier(lo) + multiplier(hi))));
  };
  const std::size_t per_octave = std::size_t{1} << mantissa_bits;
  t.lut.resize(1 + static_cast<std::size_t>(t.exp_max - t.exp_min + 1) * per_octave);
  t.lut[0] = bin_value(0.0, std::ldexp(1.0, t.exp_min) - 1);
  for (int e = t.exp_min; e <= t.exp_max; ++e) {
    const double step = std::ldexp(1.0, e - mantissa_bits);
    for (std::size_t mant = 0; mant < per_octave; ++mant) {
      const double lo = std::ldexp(1.0, e) + static_cast<double>(mant) * step;
      t.lut[1 + (static_cast<std::size_t>(e - t.exp_min) << mantissa_bits) + mant] = bin_value(lo, lo + step - 1);
    }
  }
  return t;
}

Tensor16 lrn(const Tensor16& in, const LrnTable& table, LayerStats* stats) {
  const char* op = "lrn";
  detail::check_tensor(op, "input", in);
  require(in.frac == table.in_frac, op, "input frac {} differs from the table's in_frac {}", in.frac, table.in_frac);
  require(table.lut.size() == 1 + (static_cast<std::size_t>(table.exp_max - table.exp_min + 1) << table.mantissa_bits),
          op, "table has {} entries, inconsistent with its exponent range", table.lut.size());
  const int half = table.size / 2;
  const int channels = in.shape.c;
  const std::size_t plane = static_cast<std::size_t>(in.shape.h) * in.shape.w;
  const std::int64_t lo = std::numeric_limits<std::int16_t>::min(), hi = std::numeric_limits<std::int16_t>::max();
  const std::int64_t round_half = table.lut_frac > 0 ? (std::int64_t{1} << (table.lut_frac - 1)) : 0;
  Tensor16 out(in.shape, in.frac);
  std::uint64_t saturated = 0;
  for (int n = 0; n < in.shape.n; ++n) {
    for (int c = 0; c < channels; ++c) {
      const std::int16_t* center = &in.data[in.index(n, c, 0, 0)];
      std::int16_t* dst = &out.data[out.index(n, c, 0, 0)];
      for (std::size_t i = 0; i < plane; ++i) {
        std::uint64_t sum = 0;
        for (int cc = std::max(c - half, 0); cc <= std::min(c + half, channels - 1); ++cc) {
          const std::int64_t a = in.data[in.index(n, cc, 0, 0) + i];
          sum += static_cast<std::uint64_t>(a * a);
        }
        const std::int64_t y = (static_cast<std::int64_t>(center[i]) * table.lut[table.index_of(sum)] + round_half) >>
                               table.lut_frac;
        saturated += (y < lo || y > hi) ? 1 : 0;
        dst[i] = static_cast<std::int16_t>(std::clamp(y, lo, hi));
      }
    }
  }
  if (stats) stats->saturated += saturated;
  return out;
}

}  // namespace ocelli::golden
