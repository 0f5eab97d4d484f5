// The PE's wake condition (rtl/pe/pe.sv, docs/pe-array.md "Simulation"): a PE is evaluated only when a pass starts,
// a queue takes or gives a word, or it moved in the last cycle. If that condition missed a case, the PE would skip a
// state change. This test drives the performance build (Vpe_fast) and a reference build that evaluates the PE in
// every enabled cycle (Vpe_awake, +define+OCELLI_PE_ALWAYS_AWAKE) with the same random inputs -- legal passes
// started at random times, random valid gaps, random data, output back-pressure, the enable dropped now and then --
// and requires every output to be equal in every cycle.
#include <gtest/gtest.h>

#include <fmt/core.h>

#include <cstdint>
#include <random>
#include <string>

#include "Vpe_awake.h"
#include "Vpe_fast.h"
#include "rs_pass_builder.hpp"
#include "sim_harness.hpp"

namespace {

using ocelli::tb::PeConfig;
using ocelli::tb::SimHarness;

// A random legal pass configuration (spad limits: q*S <= 12, p <= 24, p*q*S <= 224).
PeConfig random_config(std::mt19937_64& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  PeConfig c;
  c.filt_width = pick(1, 5);
  c.num_channels = pick(1, 12 / c.filt_width);
  c.num_filters = pick(1, std::min(24, 224 / (c.num_channels * c.filt_width)));
  c.stride = pick(1, 4);
  c.num_images = pick(1, 3);
  const bool held = pick(0, 4) == 0 && c.num_images * c.num_filters <= 24;
  c.ofmap_width = held ? 1 : pick(1, 8);
  c.psum_hold = held && pick(0, 1);
  c.psum_resume = held && !c.psum_hold && pick(0, 1);
  c.validate();
  return c;
}

template <class A, class B>
std::string first_difference(const A& a, const B& b) {
  if (a.filt_ready_o != b.filt_ready_o) return "filt_ready_o";
  if (a.ifmap_ready_o != b.ifmap_ready_o) return "ifmap_ready_o";
  if (a.psum_ready_o != b.psum_ready_o) return "psum_ready_o";
  if (a.psum_valid_o != b.psum_valid_o) return "psum_valid_o";
  if (a.psum_valid_o && a.psum_data_o != b.psum_data_o) return "psum_data_o";
  if (a.busy_o != b.busy_o) return "busy_o";
  if (a.mac_o != b.mac_o) return "mac_o";
  if (a.mac_gated_o != b.mac_gated_o) return "mac_gated_o";
  return "";
}

void run_lockstep(std::uint64_t seed, int cycles) {
  SCOPED_TRACE(fmt::format("seed {}", seed));
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution coin(0.5), rare(0.02), often(0.9);
  std::uniform_int_distribution<int> small_value(-3, 3), lanes(1, 4);
  SimHarness<Vpe_fast> fast_sim;
  SimHarness<Vpe_awake> ref_sim;
  fast_sim.reset();
  ref_sim.reset();
  auto& f = fast_sim.model();
  auto& r = ref_sim.model();
  PeConfig cfg = random_config(rng);
  int passes = 0, outputs = 0, macs = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    // Inputs, identical for both models; data often zero (zero gating) and small otherwise.
    const bool en = !rare(rng);  // the enable drops now and then (a disabled PE holds its state)
    const bool start = !f.busy_o && coin(rng);
    if (start) cfg = random_config(rng);
    const std::uint64_t cfg_bits = cfg.pack();
    const bool accum = start ? coin(rng) : bool(f.accum_i);
    const bool filt_valid = coin(rng), ifmap_valid = coin(rng), psum_valid = coin(rng), psum_ready = often(rng);
    const int count = lanes(rng);
    std::uint32_t w[3] = {0, 0, 0};
    for (int l = 0; l < 4; ++l) {
      const std::uint32_t v = static_cast<std::uint16_t>(coin(rng) ? 0 : small_value(rng));
      w[l / 2] |= v << (16 * (l % 2));
    }
    w[2] = static_cast<std::uint32_t>(count);
    // Ifmap word (ocelli_pkg::ifmap_word_t, laid out as filt_word_t): 1..4 values, zeros common.
    std::uint32_t iw[3] = {0, 0, 0};
    for (int l = 0; l < 4; ++l) {
      const std::uint32_t v = static_cast<std::uint16_t>(coin(rng) ? 0 : small_value(rng));
      iw[l / 2] |= v << (16 * (l % 2));
    }
    iw[2] = static_cast<std::uint32_t>(lanes(rng));
    const auto psum = static_cast<std::uint32_t>(small_value(rng));
    auto drive = [&](auto& m) {
      m.en_i = en;
      m.start_i = start;
      m.cfg_i = cfg_bits;
      m.accum_i = accum;
      m.filt_valid_i = filt_valid;
      for (int i = 0; i < 3; ++i) m.filt_data_i[i] = w[i];
      m.ifmap_valid_i = ifmap_valid;
      for (int i = 0; i < 3; ++i) m.ifmap_data_i[i] = iw[i];
      m.psum_valid_i = psum_valid;
      m.psum_data_i = psum;
      m.psum_ready_i = psum_ready;
    };
    drive(f);
    drive(r);
    fast_sim.eval();
    ref_sim.eval();
    const std::string diff = first_difference(f, r);
    ASSERT_EQ(diff, "") << fmt::format("cycle {}: {} differs (pass {}, S{} U{} p{} q{} F{} n{} hold {} resume {})",
                                       cycle, diff, passes, cfg.filt_width, cfg.stride, cfg.num_filters,
                                       cfg.num_channels, cfg.ofmap_width, cfg.num_images, cfg.psum_hold,
                                       cfg.psum_resume);
    passes += start && en;
    outputs += f.psum_valid_o && psum_ready;
    macs += f.mac_o;
    fast_sim.tick();
    ref_sim.tick();
  }
  // The stimulus must have made the PE work, or the comparison proves little.
  EXPECT_GT(passes, 3);
  EXPECT_GT(outputs, 10);
  EXPECT_GT(macs, 100);
}

class PeWake : public ::testing::TestWithParam<int> {};

TEST_P(PeWake, SkippedCyclesChangeNothing) { run_lockstep(1000 + GetParam(), 20000); }

INSTANTIATE_TEST_SUITE_P(Seeds, PeWake, ::testing::Range(0, 12));

}  // namespace
