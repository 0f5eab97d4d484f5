#include "top_sim.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

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
  context_->traceEverOn(true);  // a trace window may open later; untraced cycles cost nothing extra
  top_ = std::make_unique<Vocelli_top>(context_.get(), "ocelli");
  if (!fst_path.empty()) set_trace_window(fst_path, 0);
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

void TopSim::set_trace_window(const std::string& fst_path, std::uint64_t begin_cycle, std::uint64_t count) {
  if (trace_) throw std::logic_error("TopSim::set_trace_window: a trace window is already open");
  trace_path_ = fst_path;
  trace_begin_ = std::max(begin_cycle, cycles_);
  trace_end_ = count > ~std::uint64_t{0} - trace_begin_ ? ~std::uint64_t{0} : trace_begin_ + count;
  next_trace_event_ = trace_begin_;
  if (cycles_ == trace_begin_) trace_event();
}

void TopSim::end_trace() {
  if (trace_) {
    trace_->close();
    trace_.reset();
  }
  trace_path_.clear();
  next_trace_event_ = ~std::uint64_t{0};
}

void TopSim::set_progress(std::function<void(std::uint64_t)> callback, std::uint64_t every_cycles) {
  progress_ = std::move(callback);
  progress_every_ = progress_ ? std::max<std::uint64_t>(every_cycles, 1) : 0;
}

void TopSim::trace_event() {
  if (!trace_) {
    trace_ = std::make_unique<VerilatedFstC>();
    for (const auto& [levels, scope] : trace_scopes_) trace_->dumpvars(levels, scope);
    top_->trace(trace_.get(), 99);
    trace_->open(trace_path_.c_str());
    if (!trace_->isOpen()) throw std::runtime_error(fmt::format("cannot open trace file {}", trace_path_));
    next_trace_event_ = trace_end_;
  } else {
    trace_->close();
    trace_.reset();
    next_trace_event_ = ~std::uint64_t{0};
  }
}

void TopSim::cycle() {
  if (cycles_ == next_trace_event_) trace_event();
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
  std::uint64_t next_progress = progress_every_ ? progress_every_ : ~std::uint64_t{0};
  while (cycles_ - start < max_cycles) {
    cycle();
    if (t.done_o || t.error_o) break;
    if (cycles_ - start == next_progress) {
      progress_(cycles_ - start);
      next_progress += progress_every_;
    }
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
