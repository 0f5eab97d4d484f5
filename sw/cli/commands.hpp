// Subcommands of the `ocelli` tool; each area adds its own. A subcommand stores its process exit code in
// `exit_code` (0 success) and reports bad input by throwing std::exception with a message naming what is wrong.
#pragma once

#include <CLI/CLI.hpp>

namespace ocelli::cli {

void add_report_command(CLI::App& app, int& exit_code);     // `ocelli report <run.json>`
void add_golden_command(CLI::App& app, int& exit_code);     // `ocelli golden alexnet ...`
void add_onnx_node_command(CLI::App& app, int& exit_code);  // `ocelli onnx-node <test-dir>`
void add_run_command(CLI::App& app, int& exit_code);        // `ocelli run <program> ...` (sw/driver/runtime)
void add_wave_command(CLI::App& app, int& exit_code);       // `ocelli wave <program> --layer ...` (sw/wave)
void add_import_command(CLI::App& app, int& exit_code);   // `ocelli import <model.onnx> -o DIR` (sw/import)
void add_fashion_command(CLI::App& app, int& exit_code);  // `ocelli fashion`: Fashion-MNIST through golden and RTL

}  // namespace ocelli::cli
