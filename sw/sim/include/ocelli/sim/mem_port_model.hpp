// Services the RTL's 64-bit memory port (rtl/dma/mem_pkg.sv) from a DramPort (timing + storage), cycle by cycle.
// The RTL side is plain pin values, so any verilated top with the port can use it:
//   each cycle: drive(outputs) -> set the model's inputs, eval -> observe(inputs sampled from the model) -> clock edge.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "ocelli/dram/dram_port.hpp"

namespace ocelli::sim {

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

// Pin packing shared by every verilated top with the port (rtl/dma/mem_pkg.sv): `Model` has the mem_* ports.
// mem_rsp_t = {data[63:0], tag[3:0], last, err} (70 bits), mem_ack_t = {tag[3:0], err},
// mem_req_t = {addr[31:0], beats_m1[7:0], write, tag[3:0]} (45 bits).
template <class Model>
void apply_response(Model& m, const MemPortResponsePins& o) {
  m.mem_req_ready_i = o.req_ready;
  m.mem_wdata_ready_i = o.wdata_ready;
  m.mem_rsp_valid_i = o.rsp_valid;
  const std::uint64_t low = (std::uint64_t{o.rsp_tag & 0xf} << 2) | (std::uint64_t{o.rsp_last} << 1) | o.rsp_err;
  const unsigned __int128 rsp = (static_cast<unsigned __int128>(o.rsp_data) << 6) | low;
  m.mem_rsp_i[0] = static_cast<std::uint32_t>(rsp);
  m.mem_rsp_i[1] = static_cast<std::uint32_t>(rsp >> 32);
  m.mem_rsp_i[2] = static_cast<std::uint32_t>(rsp >> 64);
  m.mem_ack_valid_i = o.ack_valid;
  m.mem_ack_i = ((o.ack_tag & 0xf) << 1) | o.ack_err;
}

template <class Model>
MemPortRequestPins sample_request(const Model& m) {
  MemPortRequestPins p;
  const std::uint64_t req = m.mem_req_o;
  p.req_valid = m.mem_req_valid_o;
  p.req_tag = req & 0xf;
  p.req_write = (req >> 4) & 1;
  p.req_beats_m1 = (req >> 5) & 0xff;
  p.req_addr = static_cast<std::uint32_t>(req >> 13);
  p.wdata_valid = m.mem_wdata_valid_o;
  p.wdata = m.mem_wdata_o;
  p.wdata_last = m.mem_wdata_last_o;
  p.rsp_ready = m.mem_rsp_ready_o;
  return p;
}

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

}  // namespace ocelli::sim
