// Derived quantities of a run (utilization, time at the report clock, compression, the normalized energy estimate),
// computed in one place from a driver::LayerRecord's counters; the table, JSON and CSV all print these. Formulas and
// the counter -> energy-term mapping are documented in docs/report.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ocelli/driver/run_record.hpp"

namespace ocelli::report {

// Clock the report converts cycles at (Eyeriss's measured core clock, docs/architecture.md).
constexpr double kReportClockHz = 200e6;

// Normalized energy per access, relative to one 16-bit MAC (Chen, Emer, Sze, ISCA 2016; the values are quoted in
// docs/eyeriss-reference.md): DRAM 200, global buffer 6, PE-to-PE network 2, spad (register file) 1, MAC 1.
struct EnergyCosts {
  double dram = 200.0;
  double glb = 6.0;
  double noc = 2.0;
  double spad = 1.0;
  double mac = 1.0;
};
constexpr EnergyCosts kEnergyCosts{};

// Accesses in the units the energy model charges: one access moves one 16-bit word (docs/report.md).
struct AccessCounts {
  std::uint64_t dram = 0;  // 16-bit words of DRAM traffic: all bytes read and written / 2 (a 64-bit beat = 4)
  std::uint64_t glb = 0;   // 16-bit words through the GLB: (64-bit reads + writes) x 4
  std::uint64_t noc = 0;   // words delivered to PEs by the GINs (multicast fan-out counted)
  std::uint64_t spad = 0;  // estimated: 4 per issued MAC - 1 per gated MAC (filter read skipped) + 1 per delivery
  std::uint64_t mac = 0;   // multiplies performed: issued MACs - zero-gated MACs
};

// Energy terms in units of one MAC (access count x cost).
struct EnergyTerms {
  double dram = 0.0, glb = 0.0, noc = 0.0, spad = 0.0, mac = 0.0;
  double total() const { return dram + glb + noc + spad + mac; }
};

struct LayerMetrics {
  double ms = 0.0;                        // cycles at kReportClockHz
  double utilization = 0.0;               // macs / (pes x cycles); 0 when cycles == 0
  double gated_fraction = 0.0;            // gated_macs / macs_issued; 0 when nothing was issued
  std::uint64_t dram_read_bytes = 0;      // ifmap + weights + bias + descriptors
  std::uint64_t dram_written_bytes = 0;   // ofmap
  std::uint64_t glb_accesses = 0;         // 64-bit GLB reads + writes
  std::optional<double> ifmap_rlc_ratio;  // ifmap raw bytes / coded bytes read (only for an RLC ifmap)
  std::optional<double> ofmap_rlc_ratio;  // ofmap raw bytes / coded bytes written (only for an RLC ofmap)
  AccessCounts accesses;
  EnergyTerms energy;
  double energy_per_mac = 0.0;            // energy.total() / macs; 0 when macs == 0
};

LayerMetrics derive_metrics(const driver::LayerRecord& layer, int pes);

// The total row: every counter summed over the layers, named "total"; active_pes is the cycle-weighted mean over
// the layers that use the array (Eyeriss's total row averages the same way); matched when every layer matched.
driver::LayerRecord sum_layers(const driver::RunRecord& run);

// PEs of the array named by a HwConfig::name() string ("12x14 PEs, ..." -> 168). Throws std::invalid_argument
// quoting the string when it does not start with "<rows>x<cols> PEs".
int array_pes(const std::string& hw_config);

}  // namespace ocelli::report
