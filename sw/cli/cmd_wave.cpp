// `ocelli wave <program> --layer NAME`: one layer of a program traced to an FST file with a GTKWave save file of the
// signals a person debugging it wants (docs/debugging.md). The layers before it are not traced: by default they are
// not simulated either (their golden output is the layer's input), or with --upstream rtl they run untraced.
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>
#include <string>

#include <fmt/core.h>

#include "commands.hpp"
#include "ocelli/wave/fst_file.hpp"
#include "option_checks.hpp"
#include "progress.hpp"
#include "ocelli/driver/program.hpp"
#include "ocelli/runtime/runner.hpp"
#include "ocelli/runtime/storage_spec.hpp"
#include "ocelli/wave/wave_view.hpp"

namespace ocelli::cli {
namespace {

struct WaveCommandOptions {
  std::string program, layer, window, out_dir = "waves", upstream = "golden", scope = "focus", timing = "default";
  std::vector<int> pe{0, 0};
  std::optional<int> batch;
  std::optional<std::uint64_t> seed;
};

int wave_command(const WaveCommandOptions& o) {
  const wave::PeChoice pe{o.pe.at(0), o.pe.at(1)};
  std::filesystem::create_directories(o.out_dir);
  const std::string fst_path = fmt::format("{}/{}.fst", o.out_dir, o.layer);
  const std::string gtkw_path = fmt::format("{}/{}.gtkw", o.out_dir, o.layer);

  runtime::RunOptions options;
  options.first_layer = o.upstream == "golden" ? o.layer : "";
  options.last_layer = o.layer;
  options.trace_layer = o.layer;
  options.timing = o.timing;
  options.trace_path = fst_path;
  if (!o.window.empty()) options.trace_window = runtime::parse_trace_window(o.window);
  if (o.scope == "focus") options.trace_scopes = wave::focused_scopes(pe);
  runtime::ProgramRunner runner(
      runtime::make_program_data(driver::parse_program_file(o.program), runtime::ProgramOverrides{o.batch, o.seed}),
      options);
  fmt::print("tracing layer {} of {} ({} scope{}, {}, DRAM timing {}); layers before it: {}\n", o.layer, o.program, o.scope,
             o.scope == "focus" ? fmt::format(": all but the PE array, plus PE row {} col {}", pe.row, pe.col) : "",
             o.window.empty() ? "the whole layer" : "cycles " + o.window, o.timing,
             runner.first_layer() > 0 ? "not simulated (golden output as input)" : "simulated untraced");
  std::fflush(stdout);
  auto storage = runtime::open_storage("inproc", runner.dram_bytes_needed());
  PlainProgress progress;
  const runtime::RunResult result = runner.run(*storage, &progress);

  if (!std::filesystem::exists(fst_path)) {
    fmt::print(stderr, "error: no trace was written ({}): {}\n", fst_path,
               result.failure.empty() ? "the window lies outside the layer" : result.failure);
    return 2;
  }
  wave::FstFile fst(fst_path);
  const auto groups = wave::choose_groups(fst, pe);
  std::size_t signals = 0;
  for (const auto& g : groups) signals += g.signals.size();
  write_gtkw(gtkw_path, std::filesystem::absolute(fst_path).string(), groups, fst.start_time(), fst.end_time());
  const double mb = static_cast<double>(std::filesystem::file_size(fst_path)) / 1e6;
  fmt::print("trace: {} ({:.1f} MB, {} signals, time {}..{}, 2 time units per cycle)\n", fst_path, mb,
             fst.signals().size(), fst.start_time(), fst.end_time());
  fmt::print("save file: {} ({} groups, {} signals)\n", gtkw_path, groups.size(), signals);
  fmt::print("open it: gtkwave {} {}\n", fst_path, gtkw_path);
  if (result.outcome != runtime::RunOutcome::Passed) {
    fmt::print("FAIL: {}\n", result.failure);
    return result.outcome == runtime::RunOutcome::Mismatch ? 1 : 2;
  }
  fmt::print("layer {} matched the golden\n", o.layer);
  return 0;
}

}  // namespace

void add_wave_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<WaveCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "wave",
      "Trace one layer of a program to <out-dir>/<layer>.fst and write <out-dir>/<layer>.gtkw (signal groups:\n"
      "controller, DMA/DRAM port, RLC codecs, GLB, NoC per data type with tags, one PE's spads and MAC).\n"
      "Exit codes as `ocelli run` (the trace is written even when the layer fails). See docs/debugging.md.");
  cmd->add_option("program", o->program, "Layer program file")->required()->check(readable_regular_file());
  cmd->add_option("--layer", o->layer, "The layer to trace")->required();
  cmd->add_option("--window", o->window, "start:count cycles relative to the layer's start (default: whole layer)");
  cmd->add_option("--out-dir", o->out_dir, "Where the .fst and .gtkw go")->capture_default_str();
  cmd->add_option("--upstream", o->upstream,
                  "The layers before it: 'golden' (not simulated; the golden output of the layer before is the "
                  "input) or 'rtl' (simulated untraced, each checked)")
      ->check(CLI::IsMember({"golden", "rtl"}))
      ->capture_default_str();
  cmd->add_option("--scope", o->scope,
                  "'focus': everything but the PE array, plus one PE (--pe); 'full': every signal (about 10x larger)")
      ->check(CLI::IsMember({"focus", "full"}))
      ->capture_default_str();
  cmd->add_option("--pe", o->pe, "row,col of the PE whose spads and MAC are shown")
      ->expected(2)
      ->delimiter(',')
      ->check(CLI::Range(0, 13));
  cmd->add_option("--batch", o->batch, "Images per run (replaces the program's batch)")->check(CLI::Range(1, 1024));
  cmd->add_option("--dram-timing", o->timing, "DRAM timing preset (as ocelli run; the cycles of the traced layer depend on it)")
      ->check(CLI::IsMember({"default", "eyeriss"}))
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of synthetic weights and input (replaces the program's seed)")
      ->check(decimal_u64());
  cmd->callback([o, &exit_code] { exit_code = wave_command(*o); });
}

}  // namespace ocelli::cli
