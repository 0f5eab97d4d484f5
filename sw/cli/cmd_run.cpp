// `ocelli run <program>`: a layer program through the verilated accelerator, every layer checked bit for bit
// against the golden (docs/runtime.md).
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <fmt/core.h>

#include "commands.hpp"
#include "progress.hpp"
#include "ocelli/driver/program.hpp"
#include "ocelli/report/report.hpp"
#include "ocelli/runtime/runner.hpp"
#include "ocelli/runtime/storage_spec.hpp"

namespace ocelli::cli {
namespace {

struct RunCommandOptions {
  std::string program;
  std::optional<int> batch;
  std::optional<std::uint64_t> seed;
  std::string dram = "inproc";
  std::string timing = "default";
  std::string report;
  std::uint64_t max_cycles = 0;
  std::string trace_layer, trace_window, trace_path;
  std::string first_layer, last_layer, flip_output_bit;
};

std::string mega(std::uint64_t v) { return fmt::format("{:.3f} M", static_cast<double>(v) / 1e6); }

// Progress lines for a person at a terminal: while a layer runs, one line rewritten every 2^20 simulated cycles
// (cycles so far against the mapper's estimate); when it ends, a permanent line with elapsed time and ETA.
class TerminalProgress final : public runtime::RunObserver {
 public:
  void layer_running(const driver::LayerRecord& planned, std::uint64_t cycles,
                     const runtime::LayerProgress& p) override {
    const double of_estimate = planned.estimated_cycles ? 100.0 * cycles / planned.estimated_cycles : 0.0;
    fmt::print("\r[{}/{}] {:<8} {} cycles ({:.0f}% of its estimate)   ", p.index + 1, p.count, planned.name,
               mega(cycles), of_estimate);
    std::fflush(stdout);
    printed_ = true;
  }

  void layer_finished(const driver::LayerRecord& r, const runtime::LayerProgress& p) override {
    if (printed_) fmt::print("\r{:<80}\r", "");
    printed_ = false;
    fmt::print("[{}/{}] {:<8} {} cycles, {} ({:.0f}% of the run by estimate), elapsed {:.1f} s, ETA {:.1f} s\n",
               p.index + 1, p.count, r.name, mega(r.cycles), r.matched ? "matched" : "FAILED",
               100.0 * p.fraction_done, p.elapsed_seconds, p.eta_seconds);
    std::fflush(stdout);
  }

 private:
  bool printed_ = false;
};

void print_table(const driver::RunRecord& rec) {
  fmt::print("\n{:<8} {:<5} {:<28} {:<26} {:>5} {:>12} {:>12} {:>7} {:>8}  {}\n", "layer", "kind", "shape",
             "mapping", "PEs", "estimate", "cycles", "meas/est", "wall s", "result");
  for (const auto& l : rec.layers) {
    const double ratio = l.estimated_cycles ? static_cast<double>(l.cycles) / l.estimated_cycles : 0.0;
    fmt::print("{:<8} {:<5} {:<28} {:<26} {:>5} {:>12} {:>12} {:>7.2f} {:>8.2f}  {}\n", l.name, l.kind, l.shape,
               l.mapping, l.active_pes, l.estimated_cycles, l.cycles, ratio, l.wall_seconds,
               l.matched ? "matched" : "FAILED");
  }
}

int run_command(const RunCommandOptions& o) {
  runtime::ProgramOverrides overrides{o.batch, o.seed};
  runtime::RunOptions options;
  options.timing = o.timing;
  options.dram_label = o.dram;
  options.max_cycles = o.max_cycles;
  options.trace_layer = o.trace_layer;
  options.first_layer = o.first_layer;
  options.last_layer = o.last_layer;
  options.flip_output_bit_layer = o.flip_output_bit;
  if (!o.trace_window.empty()) options.trace_window = runtime::parse_trace_window(o.trace_window);
  options.trace_path = o.trace_path.empty() && !o.trace_layer.empty() ? o.trace_layer + ".fst" : o.trace_path;

  const auto setup_start = std::chrono::steady_clock::now();
  runtime::ProgramRunner runner(runtime::make_program_data(driver::parse_program_file(o.program), overrides),
                                options);
  const auto& data = runner.data();
  fmt::print("program {}: network {}, batch {}, seed {}, {} layers, {:.3f} M MACs\n", o.program,
             data.network.desc.name, data.program.batch(), data.program.seed, data.network.desc.layers.size(),
             static_cast<double>(data.network.desc.macs()) / 1e6);
  if (runner.first_layer() > 0 || runner.last_layer() + 1 < data.network.desc.layers.size()) {
    const auto& layers = data.network.desc.layers;
    fmt::print("running layers {}..{} only{}\n", layers[runner.first_layer()].name, layers[runner.last_layer()].name,
               runner.first_layer() > 0
                   ? fmt::format(" (input of {}: the golden output of {})", layers[runner.first_layer()].name,
                                 layers[runner.first_layer() - 1].name)
                   : "");
  }
  fmt::print("hardware {}; DRAM {} ({:.2f} MiB used), timing {}\n", options.hw.name(), o.dram,
             static_cast<double>(runner.dram_bytes_needed()) / (1 << 20), o.timing);
  std::fflush(stdout);
  auto storage = runtime::open_storage(o.dram, runner.dram_bytes_needed());
  const double setup_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();

  std::unique_ptr<runtime::RunObserver> progress;
  if (isatty(STDOUT_FILENO)) {
    progress = std::make_unique<TerminalProgress>();
  } else {
    progress = std::make_unique<PlainProgress>();
  }
  const runtime::RunResult result = runner.run(*storage, progress.get());
  progress.reset();

  const auto& rec = result.record;
  print_table(rec);
  const double sim_seconds = rec.wall_seconds;
  fmt::print("\ntotal: {} cycles ({}) in {:.2f} s wall ({:.0f} simulated cycles/s), setup (golden, layout) {:.2f} s\n",
             result.total_cycles, mega(result.total_cycles), sim_seconds,
             sim_seconds > 0 ? static_cast<double>(result.total_cycles) / sim_seconds : 0.0, setup_seconds);
  if (!rec.top1_rtl.empty()) {
    for (std::size_t n = 0; n < rec.top1_rtl.size(); ++n) {
      fmt::print("image {}: top-1 RTL {} golden {}\n", n, rec.top1_rtl[n], rec.top1_golden[n]);
    }
  }
  if (!o.report.empty()) {
    report::write_json(rec, o.report);
    fmt::print("report: {}\n", o.report);
  }
  switch (result.outcome) {
    case runtime::RunOutcome::Passed:
      fmt::print("PASS: every layer matched the golden bit for bit\n");
      return 0;
    case runtime::RunOutcome::Mismatch:
      fmt::print("FAIL: {}\n", result.failure);
      fmt::print(stderr, "error: {}\n", result.failure);
      return 1;
    default:
      fmt::print("FAIL: {}\n", result.failure);
      fmt::print(stderr, "error: {}\n", result.failure);
      return 2;
  }
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RunCommandOptions>();
  CLI::App* run = app.add_subcommand(
      "run",
      "Run a layer program through the verilated accelerator, every layer checked bit for bit against the golden.\n"
      "Exit codes: 0 every layer matched; 1 an output differs from the golden; 2 the RTL reported an error or a\n"
      "layer exceeded its cycle budget (stuck); 3 bad input (program, options, DRAM server). See docs/runtime.md.");
  run->add_option("program", o->program, "Layer program file (programs/*.prog, docs/programs.md)")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--batch", o->batch, "Images per run (replaces the program's batch)")->check(CLI::Range(1, 1024));
  run->add_option("--seed", o->seed, "Seed of synthetic weights and input (replaces the program's seed)");
  run->add_option("--dram", o->dram,
                  "DRAM storage: inproc, or tcp://host:port of a running ocelli-dramd (simulated cycles are the same)")
      ->capture_default_str();
  run->add_option("--dram-timing", o->timing, "DRAM timing preset")
      ->check(CLI::IsMember({"default", "eyeriss"}))
      ->capture_default_str();
  run->add_option("--report", o->report, "Write the run record (every layer's counters) as JSON to this file");
  run->add_option("--max-cycles", o->max_cycles,
                  "Absolute cap on a layer's cycle budget (default budget: 4 x the mapper's estimate + 2 M cycles); a "
                  "layer over budget is reported stuck");
  CLI::Option* trace_layer =
      run->add_option("--trace-layer", o->trace_layer, "Trace this layer to an FST file (GTKWave)");
  run->add_option("--trace-window", o->trace_window,
                  "start:count cycles relative to the traced layer's start (default: the whole layer)")
      ->needs(trace_layer);
  run->add_option("--trace", o->trace_path, "FST file of the trace (default: <trace-layer>.fst)")->needs(trace_layer);
  run->add_option("--from", o->first_layer,
                  "First layer to simulate; the layers before it are not simulated and the golden output of the layer "
                  "before it is its input");
  run->add_option("--to", o->last_layer, "Last layer to simulate (default: the program's last)");
  run->add_option("--flip-output-bit", o->flip_output_bit,
                  "Harness fault injection: flip bit 0 of one element of this layer's output as the harness reads it "
                  "back (the RTL is untouched); the run must then fail with a mismatch");
  run->callback([o, &exit_code] { exit_code = run_command(*o); });
}

}  // namespace ocelli::cli
