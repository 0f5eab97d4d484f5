// An ONNX backend test directory (model.onnx + test_data_set_0) imported the way `ocelli import` imports a model:
// the first fed graph input is the data, calibrates the formats and is the program's input batch; the other fed
// inputs (a node test's W, B, ...) are bound as constants. Used by `ocelli onnx-node --backend import|rtl` and the
// import tests.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "ocelli/import/quantizer.hpp"

namespace ocelli::import {

struct ImportedTest {
  FloatNetwork float_net;
  QuantizedModel model;                  // calibrated on (and batch of) the data set's input
  ocelli::onnx::NumericTensor expected;  // test_data_set_0/output_0.pb
};

// Throws Refused (the model cannot run on ocelli) or std::runtime_error (a malformed test directory).
ImportedTest import_node_test(const std::filesystem::path& dir, const QuantizeOptions& options = {});

// The network's output (fixed point) against ONNX's expected float output, per element within
// |got - expected| <= 2^-10 * max|expected| + 2 * 2^-out_frac (docs/import.md, "Tolerance").
struct ExpectedComparison {
  std::size_t elements = 0, outside = 0;
  double max_diff = 0.0, tolerance = 0.0;
  std::string first_outside;  // "index i: expected X, got Y" (empty when none)
  bool shape_matches = true;
  bool passed() const { return shape_matches && outside == 0; }
};
ExpectedComparison compare_with_expected(const golden::Tensor16& got, const ocelli::onnx::NumericTensor& expected);

}  // namespace ocelli::import
