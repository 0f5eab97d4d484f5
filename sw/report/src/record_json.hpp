// The JSON form of a run, shared by write_json and write_csv (the CSV columns are the flattened layer objects),
// so both name and order the fields the same way.
#pragma once

#include <nlohmann/json.hpp>

#include "ocelli/driver/run_record.hpp"
#include "ocelli/report/metrics.hpp"

namespace ocelli::report {

// Every LayerRecord field under its C++ name, then "derived": the LayerMetrics.
nlohmann::ordered_json layer_json(const driver::LayerRecord& layer, const LayerMetrics& metrics);

}  // namespace ocelli::report
