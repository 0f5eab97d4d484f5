// An imported model on disk: DIR/model.prog (a layer program, docs/programs.md) beside the tensor files it names
// (weights, biases, the input batch). Written to a staging directory and renamed into place, so a failed or refused
// import leaves nothing behind.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "ocelli/import/quantizer.hpp"

namespace ocelli::import {

struct ImportInfo {
  std::string model_path;   // the ONNX file (named in the program's comments)
  std::string calibration;  // what the formats were calibrated on (comment)
  int batch = 1;            // images in the program's input file (the first of the calibration inputs)
};

// The program text for `q` (files named as write_import writes them).
std::string program_text(const QuantizedModel& q, const ImportInfo& info);

// Writes the program and its tensor files to a staging directory beside `dir`, calls `check` on the staged program
// path (it throws to refuse), then moves the result to `dir`. An existing `dir` is an error unless `replace`.
// Returns the program path inside `dir`.
std::filesystem::path write_import(const QuantizedModel& q, const ImportInfo& info, const std::filesystem::path& dir,
                                   bool replace, const std::function<void(const std::filesystem::path&)>& check);

}  // namespace ocelli::import
