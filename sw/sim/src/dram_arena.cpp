#include "ocelli/sim/dram_arena.hpp"

#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::sim {
namespace {
constexpr std::uint64_t kAlign = 128;
constexpr std::uint64_t kAddressSpace = std::uint64_t{1} << 32;
}  // namespace

std::uint32_t DramArena::take(std::uint64_t bytes, const std::string& what) {
  const std::uint64_t at = next_;
  const std::uint64_t end = (next_ + bytes + kAlign - 1) & ~(kAlign - 1);
  if (end > kAddressSpace) {
    throw std::length_error(fmt::format("DRAM layout: {} ({} bytes at 0x{:x}) passes the 4 GiB the descriptors "
                                        "can address",
                                        what, bytes, at));
  }
  next_ = end;
  return static_cast<std::uint32_t>(at);
}

void write_words(dram::Storage& storage, std::uint32_t addr, const std::vector<std::uint64_t>& words) {
  if (!words.empty()) storage.write(addr, words.data(), words.size() * 8);
}

std::vector<std::uint64_t> read_words(dram::Storage& storage, std::uint32_t addr, std::size_t count) {
  std::vector<std::uint64_t> words(count);
  if (count) storage.read(addr, words.data(), count * 8);
  return words;
}

}  // namespace ocelli::sim
