// The same random burst trace through timing + InProcessDram and timing + RemoteDram gives identical beats,
// data and cycles; the data also match a plain reference memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "ocelli/dram/dram_port.hpp"
#include "ocelli/dram/remote_dram.hpp"
#include "ocelli/dram/server.hpp"

namespace ocelli::dram {
namespace {

constexpr uint64_t kTraceMemBytes = 4 << 20;

struct Event {
  uint64_t cycle;
  char kind;  // 'S' submit, 'B' read beat, 'A' write ack
  uint32_t tag;
  uint32_t index;
  uint64_t data;
  bool operator==(const Event& o) const {
    return cycle == o.cycle && kind == o.kind && tag == o.tag && index == o.index && data == o.data;
  }
};

struct TraceResult {
  std::vector<Event> events;
  uint64_t final_cycle = 0;
  std::vector<uint8_t> final_memory;
  int data_mismatches = 0;  // against the reference memory
};

// A deterministic testbench: submits a seeded trace of read/write bursts as fast as the port accepts them,
// consumes read beats with seeded stalls, and checks beat data against its own byte array.
TraceResult run_trace(const TimingConfig& config, Storage& storage, uint32_t seed, int requests) {
  DramPort port(config, storage);
  std::mt19937 rng(seed);
  std::vector<uint8_t> reference(kTraceMemBytes + 32 * kBeatBytes);
  std::vector<uint64_t> reference_burst(32);
  TraceResult result;
  std::vector<uint64_t> words(config.max_burst_beats);
  int submitted = 0;
  // Streams like a conv layer: ifmap/weights read sequentially, ofmap written sequentially, some random reads.
  uint64_t read_stream = 0, write_stream = kTraceMemBytes / 2;
  bool have_next = false;
  bool next_is_write = false;
  uint64_t next_addr = 0;
  uint32_t next_beats = 0;
  while (submitted < requests || !port.idle()) {
    if (submitted < requests && !have_next) {
      next_beats = 1 + rng() % 32;
      const uint64_t bytes = uint64_t{next_beats} * kBeatBytes;
      switch (rng() % 4) {
        case 0:
          next_is_write = true;
          next_addr = write_stream;
          write_stream = write_stream + bytes + bytes > kTraceMemBytes ? kTraceMemBytes / 2 : write_stream + bytes;
          break;
        case 1:
          next_is_write = false;
          next_addr = (rng() % (kTraceMemBytes / kBeatBytes - 64)) * kBeatBytes;  // anywhere, also just-written bytes
          break;
        default:
          next_is_write = false;
          next_addr = read_stream;
          read_stream = read_stream + bytes + bytes > kTraceMemBytes / 2 ? 0 : read_stream + bytes;
      }
      if (next_is_write) {
        for (uint32_t i = 0; i < next_beats; ++i) words[i] = uint64_t{rng()} << 32 | rng();
      }
      have_next = true;
    }
    if (have_next) {
      const bool accepted = next_is_write ? port.submit_write(next_addr, words.data(), next_beats, submitted)
                                          : port.submit_read(next_addr, next_beats, submitted);
      if (accepted) {
        if (next_is_write) std::memcpy(reference.data() + next_addr, words.data(), next_beats * kBeatBytes);
        result.events.push_back({port.cycle(), 'S', static_cast<uint32_t>(submitted), next_beats, next_addr});
        ++submitted;
        have_next = false;
      }
    }
    ReadBeat beat;
    if (rng() % 8 != 0 && port.pop_read_beat(beat)) {
      // A burst samples memory when its first beat leaves the port.
      if (beat.index == 0) std::memcpy(reference_burst.data(), reference.data() + beat.addr, 32 * kBeatBytes);
      const uint64_t expected = reference_burst[beat.index];
      if (expected != beat.data) ++result.data_mismatches;
      result.events.push_back({port.cycle(), 'B', beat.tag, beat.index, beat.data});
    }
    uint32_t tag;
    if (port.pop_write_ack(tag)) result.events.push_back({port.cycle(), 'A', tag, 0, 0});
    port.tick();
  }
  storage.flush();
  result.final_cycle = port.cycle();
  result.final_memory.resize(kTraceMemBytes);
  storage.read(0, result.final_memory.data(), kTraceMemBytes);
  if (!std::equal(result.final_memory.begin(), result.final_memory.end(), reference.begin())) ++result.data_mismatches;
  return result;
}

class TraceEquivalence : public ::testing::TestWithParam<const char*> {};

TEST_P(TraceEquivalence, InProcessAndRemoteGiveIdenticalCyclesAndData) {
  const TimingConfig config = TimingConfig::preset(GetParam());
  ServerOptions server_options;
  server_options.size_bytes = kTraceMemBytes;
  DramServer server(server_options);
  server.start_background();
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    InProcessDram local(kTraceMemBytes);
    const TraceResult a = run_trace(config, local, seed, 2000);
    // A fresh zeroed region on the server for each seed.
    RemoteOptions o;
    o.port = server.port();
    o.block_bytes = 16 << 10;
    RemoteDram remote(o);
    remote.fill(0, kTraceMemBytes, 0);
    const TraceResult b = run_trace(config, remote, seed, 2000);
    EXPECT_EQ(a.data_mismatches, 0);
    EXPECT_EQ(b.data_mismatches, 0);
    EXPECT_EQ(a.final_cycle, b.final_cycle);
    ASSERT_EQ(a.events.size(), b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) {
      ASSERT_TRUE(a.events[i] == b.events[i]) << "event " << i << " cycle " << a.events[i].cycle << " vs "
                                              << b.events[i].cycle << " kind " << a.events[i].kind;
    }
    EXPECT_TRUE(a.final_memory == b.final_memory);
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, TraceEquivalence, ::testing::Values("default", "eyeriss"));

}  // namespace
}  // namespace ocelli::dram
