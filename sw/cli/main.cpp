// ocelli: one command-line entry point; each area registers its subcommands here.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

int main(int argc, char** argv) {
  CLI::App app{"ocelli: an Eyeriss-class row-stationary CNN accelerator, its golden model and tools"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
