// `ocelli onnx-node <test-dir> [--backend golden]`: cross-checks one ONNX backend node test against the golden.
#include <iostream>
#include <memory>
#include <string>

#include <fmt/core.h>

#include "commands.hpp"
#include "ocelli/onnx/node_runner.hpp"

namespace ocelli::cli {

void add_onnx_node_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string test_dir;
    std::string backend = "golden";
    onnx::NodeTestOptions run;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "onnx-node",
      "Run an ONNX backend node test (model.onnx + test_data_set_*) on the golden. Exit 0 match, 1 mismatch, "
      "2 unsupported by the hardware, 3 error");
  cmd->add_option("test-dir", opts->test_dir, "Node test directory (e.g. .../data/node/test_relu)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--backend", opts->backend, "Where the node runs")->check(CLI::IsMember({"golden"}));
  cmd->add_option("--max-mismatches", opts->run.max_reported_mismatches, "Mismatching elements to print")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("-v,--verbose", opts->run.verbose, "Print the node, the fixed-point formats and the tolerances");
  cmd->callback([opts, &exit_code] {
    const auto verdict = onnx::run_node_test(opts->test_dir, opts->run, std::cout);
    exit_code = static_cast<int>(verdict);
  });
}

}  // namespace ocelli::cli
