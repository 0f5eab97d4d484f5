#include "ocelli/sim/top_sim.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

#include "verilated.h"
#include "verilated_fst_c.h"

namespace ocelli::sim {

std::string TopRunResult::message() const {
  if (done) return fmt::format("done after {} cycles", cycles);
  if (error) return fmt::format("error code {} in descriptor {} after {} cycles", error_code, error_index, cycles);
  return fmt::format("neither done nor error after {} cycles (timeout)", cycles);
}

TopSim::TopSim(dram::Storage& storage, const dram::TimingConfig& timing, TopModelKind kind)
    : TopSim(storage, timing,
             [kind](VerilatedContext& context, const std::string& name) { return make_top_model(kind, context, name); },
             kind) {}

TopSim::TopSim(dram::Storage& storage, const dram::TimingConfig& timing, const TopModelFactory& factory,
               TopModelKind kind)
    : kind_(kind), context_(std::make_unique<VerilatedContext>()), port_(timing, storage), mem_(port_) {
  context_->assertOn(false);
  // A trace window may open later; only the traced build has trace code, and untraced cycles cost nothing extra.
  if (kind_ == TopModelKind::kTraced) context_->traceEverOn(true);
  top_ = factory(*context_, "ocelli");
  top_->reset(storage.size());
  context_->assertOn(true);
}

TopSim::~TopSim() {
  // The model's scopes are erased through the thread's current context (Verilator 5.006): make it this one, in case
  // another TopSim or harness was constructed on this thread since (tb/common/sim_harness.hpp).
  Verilated::threadContextp(context_.get());
  if (trace_) trace_->close();
  top_->final();
  top_.reset();
}

void TopSim::set_trace_window(const std::string& fst_path, std::uint64_t begin_cycle, std::uint64_t count) {
  if (kind_ != TopModelKind::kTraced) {
    throw std::logic_error(fmt::format("TopSim::set_trace_window: the {} model has no trace code", to_string(kind_)));
  }
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
    top_->trace(*trace_);
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
  const MemPortRequestPins p = top_->cycle(mem_.drive(), trace_.get());
  mem_.observe_and_tick(p);
  ++cycles_;
}

TopRunResult TopSim::run(std::uint32_t queue_addr, std::uint16_t queue_len, std::uint64_t max_cycles) {
  top_->set_queue(true, queue_addr, queue_len);
  cycle();
  top_->set_queue(false, queue_addr, queue_len);
  const std::uint64_t start = cycles_;
  TopRunResult r;
  std::uint64_t next_progress = progress_every_ ? progress_every_ : ~std::uint64_t{0};
  while (cycles_ - start < max_cycles) {
    cycle();
    if (top_->done() || top_->error()) break;
    if (cycles_ - start == next_progress) {
      progress_(cycles_ - start);
      next_progress += progress_every_;
    }
  }
  r.done = top_->done();
  r.error = top_->error();
  const auto status = csr(Csr::kStatus);
  r.error_code = static_cast<int>(isa::csr_status::kErrCode.of(status));
  r.error_index = static_cast<int>(isa::csr_status::kErrIndex.of(status));
  r.cycles = csr(Csr::kCycles);
  return r;
}

std::uint64_t TopSim::csr(Csr reg) { return top_->csr(static_cast<int>(reg)); }

}  // namespace ocelli::sim
