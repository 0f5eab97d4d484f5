// Small helpers for laying tensors out in a dram::Storage in tests: a bump allocator of 64-byte aligned regions
// and whole-word copies.
#pragma once

#include <cstdint>
#include <vector>

#include "ocelli/dram/storage.hpp"

namespace ocelli::tb {

class DramArena {
 public:
  explicit DramArena(std::uint64_t start) : next_(start) {}
  std::uint32_t take(std::uint64_t bytes) {
    const std::uint64_t at = next_;
    next_ = (next_ + bytes + 63) & ~std::uint64_t{63};
    return static_cast<std::uint32_t>(at);
  }

 private:
  std::uint64_t next_;
};

inline void write_words(dram::Storage& mem, std::uint32_t addr, const std::vector<std::uint64_t>& words) {
  if (!words.empty()) mem.write(addr, words.data(), words.size() * 8);
}
inline std::vector<std::uint64_t> read_words(dram::Storage& mem, std::uint32_t addr, std::size_t count) {
  std::vector<std::uint64_t> words(count);
  if (count) mem.read(addr, words.data(), count * 8);
  return words;
}

}  // namespace ocelli::tb
