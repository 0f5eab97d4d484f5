// Benchmark of the verilated 12x14 PE array (not a test): MACs per active PE per cycle in steady state and
// simulated cycles per second, for representative AlexNet-shaped passes. Outputs are still checked against the
// golden so a broken model cannot produce a good-looking figure.
#include <fmt/core.h>

#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "array_runner.hpp"
#include "random_tensors.hpp"
#include "rs_pass_builder.hpp"

namespace {

using namespace ocelli;
using namespace ocelli::tb;

constexpr int kRows = 12;
constexpr int kCols = 14;

struct BenchCase {
  std::string name;
  int n, R, S, U, H, W, pad;
  RsMapping map;
};

struct BenchFigures {
  int active_pes = 0;
  std::uint64_t cycles = 0;
  double steady_macs_per_pe_cycle = 0;  // between 25% and 75% of the pass
  double pass_macs_per_pe_cycle = 0;    // whole pass, fill and drain included
  double gated_share = 0;
  double cycles_per_second = 0;      // wall clock
  double cycles_per_cpu_second = 0;  // process CPU time: less sensitive to other jobs on the machine
  bool correct = false;
};

BenchFigures run_case(const BenchCase& c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  ConvSlice slice;
  const int C = c.map.r * c.map.q;
  const int M = c.map.t * c.map.p;
  slice.ifmap = random_tensor16(rng, {c.n, C, c.H, c.W}, 0.4);
  slice.weights = random_tensor16(rng, {M, C, c.R, c.S}, 0.0);
  slice.conv.stride_h = slice.conv.stride_w = c.U;
  slice.conv.pad_top = slice.conv.pad_bottom = slice.conv.pad_left = slice.conv.pad_right = c.pad;
  for (int m = 0; m < M; ++m) slice.bias.push_back(static_cast<std::int32_t>(rng() & 0xffff));
  const ArrayPass pass = RsPassBuilder(kRows, kCols).build(slice, c.map);

  SimHarness<Vpe_array> sim("");
  sim.reset();
  ArrayRunner runner(sim, kRows, kCols, seed);
  // Expected length: every PE does n*F*p*q*S MACs back to back when the pipeline never bubbles.
  const std::uint64_t ideal =
      static_cast<std::uint64_t>(pass.cfg.num_images) * pass.cfg.ofmap_width * pass.cfg.macs_per_column();
  const std::uint64_t t0 = ideal / 4, t1 = ideal * 3 / 4;
  ArrayCounters at0, at1;
  const auto wall0 = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  const ArrayRunResult r = runner.run(pass, StreamTiming{}, [&](std::uint64_t cycle) {
    if (cycle == t0) at0 = runner.counters();
    if (cycle == t1) at1 = runner.counters();
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double cpu_seconds = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;

  BenchFigures f;
  f.active_pes = pass.active_pes();
  f.cycles = r.cycles;
  f.steady_macs_per_pe_cycle =
      static_cast<double>(at1.macs - at0.macs) / static_cast<double>(at1.pe_busy_cycles - at0.pe_busy_cycles);
  f.pass_macs_per_pe_cycle = static_cast<double>(r.counters.macs) / static_cast<double>(r.counters.pe_busy_cycles);
  f.gated_share = static_cast<double>(r.counters.gated_macs) / static_cast<double>(r.counters.macs);
  f.cycles_per_second = static_cast<double>(r.cycles) / seconds;
  f.cycles_per_cpu_second = static_cast<double>(r.cycles) / cpu_seconds;
  f.correct = r.outputs == pass.expected;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_array: MACs per active PE per cycle and simulation speed of the verilated 12x14 PE array"};
  std::uint64_t seed = 1;
  int images = 4;
  app.add_option("--seed", seed, "random data seed");
  app.add_option("--images", images, "images per pass (n)")->check(CLI::Range(1, 15));
  CLI11_PARSE(app, argc, argv);

  // Shapes follow the AlexNet CONV layers; each is one processing pass that fits the array.
  const std::vector<BenchCase> cases = {
      {"conv1 11x11/4 p16 q1 t2 e7", images, 11, 11, 4, 11 + 4 * 6, 227, 0, {16, 1, 1, 2, 7}},
      {"conv2 5x5 p16 q2 r2 e13", images, 5, 5, 1, 15, 27, 2, {16, 2, 2, 1, 13}},
      {"conv3 3x3 p16 q4 r4 e13", images, 3, 3, 1, 13, 13, 1, {16, 4, 4, 1, 13}},
      {"conv4/5 3x3 p16 q3 r4 e13", images, 3, 3, 1, 13, 13, 1, {16, 3, 4, 1, 13}},
      {"all 168 PEs 3x3 p16 q4 r4 e14", images, 3, 3, 1, 16, 32, 1, {16, 4, 4, 1, 14}},
  };
  fmt::print("bench_array: {}x{} PE array, verilated, {} images per pass, seed {}\n", kRows, kCols, images, seed);
  fmt::print("{:<32} {:>5} {:>9} {:>17} {:>15} {:>7} {:>10} {:>14} {:>6}\n", "pass", "PEs", "cycles",
             "steady MAC/PE/cyc", "pass MAC/PE/cyc", "gated", "cycles/s", "cycles/cpu-s", "golden");
  bool all_ok = true;
  try {
    for (const auto& c : cases) {
      const BenchFigures f = run_case(c, seed);
      all_ok = all_ok && f.correct;
      fmt::print("{:<32} {:>5} {:>9} {:>17.4f} {:>15.4f} {:>6.1f}% {:>10.0f} {:>14.0f} {:>6}\n", c.name, f.active_pes,
                 f.cycles, f.steady_macs_per_pe_cycle, f.pass_macs_per_pe_cycle, 100.0 * f.gated_share,
                 f.cycles_per_second, f.cycles_per_cpu_second, f.correct ? "ok" : "FAIL");
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_array: {}\n", e.what());
    return 1;
  }
  return all_ok ? 0 : 1;
}
