#include "top_sim.hpp"

#include <fmt/core.h>

#include "Vocelli_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace ocelli::tb {

std::string TopRunResult::message() const {
  if (done) return fmt::format("done after {} cycles", cycles);
  if (error) return fmt::format("error code {} in descriptor {} after {} cycles", error_code, error_index, cycles);
  return fmt::format("neither done nor error after {} cycles (timeout)", cycles);
}

TopSim::TopSim(dram::Storage& storage, const dram::TimingConfig& timing, const std::string& fst_path)
    : context_(std::make_unique<VerilatedContext>()), port_(timing, storage), mem_(port_) {
  context_->assertOn(false);
  if (!fst_path.empty()) context_->traceEverOn(true);
  top_ = std::make_unique<Vocelli_top>(context_.get(), "ocelli");
  if (!fst_path.empty()) {
    trace_ = std::make_unique<VerilatedFstC>();
    top_->trace(trace_.get(), 99);
    trace_->open(fst_path.c_str());
  }
  top_->mem_size_i = storage.size();
  top_->clk_i = 0;
  top_->rst_ni = 0;
  top_->eval();
  top_->clk_i = 1;
  top_->eval();
  top_->clk_i = 0;
  top_->rst_ni = 1;
  top_->eval();
  context_->assertOn(true);
}

TopSim::~TopSim() {
  if (trace_) trace_->close();
  top_->final();
}

void TopSim::cycle() {
  auto& t = *top_;
  const auto& o = mem_.drive();
  t.mem_req_ready_i = o.req_ready;
  t.mem_wdata_ready_i = o.wdata_ready;
  t.mem_rsp_valid_i = o.rsp_valid;
  // mem_rsp_t = {data[63:0], tag[3:0], last, err}: 70 bits.
  const std::uint64_t low = (std::uint64_t{o.rsp_tag & 0xf} << 2) | (std::uint64_t{o.rsp_last} << 1) | o.rsp_err;
  const unsigned __int128 rsp = (static_cast<unsigned __int128>(o.rsp_data) << 6) | low;
  t.mem_rsp_i[0] = static_cast<std::uint32_t>(rsp);
  t.mem_rsp_i[1] = static_cast<std::uint32_t>(rsp >> 32);
  t.mem_rsp_i[2] = static_cast<std::uint32_t>(rsp >> 64);
  t.mem_ack_valid_i = o.ack_valid;
  t.mem_ack_i = ((o.ack_tag & 0xf) << 1) | o.ack_err;
  t.eval();
  MemPortRequestPins p;
  // mem_req_t = {addr[31:0], beats_m1[7:0], write, tag[3:0]}: 45 bits.
  const std::uint64_t req = t.mem_req_o;
  p.req_valid = t.mem_req_valid_o;
  p.req_tag = req & 0xf;
  p.req_write = (req >> 4) & 1;
  p.req_beats_m1 = (req >> 5) & 0xff;
  p.req_addr = static_cast<std::uint32_t>(req >> 13);
  p.wdata_valid = t.mem_wdata_valid_o;
  p.wdata = t.mem_wdata_o;
  p.wdata_last = t.mem_wdata_last_o;
  p.rsp_ready = t.mem_rsp_ready_o;
  if (trace_) trace_->dump(context_->time());
  context_->timeInc(1);
  t.clk_i = 1;
  t.eval();
  if (trace_) trace_->dump(context_->time());
  context_->timeInc(1);
  t.clk_i = 0;
  mem_.observe_and_tick(p);
  ++cycles_;
}

TopRunResult TopSim::run(std::uint32_t queue_addr, std::uint16_t queue_len, std::uint64_t max_cycles) {
  auto& t = *top_;
  t.queue_addr_i = queue_addr;
  t.queue_len_i = queue_len;
  t.start_i = 1;
  cycle();
  t.start_i = 0;
  const std::uint64_t start = cycles_;
  TopRunResult r;
  while (cycles_ - start < max_cycles) {
    cycle();
    if (t.done_o || t.error_o) break;
  }
  r.done = t.done_o;
  r.error = t.error_o;
  const auto status = csr(Csr::kStatus);
  r.error_code = static_cast<int>((status >> 8) & 0xff);
  r.error_index = static_cast<int>((status >> 16) & 0xffff);
  r.cycles = csr(Csr::kCycles);
  return r;
}

std::uint64_t TopSim::csr(Csr reg) {
  top_->csr_addr_i = static_cast<int>(reg);
  top_->eval();
  return top_->csr_rdata_o;
}

}  // namespace ocelli::tb
