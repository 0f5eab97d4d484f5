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
  apply_response(t, mem_.drive());
  t.eval();
  const MemPortRequestPins p = sample_request(t);
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
