// The DRAM model a testbench services its 64-bit memory port with: timing decides the cycles, storage holds bytes.
// Writes take effect when accepted; a read burst samples memory when its first beat is popped. The storage is only
// told what to do, never asked how long it took, so the cycle counts do not depend on the backend.
#pragma once

#include <cstdint>
#include <vector>

#include "ocelli/dram/storage.hpp"
#include "ocelli/dram/timing.hpp"

namespace ocelli::dram {

struct ReadBeat {
  uint32_t tag = 0;
  uint64_t addr = 0;
  uint32_t index = 0;
  bool last = false;
  uint64_t data = 0;  // little-endian 64-bit word at addr
};

class DramPort {
 public:
  DramPort(TimingConfig config, Storage& storage)
      : timing_(std::move(config)), storage_(storage), burst_(timing_.config().max_burst_beats) {}

  bool can_accept() const { return timing_.can_accept(); }
  // Returns false when the port applies back-pressure this cycle. Throws on misaligned/oversized/out-of-range.
  bool submit_read(uint64_t addr, uint32_t beats, uint32_t tag);
  // `words` holds `beats` 64-bit words; they are stored at acceptance.
  bool submit_write(uint64_t addr, const uint64_t* words, uint32_t beats, uint32_t tag);
  bool pop_read_beat(ReadBeat& out);
  bool pop_write_ack(uint32_t& tag) { return timing_.pop_write_ack(tag); }
  void tick() { timing_.tick(); }

  uint64_t cycle() const { return timing_.cycle(); }
  bool idle() const { return timing_.idle(); }
  const TimingModel& timing() const { return timing_; }
  Storage& storage() { return storage_; }

 private:
  void check_request(const char* what, uint64_t addr, uint32_t beats) const;

  TimingModel timing_;
  Storage& storage_;
  std::vector<uint64_t> burst_;  // the read burst being delivered: one storage call per burst, not per beat
};

}  // namespace ocelli::dram
