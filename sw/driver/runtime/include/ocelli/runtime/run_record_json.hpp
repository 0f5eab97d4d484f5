// Minimal JSON of a RunRecord (`ocelli run --report FILE.json`); the full report is built elsewhere.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ocelli/driver/run_record.hpp"

namespace ocelli::runtime {

nlohmann::json to_json(const driver::RunRecord& record);
// Writes to_json(record) plus the outcome; throws std::runtime_error naming the file when it cannot be written.
void write_run_record_json(const std::string& path, const driver::RunRecord& record, const std::string& outcome,
                           const std::string& failure);

}  // namespace ocelli::runtime
