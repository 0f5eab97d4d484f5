// The run report: a RunRecord as an aligned text table (with the Eyeriss comparison at batch 4), JSON (complete:
// every record field plus the derived metrics; read back by read_json), CSV and a gnuplot PNG chart.
// Columns and formulas: docs/report.md.
#pragma once

#include <string>

#include "ocelli/driver/run_record.hpp"
#include "ocelli/report/eyeriss_reference.hpp"
#include "ocelli/report/metrics.hpp"

namespace ocelli::report {

struct ReportOptions {
  int pes = 0;  // PEs of the array for utilization; 0 = from the record's hw_config (array_pes)
};

// The PE count the report uses: options.pes if set, else parsed from run.hw_config.
int report_pes(const driver::RunRecord& run, const ReportOptions& options = {});

std::string format_table(const driver::RunRecord& run, const ReportOptions& options = {});

void write_json(const driver::RunRecord& run, const std::string& path, const ReportOptions& options = {});
void write_csv(const driver::RunRecord& run, const std::string& path, const ReportOptions& options = {});

// Reads the record fields of a write_json file (derived metrics are recomputed, not read). Throws
// std::runtime_error naming the file and the field (e.g. "layers[2].cycles") when something is missing or mistyped.
driver::RunRecord read_json(const std::string& path);

// Writes <png stem>.gp and <png stem>.dat next to png_path and runs gnuplot on them: cycles per layer against
// Eyeriss's (its batch-4 cycles scaled to the run's batch). Throws std::runtime_error when gnuplot is missing or
// fails, or the PNG is missing or empty afterwards.
void write_chart(const driver::RunRecord& run, const std::string& png_path, const std::string& gnuplot = "gnuplot");

}  // namespace ocelli::report
