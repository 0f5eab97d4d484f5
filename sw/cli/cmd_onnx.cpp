// `ocelli onnx-node <test-dir> [--backend golden|import|rtl]`: one ONNX backend test (a node or a small model)
// against ONNX's expected output. golden: the per-operator node runner (docs/onnx-crosscheck.md). import: the model
// imported like `ocelli import` (formats calibrated on the test's input) and run on the golden. rtl: the same
// program also run through the RTL, every layer bit for bit against the golden. Exit codes: 0 match, 1 mismatch,
// 2 unsupported, 3 malformed input.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/core.h>

#include "commands.hpp"
#include "import_flow.hpp"
#include "ocelli/driver/program.hpp"
#include "ocelli/import/node_test.hpp"
#include "ocelli/onnx/node_runner.hpp"
#include "ocelli/runtime/runner.hpp"
#include "ocelli/runtime/storage_spec.hpp"

namespace ocelli::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::string test_dir;
  std::string backend = "golden";
  onnx::NodeTestOptions run;
  std::string keep;  // --keep-program DIR
};

// A temporary directory removed when it goes out of scope.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / fmt::format("ocelli-onnx-{}-{}", ::getpid(), counter_++)) {}
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

int imported_test(const Options& o) {
  import::ImportedTest t;
  try {
    t = import::import_node_test(o.test_dir);
  } catch (const import::Refused& e) {
    fmt::print("unsupported: {}\n", e.what());
    return 2;
  }
  if (o.run.verbose) print_formats(t.model);
  const auto runs = golden::run_network(t.model.network, t.model.calibration_input);
  const auto cmp = import::compare_with_expected(runs.back().output, t.expected);
  fmt::print("golden vs ONNX expected: {} elements, max |diff| {:.3g}, tolerance {:.3g}, {} outside{}\n", cmp.elements,
             cmp.max_diff, cmp.tolerance, cmp.outside,
             cmp.first_outside.empty() ? "" : fmt::format(" (first: {})", cmp.first_outside));
  bool ok = cmp.passed();
  if (o.backend == "rtl") {
    TempDir tmp;
    import::ImportInfo info;
    info.model_path = (fs::path(o.test_dir) / "model.onnx").string();
    info.calibration = "the test's input_0.pb";
    info.batch = t.model.calibration_input.shape.n;
    const fs::path dir = o.keep.empty() ? tmp.path() / "program" : fs::path(o.keep);
    fs::path program;
    try {
      program = write_checked_import(t.model, info, dir, !o.keep.empty());
    } catch (const import::Refused& e) {
      fmt::print("unsupported: {}\n", e.what());
      return 2;
    }
    runtime::RunOptions options;
    options.model = sim::TopModelKind::kFast;
    runtime::ProgramRunner runner(runtime::make_program_data(driver::parse_program_file(program.string())), options);
    const auto& expected_last = runner.expected_output(runner.last_layer());
    if (expected_last.data != runs.back().output.data) {
      fmt::print("mismatch: the program's golden output differs from the imported network's (files do not round "
                 "trip)\n");
      return 1;
    }
    auto storage = runtime::open_storage("inproc", runner.dram_bytes_needed());
    const runtime::RunResult r = runner.run(*storage);
    fmt::print("RTL vs golden: {} layers, {} cycles, {}\n", r.record.layers.size(), r.total_cycles,
               r.outcome == runtime::RunOutcome::Passed ? "every layer bit-exact" : r.failure);
    ok = ok && r.outcome == runtime::RunOutcome::Passed;
  }
  fmt::print("{}: {}\n", ok ? "match" : "mismatch", o.test_dir);
  return ok ? 0 : 1;
}

}  // namespace

void add_onnx_node_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "onnx-node",
      "Run an ONNX backend test (model.onnx + test_data_set_*) on the golden (per-operator runner), imported on the "
      "golden, or imported through the RTL. Exit 0 match, 1 mismatch, 2 unsupported by the hardware, 3 error");
  cmd->add_option("test-dir", opts->test_dir, "Test directory (e.g. .../data/node/test_relu)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--backend", opts->backend,
                  "golden: per-operator node runner; import: imported program on the golden; rtl: imported program "
                  "on the golden and the RTL (bit-exact)")
      ->check(CLI::IsMember({"golden", "import", "rtl"}))
      ->capture_default_str();
  cmd->add_option("--max-mismatches", opts->run.max_reported_mismatches, "Mismatching elements to print")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--keep-program", opts->keep, "rtl: write the imported program to this directory (replaced)");
  cmd->add_flag("-v,--verbose", opts->run.verbose, "Print the node, the fixed-point formats and the tolerances");
  cmd->callback([opts, &exit_code] {
    if (opts->backend == "golden") {
      exit_code = static_cast<int>(onnx::run_node_test(opts->test_dir, opts->run, std::cout));
    } else {
      exit_code = imported_test(*opts);
    }
  });
}

}  // namespace ocelli::cli
