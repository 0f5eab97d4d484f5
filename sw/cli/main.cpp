// ocelli: one command-line entry point; each area registers its subcommands here.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <exception>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ocelli: an Eyeriss-class row-stationary CNN accelerator, its golden model and tools"};
  app.require_subcommand(1);
  int exit_code = 0;
  ocelli::cli::add_report_command(app, exit_code);
  ocelli::cli::add_golden_command(app, exit_code);
  ocelli::cli::add_onnx_node_command(app, exit_code);
  ocelli::cli::add_run_command(app, exit_code);
  ocelli::cli::add_wave_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Distinct from the subcommands' own codes (e.g. onnx-node uses 0/1/2).
    fmt::print(stderr, "error: {}\n", e.what());
    return 3;
  }
  return exit_code;
}
