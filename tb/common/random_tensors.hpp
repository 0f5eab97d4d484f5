// Seeded random tensors for RTL tests: a share of zeros (exercises zero gating) and of extreme values.
#pragma once

#include <cstdint>
#include <limits>
#include <random>

#include "ocelli/golden/tensor.hpp"

namespace ocelli::tb {

inline std::int16_t random_int16(std::mt19937_64& rng, double zero_prob) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double pick = u(rng);
  if (pick < zero_prob) return 0;
  if (pick < zero_prob + 0.03) return std::numeric_limits<std::int16_t>::min();
  if (pick < zero_prob + 0.06) return std::numeric_limits<std::int16_t>::max();
  return static_cast<std::int16_t>(std::uniform_int_distribution<int>(-32768, 32767)(rng));
}

inline golden::Tensor16 random_tensor16(std::mt19937_64& rng, golden::Shape shape, double zero_prob) {
  golden::Tensor16 t(shape);
  for (auto& v : t.data) v = random_int16(rng, zero_prob);
  return t;
}

inline golden::Tensor32 random_tensor32(std::mt19937_64& rng, golden::Shape shape) {
  golden::Tensor32 t(shape);
  std::uniform_int_distribution<std::int32_t> d(std::numeric_limits<std::int32_t>::min(),
                                                std::numeric_limits<std::int32_t>::max());
  for (auto& v : t.data) v = d(rng);
  return t;
}

inline int rand_int(std::mt19937_64& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

}  // namespace ocelli::tb
