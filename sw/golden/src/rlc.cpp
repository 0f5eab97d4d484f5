// Eyeriss run-length codec. The format and every error case are defined in docs/numerics.md ("RLC").
#include "ocelli/golden/rlc.hpp"

#include <fmt/format.h>

namespace ocelli::golden {
namespace {

constexpr std::uint64_t kPairMask = (std::uint64_t{1} << kRlcPairBits) - 1;
constexpr std::uint64_t kRunMask = (std::uint64_t{1} << kRlcRunBits) - 1;

// Collects pairs into words, pair 0 first.
class WordPacker {
 public:
  void push(const RlcPair& pair) {
    current_ |= rlc_pack_pair(pair, slot_);
    if (++slot_ == kRlcPairsPerWord) {
      words_.push_back(current_);
      current_ = 0;
      slot_ = 0;
    }
  }
  // The last word gets the terminator; a stream whose pairs exactly filled the last word still needs the terminator
  // on that word, not on an extra one.
  std::vector<std::uint64_t> finish() {
    if (slot_ > 0 || words_.empty()) {
      words_.push_back(current_);
    }
    words_.back() |= kRlcTerminator;
    return std::move(words_);
  }

 private:
  std::vector<std::uint64_t> words_;
  std::uint64_t current_ = 0;
  int slot_ = 0;
};

}  // namespace

std::uint64_t rlc_pack_pair(const RlcPair& pair, int slot) {
  if (slot < 0 || slot >= kRlcPairsPerWord) {
    throw std::invalid_argument(fmt::format("rlc_pack_pair: slot {} outside 0..2", slot));
  }
  if (pair.run < 0 || pair.run > kRlcMaxRun) {
    throw std::invalid_argument(fmt::format("rlc_pack_pair: run {} outside 0..31", pair.run));
  }
  const std::uint64_t level = static_cast<std::uint16_t>(pair.level);
  const std::uint64_t bits = static_cast<std::uint64_t>(pair.run) | (level << kRlcRunBits);
  return bits << (kRlcPairBits * slot);
}

RlcPair rlc_unpack_pair(std::uint64_t word, int slot) {
  if (slot < 0 || slot >= kRlcPairsPerWord) {
    throw std::invalid_argument(fmt::format("rlc_unpack_pair: slot {} outside 0..2", slot));
  }
  const std::uint64_t bits = (word >> (kRlcPairBits * slot)) & kPairMask;
  RlcPair pair;
  pair.run = static_cast<int>(bits & kRunMask);
  pair.level = static_cast<std::int16_t>(static_cast<std::uint16_t>(bits >> kRlcRunBits));
  return pair;
}

std::vector<std::uint64_t> rlc_encode(const std::int16_t* data, std::size_t n) {
  if (n > 0 && data == nullptr) {
    throw std::invalid_argument("rlc_encode: data is null but n > 0");
  }
  WordPacker packer;
  int zeros = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (data[i] == 0) {
      if (++zeros == kRlcMaxRun + 1) {  // 32 zeros: 31 of them as the run, the 32nd as a literal zero level
        packer.push({kRlcMaxRun, 0});
        zeros = 0;
      }
    } else {
      packer.push({zeros, data[i]});
      zeros = 0;
    }
  }
  if (zeros > 0) {
    packer.push({zeros - 1, 0});
  }
  return packer.finish();
}

RlcError::RlcError(std::size_t word_offset, const std::string& what)
    : std::runtime_error(fmt::format("RLC word {}: {}", word_offset, what)), word_offset_(word_offset) {}

std::vector<std::int16_t> rlc_decode(const std::uint64_t* words, std::size_t word_count, std::size_t n) {
  if (word_count > 0 && words == nullptr) {
    throw std::invalid_argument("rlc_decode: words is null but word_count > 0");
  }
  std::vector<std::int16_t> out;
  out.reserve(n);
  for (std::size_t w = 0; w < word_count; ++w) {
    const std::uint64_t word = words[w];
    const bool terminator = (word & kRlcTerminator) != 0;
    for (int slot = 0; slot < kRlcPairsPerWord; ++slot) {
      const RlcPair pair = rlc_unpack_pair(word, slot);
      if (out.size() == n) {  // past the end: only (0,0) padding is allowed
        if (pair.run != 0 || pair.level != 0) {
          throw RlcError(w, fmt::format("nonzero padding in pair {} after all {} elements (run {}, level {})", slot,
                                        n, pair.run, pair.level));
        }
        continue;
      }
      const std::size_t produced = static_cast<std::size_t>(pair.run) + 1;
      if (produced > n - out.size()) {
        throw RlcError(w, fmt::format("pair {} (run {}, level {}) goes past the element count {} (at element {})",
                                      slot, pair.run, pair.level, n, out.size()));
      }
      out.insert(out.end(), static_cast<std::size_t>(pair.run), 0);
      out.push_back(pair.level);
    }
    if (terminator && out.size() < n) {
      throw RlcError(w, fmt::format("terminator after {} of {} elements", out.size(), n));
    }
    if (!terminator && out.size() == n) {
      throw RlcError(w, fmt::format("all {} elements decoded but the terminator bit is not set", n));
    }
    if (terminator) {
      if (w + 1 != word_count) {
        throw RlcError(w + 1, fmt::format("{} word(s) after the terminator word", word_count - w - 1));
      }
      return out;
    }
  }
  throw RlcError(word_count, fmt::format("stream ends after {} words with {} of {} elements and no terminator",
                                         word_count, out.size(), n));
}

}  // namespace ocelli::golden
