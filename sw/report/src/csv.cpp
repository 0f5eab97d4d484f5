// write_csv: one row per layer plus the total row; the columns are the JSON layer object flattened
// ("derived.energy.dram"), so CSV and JSON cannot drift apart.
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "ocelli/report/report.hpp"
#include "record_json.hpp"

namespace ocelli::report {
namespace {

using ojson = nlohmann::ordered_json;

void flatten(const ojson& value, const std::string& prefix, std::vector<std::pair<std::string, ojson>>& out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) flatten(child, prefix.empty() ? key : prefix + "." + key, out);
  } else {
    out.emplace_back(prefix, value);
  }
}

// RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string csv_value(const ojson& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_field(v.get<std::string>());
  return v.dump();
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + fields[i];
  return line + "\n";
}

}  // namespace

void write_csv(const driver::RunRecord& run, const std::string& path, const ReportOptions& options) {
  const int pes = report_pes(run, options);
  std::vector<ojson> rows;
  for (const auto& l : run.layers) rows.push_back(layer_json(l, derive_metrics(l, pes)));
  const driver::LayerRecord total = sum_layers(run);
  rows.push_back(layer_json(total, derive_metrics(total, pes)));

  std::ofstream out(path);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot open for writing", path));
  std::vector<std::string> header;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::vector<std::pair<std::string, ojson>> fields;
    flatten(rows[r], "", fields);
    std::vector<std::string> cells;
    for (const auto& [name, value] : fields) {
      if (r == 0) header.push_back(csv_field(name));
      cells.push_back(csv_value(value));
    }
    if (r == 0) out << csv_line(header);
    out << csv_line(cells);
  }
  if (!out) throw std::runtime_error(fmt::format("{}: write failed", path));
}

}  // namespace ocelli::report
