// Services the RTL's 64-bit memory port (rtl/dma/mem_pkg.sv) from a DramPort (timing + storage), cycle by cycle.
// The RTL side is plain pin values, so any verilated top with the port can use it:
//   each cycle: drive(outputs) -> set the model's inputs, eval -> observe(inputs sampled from the model) -> clock edge.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "ocelli/dram/dram_port.hpp"

namespace ocelli::tb {

// What the RTL drives on the port (sampled after eval, before the clock edge).
struct MemPortRequestPins {
  bool req_valid = false;
  std::uint32_t req_addr = 0;
  std::uint32_t req_beats_m1 = 0;
  bool req_write = false;
  std::uint32_t req_tag = 0;
  bool wdata_valid = false;
  std::uint64_t wdata = 0;
  bool wdata_last = false;
  bool rsp_ready = false;
};

// What the memory side drives back (set before eval).
struct MemPortResponsePins {
  bool req_ready = false;
  bool wdata_ready = false;
  bool rsp_valid = false;
  std::uint64_t rsp_data = 0;
  std::uint32_t rsp_tag = 0;
  bool rsp_last = false;
  bool rsp_err = false;
  bool ack_valid = false;
  std::uint32_t ack_tag = 0;
  bool ack_err = false;
};

class MemPortModel {
 public:
  explicit MemPortModel(dram::DramPort& port) : port_(port) {}

  // Start of a cycle: what the memory side presents.
  const MemPortResponsePins& drive();
  // After eval: what the RTL did this cycle; then the clock edge (advances the timing model).
  void observe_and_tick(const MemPortRequestPins& pins);

  // A memory that stops answering (to test the DMA watchdog).
  void set_dead(bool dead) { dead_ = dead; }
  std::uint64_t error_responses() const { return error_responses_; }

 private:
  struct WriteInProgress {
    std::uint32_t addr = 0;
    std::uint32_t beats = 0;
    std::uint32_t tag = 0;
    std::vector<std::uint64_t> words;
  };
  struct ErrorBurst {  // a request outside storage: answered with error beats once earlier work has drained
    bool write = false;
    std::uint32_t beats = 0;
    std::uint32_t tag = 0;
  };
  bool in_storage(std::uint64_t addr, std::uint32_t beats) const;

  dram::DramPort& port_;
  MemPortResponsePins out_;
  std::optional<dram::ReadBeat> beat_;
  std::optional<WriteInProgress> write_;
  bool write_complete_ = false;
  std::deque<ErrorBurst> errors_;
  std::uint32_t error_beats_sent_ = 0;
  bool dead_ = false;
  std::uint64_t error_responses_ = 0;
};

}  // namespace ocelli::tb
