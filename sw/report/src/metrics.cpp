#include "ocelli/report/metrics.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::report {
namespace {

double ratio(double num, double den) { return den == 0.0 ? 0.0 : num / den; }

constexpr std::uint64_t kBytesPerWord16 = 2;
constexpr std::uint64_t kWords16PerGlbWord = 4;  // the GLB is 64 bits wide

AccessCounts count_accesses(const driver::LayerRecord& l, const LayerMetrics& m) {
  AccessCounts a;
  a.dram = (m.dram_read_bytes + m.dram_written_bytes) / kBytesPerWord16;
  a.glb = m.glb_accesses * kWords16PerGlbWord;
  a.noc = l.noc_deliveries;
  const std::uint64_t gated = std::min(l.gated_macs, l.macs_issued);
  // Per issued MAC: ifmap spad read, psum spad read and write, filter spad read (skipped when gated);
  // every delivered word is written into a spad.
  a.spad = 4 * l.macs_issued - gated + l.noc_deliveries;
  a.mac = l.macs_issued - gated;
  return a;
}

EnergyTerms energy_of(const AccessCounts& a, const EnergyCosts& c) {
  EnergyTerms e;
  e.dram = static_cast<double>(a.dram) * c.dram;
  e.glb = static_cast<double>(a.glb) * c.glb;
  e.noc = static_cast<double>(a.noc) * c.noc;
  e.spad = static_cast<double>(a.spad) * c.spad;
  e.mac = static_cast<double>(a.mac) * c.mac;
  return e;
}

}  // namespace

LayerMetrics derive_metrics(const driver::LayerRecord& l, int pes) {
  if (pes <= 0) throw std::invalid_argument(fmt::format("derive_metrics: PE count must be positive, got {}", pes));
  LayerMetrics m;
  m.ms = static_cast<double>(l.cycles) / kReportClockHz * 1e3;
  m.utilization = ratio(static_cast<double>(l.macs), static_cast<double>(pes) * static_cast<double>(l.cycles));
  m.gated_fraction = ratio(static_cast<double>(l.gated_macs), static_cast<double>(l.macs_issued));
  m.dram_read_bytes = l.dram_read_ifmap + l.dram_read_weights + l.dram_read_bias + l.dram_read_descriptors;
  m.dram_written_bytes = l.dram_write_ofmap;
  m.glb_accesses = l.glb_reads + l.glb_writes;
  // Raw tensors are 16-bit elements; coded words are 64 bits. The decoder sees every ifmap re-read, so the ifmap
  // ratio is "DRAM ifmap traffic against reading the raw tensor once" (docs/report.md).
  if (l.ifmap_rlc && l.rlc_words_in > 0)
    m.ifmap_rlc_ratio = ratio(static_cast<double>(l.ifmap_elements) * 2.0, static_cast<double>(l.rlc_words_in) * 8.0);
  if (l.ofmap_rlc && l.rlc_words_out > 0)
    m.ofmap_rlc_ratio = ratio(static_cast<double>(l.ofmap_elements) * 2.0, static_cast<double>(l.rlc_words_out) * 8.0);
  m.accesses = count_accesses(l, m);
  m.energy = energy_of(m.accesses, kEnergyCosts);
  m.energy_per_mac = ratio(m.energy.total(), static_cast<double>(l.macs));
  return m;
}

driver::LayerRecord sum_layers(const driver::RunRecord& run) {
  driver::LayerRecord t;
  t.name = "total";
  t.matched = !run.layers.empty();
  double pe_cycles = 0.0, array_cycles = 0.0;
  for (const auto& l : run.layers) {
    t.estimated_cycles += l.estimated_cycles;
    t.cycles += l.cycles;
    t.macs += l.macs;
    t.macs_issued += l.macs_issued;
    t.gated_macs += l.gated_macs;
    t.pe_busy_cycles += l.pe_busy_cycles;
    t.glb_reads += l.glb_reads;
    t.glb_writes += l.glb_writes;
    t.glb_conflicts += l.glb_conflicts;
    t.noc_deliveries += l.noc_deliveries;
    t.dram_read_ifmap += l.dram_read_ifmap;
    t.dram_read_weights += l.dram_read_weights;
    t.dram_read_bias += l.dram_read_bias;
    t.dram_read_descriptors += l.dram_read_descriptors;
    t.dram_write_ofmap += l.dram_write_ofmap;
    t.saturated += l.saturated;
    t.wall_seconds += l.wall_seconds;
    t.matched = t.matched && l.matched;
    // Compression totals cover the coded tensors only.
    if (l.ifmap_rlc) {
      t.ifmap_rlc = true;
      t.ifmap_elements += l.ifmap_elements;
      t.rlc_words_in += l.rlc_words_in;
    }
    if (l.ofmap_rlc) {
      t.ofmap_rlc = true;
      t.ofmap_elements += l.ofmap_elements;
      t.rlc_words_out += l.rlc_words_out;
    }
    if (l.active_pes > 0) {
      pe_cycles += static_cast<double>(l.active_pes) * static_cast<double>(l.cycles);
      array_cycles += static_cast<double>(l.cycles);
    }
  }
  t.active_pes = array_cycles > 0.0 ? static_cast<int>(pe_cycles / array_cycles + 0.5) : 0;
  return t;
}

int array_pes(const std::string& hw_config) {
  static const std::regex kArray(R"(^\s*(\d+)x(\d+) PEs)");
  std::smatch m;
  if (!std::regex_search(hw_config, m, kArray)) {
    throw std::invalid_argument(fmt::format(
        "hw_config \"{}\" does not start with \"<rows>x<cols> PEs\"; pass the array size (ocelli report --pes N)", hw_config));
  }
  const long rows = m[1].str().size() > 4 ? 0 : std::stol(m[1].str());
  const long cols = m[2].str().size() > 4 ? 0 : std::stol(m[2].str());
  const int pes = static_cast<int>(rows * cols);
  if (pes <= 0) {
    throw std::invalid_argument(
        fmt::format("hw_config \"{}\": array size out of range (1..9999 x 1..9999)", hw_config));
  }
  return pes;
}

}  // namespace ocelli::report
