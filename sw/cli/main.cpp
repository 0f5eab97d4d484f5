// ocelli: one command-line entry point; each area registers its subcommands here.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <exception>
#include <new>
#include <string>

#include "commands.hpp"

namespace {

// Error text as the terminal shows it: control bytes and bytes that are not UTF-8 text (a binary program file's
// contents quoted in a message) are escaped, so they cannot garble the terminal; at most 2000 characters.
std::string printable(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < 2000; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
      out += static_cast<char>(c);
      continue;
    }
    // A well-formed UTF-8 sequence of 2..4 bytes stays as it is.
    const std::size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    bool utf8 = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; utf8 && k < len; ++k) utf8 = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    if (utf8) {
      out.append(text, i, len);
      i += len - 1;
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ocelli: an Eyeriss-class row-stationary CNN accelerator, its golden model and tools"};
  app.require_subcommand(1);
  int exit_code = 0;
  ocelli::cli::add_report_command(app, exit_code);
  ocelli::cli::add_golden_command(app, exit_code);
  ocelli::cli::add_onnx_node_command(app, exit_code);
  ocelli::cli::add_run_command(app, exit_code);
  ocelli::cli::add_wave_command(app, exit_code);
  ocelli::cli::add_import_command(app, exit_code);
  ocelli::cli::add_fashion_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "error: out of memory (a shape or batch too large for this machine?)\n");
    return 3;
  } catch (const std::exception& e) {
    // Distinct from the subcommands' own codes (e.g. onnx-node uses 0/1/2).
    fmt::print(stderr, "error: {}\n", printable(e.what()));
    return 3;
  }
  return exit_code;
}
