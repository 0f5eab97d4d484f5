#include "ocelli/golden/alexnet_data.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::golden {
namespace {

// Stream purposes: separate streams per use, so e.g. the batch size never changes the weights.
constexpr std::uint64_t kPurposeImage = 1;
constexpr std::uint64_t kPurposeCalibrationImage = 2;
constexpr std::uint64_t kPurposeWeights = 3;
constexpr std::uint64_t kPurposeBias = 4;

constexpr int kImageSize = 227;
constexpr int kGrid = 9;  // control points per side of the smooth background

// Bias offsets in thousandths of a channel's standard deviation: deeper layers get sparser (ImageNet-trained AlexNet
// has roughly 40-80% zeros after its later ReLUs). fc8 has no ReLU: centred only.
int bias_sigma_permille(const std::string& layer) {
  static const std::pair<const char*, int> table[] = {{"conv1", 100}, {"conv2", 200}, {"conv3", 300},
                                                     {"conv4", 400}, {"conv5", 450}, {"fc6", 400},
                                                     {"fc7", 400},   {"fc8", 0}};
  for (const auto& [name, permille] : table) {
    if (layer == name) return permille;
  }
  return 0;
}
constexpr int kBiasJitterPermille = 100;  // per-channel spread of the offset (+-0.1 sigma)
constexpr int kHeadroomBits = 1;         // calibration leaves the top bit of int16 for images brighter than its own
constexpr int kWeightSigmaRaw = 512;      // raw int16 weights: 9 bits of standard deviation, |w| < 1800

int smooth(const int grid[kGrid][kGrid], int y, int x) {
  // Fixed-point bilinear interpolation (8 fraction bits) of the control grid over the image.
  const int gy = y * (kGrid - 1) * 256 / (kImageSize - 1), gx = x * (kGrid - 1) * 256 / (kImageSize - 1);
  int iy = gy >> 8, fy = gy & 255, ix = gx >> 8, fx = gx & 255;
  if (iy == kGrid - 1) iy = kGrid - 2, fy = 256;
  if (ix == kGrid - 1) ix = kGrid - 2, fx = 256;
  const int top = grid[iy][ix] * (256 - fx) + grid[iy][ix + 1] * fx;
  const int bottom = grid[iy + 1][ix] * (256 - fx) + grid[iy + 1][ix + 1] * fx;
  return (top * (256 - fy) + bottom * fy) >> 16;
}

// One image-like 3x227x227 picture into `out` at batch index n.
void make_image(SplitMix64& rng, Tensor16& out, int n) {
  int luminance[kGrid][kGrid];
  int tint[3][kGrid][kGrid];
  for (auto& row : luminance) {
    for (auto& v : row) v = 40 + static_cast<int>(rng.below(176));
  }
  for (auto& plane : tint) {
    for (auto& row : plane) {
      for (auto& v : row) v = static_cast<int>(rng.below(81)) - 40;
    }
  }
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < kImageSize; ++y) {
      for (int x = 0; x < kImageSize; ++x) out.at(n, c, y, x) = static_cast<std::int16_t>(smooth(luminance, y, x) + smooth(tint[c], y, x));
    }
  }
  // Objects: rectangles with sharp edges and their own colour offset.
  const int objects = 4 + static_cast<int>(rng.below(5));
  for (int o = 0; o < objects; ++o) {
    const int y0 = static_cast<int>(rng.below(kImageSize)), x0 = static_cast<int>(rng.below(kImageSize));
    const int h = 10 + static_cast<int>(rng.below(80)), w = 10 + static_cast<int>(rng.below(80));
    int offset[3];
    for (auto& v : offset) v = static_cast<int>(rng.below(121)) - 60;
    for (int c = 0; c < 3; ++c) {
      for (int y = y0; y < std::min(kImageSize, y0 + h); ++y) {
        for (int x = x0; x < std::min(kImageSize, x0 + w); ++x) {
          out.at(n, c, y, x) = static_cast<std::int16_t>(out.at(n, c, y, x) + offset[c]);
        }
      }
    }
  }
  // Sensor noise, then the 8-bit pixel range.
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < kImageSize; ++y) {
      for (int x = 0; x < kImageSize; ++x) {
        const int v = out.at(n, c, y, x) + static_cast<int>(rng.below(9)) - 4;
        out.at(n, c, y, x) = static_cast<std::int16_t>(std::clamp(v, 0, 255));
      }
    }
  }
}

Tensor16 make_weights(std::uint64_t seed, std::size_t layer, const Shape& shape, int sigma_raw, int frac) {
  SplitMix64 rng = make_stream(seed, kPurposeWeights, layer);
  Tensor16 w(shape, frac);
  for (auto& v : w.data) v = static_cast<std::int16_t>(rng.normalish(sigma_raw));
  return w;
}

std::uint64_t isqrt(unsigned __int128 v) {
  std::uint64_t lo = 0, hi = std::numeric_limits<std::uint32_t>::max();
  while (lo < hi) {  // largest r with r*r <= v
    const std::uint64_t mid = lo + (hi - lo + 1) / 2;
    if (static_cast<unsigned __int128>(mid) * mid <= v) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

// Mean and standard deviation of accumulator groups, in integers (so the bias bits are portable).
struct GroupStats {
  std::int64_t mean = 0;
  std::int64_t sigma = 0;
};
GroupStats group_stats(const std::vector<std::int64_t>& values) {
  __int128 sum = 0;
  for (auto v : values) sum += v;
  const auto count = static_cast<__int128>(values.size());
  GroupStats g;
  g.mean = static_cast<std::int64_t>(sum / count);
  unsigned __int128 sq = 0;
  for (auto v : values) {
    const __int128 d = v - g.mean;
    sq += static_cast<unsigned __int128>(d * d);
  }
  g.sigma = static_cast<std::int64_t>(isqrt(sq / static_cast<unsigned __int128>(count)));
  return g;
}

// Weight format from the He scale sqrt(2/fan_in): frac = log2(sigma_raw) + round(log2(sqrt(fan_in/2))).
int he_weight_frac(int sigma_raw, std::int64_t fan_in) {
  int sigma_bits = 0;
  while ((1 << (sigma_bits + 1)) <= sigma_raw) ++sigma_bits;
  // b = round(0.5 * log2(fan_in / 2)) without floating point: b goes up while 0.5 * log2(fan_in / 2) >= b + 0.5,
  // i.e. fan_in >= 2^(2b + 2), tested squared as fan_in^2 >= 16^(b + 1).
  int b = 0;
  const unsigned __int128 f2 = static_cast<unsigned __int128>(fan_in) * fan_in;
  while ((static_cast<unsigned __int128>(1) << (4 * (b + 1))) <= f2) ++b;
  return sigma_bits + b;
}

}  // namespace

std::int32_t SplitMix64::normalish(std::int32_t sigma) {
  const std::uint64_t r = next();
  const std::int64_t sum = static_cast<std::int64_t>(r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48);
  // Sum of four uniforms on 0..65535: mean 131070, standard deviation 65536/sqrt(3) ~= 37837.
  return static_cast<std::int32_t>((sum - 131070) * sigma / 37837);
}

SplitMix64 make_stream(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index) {
  SplitMix64 mix(seed);
  std::uint64_t s = mix.next() ^ (purpose * 0xD1B54A32D192ED03ull);
  s = SplitMix64(s).next() ^ (index * 0x8CB92BA72F3D8DD7ull);
  return SplitMix64(SplitMix64(s).next());
}

Tensor16 make_alexnet_input(std::uint64_t seed, int batch) {
  if (batch < 1) throw std::invalid_argument(fmt::format("make_alexnet_input: batch {} must be >= 1", batch));
  Tensor16 t(Shape{batch, 3, kImageSize, kImageSize}, kAlexNetInputFrac);
  for (int n = 0; n < batch; ++n) {
    SplitMix64 rng = make_stream(seed, kPurposeImage, static_cast<std::uint64_t>(n));
    make_image(rng, t, n);
  }
  return t;
}

std::uint64_t fnv1a64(const std::vector<std::int16_t>& data) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (std::int16_t v : data) {
    const auto u = static_cast<std::uint16_t>(v);
    for (std::uint8_t byte : {static_cast<std::uint8_t>(u & 0xFF), static_cast<std::uint8_t>(u >> 8)}) {
      h ^= byte;
      h *= 0x100000001B3ull;
    }
  }
  return h;
}

CalibratedNetwork make_alexnet(std::uint64_t seed, int batch) {
  CalibratedNetwork result;
  Network& net = result.net;
  net.desc = alexnet_description(1);
  net.desc.input_frac = kAlexNetInputFrac;
  net.params.resize(net.desc.layers.size());

  Tensor16 x(net.desc.input_shape, kAlexNetInputFrac);
  SplitMix64 calib_rng = make_stream(seed, kPurposeCalibrationImage, 0);
  make_image(calib_rng, x, 0);

  int frac = net.desc.input_frac;
  for (std::size_t i = 0; i < net.desc.layers.size(); ++i) {
    LayerDesc& l = net.desc.layers[i];
    LayerParams& p = net.params[i];
    l.in_frac = frac;
    switch (l.kind) {
      case LayerKind::Lrn:
        if (frac < 0 || frac > 15) {
          throw std::logic_error(fmt::format("calibration: {} input format frac {} is outside the LRN range 0..15", l.name, frac));
        }
        x = lrn(x, make_lrn_table(l.lrn, frac));
        l.out_frac = frac;
        continue;
      case LayerKind::MaxPool:
        x = max_pool(x, l.pool);
        l.out_frac = frac;
        continue;
      case LayerKind::Conv:
      case LayerKind::FullyConnected:
        break;
    }
    const std::int64_t fan_in = static_cast<std::int64_t>(l.weight_shape.c) * l.weight_shape.h * l.weight_shape.w;
    CalibrationLayer cal;
    cal.name = l.name;
    cal.weight_sigma_raw = kWeightSigmaRaw;
    cal.bias_sigmas = bias_sigma_permille(l.name) / 1000.0;
    for (;;) {
      l.weight_frac = he_weight_frac(cal.weight_sigma_raw, fan_in);
      p.weights = make_weights(seed, i, l.weight_shape, cal.weight_sigma_raw, l.weight_frac);
      LayerStats stats;
      const Tensor32 acc0 = l.kind == LayerKind::Conv ? conv2d_accumulate(x, p.weights, {}, l.conv, &stats)
                                                      : fc_accumulate(x, p.weights, {}, &stats);
      bool overflow = stats.acc_overflows != 0;

      // Per-channel statistics (conv: over the plane; FC has one value per channel, so the layer's).
      const int channels = acc0.shape.c;
      const std::size_t plane = static_cast<std::size_t>(acc0.shape.h) * acc0.shape.w;
      std::vector<GroupStats> groups;
      if (l.kind == LayerKind::Conv) {
        for (int c = 0; c < channels; ++c) {
          std::vector<std::int64_t> v(acc0.data.begin() + static_cast<std::ptrdiff_t>(c * plane),
                                      acc0.data.begin() + static_cast<std::ptrdiff_t>((c + 1) * plane));
          groups.push_back(group_stats(v));
        }
      } else {
        groups.assign(channels, group_stats(std::vector<std::int64_t>(acc0.data.begin(), acc0.data.end())));
      }
      SplitMix64 bias_rng = make_stream(seed, kPurposeBias, i);
      const int offset = bias_sigma_permille(l.name);
      std::vector<std::int64_t> bias(channels);
      for (int c = 0; c < channels; ++c) {
        const int permille = offset + static_cast<int>(bias_rng.below(2 * kBiasJitterPermille + 1)) - kBiasJitterPermille;
        bias[c] = -groups[c].mean - groups[c].sigma * permille / 1000;
      }

      // Accumulators with bias must fit int32 (the hardware's psum) and so must the bias itself.
      Tensor32 acc(acc0.shape, acc0.frac);
      std::int64_t max_abs = 0;
      for (std::size_t k = 0; k < acc0.data.size() && !overflow; ++k) {
        const std::int64_t v = static_cast<std::int64_t>(acc0.data[k]) + bias[(k / plane) % channels];
        overflow = v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max();
        acc.data[k] = static_cast<std::int32_t>(v);
        max_abs = std::max(max_abs, v < 0 ? -v : v);
      }
      if (overflow) {
        if (cal.weight_sigma_raw <= 1) throw std::logic_error(fmt::format("calibration: {} overflows int32 even with unit weights", l.name));
        cal.weight_sigma_raw /= 2;
        continue;
      }
      p.bias.assign(bias.begin(), bias.end());
      // Finest output format that holds every accumulator of the calibration image with one bit of headroom for
      // other images (negatives too, so the saturation counter stays meaningful for ReLU layers).
      const std::int64_t limit = 32767 >> kHeadroomBits;
      int s = 0;
      while (s < 31 && ((max_abs + (s > 0 ? (std::int64_t{1} << (s - 1)) : 0)) >> s) > limit) ++s;
      cal.acc_max_abs = max_abs;
      cal.shift = s;
      l.out_frac = l.in_frac + l.weight_frac - s;
      x = requantize(acc, l.out_frac, l.relu);
      break;
    }
    frac = l.out_frac;
    result.calibration.push_back(cal);
  }
  net.desc = with_batch(net.desc, batch);
  validate(net);
  return result;
}

}  // namespace ocelli::golden
