// Runs a layer program through the verilated accelerator top, layer by layer, and checks every layer's output bit
// for bit against the golden at once. One TopSim for the whole program (its cycles accumulate); each layer is one
// start of the queue at that layer's descriptor.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "ocelli/driver/descriptor.hpp"
#include "ocelli/driver/run_record.hpp"
#include "ocelli/dram/storage.hpp"
#include "ocelli/runtime/network_layout.hpp"
#include "ocelli/runtime/program_data.hpp"
#include "ocelli/sim/top_model.hpp"

namespace ocelli::sim {
class TopSim;
struct TopRunResult;
}  // namespace ocelli::sim

namespace ocelli::runtime {

struct TraceWindow {
  std::uint64_t start = 0;  // cycles after the layer's start
  std::uint64_t count = 0;
};

struct RunOptions {
  // Build of the top (sw/sim/include/ocelli/sim/top_model.hpp). A traced layer always runs on the traced build.
  sim::TopModelKind model = sim::TopModelKind::kChecked;
  std::string timing = "default";  // dram::TimingConfig::preset name
  std::string dram_label = "inproc";  // what RunRecord::dram says
  driver::HwConfig hw;
  // Cycle budget of a layer: budget_factor * the mapper's estimate + budget_slack, at most max_cycles (0 = no cap).
  double budget_factor = 4.0;
  std::uint64_t budget_slack = 2'000'000;
  std::uint64_t max_cycles = 0;
  // Trace one layer (or a window inside it) to an FST file; empty trace_layer = no trace.
  std::string trace_layer;
  std::optional<TraceWindow> trace_window;  // default: the whole layer
  std::string trace_path;
  std::vector<std::pair<int, std::string>> trace_scopes;  // TopSim::set_trace_scopes (empty = whole design)
  // Run only layers [first_layer, last_layer] (names; empty = the program's first / last). Layers before
  // first_layer are not simulated: the golden's output of the layer before it is written as its input (bit-identical
  // to what the RTL writes when those layers match, which their own runs check). Debugging one deep layer this way
  // costs only that layer's cycles.
  std::string first_layer, last_layer;
  // Harness-only fault injection (proves the comparison can fail): flips bit 0 of one output element of this layer
  // as it is read back from DRAM, before the comparison. The RTL and the DRAM image are untouched.
  std::string flip_output_bit_layer;
  // Test hook: called after the data is in DRAM and before the descriptors are written (edit either).
  std::function<void(dram::Storage&, std::vector<driver::Descriptor>&)> edit_before_run;
};

// Parses "start:count" (cycles, decimal); throws std::invalid_argument naming the value.
// A decimal number 0..2^64-1: digits only (no sign, space or suffix); nullopt for anything else, including a
// value too large (options such as --seed and --max-cycles use it instead of wrapping -1 to 2^64-1).
std::optional<std::uint64_t> parse_decimal_u64(const std::string& text);

TraceWindow parse_trace_window(const std::string& text);

enum class RunOutcome { Passed, Mismatch, RtlError, Stuck };
const char* to_string(RunOutcome outcome);

struct RunResult {
  driver::RunRecord record;  // layers run so far (the failing one included)
  RunOutcome outcome = RunOutcome::Passed;
  std::string failure;       // empty when passed, else the message naming the layer
  std::uint64_t total_cycles = 0;
  double layout_seconds = 0.0;  // writing the input, weights, biases and descriptors into DRAM (part of the wall)
};

struct LayerProgress {
  std::size_t index = 0, count = 0;
  double fraction_done = 0.0;  // of the run, by the mapper's estimated cycles
  double elapsed_seconds = 0.0;
  double eta_seconds = 0.0;    // remaining, extrapolated from the estimated cycles done so far
  std::uint64_t budget_cycles = 0;
};

// Observer of a run (the CLI prints progress from it). Called on the running thread.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void layer_started(const driver::LayerRecord& planned, const LayerProgress& progress) {}
  // Every kProgressCycles simulated cycles of a layer (long layers).
  virtual void layer_running(const driver::LayerRecord& planned, std::uint64_t cycles,
                             const LayerProgress& progress) {}
  virtual void layer_finished(const driver::LayerRecord& record, const LayerProgress& progress) {}
};

constexpr std::uint64_t kProgressCycles = std::uint64_t{1} << 20;

class ProgramRunner {
 public:
  // Plans the DRAM layout and the mappings and runs the golden (expected outputs). Throws on a program the RTL
  // cannot run, naming the layer.
  ProgramRunner(ProgramData data, RunOptions options);

  // Index range [first, last] of the layers run() simulates (RunOptions::first_layer / last_layer).
  std::size_t first_layer() const { return first_; }
  std::size_t last_layer() const { return last_; }

  std::uint64_t dram_bytes_needed() const { return layout_.bytes_needed(); }
  // The build of the top that runs: options.model, or the traced build when a layer is traced.
  sim::TopModelKind model_kind() const {
    return options_.trace_layer.empty() ? options_.model : sim::TopModelKind::kTraced;
  }
  const NetworkLayout& layout() const { return layout_; }
  const ProgramData& data() const { return data_; }
  const golden::Tensor16& expected_output(std::size_t layer) const { return expected_.at(layer); }

  // Runs on `storage` (at least dram_bytes_needed() bytes; throws std::runtime_error otherwise). Once per runner.
  RunResult run(dram::Storage& storage, RunObserver* observer = nullptr);

 private:
  driver::RunRecord record_header() const;
  void write_image(dram::Storage& storage);
  static void confirm_writes(dram::Storage& storage, const std::string& layer);
  // Fills r.matched/r.mismatch and, on failure, result.outcome/failure from the layer's end state.
  void judge_layer(std::size_t i, sim::TopSim& sim, const sim::TopRunResult& hw, std::uint64_t budget,
                   dram::Storage& storage, driver::LayerRecord& r, RunResult& result) const;

  ProgramData data_;
  RunOptions options_;
  NetworkLayout layout_;
  std::vector<golden::Tensor16> expected_;
  std::size_t first_ = 0, last_ = 0;
};

// Argmax over C*H*W per image (the first maximum wins).
std::vector<int> top1(const golden::Tensor16& t);
// "index (n,c,h,w) expected X got Y" of the first difference, empty when equal (shapes must match).
std::string first_mismatch(const golden::Tensor16& expected, const golden::Tensor16& got);
// The meaning of an error code of docs/isa.md.
std::string error_code_meaning(int code);

}  // namespace ocelli::runtime
