#include "ocelli/dram/dram_port.hpp"

#include <cstring>

namespace ocelli::dram {

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "DramPort copies 64-bit words as little-endian bytes; a big-endian host needs byte swaps here"
#endif

void DramPort::check_request(const char* what, uint64_t addr, uint32_t beats) const {
  check_range(what, addr, static_cast<uint64_t>(beats) * kBeatBytes, storage_.size());
}

bool DramPort::submit_read(uint64_t addr, uint32_t beats, uint32_t tag) {
  check_request("read request", addr, beats);
  if (!timing_.submit(Request{Op::kRead, addr, beats, tag})) return false;
  // The address is known long before the data is due: let a remote backend start fetching now.
  storage_.prefetch(addr, static_cast<std::size_t>(beats) * kBeatBytes);
  return true;
}

bool DramPort::submit_write(uint64_t addr, const uint64_t* words, uint32_t beats, uint32_t tag) {
  check_request("write request", addr, beats);
  if (!timing_.submit(Request{Op::kWrite, addr, beats, tag})) return false;
  storage_.write(addr, words, static_cast<std::size_t>(beats) * kBeatBytes);
  return true;
}

bool DramPort::pop_read_beat(ReadBeat& out) {
  ReadBeatSlot slot;
  if (!timing_.pop_read_beat(slot)) return false;
  out.tag = slot.tag;
  out.addr = slot.addr;
  out.index = slot.index;
  out.last = slot.last;
  if (slot.index == 0) storage_.read(slot.addr, burst_.data(), static_cast<std::size_t>(slot.beats) * kBeatBytes);
  out.data = burst_[slot.index];
  return true;
}

}  // namespace ocelli::dram
