// bench_dram: wall time of streaming DRAM traces through the timing model with InProcessDram vs RemoteDram
// (ocelli-dramd protocol over loopback, server on a thread of this process). Figures only, nothing asserted.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <sys/resource.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "ocelli/dram/dram_port.hpp"
#include "ocelli/dram/remote_dram.hpp"
#include "ocelli/dram/server.hpp"

namespace {

using namespace ocelli::dram;
using Clock = std::chrono::steady_clock;

struct Burst {
  bool write;
  uint64_t addr;
  uint32_t beats;
};

// A conv-like layer with AlexNet conv2 shapes (16-bit data, batch 4): the padded ifmap (31x31x96) is streamed
// once per filter pass (4 passes), filter bursts (256x48x5x5) between ifmap bursts, and the ofmap (27x27x256)
// written back: ~5 MB in 16-beat bursts.
std::vector<Burst> conv_layer_trace() {
  constexpr uint64_t kIfmap = 0, kIfmapBytes = 31 * 31 * 96 * 2 * 4;
  constexpr uint64_t kWeights = 8ull << 20, kWeightBytes = 256 * 48 * 5 * 5 * 2;
  constexpr uint64_t kOfmap = 16ull << 20, kOfmapBytes = 27 * 27 * 256 * 2 * 4;
  constexpr int kPasses = 4;
  constexpr uint32_t kBeats = 16;
  constexpr uint64_t kBurstBytes = kBeats * kBeatBytes;
  const uint64_t ifmap_bursts = kIfmapBytes / kBurstBytes;
  const uint64_t weight_bursts = kWeightBytes / kBurstBytes;
  const uint64_t ofmap_bursts = kOfmapBytes / kBurstBytes;
  std::vector<Burst> trace;
  uint64_t w = 0, o = 0;
  for (int pass = 0; pass < kPasses; ++pass) {
    for (uint64_t i = 0; i < ifmap_bursts; ++i) {
      trace.push_back({false, kIfmap + i * kBurstBytes, kBeats});
      // Spread each pass's share of filter reads and ofmap writes evenly over its ifmap bursts.
      const uint64_t step = static_cast<uint64_t>(pass) * ifmap_bursts + i + 1;
      const uint64_t total = static_cast<uint64_t>(kPasses) * ifmap_bursts;
      for (; w < weight_bursts * step / total; ++w) trace.push_back({false, kWeights + w * kBurstBytes, kBeats});
      for (; o < ofmap_bursts * step / total; ++o) trace.push_back({true, kOfmap + o * kBurstBytes, kBeats});
    }
  }
  return trace;
}

// fc6: 9216 x 4096 int16 weights (75.5 MB) read once, sequentially, in 32-beat bursts.
std::vector<Burst> fc6_weight_trace() {
  constexpr uint64_t kBytes = 9216ull * 4096 * 2;
  constexpr uint32_t kBeats = 32;
  std::vector<Burst> trace;
  for (uint64_t a = 0; a < kBytes; a += kBeats * kBeatBytes) trace.push_back({false, a, kBeats});
  return trace;
}

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct RunResult {
  double seconds = 0;
  double cpu_seconds = 0;  // all threads of this process, the in-process server included
  uint64_t cycles = 0;
  uint64_t checksum = 0;
};

// Stands in for evaluating an RTL model each cycle (--dut-ns): a dependent arithmetic chain of `iterations`.
uint64_t emulate_dut(uint64_t iterations, uint64_t state) {
  for (uint64_t i = 0; i < iterations; ++i) state = state * 6364136223846793005ull + 1442695040888963407ull;
  return state;
}

uint64_t dut_iterations_for(double ns) {
  if (ns <= 0) return 0;
  const uint64_t probe = 50'000'000;
  const auto start = Clock::now();
  volatile uint64_t sink = emulate_dut(probe, 1);
  (void)sink;
  const double per_iteration = std::chrono::duration<double, std::nano>(Clock::now() - start).count() / probe;
  return static_cast<uint64_t>(ns / per_iteration + 0.5);
}

// The testbench loop a simulation would run: one submit attempt, one beat, one ack, one tick per cycle.
RunResult stream(const TimingConfig& config, Storage& storage, const std::vector<Burst>& trace,
                 uint64_t dut_iterations) {
  DramPort port(config, storage);
  std::vector<uint64_t> words(64);
  for (std::size_t i = 0; i < words.size(); ++i) words[i] = 0x0123456789ABCDEFull * (i + 1);
  RunResult r;
  const auto start = Clock::now();
  const double cpu_start = process_cpu_seconds();
  std::size_t next = 0;
  while (next < trace.size() || !port.idle()) {
    if (next < trace.size()) {
      const Burst& b = trace[next];
      const bool ok = b.write ? port.submit_write(b.addr, words.data(), b.beats, static_cast<uint32_t>(next))
                              : port.submit_read(b.addr, b.beats, static_cast<uint32_t>(next));
      if (ok) ++next;
    }
    ReadBeat beat;
    if (port.pop_read_beat(beat)) r.checksum = r.checksum * 31 + beat.data;
    uint32_t tag;
    port.pop_write_ack(tag);
    if (dut_iterations) r.checksum ^= emulate_dut(dut_iterations, r.checksum) & 1;
    port.tick();
  }
  storage.flush();
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.cpu_seconds = process_cpu_seconds() - cpu_start;
  r.cycles = port.cycle();
  return r;
}

uint64_t trace_bytes(const std::vector<Burst>& trace) {
  uint64_t n = 0;
  for (const auto& b : trace) n += uint64_t{b.beats} * kBeatBytes;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_dram: timing + InProcessDram vs timing + RemoteDram (loopback) wall time"};
  int repeats = 3;
  std::string preset = "eyeriss";
  uint64_t mem_bytes = 128ull << 20;
  app.add_option("--repeats", repeats, "runs per case; the best time is reported")->capture_default_str();
  app.add_option("--preset", preset, "timing preset: default or eyeriss")->capture_default_str();
  app.add_option("--size", mem_bytes, "memory size in bytes")->capture_default_str();
  double dut_ns = 0;
  app.add_option("--dut-ns", dut_ns, "emulated RTL evaluation time per simulated cycle (0: DRAM path alone)")
      ->capture_default_str();
  bool conv_only = false;
  app.add_flag("--conv-only", conv_only, "skip the 75 MB fc6 case");
  CLI11_PARSE(app, argc, argv);
  try {
    const TimingConfig config = TimingConfig::preset(preset);
    ServerOptions server_options;
    server_options.size_bytes = mem_bytes;
    DramServer server(server_options);
    server.start_background();
    InProcessDram local(mem_bytes);
    RemoteOptions remote_options;
    remote_options.port = server.port();
    auto remote = std::make_unique<RemoteDram>(remote_options);
    // Same nonzero contents on both sides (not timed).
    std::vector<uint8_t> pattern(1 << 20);
    for (std::size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>(i * 2654435761u >> 13);
    for (uint64_t a = 0; a + pattern.size() <= mem_bytes; a += pattern.size()) {
      local.write(a, pattern.data(), pattern.size());
      remote->write(a, pattern.data(), pattern.size());
    }
    remote->flush();

    const uint64_t dut_iterations = dut_iterations_for(dut_ns);
    fmt::print("bench_dram: preset {} ({}/{} core cycles per 64-bit beat, latency {}), {} ns emulated DUT per cycle, "
               "best of {}\n",
               config.name, config.beat_period_num, config.beat_period_den, config.latency_cycles, dut_ns, repeats);
    struct Case {
      const char* name;
      std::vector<Burst> trace;
    };
    const Case cases[] = {{"conv-like layer", conv_layer_trace()}, {"fc6 weights", fc6_weight_trace()}};
    for (const Case& c : cases) {
      if (conv_only && c.trace.size() > 100000) continue;
      RunResult best_local, best_remote;
      for (int i = 0; i < repeats; ++i) {
        const RunResult l = stream(config, local, c.trace, dut_iterations);
        remote = std::make_unique<RemoteDram>(remote_options);  // cold cache, as a fresh simulation would start
        const RunResult r = stream(config, *remote, c.trace, dut_iterations);
        if (i == 0 || l.seconds < best_local.seconds) best_local = l;
        if (i == 0 || r.seconds < best_remote.seconds) best_remote = r;
        if (l.cycles != r.cycles || l.checksum != r.checksum) {
          fmt::print(stderr, "bench_dram: {}: backends disagree (cycles {} vs {}, checksum {:x} vs {:x})\n", c.name,
                     l.cycles, r.cycles, l.checksum, r.checksum);
          return 1;
        }
      }
      const double mb = trace_bytes(c.trace) / 1e6;
      fmt::print("  {:<16} {:5.1f} MB {:6} bursts {:9} cycles | in-process {:6.3f} s | remote {:6.3f} s | "
                 "remote/in-process wall {:.2f}x | cpu {:.3f} s vs {:.3f} s\n",
                 c.name, mb, c.trace.size(), best_local.cycles, best_local.seconds, best_remote.seconds,
                 best_remote.seconds / best_local.seconds, best_local.cpu_seconds, best_remote.cpu_seconds);
    }
    const RemoteStats s = remote->stats();
    fmt::print("  last remote run: {} blocks fetched, {} waits for data in flight, {} write frames\n", s.blocks_fetched,
               s.demand_waits, s.write_frames);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_dram: {}\n", e.what());
    return 1;
  }
  return 0;
}
