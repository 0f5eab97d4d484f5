// Runs one ArrayPass on the verilated pe_array: drives every active PE's streams, collects the column outputs.
// Header-only because it needs the model header of the target that links vpe_array.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/core.h>

#include "Vpe_array.h"
#include "rs_pass_builder.hpp"
#include "sim_harness.hpp"
#include "stream_feeder.hpp"

namespace ocelli::tb {

// Bits of one filter-network word (ocelli_pkg::filt_word_t: 3-bit count over four 16-bit lanes).
constexpr int kFiltWordBits = 67;
// Bits of one ifmap-network word (ocelli_pkg::ifmap_word_t: the same layout).
constexpr int kIfmapWordBits = 67;

// Field access into Verilator port types: plain integers up to 64 bits, VlWide above.
template <class P>
void set_field(P& port, int lsb, int width, std::uint32_t value) {
  if constexpr (std::is_integral_v<P>) {
    const P mask = width >= 64 ? ~P{0} : ((P{1} << width) - 1);
    port = (port & ~(mask << lsb)) | ((static_cast<P>(value) & mask) << lsb);
  } else {
    if (width > 32) throw std::invalid_argument(fmt::format("set_field: {} bits do not fit a uint32_t", width));
    if (lsb % 32 + width > 32) {  // straddles two 32-bit words (e.g. 67-bit filter-network words): split it
      const int low = 32 - lsb % 32;
      set_field(port, lsb, low, value);
      set_field(port, lsb + low, width - low, value >> low);
      return;
    }
    const std::uint32_t mask = width >= 32 ? ~0u : ((1u << width) - 1);
    auto& word = port.at(static_cast<std::size_t>(lsb / 32));
    const int shift = lsb % 32;
    word = (word & ~(mask << shift)) | ((value & mask) << shift);
  }
}

template <class P>
std::uint32_t get_field(const P& port, int lsb, int width) {
  if constexpr (std::is_integral_v<P>) {
    const std::uint64_t mask = width >= 64 ? ~0ull : ((1ull << width) - 1);
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(port) >> lsb) & mask);
  } else {
    const std::uint32_t mask = width >= 32 ? ~0u : ((1u << width) - 1);
    return (port.at(static_cast<std::size_t>(lsb / 32)) >> (lsb % 32)) & mask;
  }
}

template <class P>
void clear_port(P& port) {
  if constexpr (std::is_integral_v<P>) {
    port = 0;
  } else {
    for (std::size_t i = 0; i < sizeof(port) / sizeof(port.at(0)); ++i) port.at(i) = 0;
  }
}

struct StreamTiming {
  double valid_prob = 1.0;  // chance an input word is offered in a cycle
  double ready_prob = 1.0;  // chance a column output is accepted in a cycle
};

struct ArrayCounters {
  std::uint64_t active_cycles = 0;
  std::uint64_t pe_busy_cycles = 0;
  std::uint64_t macs = 0;
  std::uint64_t gated_macs = 0;
};

struct ArrayRunResult {
  std::uint64_t cycles = 0;
  std::vector<std::vector<std::int32_t>> outputs;  // per column
  ArrayCounters counters;  // this pass only
};

class ArrayRunner {
 public:
  using Harness = SimHarness<Vpe_array>;

  ArrayRunner(Harness& sim, int rows, int cols, std::uint64_t seed) : sim_(sim), rows_(rows), cols_(cols), rng_(seed) {}

  ArrayCounters counters() {
    auto& m = sim_.model();
    return {m.perf_active_cycles_o, m.perf_pe_busy_cycles_o, m.perf_macs_o, m.perf_gated_macs_o};
  }

  // Runs the pass to completion. `on_cycle(cycle)` is called once per cycle (benchmarks sample counters there).
  template <class OnCycle>
  ArrayRunResult run(const ArrayPass& pass, const StreamTiming& timing, OnCycle&& on_cycle) {
    if (pass.rows != rows_ || pass.cols != cols_)
      throw std::invalid_argument(fmt::format("ArrayPass is {} x {} but the model is {} x {}", pass.rows, pass.cols,
                                              rows_, cols_));
    auto& m = sim_.model();
    const int num_pes = rows_ * cols_;
    std::vector<int> active;
    std::vector<StreamFeeder<std::int16_t>> filt(num_pes), ifmap(num_pes);
    std::vector<StreamFeeder<std::int32_t>> psum(num_pes);
    clear_port(m.pe_en_i);
    clear_port(m.pe_accum_i);
    clear_port(m.pe_psum_ext_i);
    std::uint64_t work = 0;
    for (int i = 0; i < num_pes; ++i) {
      const PeJob& pe = pass.pes[i];
      if (!pe.enabled) continue;
      active.push_back(i);
      set_field(m.pe_en_i, i, 1, 1);
      set_field(m.pe_accum_i, i, 1, pe.accum);
      set_field(m.pe_psum_ext_i, i, 1, pe.psum_ext);
      filt[i] = StreamFeeder<std::int16_t>(&pe.filter);
      ifmap[i] = StreamFeeder<std::int16_t>(&pe.ifmap);
      psum[i] = StreamFeeder<std::int32_t>(&pe.psum_in);
      work = std::max<std::uint64_t>(work, pe.filter.size() + pe.ifmap.size() + pe.psum_in.size());
    }
    work = std::max<std::uint64_t>(
        work, static_cast<std::uint64_t>(pass.cfg.num_images) * pass.cfg.ofmap_width * pass.cfg.macs_per_column());
    const double slowest = std::min(timing.valid_prob, timing.ready_prob);
    const std::uint64_t limit = sim_.cycles() + static_cast<std::uint64_t>(8.0 * work / slowest) + 5000;

    m.perf_clear_i = 0;
    const ArrayCounters before = counters();  // the result reports this pass only
    m.cfg_i = pass.cfg.pack();
    m.start_i = 1;
    clear_port(m.filt_valid_i);
    clear_port(m.ifmap_valid_i);
    clear_port(m.psum_valid_i);
    clear_port(m.col_psum_ready_i);
    sim_.tick();
    m.start_i = 0;

    ArrayRunResult result;
    result.outputs.resize(cols_);
    std::size_t expected_total = 0, received_total = 0;
    for (const auto& col : pass.expected) expected_total += col.size();
    const std::uint64_t first_cycle = sim_.cycles();
    for (;;) {
      const bool busy = m.busy_o;
      if (!busy && received_total >= expected_total) break;
      if (sim_.cycles() > limit)
        throw std::runtime_error(fmt::format("pe_array watchdog: pass not finished after {} cycles ({} of {} psums)",
                                             sim_.cycles() - first_cycle, received_total, expected_total));
      // pe_array's ready outputs and column outputs are functions of registered state and of the static per-pass
      // configuration only, so the values after the previous edge hold for this cycle: one evaluation per cycle.
      for (int i : active) {
        set_field(m.filt_valid_i, i, 1, filt[i].offer(rng_, timing.valid_prob));
        // One value per filter-network word: lane 0 and count = 1 (ocelli_pkg::filt_word_t).
        set_field(m.filt_data_i, i * kFiltWordBits, 16, static_cast<std::uint16_t>(filt[i].data()));
        set_field(m.filt_data_i, i * kFiltWordBits + 64, 3, 1);
        set_field(m.ifmap_valid_i, i, 1, ifmap[i].offer(rng_, timing.valid_prob));
        // One value per ifmap-network word: lane 0 and count = 1 (ocelli_pkg::ifmap_word_t).
        set_field(m.ifmap_data_i, i * kIfmapWordBits, 16, static_cast<std::uint16_t>(ifmap[i].data()));
        set_field(m.ifmap_data_i, i * kIfmapWordBits + 64, 3, 1);
        set_field(m.psum_valid_i, i, 1, psum[i].offer(rng_, timing.valid_prob));
        set_field(m.psum_data_i, i * 32, 32, static_cast<std::uint32_t>(psum[i].data()));
        filt[i].handshake(get_field(m.filt_ready_o, i, 1));
        ifmap[i].handshake(get_field(m.ifmap_ready_o, i, 1));
        psum[i].handshake(get_field(m.psum_ready_o, i, 1));
      }
      for (int c = 0; c < cols_; ++c) {
        const bool ready = timing.ready_prob >= 1.0 || std::bernoulli_distribution(timing.ready_prob)(rng_);
        set_field(m.col_psum_ready_i, c, 1, ready);
        if (ready && get_field(m.col_psum_valid_o, c, 1)) {
          result.outputs[c].push_back(static_cast<std::int32_t>(get_field(m.col_psum_data_o, c * 32, 32)));
          ++received_total;
        }
      }
      on_cycle(sim_.cycles() - first_cycle);
      sim_.tick_posedge_only();
    }
    clear_port(m.filt_valid_i);
    clear_port(m.ifmap_valid_i);
    clear_port(m.psum_valid_i);
    clear_port(m.col_psum_ready_i);
    for (int i : active) {
      if (!filt[i].done() || !ifmap[i].done() || !psum[i].done())
        throw std::runtime_error(fmt::format("pe_array: PE {} finished with input left over (filter {}/{}, ifmap "
                                             "{}/{}, psum {}/{})",
                                             i, filt[i].sent(), pass.pes[i].filter.size(), ifmap[i].sent(),
                                             pass.pes[i].ifmap.size(), psum[i].sent(), pass.pes[i].psum_in.size()));
    }
    result.cycles = sim_.cycles() - first_cycle;
    const ArrayCounters after = counters();
    result.counters = {after.active_cycles - before.active_cycles, after.pe_busy_cycles - before.pe_busy_cycles,
                       after.macs - before.macs, after.gated_macs - before.gated_macs};
    return result;
  }

  ArrayRunResult run(const ArrayPass& pass, const StreamTiming& timing) {
    return run(pass, timing, [](std::uint64_t) {});
  }

 private:
  Harness& sim_;
  int rows_;
  int cols_;
  std::mt19937_64 rng_;
};

}  // namespace ocelli::tb
