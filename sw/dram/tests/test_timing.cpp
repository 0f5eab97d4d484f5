// Timing model: latency, exact rational beat rate, back-pressure, determinism.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "ocelli/dram/timing.hpp"

namespace ocelli::dram {
namespace {

// Cycles at which the beats of a single read submitted at cycle 0 arrive, consuming every beat as soon as due.
std::vector<uint64_t> beat_cycles(const TimingConfig& config, uint32_t beats) {
  TimingModel t(config);
  EXPECT_TRUE(t.submit(Request{Op::kRead, 0, beats, 7}));
  std::vector<uint64_t> cycles;
  while (cycles.size() < beats) {
    ReadBeatSlot slot;
    if (t.pop_read_beat(slot)) {
      EXPECT_EQ(slot.tag, 7u);
      EXPECT_EQ(slot.index, cycles.size());
      EXPECT_EQ(slot.addr, cycles.size() * kBeatBytes);
      EXPECT_EQ(slot.last, cycles.size() + 1 == beats);
      cycles.push_back(t.cycle());
    }
    t.tick();
    if (t.cycle() > 100000) break;
  }
  EXPECT_TRUE(t.idle());
  return cycles;
}

TEST(DramTiming, DefaultPresetDeliversOneBeatPerCycleAfterLatency) {
  const TimingConfig c = TimingConfig::preset("default");
  const auto cycles = beat_cycles(c, 16);
  ASSERT_EQ(cycles.size(), 16u);
  for (std::size_t i = 0; i < cycles.size(); ++i) EXPECT_EQ(cycles[i], c.latency_cycles + i) << "beat " << i;
}

TEST(DramTiming, EyerissPresetIsExactlyTenThirdsCyclesPerBeat) {
  const TimingConfig c = TimingConfig::preset("eyeriss");
  ASSERT_EQ(c.beat_period_num * 60u, c.beat_period_den * 200u);  // 200 MHz core / 60 MHz link
  const uint32_t beats = 241;
  const auto cycles = beat_cycles(c, beats);
  ASSERT_EQ(cycles.size(), beats);
  EXPECT_EQ(cycles[0], c.latency_cycles);
  for (std::size_t i = 1; i < cycles.size(); ++i) {
    const uint64_t gap = cycles[i] - cycles[i - 1];
    EXPECT_TRUE(gap == 3 || gap == 4) << "beat " << i << " gap " << gap;
  }
  // 60 link beats take exactly 200 core cycles, with no drift over many periods.
  for (std::size_t i = 60; i < cycles.size(); i += 60) EXPECT_EQ(cycles[i] - cycles[i - 60], 200u) << "beat " << i;
}

TEST(DramTiming, AnyRationalBeatPeriodMatchesTheClosedForm) {
  const std::pair<uint32_t, uint32_t> periods[] = {{7, 5}, {10, 3}, {13, 4}, {2, 1}, {1, 2}, {5, 5}, {1000, 999}};
  for (const auto& [num, den] : periods) {
    TimingConfig c = TimingConfig::preset("default");
    c.beat_period_num = num;
    c.beat_period_den = den;
    c.latency_cycles = 11;
    const uint32_t beats = 200;
    const auto cycles = beat_cycles(c, beats);
    ASSERT_EQ(cycles.size(), beats);
    uint64_t previous = 0;
    for (uint32_t i = 0; i < beats; ++i) {
      // Beat i has crossed the link at (latency * den + i * num) ticks; the port moves one beat per cycle.
      const uint64_t end_ticks = uint64_t{c.latency_cycles} * den + uint64_t{i} * num;
      uint64_t expected = (end_ticks + den - 1) / den;
      if (i > 0) expected = std::max(expected, previous + 1);
      ASSERT_EQ(cycles[i], expected) << num << "/" << den << " beat " << i;
      previous = expected;
    }
  }
}

TEST(DramTiming, BackToBackReadsShareTheLinkInOrder) {
  TimingModel t(TimingConfig::preset("default"));
  ASSERT_TRUE(t.submit(Request{Op::kRead, 0, 4, 1}));
  EXPECT_FALSE(t.submit(Request{Op::kRead, 64, 4, 2})) << "one request per cycle";
  t.tick();
  ASSERT_TRUE(t.submit(Request{Op::kRead, 64, 4, 2}));
  std::vector<std::pair<uint32_t, uint64_t>> seen;
  for (int i = 0; i < 100; ++i, t.tick()) {
    ReadBeatSlot s;
    if (t.pop_read_beat(s)) seen.emplace_back(s.tag, t.cycle());
  }
  ASSERT_EQ(seen.size(), 8u);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i].second, seen[i - 1].second + 1);
  EXPECT_EQ(seen[3].first, 1u);
  EXPECT_EQ(seen[4].first, 2u);
}

TEST(DramTiming, WriteAckComesLatencyAfterTheLastBeat) {
  TimingConfig c = TimingConfig::preset("eyeriss");
  TimingModel t(c);
  const uint32_t beats = 7;
  ASSERT_TRUE(t.submit(Request{Op::kWrite, 0, beats, 9}));
  uint64_t ack_cycle = 0;
  for (int i = 0; i < 1000; ++i, t.tick()) {
    uint32_t tag = 0;
    if (t.pop_write_ack(tag)) {
      EXPECT_EQ(tag, 9u);
      ack_cycle = t.cycle();
      break;
    }
  }
  const uint64_t last_beat_end_ticks = uint64_t{beats} * c.beat_period_num;
  const uint64_t expected = (last_beat_end_ticks + c.beat_period_den - 1) / c.beat_period_den + c.latency_cycles;
  EXPECT_EQ(ack_cycle, expected);
}

TEST(DramTiming, OutstandingLimitAppliesBackPressure) {
  TimingConfig c = TimingConfig::preset("default");
  c.max_outstanding = 3;
  TimingModel t(c);
  for (uint32_t i = 0; i < 3; ++i, t.tick()) ASSERT_TRUE(t.submit(Request{Op::kRead, 0, 2, i}));
  EXPECT_FALSE(t.can_accept());
  EXPECT_FALSE(t.submit(Request{Op::kRead, 0, 2, 3}));
  EXPECT_EQ(t.stats().rejected_submits, 1u);
  ReadBeatSlot s;
  while (!(t.pop_read_beat(s) && s.last)) t.tick();
  t.tick();
  EXPECT_TRUE(t.submit(Request{Op::kRead, 0, 2, 3}));
}

TEST(DramTiming, StalledConsumerGetsOneBeatPerCycleLater) {
  TimingModel t(TimingConfig::preset("default"));
  ASSERT_TRUE(t.submit(Request{Op::kRead, 0, 4, 1}));
  for (int i = 0; i < 100; ++i) t.tick();  // every beat is overdue now
  ReadBeatSlot s;
  ASSERT_TRUE(t.pop_read_beat(s));
  EXPECT_FALSE(t.pop_read_beat(s)) << "the 64-bit port moves one beat per cycle";
  for (uint32_t i = 1; i < 4; ++i) {
    t.tick();
    ASSERT_TRUE(t.pop_read_beat(s));
    EXPECT_EQ(s.index, i);
  }
}

TEST(DramTiming, MalformedRequestsAndConfigsThrow) {
  TimingModel t(TimingConfig::preset("default"));
  EXPECT_THROW(t.submit(Request{Op::kRead, 4, 1, 0}), std::invalid_argument);
  EXPECT_THROW(t.submit(Request{Op::kRead, 0, 0, 0}), std::invalid_argument);
  EXPECT_THROW(t.submit(Request{Op::kRead, 0, t.config().max_burst_beats + 1, 0}), std::invalid_argument);
  EXPECT_THROW(TimingConfig::preset("ddr5"), std::invalid_argument);
  TimingConfig bad;
  bad.beat_period_den = 0;
  EXPECT_THROW(TimingModel{bad}, std::invalid_argument);
}

// Replays a seeded random trace with a seeded random consumer; returns every event with its cycle.
std::vector<uint64_t> run_random_trace(const TimingConfig& c, uint32_t seed) {
  TimingModel t(c);
  std::mt19937 rng(seed);
  std::vector<uint64_t> log;
  uint32_t submitted = 0;
  while (submitted < 300 || !t.idle()) {
    if (submitted < 300 && rng() % 3 == 0) {
      const Request r{rng() % 4 == 0 ? Op::kWrite : Op::kRead, (rng() % 4096) * 8, static_cast<uint32_t>(1 + rng() % 32), submitted};
      if (t.submit(r)) {
        log.push_back(t.cycle() << 20 | submitted);
        ++submitted;
      }
    }
    ReadBeatSlot s;
    if (rng() % 5 != 0 && t.pop_read_beat(s)) log.push_back(t.cycle() << 20 | s.tag << 8 | s.index);
    uint32_t tag;
    if (t.pop_write_ack(tag)) log.push_back(t.cycle() << 20 | tag | 1u << 19);
    t.tick();
  }
  return log;
}

TEST(DramTiming, SameTraceGivesSameCycles) {
  for (const char* preset : {"default", "eyeriss"}) {
    const auto a = run_random_trace(TimingConfig::preset(preset), 1234);
    const auto b = run_random_trace(TimingConfig::preset(preset), 1234);
    EXPECT_EQ(a, b) << preset;
    EXPECT_GT(a.size(), 600u);
  }
}

}  // namespace
}  // namespace ocelli::dram
