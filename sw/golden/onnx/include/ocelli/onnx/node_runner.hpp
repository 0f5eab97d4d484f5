// Runs one ONNX backend node test (model.onnx + test_data_set_*) through the golden reference.
#pragma once

#include <ostream>
#include <string>

namespace ocelli::onnx {

enum class Verdict { Match = 0, Mismatch = 1, Unsupported = 2 };

struct NodeTestOptions {
  int max_reported_mismatches = 5;
  bool verbose = false;  // print the node, the chosen formats and tolerances
};

// Loads <test_dir>/model.onnx, runs its single node on every test_data_set_* with the golden and compares the
// outputs. Writes a human-readable account to `log`. Throws std::runtime_error for unreadable or malformed
// test directories (missing files, bad protobuf, wrong number of inputs).
Verdict run_node_test(const std::string& test_dir, const NodeTestOptions& options, std::ostream& log);

}  // namespace ocelli::onnx
