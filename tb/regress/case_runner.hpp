// Runs one regression case through the verilated accelerator (in-process DRAM) and judges it against the golden.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "regress_case.hpp"
#include "ocelli/sim/top_model.hpp"

namespace ocelli::regress {

struct CaseResult {
  std::string name, kind;
  std::string outcome;      // "passed", "mismatch", "rtl-error", "stuck", "error" (could not set up), "crashed"
  std::string failure;      // empty when passed
  std::string summary;      // layers and shapes, one line
  std::uint64_t cycles = 0, estimated_cycles = 0;
  double wall_seconds = 0.0;
  bool passed() const { return outcome == "passed"; }
};

void to_json(nlohmann::json& j, const CaseResult& r);
void from_json(const nlohmann::json& j, CaseResult& r);

// `flip_output_bit`: harness fault injection on the case's last layer (runtime::RunOptions::flip_output_bit_layer).
// `model`: which build of the top runs the case (sw/sim/include/ocelli/sim/top_model.hpp).
CaseResult run_case(const RegressCase& c, bool flip_output_bit, sim::TopModelKind model = sim::TopModelKind::kFast);

}  // namespace ocelli::regress
