// RLC codec: hand-checked words, round trips over random and adversarial tensors, and every decoder error case.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "ocelli/golden/rlc.hpp"

namespace ocelli::golden {
namespace {

// Independent packing written from the format description, not via rlc_pack_pair.
std::uint64_t word_of(std::initializer_list<std::pair<int, int>> pairs, bool terminator) {
  std::uint64_t w = 0;
  int k = 0;
  for (const auto& [run, level] : pairs) {
    const std::uint64_t bits = static_cast<std::uint64_t>(run & 31) | (static_cast<std::uint64_t>(level & 0xFFFF) << 5);
    w |= bits << (21 * k++);
  }
  return terminator ? (w | (std::uint64_t{1} << 63)) : w;
}

std::vector<std::int16_t> random_tensor(std::mt19937& rng, std::size_t n, double zero_fraction) {
  std::bernoulli_distribution is_zero(zero_fraction);
  std::uniform_int_distribution<int> value(-32768, 32767);
  std::vector<std::int16_t> v(n);
  for (auto& x : v) {
    int r = 0;
    while (!is_zero(rng) && r == 0) r = value(rng);
    x = static_cast<std::int16_t>(r);
  }
  return v;
}

void expect_round_trip(const std::vector<std::int16_t>& v, const std::string& what) {
  const auto words = rlc_encode(v);
  ASSERT_FALSE(words.empty()) << what;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    ASSERT_EQ(words[i] >> 63, 0u) << what << ": terminator in word " << i;
  }
  ASSERT_EQ(words.back() >> 63, 1u) << what;
  const auto back = rlc_decode(words, v.size());
  ASSERT_EQ(back, v) << what;
}

std::size_t error_offset(const std::vector<std::uint64_t>& words, std::size_t n) {
  try {
    rlc_decode(words, n);
  } catch (const RlcError& e) {
    return e.word_offset();
  }
  ADD_FAILURE() << "no RlcError";
  return SIZE_MAX;
}

TEST(Rlc, FactsSheetExampleIsOneTerminatedWord) {
  const std::vector<std::int16_t> v = {0, 0, 12, 0, 0, 0, 0, 53, 0, 0, 22};
  const auto words = rlc_encode(v);
  ASSERT_EQ(words.size(), 1u);
  EXPECT_EQ(words[0], word_of({{2, 12}, {4, 53}, {2, 22}}, true));
  // Hand-computed: (2 | 12<<5) | (4 | 53<<5)<<21 | (2 | 22<<5)<<42 | 1<<63
  EXPECT_EQ(words[0], 0x800B0800D4800182ull);
  EXPECT_EQ(rlc_decode(words, v.size()), v);
}

TEST(Rlc, EmptyTensorIsTerminatorOnly) {
  const auto words = rlc_encode(nullptr, 0);
  ASSERT_EQ(words.size(), 1u);
  EXPECT_EQ(words[0], 0x8000000000000000ull);
  EXPECT_TRUE(rlc_decode(words, 0).empty());
}

TEST(Rlc, SingleElements) {
  for (int v : {0, 1, -1, 32767, -32768}) {
    const std::vector<std::int16_t> t = {static_cast<std::int16_t>(v)};
    const auto words = rlc_encode(t);
    ASSERT_EQ(words.size(), 1u);
    EXPECT_EQ(words[0], word_of({{0, v}}, true)) << v;  // a single zero is (0, 0): run 0, literal zero
    EXPECT_EQ(rlc_decode(words, 1), t);
  }
}

TEST(Rlc, ZeroRunBoundariesEncodeGreedily) {
  // n zeros followed by 7: 32 zeros = (31,0); remainder r>0 then 7 = (r,7).
  struct Case { int zeros; std::vector<std::pair<int, int>> pairs; };
  const std::vector<Case> cases = {
      {31, {{31, 7}}},
      {32, {{31, 0}, {0, 7}}},
      {33, {{31, 0}, {1, 7}}},
      {63, {{31, 0}, {31, 7}}},
      {64, {{31, 0}, {31, 0}, {0, 7}}},
  };
  for (const auto& c : cases) {
    std::vector<std::int16_t> v(c.zeros, 0);
    v.push_back(7);
    const auto words = rlc_encode(v);
    std::vector<std::pair<int, int>> got;
    for (std::size_t w = 0; w < words.size(); ++w) {
      for (int k = 0; k < 3; ++k) {
        const auto p = rlc_unpack_pair(words[w], k);
        got.emplace_back(p.run, p.level);
      }
    }
    auto expected = c.pairs;
    while (expected.size() % 3 != 0) expected.emplace_back(0, 0);
    EXPECT_EQ(got, expected) << c.zeros << " zeros";
    EXPECT_EQ(rlc_decode(words, v.size()), v) << c.zeros << " zeros";
  }
}

TEST(Rlc, TrailingZerosEndWithShortenedRun) {
  // 5, then 40 zeros: (0,5) (31,0) then 8 zeros left -> (7,0).
  std::vector<std::int16_t> v = {5};
  v.resize(41, 0);
  const auto words = rlc_encode(v);
  ASSERT_EQ(words.size(), 1u);
  EXPECT_EQ(words[0], word_of({{0, 5}, {31, 0}, {7, 0}}, true));
  EXPECT_EQ(rlc_decode(words, v.size()), v);
}

TEST(Rlc, ThreePairsExactlyNeedNoExtraWord) {
  const std::vector<std::int16_t> v = {1, 2, 3};
  const auto words = rlc_encode(v);
  ASSERT_EQ(words.size(), 1u);
  EXPECT_EQ(words[0], word_of({{0, 1}, {0, 2}, {0, 3}}, true));
  const std::vector<std::int16_t> v4 = {1, 2, 3, 4};
  const auto words4 = rlc_encode(v4);
  ASSERT_EQ(words4.size(), 2u);
  EXPECT_EQ(words4[0], word_of({{0, 1}, {0, 2}, {0, 3}}, false));
  EXPECT_EQ(words4[1], word_of({{0, 4}}, true));
}

TEST(Rlc, AdversarialRoundTrips) {
  for (int zeros : {1, 30, 31, 32, 33, 63, 64, 65, 95, 96, 97, 1000}) {
    std::vector<std::int16_t> all_zero(zeros, 0);
    expect_round_trip(all_zero, fmt::format("{} zeros", zeros));
    std::vector<std::int16_t> framed = {-32768};
    framed.insert(framed.end(), zeros, 0);
    framed.push_back(32767);
    framed.insert(framed.end(), zeros, 0);
    expect_round_trip(framed, fmt::format("extremes around {} zeros", zeros));
  }
}

TEST(Rlc, RandomRoundTripsAtEveryZeroFraction) {
  const unsigned seed = 20261122;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> length(0, 3000);
  for (int tenth = 0; tenth <= 10; ++tenth) {
    for (int rep = 0; rep < 20; ++rep) {
      const auto v = random_tensor(rng, length(rng), tenth / 10.0);
      expect_round_trip(v, fmt::format("seed {} zero fraction {}/10 rep {} n {}", seed, tenth, rep, v.size()));
    }
  }
}

TEST(Rlc, CompressesSparseData) {
  std::mt19937 rng(7);
  const auto sparse = random_tensor(rng, 10000, 0.9);
  const auto dense = random_tensor(rng, 10000, 0.0);
  EXPECT_LT(rlc_encode(sparse).size() * 4, sparse.size());      // 64-bit words vs 16-bit elements: >4x smaller
  EXPECT_EQ(rlc_encode(dense).size(), (dense.size() + 2) / 3);  // dense: 3 elements per word
}

// ---- corrupt streams: each error names the offending word ----

TEST(RlcErrors, PairPastElementCount) {
  // 11 elements expected but word 0 holds 12: (2,12)(4,53)(3,22).
  EXPECT_EQ(error_offset({word_of({{2, 12}, {4, 53}, {3, 22}}, true)}, 11), 0u);
  // second word's first pair overruns.
  EXPECT_EQ(error_offset({word_of({{0, 1}, {0, 2}, {0, 3}}, false), word_of({{5, 4}}, true)}, 5), 1u);
}

TEST(RlcErrors, TerminatorBeforeAllElements) {
  EXPECT_EQ(error_offset({word_of({{2, 12}, {4, 53}, {2, 22}}, true)}, 12), 0u);
  EXPECT_EQ(error_offset({word_of({{0, 1}, {0, 2}, {0, 3}}, false), word_of({{0, 4}}, true)}, 9), 1u);
}

TEST(RlcErrors, CountReachedWithoutTerminator) {
  EXPECT_EQ(error_offset({word_of({{2, 12}, {4, 53}, {2, 22}}, false)}, 11), 0u);
  EXPECT_EQ(error_offset({word_of({{0, 1}, {0, 2}, {0, 3}}, false), word_of({{0, 4}}, false)}, 4), 1u);
}

TEST(RlcErrors, WordsAfterTerminator) {
  auto words = rlc_encode(std::vector<std::int16_t>{1, 2, 3, 4});
  words.push_back(0x8000000000000000ull);
  EXPECT_EQ(error_offset(words, 4), 2u);
  EXPECT_EQ(error_offset({0x8000000000000000ull, 0x8000000000000000ull}, 0), 1u);
}

TEST(RlcErrors, NonzeroPaddingAfterCount) {
  EXPECT_EQ(error_offset({word_of({{0, 1}, {0, 0}, {1, 0}}, true)}, 2), 0u);   // third pair run 1
  EXPECT_EQ(error_offset({word_of({{0, 1}, {0, 5}}, true)}, 1), 0u);           // second pair level 5
  EXPECT_EQ(error_offset({0x8000000000000001ull}, 0), 0u);                      // empty tensor, dirty padding
}

TEST(RlcErrors, StreamEndsEarly) {
  EXPECT_EQ(error_offset({word_of({{0, 1}, {0, 2}, {0, 3}}, false)}, 5), 1u);
  EXPECT_EQ(error_offset({}, 0), 0u);
  EXPECT_EQ(error_offset({}, 3), 0u);
}

TEST(RlcErrors, MessageNamesTheWord) {
  try {
    rlc_decode(std::vector<std::uint64_t>{word_of({{0, 1}}, false)}, 5);
    FAIL() << "no throw";
  } catch (const RlcError& e) {
    EXPECT_NE(std::string(e.what()).find("word 1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ocelli::golden
