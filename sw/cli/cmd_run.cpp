// `ocelli run <program>`: a layer program through the verilated accelerator, every layer checked bit for bit
// against the golden (docs/runtime.md).
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "commands.hpp"
#include "option_checks.hpp"
#include "progress.hpp"
#include "slurm_launcher.hpp"
#include "split_run.hpp"
#include "ocelli/driver/program.hpp"
#include "ocelli/report/report.hpp"
#include "ocelli/runtime/network_layout.hpp"
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
  bool checked = false;
  int jobs = 1;
  std::string jobs_dir;
  slurm::Options slurm;  // --scheduler slurm: the groups as the tasks of a Slurm job array
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

// The table, totals, top-1 classes, the JSON record and the verdict of a run (chained or split); returns the exit
// code (0 passed, 1 mismatch, 2 other failure).
int finish_run(const driver::RunRecord& rec, std::uint64_t total_cycles, int code, const std::string& failure,
               double setup_seconds, const std::string& report_path) {
  print_table(rec);
  const double sim_seconds = rec.wall_seconds;
  fmt::print("\ntotal: {} cycles ({}) in {:.2f} s wall ({:.0f} simulated cycles/s), setup (golden, layout) {:.2f} s\n",
             total_cycles, mega(total_cycles), sim_seconds,
             sim_seconds > 0 ? static_cast<double>(total_cycles) / sim_seconds : 0.0, setup_seconds);
  if (!rec.top1_rtl.empty()) {
    for (std::size_t n = 0; n < rec.top1_rtl.size(); ++n) {
      fmt::print("image {}: top-1 RTL {} golden {}\n", n, rec.top1_rtl[n], rec.top1_golden[n]);
    }
  }
  if (!report_path.empty()) {
    report::write_json(rec, report_path);
    fmt::print("report: {}\n", report_path);
  }
  if (code == 0) {
    fmt::print("PASS: every layer matched the golden bit for bit\n");
  } else {
    fmt::print("FAIL: {}\n", failure);
    fmt::print(stderr, "error: {}\n", failure);
  }
  return code;
}

// `--jobs N`: the layers in N groups, each run by a child process here or by a Slurm task; one merged record
// (split_run.hpp).
int run_split_command(const RunCommandOptions& o) {
  if (o.slurm.slurm() && o.dram != "inproc") {
    throw std::invalid_argument(fmt::format("--scheduler slurm needs --dram inproc: each task simulates its own DRAM "
                                            "(the DRAM server '{}' would be shared by every task)", o.dram));
  }
  if (o.dram != "inproc") {
    throw std::invalid_argument(fmt::format("--jobs {} needs --dram inproc: the DRAM server '{}' holds one memory "
                                            "shared by all connections, so parallel layer groups would overwrite "
                                            "each other's tensors", o.jobs, o.dram));
  }
  const auto setup_start = std::chrono::steady_clock::now();
  const runtime::ProgramData data =
      runtime::make_program_data(driver::parse_program_file(o.program), runtime::ProgramOverrides{o.batch, o.seed});
  const driver::HwConfig hw;
  const runtime::NetworkLayout layout(data.network, data.program.options, hw);
  const auto& layers = data.network.desc.layers;
  const std::size_t first = o.first_layer.empty() ? 0 : data.network.desc.index_of(o.first_layer);
  const std::size_t last = o.last_layer.empty() ? layers.size() - 1 : data.network.desc.index_of(o.last_layer);
  if (first > last) {
    throw std::invalid_argument(fmt::format("--from '{}' comes after --to '{}'", o.first_layer, o.last_layer));
  }
  std::vector<std::string> names;
  std::vector<std::uint64_t> estimates;
  for (std::size_t i = first; i <= last; ++i) {
    names.push_back(layers[i].name);
    // Layers without an estimate still cost time: count them as one cycle per output element.
    const std::uint64_t e = layout.executor(i).plan().estimated_cycles;
    estimates.push_back(e ? e : layers[i].out_shape.elements());
  }
  std::vector<LayerGroup> groups = split_layers(estimates, o.jobs);
  fmt::print("program {}: network {}, batch {}, seed {}, layers {}..{} in {} groups run by {}\n", o.program,
             data.network.desc.name, data.program.batch(), data.program.seed, names.front(), names.back(),
             groups.size(), o.slurm.slurm() ? fmt::format("{} Slurm tasks", groups.size())
                                            : fmt::format("{} processes", groups.size()));
  std::vector<std::string> common{o.program, "--dram-timing", o.timing};
  if (o.batch) common.insert(common.end(), {"--batch", std::to_string(*o.batch)});
  if (o.seed) common.insert(common.end(), {"--seed", std::to_string(*o.seed)});
  if (o.max_cycles) common.insert(common.end(), {"--max-cycles", std::to_string(o.max_cycles)});
  if (o.checked) common.push_back("--checked");
  // The flipped layer and the trace options go only to the group that holds that layer (a traced run uses the
  // slower traced build; a group refuses to flip a layer it does not simulate).
  std::vector<std::vector<std::string>> child_args(groups.size(), common);
  if (!o.flip_output_bit.empty()) {
    const std::size_t flipped = data.network.desc.index_of(o.flip_output_bit);
    if (flipped < first || flipped > last) {
      throw std::invalid_argument(fmt::format("--flip-output-bit '{}': that layer is not simulated in this run "
                                              "(layers {}..{}), so nothing would be flipped",
                                              o.flip_output_bit, names.front(), names.back()));
    }
    for (std::size_t k = 0; k < groups.size(); ++k) {
      if (flipped >= first + groups[k].first && flipped <= first + groups[k].last) {
        child_args[k].insert(child_args[k].end(), {"--flip-output-bit", o.flip_output_bit});
      }
    }
  }
  if (!o.trace_layer.empty()) {
    const std::size_t traced = data.network.desc.index_of(o.trace_layer);
    for (std::size_t k = 0; k < groups.size(); ++k) {
      if (traced < first + groups[k].first || traced > first + groups[k].last) continue;
      auto& args = child_args[k];
      args.insert(args.end(), {"--trace-layer", o.trace_layer});
      if (!o.trace_window.empty()) args.insert(args.end(), {"--trace-window", o.trace_window});
      if (!o.trace_path.empty()) args.insert(args.end(), {"--trace", o.trace_path});
    }
  }
  const std::string log_dir = o.jobs_dir.empty() ? (o.report.empty() ? std::string("ocelli-run-groups")
                                                                      : o.report + ".groups")
                                                 : o.jobs_dir;
  const double setup_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();
  const std::vector<GroupJob> jobs = group_jobs(child_args, names, groups, log_dir);
  std::unique_ptr<GroupLauncher> launcher;
  if (o.slurm.slurm()) {
    auto on_slurm = std::make_unique<SlurmLauncher>(o.slurm, log_dir);
    if (o.slurm.dry_run) {
      on_slurm->print_dry_run(jobs);
      return 0;
    }
    launcher = std::move(on_slurm);
  } else {
    launcher = std::make_unique<LocalLauncher>(names, estimates);
  }
  SplitRunResult split = run_split(jobs, names, groups, *launcher);
  return finish_run(split.record, split.total_cycles, split.exit_code, split.failure, setup_seconds, o.report);
}

int run_command(const RunCommandOptions& o) {
  if (!o.report.empty()) check_output_file("--report", o.report);
  slurm::check(o.slurm);
  if (o.jobs > 1 || o.slurm.slurm()) return run_split_command(o);
  runtime::ProgramOverrides overrides{o.batch, o.seed};
  runtime::RunOptions options;
  options.model = o.checked ? sim::TopModelKind::kChecked : sim::TopModelKind::kFast;
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
  fmt::print("hardware {}; DRAM {} ({:.2f} MiB used), timing {}; {} model\n", options.hw.name(), o.dram,
             static_cast<double>(runner.dram_bytes_needed()) / (1 << 20), o.timing,
             sim::to_string(runner.model_kind()));
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

  const int code = result.outcome == runtime::RunOutcome::Passed     ? 0
                   : result.outcome == runtime::RunOutcome::Mismatch ? 1
                                                                     : 2;
  return finish_run(result.record, result.total_cycles, code, result.failure, setup_seconds, o.report);
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
      ->check(readable_regular_file());
  run->add_option("--batch", o->batch, "Images per run (replaces the program's batch)")->check(CLI::Range(1, 1024));
  run->add_option("--seed", o->seed, "Seed of synthetic weights and input (replaces the program's seed)")
      ->check(decimal_u64());
  run->add_option("--dram", o->dram,
                  "DRAM storage: inproc, or tcp://host:port of a running ocelli-dramd (simulated cycles are the same)")
      ->capture_default_str();
  run->add_option("--dram-timing", o->timing, "DRAM timing preset")
      ->check(CLI::IsMember({"default", "eyeriss"}))
      ->capture_default_str();
  run->add_option("--report", o->report, "Write the run record (every layer's counters) as JSON to this file");
  run->add_option("--max-cycles", o->max_cycles,
                  "Absolute cap on a layer's cycle budget (default budget: 4 x the mapper's estimate + 2 M cycles); a "
                  "layer over budget is reported stuck")
      ->check(decimal_u64());
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
                  "back (the RTL is untouched); the run must then fail with a mismatch")
      ->check(non_empty("a layer of the run"));
  run->add_flag("--checked", o->checked,
                "Run the checked build of the top (PE rule checks and assertions; slower) instead of the performance "
                "model; both give the same cycles, counters and outputs");
  run->add_option("--jobs", o->jobs,
                  "Split the layers into this many groups of about equal estimated cycles, run by as many processes "
                  "at once, or as many Slurm tasks with --scheduler slurm (each group starts from the golden input of "
                  "its first layer; in-process DRAM only); one merged report")
      ->check(CLI::PositiveNumber);
  run->add_option("--jobs-dir", o->jobs_dir,
                  "Logs and records of the groups of a --jobs run (default: <report>.groups, or ocelli-run-groups); "
                  "with --scheduler slurm also the batch script and Slurm's output of each task");
  slurm::add_cli_options(*run, o->slurm);
  run->callback([o, &exit_code] { exit_code = run_command(*o); });
}

}  // namespace ocelli::cli
