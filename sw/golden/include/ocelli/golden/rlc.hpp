// Run-length compression of int16 tensors in the Eyeriss format (docs/numerics.md, "RLC").
// 64-bit words; pair k (0..2) occupies bits [21k+20 : 21k]: run = bits [21k+4 : 21k], level = bits [21k+20 : 21k+5];
// bit 63 = terminator (set only in the last word).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ocelli::golden {

inline constexpr int kRlcPairsPerWord = 3;
inline constexpr int kRlcPairBits = 21;
inline constexpr int kRlcRunBits = 5;
inline constexpr int kRlcMaxRun = 31;
inline constexpr std::uint64_t kRlcTerminator = std::uint64_t{1} << 63;

struct RlcPair {
  int run = 0;              // zeros before the level, 0..31
  std::int16_t level = 0;   // the value after the zeros (0 is a literal zero)
};

// Pack/unpack one pair slot of a word (slot 0..2).
std::uint64_t rlc_pack_pair(const RlcPair& pair, int slot);
RlcPair rlc_unpack_pair(std::uint64_t word, int slot);

// The unique greedy encoding (docs/numerics.md). n == 0 gives the single word 0x8000'0000'0000'0000.
std::vector<std::uint64_t> rlc_encode(const std::int16_t* data, std::size_t n);
inline std::vector<std::uint64_t> rlc_encode(const std::vector<std::int16_t>& v) { return rlc_encode(v.data(), v.size()); }

class RlcError : public std::runtime_error {
 public:
  RlcError(std::size_t word_offset, const std::string& what);
  std::size_t word_offset() const { return word_offset_; }

 private:
  std::size_t word_offset_;
};

// Decodes exactly n elements. Throws RlcError (with the offending word's offset) on: a pair that would go past n,
// terminator before n elements, n reached in a word without terminator or words after the terminator word,
// nonzero padding after n, a stream that ends before n.
std::vector<std::int16_t> rlc_decode(const std::uint64_t* words, std::size_t word_count, std::size_t n);
inline std::vector<std::int16_t> rlc_decode(const std::vector<std::uint64_t>& words, std::size_t n) {
  return rlc_decode(words.data(), words.size(), n);
}

}  // namespace ocelli::golden
