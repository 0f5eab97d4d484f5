// write_json / read_json: the complete record (every field) plus derived metrics, and its strict reader.
#include <fstream>
#include <stdexcept>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "ocelli/golden/file_bytes.hpp"
#include "ocelli/report/report.hpp"
#include "record_json.hpp"

namespace ocelli::report {
namespace {

using ojson = nlohmann::ordered_json;

ojson optional_json(const std::optional<double>& v) { return v ? ojson(*v) : ojson(nullptr); }

ojson derived_json(const LayerMetrics& m) {
  const auto& a = m.accesses;
  const auto& e = m.energy;
  return ojson{{"ms", m.ms},
               {"utilization", m.utilization},
               {"gated_fraction", m.gated_fraction},
               {"dram_read_bytes", m.dram_read_bytes},
               {"dram_written_bytes", m.dram_written_bytes},
               {"glb_accesses", m.glb_accesses},
               {"ifmap_rlc_ratio", optional_json(m.ifmap_rlc_ratio)},
               {"ofmap_rlc_ratio", optional_json(m.ofmap_rlc_ratio)},
               {"accesses",
                {{"dram_words", a.dram}, {"glb_words", a.glb}, {"noc_words", a.noc}, {"spad", a.spad}, {"mac", a.mac}}},
               {"energy",
                {{"dram", e.dram},
                 {"glb", e.glb},
                 {"noc", e.noc},
                 {"spad", e.spad},
                 {"mac", e.mac},
                 {"total", e.total()}}},
               {"energy_per_mac", m.energy_per_mac}};
}

ojson eyeriss_json(const driver::RunRecord& run, int pes) {
  ojson rows = ojson::array();
  for (const auto& l : run.layers) {
    const EyerissConvResult* e = eyeriss_result(l.name);
    if (e == nullptr) continue;
    const LayerMetrics m = derive_metrics(l, pes);
    const double mb = static_cast<double>(m.dram_read_bytes + m.dram_written_bytes) / 1e6;
    rows.push_back({{"layer", l.name},
                    {"ms", m.ms},
                    {"eyeriss_ms", e->latency_ms},
                    {"ms_ratio", m.ms / e->latency_ms},
                    {"active_pes", l.active_pes},
                    {"eyeriss_active_pes", e->active_pes},
                    {"active_pes_ratio", static_cast<double>(l.active_pes) / e->active_pes},
                    {"dram_mb", mb},
                    {"eyeriss_dram_mb", e->dram_mb},
                    {"dram_mb_ratio", mb / e->dram_mb}});
  }
  return rows;
}

// Reads fields of one JSON object, naming the file and the field's path in every error.
class FieldReader {
 public:
  FieldReader(const std::string& file, const nlohmann::json& object, std::string path)
      : file_(file), object_(object), path_(std::move(path)) {
    if (!object_.is_object()) fail("", fmt::format("expected an object, got {}", object_.type_name()));
  }

  const nlohmann::json& at(const std::string& key) const {
    auto it = object_.find(key);
    if (it == object_.end()) fail(key, "missing");
    return *it;
  }
  std::string str(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_string()) mistyped(key, "a string", v);
    return v.get<std::string>();
  }
  std::uint64_t u64(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_number_unsigned()) mistyped(key, "an unsigned integer", v);
    return v.get<std::uint64_t>();
  }
  int integer(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_number_integer() || v.get<std::int64_t>() < INT32_MIN || v.get<std::int64_t>() > INT32_MAX)
      mistyped(key, "an integer", v);
    return v.get<int>();
  }
  double real(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_number()) mistyped(key, "a number", v);
    return v.get<double>();
  }
  bool boolean(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_boolean()) mistyped(key, "true or false", v);
    return v.get<bool>();
  }
  std::vector<int> ints(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_array()) mistyped(key, "an array of integers", v);
    std::vector<int> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_number_integer()) mistyped(fmt::format("{}[{}]", key, i), "an integer", v[i]);
      out.push_back(v[i].get<int>());
    }
    return out;
  }
  std::string path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    const std::string field = key.empty() ? (path_.empty() ? "(top level)" : path_) : path(key);
    throw std::runtime_error(fmt::format("{}: field '{}': {}", file_, field, what));
  }

 private:
  [[noreturn]] void mistyped(const std::string& key, const char* expected, const nlohmann::json& v) const {
    fail(key, fmt::format("expected {}, got {}", expected, brief(v)));
  }

  // A value as the error shows it: containers by kind and size (never dumped: they may be huge or deeply
  // nested), scalars as JSON cut to 80 characters.
  static std::string brief(const nlohmann::json& v) {
    if (v.is_array()) return fmt::format("an array of {} elements", v.size());
    if (v.is_object()) return fmt::format("an object of {} fields", v.size());
    std::string text = v.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    return text;
  }

  const std::string& file_;
  const nlohmann::json& object_;
  std::string path_;
};

driver::LayerRecord read_layer(const FieldReader& f) {
  driver::LayerRecord l;
  l.name = f.str("name");
  l.kind = f.str("kind");
  l.shape = f.str("shape");
  l.mapping = f.str("mapping");
  l.active_pes = f.integer("active_pes");
  l.estimated_cycles = f.u64("estimated_cycles");
  l.cycles = f.u64("cycles");
  l.macs = f.u64("macs");
  l.macs_issued = f.u64("macs_issued");
  l.gated_macs = f.u64("gated_macs");
  l.pe_busy_cycles = f.u64("pe_busy_cycles");
  l.glb_reads = f.u64("glb_reads");
  l.glb_writes = f.u64("glb_writes");
  l.glb_conflicts = f.u64("glb_conflicts");
  l.noc_deliveries = f.u64("noc_deliveries");
  l.dram_read_ifmap = f.u64("dram_read_ifmap");
  l.dram_read_weights = f.u64("dram_read_weights");
  l.dram_read_bias = f.u64("dram_read_bias");
  l.dram_read_descriptors = f.u64("dram_read_descriptors");
  l.dram_write_ofmap = f.u64("dram_write_ofmap");
  l.rlc_words_in = f.u64("rlc_words_in");
  l.rlc_words_out = f.u64("rlc_words_out");
  l.ifmap_elements = f.u64("ifmap_elements");
  l.ofmap_elements = f.u64("ofmap_elements");
  l.ifmap_rlc = f.boolean("ifmap_rlc");
  l.ofmap_rlc = f.boolean("ofmap_rlc");
  l.saturated = f.u64("saturated");
  l.wall_seconds = f.real("wall_seconds");
  l.matched = f.boolean("matched");
  l.mismatch = f.str("mismatch");
  return l;
}

}  // namespace

ojson layer_json(const driver::LayerRecord& l, const LayerMetrics& m) {
  return ojson{{"name", l.name},
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
               {"mismatch", l.mismatch},
               {"derived", derived_json(m)}};
}

void write_json(const driver::RunRecord& run, const std::string& path, const ReportOptions& options) {
  const int pes = report_pes(run, options);
  ojson layers = ojson::array();
  for (const auto& l : run.layers) layers.push_back(layer_json(l, derive_metrics(l, pes)));
  const driver::LayerRecord total = sum_layers(run);
  ojson doc{{"program", run.program},
            {"network", run.network},
            {"hw_config", run.hw_config},
            {"dram", run.dram},
            {"timing", run.timing},
            {"model", run.model},
            {"batch", run.batch},
            {"seed", run.seed},
            {"wall_seconds", run.wall_seconds},
            {"top1_golden", run.top1_golden},
            {"top1_rtl", run.top1_rtl},
            {"passed", run.passed()},
            {"outcome", run.outcome},
            {"failure", run.failure},
            {"report",
             {{"pes", pes},
              {"clock_hz", kReportClockHz},
              {"energy_costs",
               {{"dram", kEnergyCosts.dram},
                {"glb", kEnergyCosts.glb},
                {"noc", kEnergyCosts.noc},
                {"spad", kEnergyCosts.spad},
                {"mac", kEnergyCosts.mac}}}}},
            {"layers", layers},
            {"total", layer_json(total, derive_metrics(total, pes))}};
  if (run.batch == kEyerissBatch) doc["eyeriss_comparison"] = eyeriss_json(run, pes);
  std::ofstream out(path);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot open for writing", path));
  out << doc.dump(2) << "\n";
  if (!out) throw std::runtime_error(fmt::format("{}: write failed", path));
}

constexpr std::uint64_t kMaxRecordBytes = 64ull << 20;
constexpr int kMaxRecordDepth = 16;

driver::RunRecord read_json(const std::string& path) {
  // A regular file of sane size only (a FIFO or device is refused at once), nested no deeper than a record can be.
  const std::vector<unsigned char> bytes = golden::read_regular_file(path, kMaxRecordBytes, "run record");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(bytes.begin(), bytes.end(), [&path](int depth, nlohmann::json::parse_event_t,
                                                                    nlohmann::json&) {
      if (depth > kMaxRecordDepth) {
        throw std::runtime_error(fmt::format("{}: not a run record: JSON nested deeper than {} levels", path,
                                             kMaxRecordDepth));
      }
      return true;
    });
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  const FieldReader top(path, doc, "");
  driver::RunRecord run;
  run.program = top.str("program");
  run.network = top.str("network");
  run.hw_config = top.str("hw_config");
  run.dram = top.str("dram");
  run.timing = top.str("timing");
  run.batch = top.integer("batch");
  if (run.batch < 1) top.fail("batch", fmt::format("must be at least 1, got {}", run.batch));
  run.seed = top.u64("seed");
  run.wall_seconds = top.real("wall_seconds");
  run.top1_golden = top.ints("top1_golden");
  run.top1_rtl = top.ints("top1_rtl");
  // Optional (records written before these existed have neither).
  if (doc.contains("outcome")) run.outcome = top.str("outcome");
  if (doc.contains("failure")) run.failure = top.str("failure");
  if (doc.contains("model")) run.model = top.str("model");
  const auto& layers = top.at("layers");
  if (!layers.is_array()) top.fail("layers", fmt::format("expected an array, got {}", layers.type_name()));
  for (std::size_t i = 0; i < layers.size(); ++i)
    run.layers.push_back(read_layer(FieldReader(path, layers[i], fmt::format("layers[{}]", i))));
  return run;
}

}  // namespace ocelli::report
