// Measures the golden conv/FC speed on dense random data (benchmark only; nothing is asserted).
#include <fmt/format.h>

#include <chrono>
#include <random>

#include "ocelli/golden/layers.hpp"

namespace {

using namespace ocelli::golden;

struct Case {
  const char* name;
  Shape in;
  Shape weights;
  ConvParams p;
};

Tensor16 random_tensor(std::mt19937& rng, Shape s, int max_abs) {
  Tensor16 t(s, 8);
  std::uniform_int_distribution<int> d(-max_abs, max_abs);
  for (auto& v : t.data) v = static_cast<std::int16_t>(d(rng));
  return t;
}

}  // namespace

int main() {
  std::mt19937 rng(1);
  // AlexNet-like conv shapes (batch 1), plus a 224x224 dense 3x3 conv.
  const std::vector<Case> cases = {
      {"dense224 3x3 64->64", {1, 64, 224, 224}, {64, 64, 3, 3}, {1, 1, 1, 1, 1, 1, 1}},
      {"conv1 11x11 s4", {1, 3, 227, 227}, {96, 3, 11, 11}, {4, 4, 0, 0, 0, 0, 1}},
      {"conv2 5x5 g2", {1, 96, 27, 27}, {256, 48, 5, 5}, {1, 1, 2, 2, 2, 2, 2}},
      {"conv3 3x3", {1, 256, 13, 13}, {384, 256, 3, 3}, {1, 1, 1, 1, 1, 1, 1}},
      {"conv4 3x3 g2", {1, 384, 13, 13}, {384, 192, 3, 3}, {1, 1, 1, 1, 1, 1, 2}},
      {"conv5 3x3 g2", {1, 384, 13, 13}, {256, 192, 3, 3}, {1, 1, 1, 1, 1, 1, 2}},
  };
  double total_macs = 0, total_s = 0;
  for (const auto& c : cases) {
    const Tensor16 in = random_tensor(rng, c.in, 4000);
    const Tensor16 w = random_tensor(rng, c.weights, 4000);
    LayerStats stats;
    const auto t0 = std::chrono::steady_clock::now();
    const Tensor32 out = conv2d_accumulate(in, w, {}, c.p, &stats);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("{:<22} {:8.1f} MMAC {:7.3f} s {:6.2f} GMAC/s  (checksum {})\n", c.name, stats.macs / 1e6, s,
               stats.macs / s / 1e9, out.data[out.data.size() / 2]);
    if (c.name[0] == 'c') {
      total_macs += stats.macs;
      total_s += s;
    }
  }
  // FC layers: fc6 9216->4096, fc7 4096->4096, fc8 4096->1000.
  for (auto [k, m] : {std::pair{9216, 4096}, {4096, 4096}, {4096, 1000}}) {
    const Tensor16 in = random_tensor(rng, {1, k, 1, 1}, 4000);
    const Tensor16 w = random_tensor(rng, {m, k, 1, 1}, 4000);
    LayerStats stats;
    const auto t0 = std::chrono::steady_clock::now();
    const Tensor32 out = fc_accumulate(in, w, {}, &stats);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("fc {:>5}->{:<5}         {:8.1f} MMAC {:7.3f} s {:6.2f} GMAC/s  (checksum {})\n", k, m,
               stats.macs / 1e6, s, stats.macs / s / 1e9, out.data[0]);
    total_macs += stats.macs;
    total_s += s;
  }
  fmt::print("AlexNet-shaped conv+fc total: {:.1f} MMAC in {:.3f} s = {:.2f} GMAC/s\n", total_macs / 1e6, total_s,
             total_macs / total_s / 1e9);
  return 0;
}
