// bench_run_dram: wall time of `ocelli run` (the runtime over the verilated top) with in-process DRAM vs ocelli-dramd
// over loopback (server on a thread of this process). Simulated cycles must be identical; only wall time differs.
//  1. one conv layer run to completion (AlexNet conv3's shape with fewer channels, seconds);
//  2. AlexNet fc6 (75.5 MB of weights): the setup (writing the weights etc. into DRAM) plus the first --fc-cycles
//     simulated cycles; the whole layer takes far too long at today's simulation speed.
// Figures only, nothing asserted.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <chrono>
#include <memory>
#include <string>

#include "ocelli/dram/remote_dram.hpp"
#include "ocelli/dram/server.hpp"
#include "ocelli/driver/program.hpp"
#include "ocelli/runtime/runner.hpp"
#include "ocelli/runtime/storage_spec.hpp"

namespace {

using namespace ocelli;
using Clock = std::chrono::steady_clock;

// AlexNet conv3's kernel, padding and spatial size with 32 -> 64 channels (conv3 has 256 -> 384): ~0.1 M cycles.
const char* kConvProgram =
    "network bench_conv\n"
    "seed 3\n"
    "input shape=32x13x13 frac=8\n"
    "layer conv conv filters=64 kernel=3 pad=1 relu frac_w=10 frac_out=8\n";

struct Measured {
  std::uint64_t image_bytes = 0;  // the DRAM image the runtime writes
  double setup_seconds = 0;  // connect/allocate + write the DRAM image
  double sim_seconds = 0;    // simulation (+ output check when the layer finishes)
  std::uint64_t cycles = 0;
  std::string outcome;
};

Measured run_once(const runtime::ProgramData& data, const std::string& spec, std::uint64_t max_cycles) {
  runtime::RunOptions options;
  options.dram_label = spec;
  options.max_cycles = max_cycles;
  runtime::ProgramRunner runner(data, options);
  const auto t0 = Clock::now();
  auto storage = runtime::open_storage(spec, runner.dram_bytes_needed());
  const double connect = std::chrono::duration<double>(Clock::now() - t0).count();
  const runtime::RunResult r = runner.run(*storage);
  Measured m;
  m.image_bytes = runner.dram_bytes_needed();
  m.setup_seconds = connect + r.layout_seconds;
  m.sim_seconds = r.record.wall_seconds - r.layout_seconds;
  m.cycles = r.total_cycles;
  m.outcome = runtime::to_string(r.outcome);
  return m;
}

void compare(const std::string& title, const runtime::ProgramData& data, const std::string& remote_spec,
             std::uint64_t max_cycles) {
  const Measured local = run_once(data, "inproc", max_cycles);
  const Measured remote = run_once(data, remote_spec, max_cycles);
  fmt::print("\n{}\n  DRAM image {:.1f} MB (input, arranged weights, bias, output regions, descriptors)\n", title,
             static_cast<double>(local.image_bytes) / 1e6);
  fmt::print("  {:<26} {:>12} {:>10} {:>10} {:>12}  {}\n", "backend", "cycles", "setup s", "sim s", "cycles/s",
             "outcome");
  for (const auto& [name, m] : {std::pair{"inproc", local}, std::pair{remote_spec.c_str(), remote}}) {
    fmt::print("  {:<26} {:>12} {:>10.3f} {:>10.2f} {:>12.0f}  {}\n", name, m.cycles, m.setup_seconds,
               m.sim_seconds, m.sim_seconds > 0 ? static_cast<double>(m.cycles) / m.sim_seconds : 0.0, m.outcome);
  }
  fmt::print("  remote/inproc wall: setup {:.2f}x, simulation {:.2f}x; cycles {}\n",
             local.setup_seconds > 0 ? remote.setup_seconds / local.setup_seconds : 0.0,
             local.sim_seconds > 0 ? remote.sim_seconds / local.sim_seconds : 0.0,
             local.cycles == remote.cycles ? "identical" : "DIFFER (bug: timing must not depend on the backend)");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_run_dram: ocelli run wall time, in-process DRAM vs ocelli-dramd over loopback"};
  std::uint64_t fc_cycles = 1'000'000;
  std::string programs_dir = OCELLI_PROGRAMS_DIR;
  bool skip_fc = false;
  app.add_option("--fc-cycles", fc_cycles, "simulated cycles of fc6 to run per backend")->capture_default_str();
  app.add_option("--programs", programs_dir, "directory of alexnet_fc6.prog")->capture_default_str();
  app.add_flag("--skip-fc", skip_fc, "only the conv layer");
  CLI11_PARSE(app, argc, argv);

  dram::ServerOptions server_options;
  server_options.size_bytes = dram::kDefaultDramBytes;
  dram::DramServer server(server_options);
  server.start_background();
  const std::string remote = "tcp://" + server.address();

  fmt::print("bench_run_dram: the runtime over the verilated top, DRAM in-process vs {} (server thread)\n", remote);
  std::fflush(stdout);
  const auto conv = runtime::make_program_data(driver::parse_program_text(kConvProgram, "bench_conv"));
  compare("conv 32x13x13 -> 64 filters 3x3 pad 1 (AlexNet conv3's shape, fewer channels), run to completion", conv,
          remote, 0);

  if (!skip_fc) {
    const auto t0 = Clock::now();
    const auto fc6 = runtime::make_program_data(driver::parse_program_file(programs_dir + "/alexnet_fc6.prog"));
    fmt::print("\n(fc6 golden data: calibrated AlexNet + its conv1..pool5 activations, {:.1f} s, not counted)\n",
               std::chrono::duration<double>(Clock::now() - t0).count());
    compare(fmt::format("fc6 (9216 -> 4096, 75.5 MB weights): setup = DRAM image written, then the first {} "
                        "simulated cycles (stopped by the cycle budget, outcome 'stuck' is expected)",
                        fc_cycles),
            fc6, remote, fc_cycles);
  }
  server.stop();
  return 0;
}
