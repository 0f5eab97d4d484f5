// RTL run-length encoder/decoder against the golden codec: identical words, identical elements, and the same
// word offset for every kind of corrupt stream. Random valid gaps and back-pressure on every stream.
#include <algorithm>
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "Vrlc_codec_top.h"
#include "verilated.h"

#include "ocelli/golden/rlc.hpp"

namespace {

using ocelli::golden::RlcError;
using ocelli::golden::rlc_decode;
using ocelli::golden::rlc_encode;

// One verilated codec with its own context; each test builds a fresh one.
class CodecHarness {
 public:
  explicit CodecHarness(std::uint64_t seed) : rng_(seed) {
    context_ = std::make_unique<VerilatedContext>();
    context_->assertOn(false);
    model_ = std::make_unique<Vrlc_codec_top>(context_.get(), "rlc");
    model_->clk_i = 0;
    model_->rst_ni = 0;
    model_->eval();
    tick();
    tick();
    model_->rst_ni = 1;
    model_->eval();
    context_->assertOn(true);
  }
  ~CodecHarness() { model_->final(); }

  Vrlc_codec_top& m() { return *model_; }
  void tick() {
    model_->clk_i = 1;
    model_->eval();
    model_->clk_i = 0;
    model_->eval();
    ++cycles_;
  }
  bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::uint64_t cycles() const { return cycles_; }

  // Streams `data` through the encoder; returns the words it produced.
  std::vector<std::uint64_t> encode(const std::vector<std::int16_t>& data, double valid_p, double ready_p) {
    std::vector<std::uint64_t> words;
    std::size_t next = 0;
    bool saw_last = false;
    const std::uint64_t limit = cycles_ + 20 * data.size() + 1000;
    while (!saw_last) {
      if (cycles_ > limit) throw std::runtime_error("encoder watchdog: no terminator word");
      auto& t = *model_;
      t.enc_in_valid_i = next < data.size() && coin(valid_p);
      t.enc_in_data_i = next < data.size() ? static_cast<std::uint16_t>(data[next]) : 0;
      t.enc_in_last_i = next + 1 == data.size();
      t.enc_out_ready_i = coin(ready_p);
      t.eval();
      const bool in_fire = t.enc_in_valid_i && t.enc_in_ready_o;
      if (t.enc_out_valid_o && t.enc_out_ready_i) {
        words.push_back(t.enc_out_word_o);
        saw_last = t.enc_out_last_o;
      }
      tick();
      if (in_fire) ++next;
    }
    model_->enc_in_valid_i = 0;
    EXPECT_EQ(next, data.size()) << "encoder emitted its terminator before taking every element";
    return words;
  }

  struct DecodeResult {
    std::vector<std::int16_t> data;
    std::optional<std::uint32_t> error_word;
    int error_code = 0;
  };

  // Feeds `words` to the decoder told to produce `count` elements from a budget of words.size() words.
  // take_all: take every offered zero group whole (as the row mover does when its word has room), else a random part.
  DecodeResult decode(const std::vector<std::uint64_t>& words, std::size_t count, double valid_p, double ready_p,
                      bool take_all = false) {
    DecodeResult r;
    auto& t = *model_;
    t.dec_start_i = 1;
    t.dec_count_i = static_cast<std::uint32_t>(count);
    t.dec_max_words_i = static_cast<std::uint32_t>(words.size());
    tick();
    t.dec_start_i = 0;
    std::size_t next = 0;
    const std::uint64_t limit = cycles_ + 40 * (count + 32 * words.size()) + 1000;
    while (true) {
      if (cycles_ > limit) throw std::runtime_error("decoder watchdog: neither done nor error");
      t.dec_in_valid_i = next < words.size() && coin(valid_p);
      t.dec_in_word_i = next < words.size() ? words[next] : 0;
      t.dec_out_ready_i = coin(ready_p);
      t.dec_out_take_i = 1;
      t.eval();
      // A group of zeros is offered as a count; take a random part of it (1..count), as a packer with less room
      // in its word would.
      const int offered = t.dec_out_count_o;
      const int take = take_all || offered <= 1 ? std::max(offered, 1)
                                                : std::uniform_int_distribution<int>(1, offered)(rng_);
      t.dec_out_take_i = static_cast<std::uint8_t>(take);
      t.eval();
      if (t.dec_done_o) break;
      if (t.dec_error_o) {
        r.error_word = t.dec_err_word_o;
        r.error_code = t.dec_err_code_o;
        break;
      }
      const bool in_fire = t.dec_in_valid_i && t.dec_in_ready_o;
      if (t.dec_out_valid_o && t.dec_out_ready_i) {
        for (int k = 0; k < take; ++k) r.data.push_back(static_cast<std::int16_t>(t.dec_out_data_o));
      }
      tick();
      if (in_fire) ++next;
    }
    t.dec_in_valid_i = 0;
    tick();
    return r;
  }

 private:
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vrlc_codec_top> model_;
  std::mt19937_64 rng_;
  std::uint64_t cycles_ = 0;
};

std::vector<std::int16_t> random_tensor(std::mt19937_64& rng, std::size_t n, double zero_fraction) {
  std::vector<std::int16_t> v(n);
  std::bernoulli_distribution is_zero(zero_fraction);
  std::uniform_int_distribution<int> level(-32768, 32767);
  for (auto& x : v) {
    int l = 0;
    while (l == 0) l = level(rng);
    x = is_zero(rng) ? 0 : static_cast<std::int16_t>(l);
  }
  return v;
}

std::optional<std::size_t> golden_error_offset(const std::vector<std::uint64_t>& words, std::size_t count) {
  try {
    rlc_decode(words.data(), words.size(), count);
  } catch (const RlcError& e) {
    return e.word_offset();
  }
  return std::nullopt;
}

void check_round_trip(CodecHarness& h, const std::vector<std::int16_t>& data, double valid_p, double ready_p,
                      const std::string& what) {
  SCOPED_TRACE(what);
  const auto expected_words = rlc_encode(data.data(), data.size());
  if (!data.empty()) {
    const auto words = h.encode(data, valid_p, ready_p);
    ASSERT_EQ(words.size(), expected_words.size());
    for (std::size_t i = 0; i < words.size(); ++i) {
      ASSERT_EQ(words[i], expected_words[i]) << fmt::format("word {}: rtl {:#018x} golden {:#018x}", i, words[i],
                                                            expected_words[i]);
    }
  }
  const auto decoded = h.decode(expected_words, data.size(), valid_p, ready_p);
  ASSERT_FALSE(decoded.error_word.has_value()) << "decoder error code " << decoded.error_code << " at word "
                                               << *decoded.error_word;
  ASSERT_EQ(decoded.data, data);
}

TEST(RlcRtl, RoundTripRandomSparsity) {
  for (int step = 0; step <= 10; ++step) {
    const std::uint64_t seed = 1000 + step;
    std::mt19937_64 rng(seed);
    CodecHarness h(seed);
    const double zeros = step / 10.0;
    for (int rep = 0; rep < 4; ++rep) {
      const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 3000)(rng);
      const auto data = random_tensor(rng, n, zeros);
      check_round_trip(h, data, rep == 0 ? 1.0 : 0.7, rep == 0 ? 1.0 : 0.6,
                       fmt::format("seed {} zeros {:.0f}% n {} rep {}", seed, zeros * 100, n, rep));
    }
  }
}

TEST(RlcRtl, AdversarialRuns) {
  CodecHarness h(7);
  std::vector<std::vector<std::int16_t>> cases;
  for (int run : {1, 30, 31, 32, 33, 63, 64, 65, 95, 96, 200}) {
    std::vector<std::int16_t> lead(run, 0);
    lead.push_back(5);
    cases.push_back(lead);                       // run then a level
    cases.push_back(std::vector<std::int16_t>(run, 0));  // all zeros
    std::vector<std::int16_t> trail{-32768};
    trail.insert(trail.end(), run, 0);
    cases.push_back(trail);                      // trailing zeros
  }
  cases.push_back({0});
  cases.push_back({32767});
  cases.push_back({-32768, 32767, 0, 1, -1});
  cases.push_back({0, 0, 12, 0, 0, 0, 0, 53, 0, 0, 22});
  cases.push_back({});
  for (std::size_t i = 0; i < cases.size(); ++i) {
    check_round_trip(h, cases[i], 0.8, 0.8, fmt::format("adversarial case {} (n {})", i, cases[i].size()));
  }
}

TEST(RlcRtl, ThroughputOfEncoderAndDecoder) {
  // Not a timing benchmark: checks the encoder takes one element per cycle and the decoder one pair per cycle plus
  // one per group of four zeros, without back-pressure.
  CodecHarness h(11);
  std::mt19937_64 rng(11);
  const auto data = random_tensor(rng, 3000, 0.5);
  const auto start = h.cycles();
  h.encode(data, 1.0, 1.0);
  EXPECT_LE(h.cycles() - start, data.size() + 2);
  const auto words = rlc_encode(data.data(), data.size());
  const auto start_dec = h.cycles();
  const auto decoded = h.decode(words, data.size(), 1.0, 1.0, true);
  ASSERT_EQ(decoded.data, data);
  // Pair k of a word: 5-bit run, then the 16-bit level (docs/numerics.md). Each pair costs its level's cycle and one
  // cycle per started group of four zeros; the next word comes in with the last level of the previous one.
  std::uint64_t bound = 4;
  for (const std::uint64_t w : words) {
    for (int k = 0; k < 3; ++k) {
      const std::uint64_t run = (w >> (21 * k)) & 0x1f;
      bound += 1 + (run + 3) / 4;
    }
  }
  const std::uint64_t taken = h.cycles() - start_dec;
  EXPECT_LE(taken, bound);
  // Half the elements are zeros (short runs): clearly faster than the decoder's old one cycle per element plus one
  // per word.
  EXPECT_LT(taken, (data.size() + words.size()) * 7 / 10)
      << "decoded " << data.size() << " elements (" << words.size() << " words) in " << taken << " cycles";
}

TEST(RlcRtl, CorruptStreamsMatchGoldenOffsets) {
  CodecHarness h(13);
  std::mt19937_64 rng(13);
  const auto data = random_tensor(rng, 200, 0.6);
  const auto good = rlc_encode(data.data(), data.size());
  ASSERT_GE(good.size(), 3u);
  struct Case {
    std::string name;
    std::vector<std::uint64_t> words;
    std::size_t count;
  };
  std::vector<Case> cases;
  {  // terminator set in the first word
    auto w = good;
    w[0] |= 1ull << 63;
    cases.push_back({"early terminator", w, data.size()});
  }
  {  // last word loses its terminator
    auto w = good;
    w.back() &= ~(1ull << 63);
    cases.push_back({"missing terminator", w, data.size()});
  }
  {  // more elements asked than coded
    cases.push_back({"count too large", good, data.size() + 40});
  }
  {  // fewer elements asked than coded
    cases.push_back({"count too small", good, data.size() / 2});
  }
  {  // stream ends early
    auto w = good;
    w.pop_back();
    cases.push_back({"truncated", w, data.size()});
  }
  {  // an extra word after the terminator
    auto w = good;
    w.push_back(0);
    cases.push_back({"trailing word", w, data.size()});
  }
  {  // a huge run in the middle
    auto w = good;
    w[1] |= 0x1full;
    cases.push_back({"run flipped", w, data.size()});
  }
  {  // padding after the end is not zero (build a tensor whose last word has a free pair)
    std::vector<std::int16_t> small{1, 2, 3, 4};
    auto w = rlc_encode(small.data(), small.size());
    w.back() |= 0x3ull << (2 * 21 + 5);
    cases.push_back({"bad padding", w, small.size()});
  }
  {  // empty tensor with garbage
    cases.push_back({"empty with a level", {(1ull << 63) | (7ull << 5)}, 0});
  }
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto golden_offset = golden_error_offset(c.words, c.count);
    ASSERT_TRUE(golden_offset.has_value()) << "golden accepted a corrupt stream";
    const auto r = h.decode(c.words, c.count, 0.9, 0.9);
    ASSERT_TRUE(r.error_word.has_value()) << "RTL accepted a corrupt stream";
    EXPECT_EQ(*r.error_word, *golden_offset) << "RTL error code " << r.error_code;
  }
}

}  // namespace
