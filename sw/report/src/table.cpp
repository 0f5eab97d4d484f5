// format_table: the run as text. Every number printed here comes from the record or from derive_metrics.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "ocelli/report/report.hpp"
#include "text_table.hpp"

namespace ocelli::report {
namespace {

using Align = TextTable::Align;

std::string fixed(double v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }
std::string mb(std::uint64_t bytes) { return fixed(static_cast<double>(bytes) / 1e6, 3); }
std::string millions(double v) { return fixed(v / 1e6, 2); }
std::string percent(double fraction) { return fixed(fraction * 100.0, 1); }
std::string optional_ratio(const std::optional<double>& r) { return r ? fixed(*r, 2) : "-"; }

struct Row {
  const driver::LayerRecord& record;
  LayerMetrics metrics;
};

std::string performance_table(const std::vector<Row>& layers, const Row& total) {
  TextTable t({{"layer", Align::Left},
               {"kind", Align::Left},
               {"mapping", Align::Left},
               {"PEs"},
               {"cycles"},
               {"ms@200MHz"},
               {"MMACs"},
               {"util %"},
               {"gated %"},
               {"saturated"},
               {"bit-exact", Align::Left}});
  auto add = [&](const Row& r) {
    t.add_row({r.record.name, r.record.kind, r.record.mapping.empty() ? "-" : r.record.mapping,
               std::to_string(r.record.active_pes), std::to_string(r.record.cycles), fixed(r.metrics.ms, 3),
               millions(static_cast<double>(r.record.macs)), percent(r.metrics.utilization),
               percent(r.metrics.gated_fraction), std::to_string(r.record.saturated), r.record.matched ? "yes" : "NO"});
  };
  for (const auto& r : layers) add(r);
  t.add_rule();
  add(total);
  return t.render();
}

std::string traffic_table(const std::vector<Row>& layers, const Row& total) {
  TextTable t({{"layer", Align::Left},
               {"rd ifmap"},
               {"rd weights"},
               {"rd bias"},
               {"rd desc"},
               {"wr ofmap"},
               {"DRAM total"},
               {"ifmap RLC"},
               {"ofmap RLC"},
               {"GLB accesses"}});
  auto add = [&](const Row& r) {
    const auto& l = r.record;
    t.add_row({l.name, mb(l.dram_read_ifmap), mb(l.dram_read_weights), mb(l.dram_read_bias),
               mb(l.dram_read_descriptors), mb(l.dram_write_ofmap),
               mb(r.metrics.dram_read_bytes + r.metrics.dram_written_bytes), optional_ratio(r.metrics.ifmap_rlc_ratio),
               optional_ratio(r.metrics.ofmap_rlc_ratio), std::to_string(r.metrics.glb_accesses)});
  };
  for (const auto& r : layers) add(r);
  t.add_rule();
  add(total);
  return t.render();
}

std::string energy_table(const std::vector<Row>& layers, const Row& total) {
  TextTable t({{"layer", Align::Left}, {"DRAM"}, {"GLB"}, {"NoC"}, {"spad"}, {"MAC"}, {"total"}, {"per MAC"}});
  auto add = [&](const Row& r) {
    const auto& e = r.metrics.energy;
    t.add_row({r.record.name, millions(e.dram), millions(e.glb), millions(e.noc), millions(e.spad), millions(e.mac),
               millions(e.total()), fixed(r.metrics.energy_per_mac, 2)});
  };
  for (const auto& r : layers) add(r);
  t.add_rule();
  add(total);
  return t.render();
}

double dram_mb(const LayerMetrics& m) { return static_cast<double>(m.dram_read_bytes + m.dram_written_bytes) / 1e6; }
std::string ratio_cell(double ours, double theirs) { return theirs == 0.0 ? "-" : fixed(ours / theirs, 2); }

std::string eyeriss_table(const std::vector<Row>& layers, int pes) {
  TextTable t({{"layer", Align::Left},
               {"ms"},
               {"Eyeriss ms"},
               {"ratio"},
               {"PEs"},
               {"Eyeriss PEs"},
               {"ratio"},
               {"DRAM MB"},
               {"Eyeriss MB"},
               {"ratio"},
               {"Mcycles"},
               {"Eyeriss Mcycles"}});
  driver::RunRecord compared;  // our layers that Eyeriss measured, for the CONV total
  double eyeriss_ms = 0.0, eyeriss_pe_ms = 0.0, eyeriss_mb = 0.0;
  for (const auto& r : layers) {
    const EyerissConvResult* e = eyeriss_result(r.record.name);
    if (e == nullptr) continue;
    compared.layers.push_back(r.record);
    eyeriss_ms += e->latency_ms;
    eyeriss_pe_ms += e->latency_ms * e->active_pes;
    eyeriss_mb += e->dram_mb;
    t.add_row({r.record.name, fixed(r.metrics.ms, 2), fixed(e->latency_ms, 2), ratio_cell(r.metrics.ms, e->latency_ms),
               std::to_string(r.record.active_pes), std::to_string(e->active_pes),
               ratio_cell(r.record.active_pes, e->active_pes), fixed(dram_mb(r.metrics), 2), fixed(e->dram_mb, 2),
               ratio_cell(dram_mb(r.metrics), e->dram_mb), fixed(static_cast<double>(r.record.cycles) / 1e6, 2),
               fixed(e->core_cycles() / 1e6, 2)});
  }
  if (compared.layers.empty()) return "  (no layer of this run has an Eyeriss measurement: conv1..conv5)\n";
  const driver::LayerRecord ours = sum_layers(compared);
  const LayerMetrics ours_m = derive_metrics(ours, pes);
  // Eyeriss's total PEs: cycle-weighted like ours (its published total, 148, is the same average).
  const double eyeriss_pes = eyeriss_ms > 0.0 ? eyeriss_pe_ms / eyeriss_ms : 0.0;
  t.add_rule();
  t.add_row({"CONV total", fixed(ours_m.ms, 2), fixed(eyeriss_ms, 2), ratio_cell(ours_m.ms, eyeriss_ms),
             std::to_string(ours.active_pes), fixed(eyeriss_pes, 0), ratio_cell(ours.active_pes, eyeriss_pes),
             fixed(dram_mb(ours_m), 2), fixed(eyeriss_mb, 2), ratio_cell(dram_mb(ours_m), eyeriss_mb),
             fixed(static_cast<double>(ours.cycles) / 1e6, 2), fixed(eyeriss_ms * 1e-3 * kReportClockHz / 1e6, 2)});
  return t.render();
}

std::string join(const std::vector<int>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + std::to_string(v[i]);
  return s;
}

std::string top1_line(const driver::RunRecord& run) {
  if (run.top1_golden.empty() && run.top1_rtl.empty()) return "top-1: not recorded\n";
  const bool same = run.top1_golden == run.top1_rtl;
  return fmt::format("top-1 class per image: RTL [{}], golden [{}]: {}\n", join(run.top1_rtl), join(run.top1_golden),
                     same ? "match" : "MISMATCH");
}

}  // namespace

int report_pes(const driver::RunRecord& run, const ReportOptions& options) {
  return options.pes > 0 ? options.pes : array_pes(run.hw_config);
}

std::string format_table(const driver::RunRecord& run, const ReportOptions& options) {
  const int pes = report_pes(run, options);
  std::vector<Row> rows;
  rows.reserve(run.layers.size());
  for (const auto& l : run.layers) rows.push_back({l, derive_metrics(l, pes)});
  const driver::LayerRecord total_record = sum_layers(run);
  const Row total{total_record, derive_metrics(total_record, pes)};

  std::string out;
  out += fmt::format("ocelli run: network {}, program {}, batch {}, seed {}\n", run.network, run.program, run.batch,
                     run.seed);
  out += fmt::format("hardware: {} ({} PEs for utilization); DRAM: {}, timing preset {}; times at {:.0f} MHz\n",
                     run.hw_config, pes, run.dram, run.timing, kReportClockHz / 1e6);
  std::size_t matched = 0;
  for (const auto& l : run.layers) matched += l.matched ? 1 : 0;
  out += fmt::format("result: {} ({} of {} layers bit-exact with the golden), host time {:.1f} s\n",
                     run.passed() ? "PASSED" : "FAILED", matched, run.layers.size(), run.wall_seconds);
  for (const auto& l : run.layers)
    if (!l.matched) out += fmt::format("  {}: {}\n", l.name, l.mismatch.empty() ? "not checked" : l.mismatch);

  out += "\nPerformance (util = MACs / (PEs x cycles); gated = zero-gated share of the issued MACs)\n";
  out += performance_table(rows, total);
  out += "\nDRAM traffic in MB (10^6 bytes); RLC ratio = raw 16-bit bytes / coded bytes; GLB accesses of 64 bits\n";
  out += traffic_table(rows, total);
  out += "\nEnergy estimate, millions of MAC-energy units (access costs DRAM 200, GLB 6, NoC 2, spad 1, MAC 1;"
         " docs/report.md)\n";
  out += energy_table(rows, total);
  out += "\n" + top1_line(run);
  if (run.batch == kEyerissBatch) {
    out += "\nAgainst Eyeriss v1 (ISSCC 2016, AlexNet CONV, batch 4, 200 MHz core, 60 MHz DRAM link);"
           " ratio = ocelli / Eyeriss\n";
    out += run.timing == "eyeriss"
               ? "this run used the `eyeriss` DRAM timing, the rate Eyeriss's figures were measured at\n"
               : fmt::format("NOTE: this run used the `{}` DRAM timing, not Eyeriss's 60 MHz link: the times do not "
                             "compare; `make eyeriss` (or --dram-timing eyeriss) runs at Eyeriss's DRAM rate\n",
                             run.timing.empty() ? "?" : run.timing);
    out += eyeriss_table(rows, pes);
  }
  return out;
}

}  // namespace ocelli::report
