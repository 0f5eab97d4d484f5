// Row-stationary passes through the whole NoC: filter, ifmap and psum GINs drive the 12x14 pe_array and the GON
// collects its column psums (tb/noc/noc_array_tb_top.sv). The per-PE streams come from RsPassBuilder; the
// testbench turns them into three tagged word streams the way a GLB feeder would (filter rows multicast along an
// array row, ifmap rows multicast along the diagonals of each vertical set, psums unicast to the bottom PEs) and
// checks the GON output of every column against the golden.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "Vnoc_array_tb_top.h"
#include "bit_fields.hpp"
#include "random_slice.hpp"
#include "random_tensors.hpp"
#include "rs_pass_builder.hpp"
#include "sim_harness.hpp"

namespace ocelli::tb {
namespace {

constexpr int kRows = 12;
constexpr int kCols = 14;
constexpr int kPes = kRows * kCols;
constexpr unsigned kRowIdWidth = 4;
constexpr unsigned kColIdWidth = 6;

template <class T>
struct TaggedWord {
  T data;
  unsigned row_tag;
  unsigned col_tag;
};

// IDs of one GIN and the word stream that reaches every PE's stream through them.
template <class T>
struct GinPlan {
  std::vector<bool> row_en = std::vector<bool>(kRows, false);
  std::vector<unsigned> row_id = std::vector<unsigned>(kRows, 0);
  std::vector<bool> pe_en = std::vector<bool>(kPes, false);
  std::vector<unsigned> col_id = std::vector<unsigned>(kPes, 0);
  std::vector<TaggedWord<T>> words;
  std::uint64_t deliveries = 0;
};

// Row ID of an X-bus = row_class(row). Within one row class, PEs whose streams are equal share a col ID, so each
// distinct stream is sent once and multicast. Words go out interleaved over the distinct streams (element k of
// every stream, then element k+1) so that all PEs progress together, as a GLB feeder would send them.
template <class T, class RowClass>
GinPlan<T> plan_gin(const ArrayPass& pass, std::vector<T> PeJob::*stream, RowClass row_class, const char* name) {
  GinPlan<T> plan;
  struct Group {
    unsigned row_tag, col_tag;
    const std::vector<T>* data;
    unsigned fanout;
  };
  std::vector<Group> groups;
  std::map<std::pair<unsigned, std::vector<T>>, std::size_t> group_of;
  std::map<unsigned, unsigned> next_col_id;
  for (int i = 0; i < kPes; ++i) {
    const PeJob& pe = pass.pes[i];
    if (!pe.enabled || (pe.*stream).empty()) continue;
    const int row = i / kCols;
    const unsigned cls = row_class(row);
    if (cls >= (1u << kRowIdWidth)) throw std::invalid_argument(fmt::format("{} GIN: row ID {} too wide", name, cls));
    plan.row_en[row] = true;
    plan.row_id[row] = cls;
    auto key = std::make_pair(cls, pe.*stream);
    auto it = group_of.find(key);
    if (it == group_of.end()) {
      const unsigned col = next_col_id[cls]++;
      if (col >= (1u << kColIdWidth))
        throw std::invalid_argument(fmt::format("{} GIN: more than {} distinct streams in row class {}", name,
                                                1u << kColIdWidth, cls));
      it = group_of.emplace(key, groups.size()).first;
      groups.push_back({cls, col, &(pe.*stream), 0});
    }
    Group& g = groups[it->second];
    ++g.fanout;
    plan.pe_en[i] = true;
    plan.col_id[i] = g.col_tag;
  }
  std::size_t longest = 0;
  for (const auto& g : groups) longest = std::max(longest, g.data->size());
  for (std::size_t k = 0; k < longest; ++k) {
    for (const auto& g : groups) {
      if (k >= g.data->size()) continue;
      plan.words.push_back({(*g.data)[k], g.row_tag, g.col_tag});
      plan.deliveries += g.fanout;
    }
  }
  return plan;
}

struct NocCase {
  int n = 1;
  int R = 3, S = 3;
  int U = 1;
  int H = 0, W = 0;
  int pad = 0;
  RsMapping map;
  bool bias = false;
  bool psum_in = false;
  double zero_prob = 0.3;
  double valid_prob = 1.0;  // chance a GIN input word is offered in a cycle
  double ready_prob = 1.0;  // chance the GON output is taken in a cycle
};

std::string describe(const NocCase& c) {
  return fmt::format("n={} R={} S={} U={} H={} W={} pad={} p={} q={} r={} t={} e={} bias={} psum_in={} valid={:.2f} "
                     "ready={:.2f}",
                     c.n, c.R, c.S, c.U, c.H, c.W, c.pad, c.map.p, c.map.q, c.map.r, c.map.t, c.map.e, c.bias,
                     c.psum_in, c.valid_prob, c.ready_prob);
}

// Offers one GIN's words in order with random valid gaps.
template <class T>
class WordFeeder {
 public:
  explicit WordFeeder(const std::vector<TaggedWord<T>>& words) : words_(words) {}
  bool offer(std::mt19937_64& rng, double prob) {
    if (next_ >= words_.size()) return offered_ = false;
    if (!offered_) offered_ = prob >= 1.0 || std::bernoulli_distribution(prob)(rng);
    return offered_;
  }
  TaggedWord<T> word() const { return next_ < words_.size() ? words_[next_] : TaggedWord<T>{0, 0, 0}; }
  void handshake(bool ready) {
    if (offered_ && ready) {
      ++next_;
      offered_ = false;
    }
  }
  bool done() const { return next_ >= words_.size(); }

 private:
  const std::vector<TaggedWord<T>>& words_;
  std::size_t next_ = 0;
  bool offered_ = false;
};

class NocArrayBench {
 public:
  explicit NocArrayBench(std::uint64_t seed) : rng_(seed) { sim_.reset(); }
  Vnoc_array_tb_top& dut() { return sim_.model(); }
  std::uint64_t cycles() const { return sim_.cycles(); }

  template <class T, class RowEn, class RowId, class PeEn, class ColId>
  static void load_ids(RowEn& row_en, RowId& row_id, PeEn& pe_en, ColId& col_id, const GinPlan<T>& plan) {
    for (int r = 0; r < kRows; ++r) {
      set_bits(row_en, r, 1, plan.row_en[r]);
      set_elem(row_id, r, kRowIdWidth, plan.row_id[r]);
    }
    for (int i = 0; i < kPes; ++i) {
      set_bits(pe_en, i, 1, plan.pe_en[i]);
      set_elem(col_id, i, kColIdWidth, plan.col_id[i]);
    }
  }

  // Runs the pass; returns the psums per column in arrival order.
  std::vector<std::vector<std::int32_t>> run(const ArrayPass& pass, const GinPlan<std::int16_t>& filt,
                                             const GinPlan<std::int16_t>& ifmap, const GinPlan<std::int32_t>& psum,
                                             double valid_prob, double ready_prob) {
    auto& d = sim_.model();
    load_ids(d.filt_row_en_i, d.filt_row_id_i, d.filt_pe_en_i, d.filt_col_id_i, filt);
    load_ids(d.ifmap_row_en_i, d.ifmap_row_id_i, d.ifmap_pe_en_i, d.ifmap_col_id_i, ifmap);
    load_ids(d.psum_row_en_i, d.psum_row_id_i, d.psum_pe_en_i, d.psum_col_id_i, psum);
    for (int i = 0; i < kPes; ++i) {
      set_bits(d.pe_en_i, i, 1, pass.pes[i].enabled);
      set_bits(d.pe_accum_i, i, 1, pass.pes[i].accum);
      set_bits(d.pe_psum_ext_i, i, 1, pass.pes[i].psum_ext);
    }
    d.cfg_i = pass.cfg.pack();
    d.filt_valid_i = d.ifmap_valid_i = d.psum_valid_i = 0;
    d.out_ready_i = 0;
    d.start_i = 1;
    sim_.tick();
    d.start_i = 0;

    WordFeeder<std::int16_t> filt_feed(filt.words), ifmap_feed(ifmap.words);
    WordFeeder<std::int32_t> psum_feed(psum.words);
    std::vector<std::vector<std::int32_t>> outputs(kCols);
    std::size_t expected_total = 0, received = 0;
    for (const auto& col : pass.expected) expected_total += col.size();
    const double work = static_cast<double>(filt.words.size() + ifmap.words.size() + psum.words.size() + pass.macs / 8);
    const std::uint64_t limit =
        sim_.cycles() + static_cast<std::uint64_t>(20.0 * work / std::min(valid_prob, ready_prob)) + 20000;
    while (d.busy_o || received < expected_total || !filt_feed.done() || !ifmap_feed.done() || !psum_feed.done()) {
      if (sim_.cycles() > limit) {
        ADD_FAILURE() << fmt::format("watchdog after {} cycles: {} of {} psums, feeders done {}/{}/{}",
                                     sim_.cycles(), received, expected_total, filt_feed.done(), ifmap_feed.done(),
                                     psum_feed.done());
        break;
      }
      d.filt_valid_i = filt_feed.offer(rng_, valid_prob);
      d.filt_data_i[0] = static_cast<std::uint16_t>(filt_feed.word().data);  // lane 0 of a filt_word_t
      d.filt_data_i[2] = 1;                                                   // count = 1
      d.filt_row_tag_i = filt_feed.word().row_tag;
      d.filt_col_tag_i = filt_feed.word().col_tag;
      d.ifmap_valid_i = ifmap_feed.offer(rng_, valid_prob);
      d.ifmap_data_i[0] = static_cast<std::uint16_t>(ifmap_feed.word().data);  // lane 0 of an ifmap_word_t
      d.ifmap_data_i[2] = 1;                                                    // count = 1
      d.ifmap_row_tag_i = ifmap_feed.word().row_tag;
      d.ifmap_col_tag_i = ifmap_feed.word().col_tag;
      d.psum_valid_i = psum_feed.offer(rng_, valid_prob);
      d.psum_data_i = static_cast<std::uint32_t>(psum_feed.word().data);
      d.psum_row_tag_i = psum_feed.word().row_tag;
      d.psum_col_tag_i = psum_feed.word().col_tag;
      const bool out_ready = ready_prob >= 1.0 || std::bernoulli_distribution(ready_prob)(rng_);
      d.out_ready_i = out_ready;
      sim_.eval();
      filt_feed.handshake(d.filt_ready_o);
      ifmap_feed.handshake(d.ifmap_ready_o);
      psum_feed.handshake(d.psum_ready_o);
      if (d.out_valid_o && out_ready) {
        if (d.out_col_o >= kCols) {
          ADD_FAILURE() << "GON column index " << int(d.out_col_o) << " out of range";
          break;
        }
        outputs[d.out_col_o].push_back(static_cast<std::int32_t>(d.out_data_o));
        ++received;
      }
      sim_.tick();
    }
    return outputs;
  }

 private:
  std::mt19937_64 rng_;
  SimHarness<Vnoc_array_tb_top> sim_;
};

void check_noc_case(const NocCase& c, std::uint64_t seed) {
  SCOPED_TRACE(fmt::format("seed {} ({})", seed, describe(c)));
  std::mt19937_64 rng(seed);
  const ConvSlice slice = random_slice(rng, c);
  const ArrayPass pass = RsPassBuilder(kRows, kCols).build(slice, c.map);

  // Filter rows: one X-bus per array row. Ifmap rows: one row ID per vertical set (R rows). Psums: per row.
  const auto filt = plan_gin(pass, &PeJob::filter, [](int row) { return unsigned(row); }, "filter");
  const auto ifmap = plan_gin(pass, &PeJob::ifmap, [&](int row) { return unsigned(row / c.R); }, "ifmap");
  const auto psum = plan_gin(pass, &PeJob::psum_in, [](int row) { return unsigned(row); }, "psum");

  NocArrayBench bench(seed ^ 0x9e3779b97f4a7c15ull);
  const auto outputs = bench.run(pass, filt, ifmap, psum, c.valid_prob, c.ready_prob);
  if (::testing::Test::HasFailure()) return;
  for (int col = 0; col < kCols; ++col) {
    EXPECT_EQ(outputs[col].size(), pass.expected[col].size()) << "column " << col;
    for (std::size_t i = 0; i < std::min(outputs[col].size(), pass.expected[col].size()); ++i) {
      if (outputs[col][i] != pass.expected[col][i]) {
        ADD_FAILURE() << fmt::format("column {} psum {}: got {}, golden {}", col, i, outputs[col][i],
                                     pass.expected[col][i]);
        break;
      }
    }
  }
  auto& d = bench.dut();
  EXPECT_EQ(d.err_no_match_o, 0);
  EXPECT_EQ(d.macs_o, pass.macs);
  const std::uint64_t words[3] = {filt.words.size(), ifmap.words.size(), psum.words.size()};
  const std::uint64_t deliveries[3] = {filt.deliveries, ifmap.deliveries, psum.deliveries};
  for (unsigned g = 0; g < 3; ++g) {
    EXPECT_EQ(get_elem(d.gin_words_o, g, 64), words[g]) << "GIN " << g;
    EXPECT_EQ(get_elem(d.gin_deliveries_o, g, 64), deliveries[g]) << "GIN " << g;
  }
  std::size_t expected_total = 0;
  for (const auto& col : pass.expected) expected_total += col.size();
  EXPECT_EQ(d.gon_words_o, expected_total);
  // Multicast pays off: fewer words on the Y-bus than PE deliveries whenever streams are shared.
  std::cout << fmt::format("[ NOC      ] {} cycles; filter {} words -> {} deliveries, ifmap {} -> {}, psum {} -> {}; "
                           "GIN stall cycles {}/{}/{}\n",
                           bench.cycles(), words[0], deliveries[0], words[1], deliveries[1], words[2], deliveries[2],
                           get_elem(d.gin_stall_cycles_o, 0, 64), get_elem(d.gin_stall_cycles_o, 1, 64),
                           get_elem(d.gin_stall_cycles_o, 2, 64));
}

TEST(NocArray, OneSetThroughTheNoc) {
  NocCase c;
  c.H = c.W = 7;
  c.map = {2, 1, 1, 1, 3};
  check_noc_case(c, 301);
}

// 4 channel groups stacked (4 ifmap row IDs) and 2 filter groups side by side, psum-in and bias on the bottom row.
TEST(NocArray, FoldedSetsWithPsumIn) {
  NocCase c;
  c.H = c.W = 9;
  c.pad = 1;
  c.map = {3, 2, 4, 2, 7};
  c.bias = true;
  c.psum_in = true;
  check_noc_case(c, 302);
}

TEST(NocArray, StrideTwoWithGapsAndBackPressure) {
  NocCase c;
  c.R = 2;
  c.S = 4;
  c.U = 2;
  c.H = 12;
  c.W = 14;
  c.n = 2;
  c.map = {5, 3, 2, 3, 4};
  c.psum_in = true;
  c.valid_prob = 0.5;
  c.ready_prob = 0.3;
  check_noc_case(c, 303);
}

// CONV1-like: 11 x 11 stride 4, e = 7, 2 filter groups: diagonal ifmap IDs up to 34.
TEST(NocArray, Conv1LikeStride4) {
  NocCase c;
  c.R = c.S = 11;
  c.U = 4;
  c.W = 43;
  c.H = 11 + 4 * 6;
  c.map = {4, 1, 1, 2, 7};
  c.bias = true;
  check_noc_case(c, 304);
}

// CONV3-like: 3x3 pad 1 on 13x13, 4 channel groups stacked over all 12 rows, 13 columns.
TEST(NocArray, Conv3LikeFullArray) {
  NocCase c;
  c.H = c.W = 13;
  c.pad = 1;
  c.map = {4, 4, 4, 1, 13};
  c.bias = true;
  check_noc_case(c, 305);
}

// Seeded random passes: filter sizes 1-11, strides 1/2/4, folded sets, padding, 1-2 images, psum-in, bias, random
// valid gaps on the three GINs and back-pressure on the GON. Re-run one with --gtest_filter='*NocArrayRandom*/<i>'.
NocCase random_noc_case(std::mt19937_64& rng) {
  NocCase c;
  const int strides[] = {1, 2, 4};
  c.R = rand_int(rng, 1, 11);
  c.S = rand_int(rng, 1, 11);
  c.U = strides[rand_int(rng, 0, 2)];
  const int q_max = 12 / c.S;
  c.map.q = rand_int(rng, 1, q_max);
  const int p_max = std::min(24, 224 / (c.map.q * c.S));
  c.map.p = rand_int(rng, 1, std::min(p_max, 8));
  c.map.r = rand_int(rng, 1, kRows / c.R);
  c.map.e = rand_int(rng, 1, 7);
  c.map.t = rand_int(rng, 1, kCols / c.map.e);
  c.map.filter_outer = rand_int(rng, 0, 1);
  c.n = rand_int(rng, 1, 2);
  c.pad = rand_int(rng, 0, std::min(2, std::min(c.R, c.S) - 1));
  const int F = rand_int(rng, 1, 6);
  c.W = std::max(1, (F - 1) * c.U + c.S - 2 * c.pad);
  c.H = std::max(1, (c.map.e - 1) * c.U + c.R - 2 * c.pad);
  while (c.W + 2 * c.pad - c.S < 0) ++c.W;
  while ((c.H + 2 * c.pad - c.R) / c.U + 1 < c.map.e) ++c.H;
  c.bias = rand_int(rng, 0, 1);
  c.psum_in = rand_int(rng, 0, 1);
  c.zero_prob = std::uniform_real_distribution<double>(0.0, 0.6)(rng);
  c.valid_prob = std::uniform_real_distribution<double>(0.4, 1.0)(rng);
  c.ready_prob = std::uniform_real_distribution<double>(0.3, 1.0)(rng);
  return c;
}

class NocArrayRandom : public ::testing::TestWithParam<int> {};

TEST_P(NocArrayRandom, MatchesGolden) {
  const std::uint64_t seed = 0x2545f4914f6cdd1dull * static_cast<std::uint64_t>(GetParam() + 1);
  std::mt19937_64 rng(seed);
  check_noc_case(random_noc_case(rng), seed);
}

INSTANTIATE_TEST_SUITE_P(Seeds, NocArrayRandom, ::testing::Range(0, 16));

}  // namespace
}  // namespace ocelli::tb
