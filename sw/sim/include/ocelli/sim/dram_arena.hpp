// Where things go in the simulated DRAM: a bump allocator over the accelerator's 32-bit byte addresses and
// whole-word copies. Used by the runtime's layouts and by the testbenches that place tensors by hand.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocelli/dram/storage.hpp"

namespace ocelli::sim {

// Regions are 128-byte aligned (a descriptor's alignment, and a whole number of 64-bit words for everything else).
class DramArena {
 public:
  explicit DramArena(std::uint64_t start = 0) : next_(start) {}
  // Throws std::length_error naming `what` when the region would pass the 4 GiB the descriptors can address.
  std::uint32_t take(std::uint64_t bytes, const std::string& what);
  std::uint64_t used() const { return next_; }

 private:
  std::uint64_t next_;
};

void write_words(dram::Storage& storage, std::uint32_t addr, const std::vector<std::uint64_t>& words);
std::vector<std::uint64_t> read_words(dram::Storage& storage, std::uint32_t addr, std::size_t count);

}  // namespace ocelli::sim
