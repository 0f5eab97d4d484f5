// Global input network (12 x 14, 16-bit) against a reference of the multicast rule: for random row/col ID
// configurations (unicast, row broadcast, column broadcast, row-stationary diagonal ifmap IDs, psums to the bottom
// row, full broadcast, random IDs with disabled rows/PEs) and random back-pressure from PE input FIFO models, every
// word must reach exactly its matching PEs, all in the same cycle, exactly once and in order; a word moves in the
// first cycle in which all its targets are ready; the counters must match; a word without a target raises the error.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "Vgin.h"
#include "bit_fields.hpp"
#include "sim_harness.hpp"

namespace ocelli::tb {
namespace {

// Default gin parameters (rtl/ocelli_pkg.sv).
constexpr unsigned kRows = 12;
constexpr unsigned kCols = 14;
constexpr unsigned kPes = kRows * kCols;
constexpr unsigned kWidth = 16;
constexpr unsigned kRowIdWidth = 4;
constexpr unsigned kColIdWidth = 6;
constexpr unsigned kMaxColId = (1u << kColIdWidth) - 1;

unsigned pe_index(unsigned row, unsigned col) { return row * kCols + col; }

struct GinConfig {
  std::array<bool, kRows> row_en{};
  std::array<unsigned, kRows> row_id{};
  std::array<bool, kPes> pe_en{};
  std::array<unsigned, kPes> col_id{};

  // The multicast rule, written independently of the RTL.
  std::vector<unsigned> targets(unsigned row_tag, unsigned col_tag) const {
    std::vector<unsigned> pes;
    for (unsigned r = 0; r < kRows; ++r) {
      if (!row_en[r] || row_id[r] != row_tag) continue;
      for (unsigned c = 0; c < kCols; ++c) {
        const unsigned i = pe_index(r, c);
        if (pe_en[i] && col_id[i] == col_tag) pes.push_back(i);
      }
    }
    return pes;
  }
};

struct TaggedWord {
  std::uint16_t data;
  unsigned row_tag;
  unsigned col_tag;
};

// A PE input FIFO as the GIN sees it: ready is a registered not-full flag, drained at a random rate.
struct PeSink {
  unsigned depth = 2;
  unsigned count = 0;
  double drain_prob = 1.0;
  bool ready() const { return count < depth; }
};

class GinBench {
 public:
  GinBench(std::uint64_t seed, const GinConfig& config) : seed_(seed), rng_(seed), config_(config) {
    auto& d = sim_.model();
    d.in_valid_i = 0;
    d.perf_clear_i = 0;
    apply_config();
    for (auto& s : sinks_) s.drain_prob = std::uniform_real_distribution<double>(0.2, 1.0)(rng_);
    sim_.reset();
  }

  Vgin& dut() { return sim_.model(); }
  std::mt19937_64& rng() { return rng_; }
  std::string tag() const { return fmt::format("seed {}", seed_); }
  void set_drain_prob(double p) {
    for (auto& s : sinks_) s.drain_prob = p;
  }

  // Words whose tags match at least one PE, with random data.
  std::vector<TaggedWord> words_for(const std::vector<std::pair<unsigned, unsigned>>& tags, std::size_t count) {
    std::vector<TaggedWord> words;
    std::uniform_int_distribution<std::size_t> pick(0, tags.size() - 1);
    for (std::size_t i = 0; i < count; ++i) {
      const auto [row_tag, col_tag] = tags[pick(rng_)];
      words.push_back({static_cast<std::uint16_t>(rng_()), row_tag, col_tag});
    }
    return words;
  }

  // Sends `words` with random valid gaps and checks every cycle; returns false on a failure or a timeout.
  bool run(const std::vector<TaggedWord>& words, double valid_prob, std::uint64_t max_cycles = 400000) {
    for (const auto& w : words) {
      if (config_.targets(w.row_tag, w.col_tag).empty()) {
        ADD_FAILURE() << tag() << ": test bug, word without target";
        return false;
      }
    }
    std::size_t next = 0;
    bool offered = false;
    auto& d = sim_.model();
    const std::uint64_t limit = sim_.cycles() + max_cycles;
    while (next < words.size() || in_flight_.size() > 0) {
      if (sim_.cycles() >= limit) {
        ADD_FAILURE() << tag() << ": timeout, " << next << " of " << words.size() << " words taken";
        return false;
      }
      if (!offered && next < words.size()) offered = std::bernoulli_distribution(valid_prob)(rng_);
      const TaggedWord w = next < words.size() ? words[next] : TaggedWord{0, 0, 0};
      d.in_valid_i = offered;
      d.in_data_i = w.data;
      d.in_row_tag_i = w.row_tag;
      d.in_col_tag_i = w.col_tag;
      for (unsigned i = 0; i < kPes; ++i) set_bits(d.pe_ready_i, i, 1, sinks_[i].ready());
      sim_.eval();

      if (!check_delivery()) return false;
      // Input side: the Y-bus register takes a word when it is empty or delivering this cycle.
      const bool expect_ready = offered && (in_flight_.empty() || delivered_now_);
      if (offered && static_cast<bool>(d.in_ready_o) != expect_ready) {
        ADD_FAILURE() << tag() << fmt::format(": cycle {}: in_ready {} expected {}", sim_.cycles(), d.in_ready_o,
                                              expect_ready);
        return false;
      }
      if (delivered_now_) in_flight_.pop_front();
      if (offered && d.in_ready_o) {
        in_flight_.push_back(w);
        offered = false;
        ++next;
      }
      // The PEs drain their FIFOs at random.
      for (auto& s : sinks_)
        if (s.count > 0 && std::bernoulli_distribution(s.drain_prob)(rng_)) --s.count;
      sim_.tick();
    }
    return true;
  }

  // Checks the DUT counters and the per-PE received sequences against what was sent.
  void expect_counters() {
    auto& d = sim_.model();
    EXPECT_EQ(d.perf_words_o, words_) << tag();
    EXPECT_EQ(d.perf_deliveries_o, deliveries_) << tag();
    EXPECT_EQ(d.perf_stall_cycles_o, stall_cycles_) << tag();
    EXPECT_EQ(d.err_no_match_o, 0) << tag();
  }
  std::uint64_t words() const { return words_; }
  std::uint64_t deliveries() const { return deliveries_; }
  std::uint64_t stall_cycles() const { return stall_cycles_; }
  const std::vector<std::uint16_t>& received(unsigned pe) const { return received_[pe]; }

 private:
  void apply_config() {
    auto& d = sim_.model();
    for (unsigned r = 0; r < kRows; ++r) {
      set_bits(d.cfg_row_en_i, r, 1, config_.row_en[r]);
      set_elem(d.cfg_row_id_i, r, kRowIdWidth, config_.row_id[r]);
    }
    for (unsigned i = 0; i < kPes; ++i) {
      set_bits(d.cfg_pe_en_i, i, 1, config_.pe_en[i]);
      set_elem(d.cfg_col_id_i, i, kColIdWidth, config_.col_id[i]);
    }
  }

  // The word in the Y-bus register must go to exactly its targets, all at once, as soon as they are all ready.
  bool check_delivery() {
    auto& d = sim_.model();
    delivered_now_ = false;
    std::vector<unsigned> valid_pes;
    for (unsigned i = 0; i < kPes; ++i)
      if (get_bits(d.pe_valid_o, i, 1)) valid_pes.push_back(i);
    if (in_flight_.empty()) {
      if (!valid_pes.empty()) {
        ADD_FAILURE() << tag() << fmt::format(": cycle {}: PE {} valid with no word in flight", sim_.cycles(),
                                              valid_pes.front());
        return false;
      }
      return true;
    }
    const TaggedWord& w = in_flight_.front();
    const std::vector<unsigned> targets = config_.targets(w.row_tag, w.col_tag);
    const bool all_ready =
        std::all_of(targets.begin(), targets.end(), [&](unsigned i) { return sinks_[i].ready(); });
    if (!all_ready) {
      ++stall_cycles_;
      if (!valid_pes.empty()) {
        ADD_FAILURE() << tag() << fmt::format(": cycle {}: PE {} valid while a target is not ready",
                                              sim_.cycles(), valid_pes.front());
        return false;
      }
      return true;
    }
    if (valid_pes != targets) {
      ADD_FAILURE() << tag()
                    << fmt::format(": cycle {}: word (row {}, col {}) went to {} PEs, expected {} (first {} vs {})",
                                   sim_.cycles(), w.row_tag, w.col_tag, valid_pes.size(), targets.size(),
                                   valid_pes.empty() ? -1 : int(valid_pes.front()), int(targets.front()));
      return false;
    }
    for (unsigned i : targets) {
      const auto data = static_cast<std::uint16_t>(get_elem(d.pe_data_o, i, kWidth));
      if (data != w.data) {
        ADD_FAILURE() << tag() << fmt::format(": cycle {}: PE {} got {:#06x}, expected {:#06x}", sim_.cycles(), i,
                                              data, w.data);
        return false;
      }
      received_[i].push_back(data);
      ++sinks_[i].count;
    }
    ++words_;
    deliveries_ += targets.size();
    delivered_now_ = true;
    return true;
  }

  std::uint64_t seed_;
  std::mt19937_64 rng_;
  GinConfig config_;
  SimHarness<Vgin> sim_;
  std::array<PeSink, kPes> sinks_{};
  std::deque<TaggedWord> in_flight_;
  bool delivered_now_ = false;
  std::array<std::vector<std::uint16_t>, kPes> received_{};
  std::uint64_t words_ = 0, deliveries_ = 0, stall_cycles_ = 0;
};

// ---- Configurations ----

GinConfig all_enabled() {
  GinConfig c;
  c.row_en.fill(true);
  c.pe_en.fill(true);
  return c;
}

// Every PE its own (row, col): unicast.
GinConfig unicast() {
  GinConfig c = all_enabled();
  for (unsigned r = 0; r < kRows; ++r) c.row_id[r] = r;
  for (unsigned i = 0; i < kPes; ++i) c.col_id[i] = i % kCols;
  return c;
}

// Filter delivery: filter row i to every PE of array row i (row ID = row, one col ID for the whole row).
GinConfig row_broadcast() {
  GinConfig c = all_enabled();
  for (unsigned r = 0; r < kRows; ++r) c.row_id[r] = r;
  return c;
}

// One word to every PE of a column (all X-buses share row ID 0, col ID = column).
GinConfig column_broadcast() {
  GinConfig c = all_enabled();
  for (unsigned i = 0; i < kPes; ++i) c.col_id[i] = i % kCols;
  return c;
}

// Row-stationary ifmap delivery for a set of `height` x `width` PEs with vertical stride `stride`:
// PE(i, j) needs ifmap row i + j*stride, so that is its col ID; every X-bus of the set has row ID 0.
GinConfig diagonal(unsigned height, unsigned width, unsigned stride) {
  GinConfig c;
  for (unsigned r = 0; r < height; ++r) c.row_en[r] = true;
  for (unsigned r = 0; r < height; ++r)
    for (unsigned j = 0; j < width; ++j) {
      c.pe_en[pe_index(r, j)] = true;
      c.col_id[pe_index(r, j)] = r + j * stride;
    }
  return c;
}

// Psum delivery to the bottom PEs only: row 0 has row ID 0, the other X-buses are disabled; col ID = column.
GinConfig bottom_row_psums() {
  GinConfig c = unicast();
  c.row_en.fill(false);
  c.row_en[0] = true;
  return c;
}

// All tags that reach at least one PE.
std::vector<std::pair<unsigned, unsigned>> live_tags(const GinConfig& c) {
  std::vector<std::pair<unsigned, unsigned>> tags;
  for (unsigned row = 0; row < (1u << kRowIdWidth); ++row)
    for (unsigned col = 0; col <= kMaxColId; ++col)
      if (!c.targets(row, col).empty()) tags.emplace_back(row, col);
  return tags;
}

// Runs `count` random live words through `config` and checks counters and per-PE sequences.
void run_pattern(std::uint64_t seed, const GinConfig& config, std::size_t count, double valid_prob,
                 std::size_t expected_fanout = 0) {
  GinBench bench(seed, config);
  const auto tags = live_tags(config);
  ASSERT_FALSE(tags.empty());
  const auto words = bench.words_for(tags, count);
  ASSERT_TRUE(bench.run(words, valid_prob));
  bench.expect_counters();
  // Independent check of the per-PE sequences: each PE got exactly the data of its matching words, in order.
  for (unsigned i = 0; i < kPes; ++i) {
    std::vector<std::uint16_t> expected;
    for (const auto& w : words) {
      const auto t = config.targets(w.row_tag, w.col_tag);
      if (std::find(t.begin(), t.end(), i) != t.end()) expected.push_back(w.data);
    }
    ASSERT_EQ(bench.received(i), expected) << bench.tag() << " PE " << i;
  }
  if (expected_fanout > 0) {
    EXPECT_EQ(bench.deliveries(), count * expected_fanout) << bench.tag();
  }
}

// ---- Tests ----

TEST(Gin, Unicast) { run_pattern(11, unicast(), 3000, 0.9, 1); }
TEST(Gin, RowBroadcastFilterRows) { run_pattern(12, row_broadcast(), 2000, 0.9, kCols); }
TEST(Gin, ColumnBroadcast) { run_pattern(13, column_broadcast(), 2000, 0.9, kRows); }
TEST(Gin, PsumsToBottomRow) { run_pattern(14, bottom_row_psums(), 2000, 1.0, 1); }

TEST(Gin, FullBroadcast) {
  GinConfig c = all_enabled();  // every ID 0
  run_pattern(15, c, 1000, 1.0, kPes);
}

// AlexNet-like row-stationary sets: CONV1 (R = 11, e = 5, U = 4), CONV2 (5 x 14, U = 1), CONV3-5 (3 x 13, U = 1),
// and the full array with the largest IDs.
TEST(Gin, DiagonalIfmapConv1) { run_pattern(16, diagonal(11, 5, 4), 2000, 0.9); }
TEST(Gin, DiagonalIfmapConv2) { run_pattern(17, diagonal(5, 14, 1), 2000, 0.9); }
TEST(Gin, DiagonalIfmapConv3) { run_pattern(18, diagonal(3, 13, 1), 2000, 0.9); }
TEST(Gin, DiagonalIfmapFullArray) { run_pattern(19, diagonal(12, 14, 4), 2000, 0.9); }

// With every PE always ready the network moves one word per cycle: no stalls, words == cycles of valid input.
TEST(Gin, FullThroughputWithoutBackPressure) {
  GinBench bench(20, unicast());
  bench.set_drain_prob(1.0);
  const auto words = bench.words_for(live_tags(unicast()), 500);
  ASSERT_TRUE(bench.run(words, 1.0, 503));  // one cycle per word plus the pipeline register
  bench.expect_counters();
  EXPECT_EQ(bench.stall_cycles(), 0u);
}

// Random configurations: small ID ranges (so IDs repeat: multicast), random disabled X-buses and PEs.
class GinRandom : public ::testing::TestWithParam<int> {};

TEST_P(GinRandom, RandomIdsAndBackPressure) {
  const std::uint64_t seed = 5000 + GetParam();
  std::mt19937_64 rng(seed);
  GinConfig c;
  const unsigned row_ids = std::uniform_int_distribution<unsigned>(1, 4)(rng);
  const unsigned col_ids = std::uniform_int_distribution<unsigned>(1, 6)(rng);
  const double row_off = std::uniform_real_distribution<double>(0.0, 0.3)(rng);
  const double pe_off = std::uniform_real_distribution<double>(0.0, 0.5)(rng);
  for (unsigned r = 0; r < kRows; ++r) {
    c.row_en[r] = !std::bernoulli_distribution(row_off)(rng);
    c.row_id[r] = std::uniform_int_distribution<unsigned>(0, row_ids - 1)(rng);
  }
  for (unsigned i = 0; i < kPes; ++i) {
    c.pe_en[i] = !std::bernoulli_distribution(pe_off)(rng);
    c.col_id[i] = std::uniform_int_distribution<unsigned>(0, col_ids - 1)(rng);
  }
  if (live_tags(c).empty()) c.row_en[0] = c.pe_en[0] = true;
  const double valid_prob = std::uniform_real_distribution<double>(0.3, 1.0)(rng);
  run_pattern(seed, c, 1500, valid_prob);
}

INSTANTIATE_TEST_SUITE_P(Seeds, GinRandom, ::testing::Range(0, 16));

// A word that matches no PE is held at the input (never dropped) and raises the sticky error.
TEST(Gin, NoMatchWordRaisesError) {
  const GinConfig config = bottom_row_psums();
  GinBench bench(21, config);
  // One good word first.
  ASSERT_TRUE(bench.run({{0x1234, 0, 3}}, 1.0));
  auto& d = bench.dut();
  EXPECT_EQ(d.err_no_match_o, 0);
  d.contextp()->assertOn(false);  // a_word_has_target fires on purpose
  // Row ID 1 belongs to a disabled X-bus.
  d.in_valid_i = 1;
  d.in_data_i = 0xbeef;
  d.in_row_tag_i = 1;
  d.in_col_tag_i = 3;
  for (unsigned i = 0; i < kPes; ++i) set_bits(d.pe_ready_i, i, 1, 1);
  for (int cycle = 0; cycle < 20; ++cycle) {
    d.eval();
    EXPECT_EQ(d.in_ready_o, 0) << "cycle " << cycle;
    for (unsigned i = 0; i < kPes; ++i) ASSERT_EQ(get_bits(d.pe_valid_o, i, 1), 0u) << "PE " << i;
    d.clk_i = 1;
    d.eval();
    d.clk_i = 0;
    d.eval();
  }
  EXPECT_EQ(d.err_no_match_o, 1);
  EXPECT_EQ(d.perf_words_o, 1u);
  EXPECT_EQ(d.perf_deliveries_o, 1u);
  EXPECT_EQ(d.idle_o, 1);
}

}  // namespace
}  // namespace ocelli::tb
