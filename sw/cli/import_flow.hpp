// The import pipeline the commands share: lower, calibrate, write the program directory after checking that the
// driver can map every layer on the RTL (so a model the hardware cannot run is refused before anything is written).
#pragma once

#include <filesystem>
#include <string>

#include "ocelli/import/lowering.hpp"
#include "ocelli/import/quantizer.hpp"
#include "ocelli/import/writer.hpp"

namespace ocelli::cli {

// Writes `model` to `dir` (import::write_import) after runtime checks of the staged program: it parses, its tensor
// files load, and runtime::NetworkLayout plans every layer. A layer the RTL cannot run becomes import::Refused
// naming the ONNX nodes it came from.
std::filesystem::path write_checked_import(const import::QuantizedModel& model, const import::ImportInfo& info,
                                           const std::filesystem::path& dir, bool replace);

// One line per layer: kind, ONNX origin, shapes, formats, calibration range and saturation.
void print_formats(const import::QuantizedModel& model);

}  // namespace ocelli::cli
