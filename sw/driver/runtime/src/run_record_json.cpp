#include "ocelli/runtime/run_record_json.hpp"

#include <fmt/core.h>

#include <fstream>
#include <stdexcept>

namespace ocelli::runtime {

nlohmann::json to_json(const driver::RunRecord& record) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : record.layers) {
    layers.push_back({{"name", l.name},
                      {"kind", l.kind},
                      {"shape", l.shape},
                      {"mapping", l.mapping},
                      {"active_pes", l.active_pes},
                      {"estimated_cycles", l.estimated_cycles},
                      {"cycles", l.cycles},
                      {"macs", l.macs},
                      {"macs_issued", l.macs_issued},
                      {"gated_macs", l.gated_macs},
                      {"pe_busy_cycles", l.pe_busy_cycles},
                      {"glb_reads", l.glb_reads},
                      {"glb_writes", l.glb_writes},
                      {"glb_conflicts", l.glb_conflicts},
                      {"noc_deliveries", l.noc_deliveries},
                      {"dram_read_ifmap", l.dram_read_ifmap},
                      {"dram_read_weights", l.dram_read_weights},
                      {"dram_read_bias", l.dram_read_bias},
                      {"dram_read_descriptors", l.dram_read_descriptors},
                      {"dram_write_ofmap", l.dram_write_ofmap},
                      {"rlc_words_in", l.rlc_words_in},
                      {"rlc_words_out", l.rlc_words_out},
                      {"ifmap_elements", l.ifmap_elements},
                      {"ofmap_elements", l.ofmap_elements},
                      {"ifmap_rlc", l.ifmap_rlc},
                      {"ofmap_rlc", l.ofmap_rlc},
                      {"saturated", l.saturated},
                      {"wall_seconds", l.wall_seconds},
                      {"matched", l.matched},
                      {"mismatch", l.mismatch}});
  }
  return {{"program", record.program},     {"network", record.network},         {"hw_config", record.hw_config},
          {"dram", record.dram},           {"timing", record.timing},           {"batch", record.batch},
          {"seed", record.seed},           {"layers", layers},                  {"top1_golden", record.top1_golden},
          {"top1_rtl", record.top1_rtl},   {"wall_seconds", record.wall_seconds}, {"passed", record.passed()}};
}

void write_run_record_json(const std::string& path, const driver::RunRecord& record, const std::string& outcome,
                           const std::string& failure) {
  nlohmann::json doc = to_json(record);
  doc["outcome"] = outcome;
  doc["failure"] = failure;
  std::ofstream out(path);
  if (!out) throw std::runtime_error(fmt::format("--report {}: cannot open for writing", path));
  out << doc.dump(2) << "\n";
  if (!out) throw std::runtime_error(fmt::format("--report {}: write failed", path));
}

}  // namespace ocelli::runtime
