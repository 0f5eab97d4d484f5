// Layer programs: the line-based text description of a network that `ocelli run` executes (docs/programs.md).
// A program parses into golden::NetworkDesc plus what the golden does not need (where the input comes from,
// RLC on/off, source lines), so the golden and the driver run one description.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ocelli/golden/alexnet.hpp"

namespace ocelli::driver {

// A parse error; what() is "<file>:<line>: <problem>" with the field and value named in the problem.
class ProgramError : public std::runtime_error {
 public:
  ProgramError(const std::string& file, int line, const std::string& problem);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  int line_;
  std::string problem_;
};

enum class InputSource { Synthetic, File };

struct ProgramInput {
  InputSource source = InputSource::Synthetic;
  std::string path;  // File: as resolved (relative paths are taken from the program's directory)
};

// What the golden description does not carry, one entry per layer.
struct LayerOptions {
  bool rlc = true;   // this layer's input and output activations cross DRAM run-length coded
  int line = 0;      // source line of the `layer` line (for messages of later steps)
  // conv/fc: tensor files of the layer's weights (int16, frac = frac_w) and bias (int32, frac = frac_in + frac_w),
  // as resolved (relative paths are taken from the program's directory). Empty: seeded synthetic parameters
  // (weights) / zeros (bias, when weights are given).
  std::string weights_path;
  std::string bias_path;
};

struct Program {
  std::string file;                // as given to the parser (used in messages)
  golden::NetworkDesc network;     // input_shape.n is the batch
  ProgramInput input;
  std::uint64_t seed = 1;          // synthetic weights and (source=synthetic) input data
  bool calibrate = false;          // formats come from golden::make_alexnet's calibration (apply_calibration)
  std::vector<LayerOptions> options;  // parallel to network.layers

  int batch() const { return network.input_shape.n; }
};

// Parses program text; `file` names it in messages and is the base for relative input paths.
// Throws ProgramError naming file, line, field and value.
Program parse_program_text(const std::string& text, const std::string& file);
// Reads and parses a program file; an unreadable file is a ProgramError at line 0.
Program parse_program_file(const std::string& path);

// Copies the fixed-point formats of `calibrated` (e.g. golden::make_alexnet(seed, batch).net.desc) into a
// `formats calibrate` program, layer by layer by name; the program's input format becomes its first layer's in_frac.
// Throws ProgramError (line of the layer) when a layer is missing from `calibrated` or its shapes differ.
void apply_calibration(Program& program, const golden::NetworkDesc& calibrated);

}  // namespace ocelli::driver
