// TopModel over one verilated class (Vocelli_top, Vocelli_top_fast, Vocelli_top_traced, or a testbench's build of
// the top in another configuration): included by exactly one translation unit per build, each of which sees only
// its own generated header.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "ocelli/sim/trace_code.hpp"
#include "ocelli/sim/top_model.hpp"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace ocelli::sim {

template <class V>
class VerilatedTopModel final : public TopModel {
 public:
  VerilatedTopModel(VerilatedContext& context, const std::string& name)
      : context_(context), top_(std::make_unique<V>(&context, name.c_str())) {}

  void reset(std::uint64_t mem_size) override {
    auto& t = *top_;
    t.mem_size_i = mem_size;
    t.clk_i = 0;
    t.rst_ni = 0;
    t.eval();
    t.clk_i = 1;
    t.eval();
    t.clk_i = 0;
    t.rst_ni = 1;
    t.eval();
  }

  MemPortRequestPins cycle(const MemPortResponsePins& response, VerilatedFstC* trace) override {
    auto& t = *top_;
    apply_response(t, response);
    t.eval();
    const MemPortRequestPins pins = sample_request(t);
    if (trace) trace->dump(context_.time());
    context_.timeInc(1);
    t.clk_i = 1;
    t.eval();
    if (trace) trace->dump(context_.time());
    context_.timeInc(1);
    t.clk_i = 0;
    return pins;
  }

  void set_queue(bool start, std::uint32_t addr, std::uint16_t len) override {
    top_->start_i = start;
    top_->queue_addr_i = addr;
    top_->queue_len_i = len;
  }
  bool done() const override { return top_->done_o; }
  bool error() const override { return top_->error_o; }
  std::uint64_t csr(int addr) override {
    top_->csr_addr_i = addr;
    top_->eval();
    return top_->csr_rdata_o;
  }
  void trace(VerilatedFstC& fst) override {
    if constexpr (HasTraceCode<V>::value) {
      top_->trace(&fst, 99);
    } else {
      throw std::logic_error("this build of the top has no trace code (use the traced model)");
    }
  }
  void final() override { top_->final(); }

 private:
  VerilatedContext& context_;
  std::unique_ptr<V> top_;
};

}  // namespace ocelli::sim
