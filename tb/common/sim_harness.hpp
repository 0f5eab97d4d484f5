// Owns one verilated model with its own VerilatedContext: clock, reset, cycle count and an optional FST trace.
// Reusable by any testbench whose top has `clk_i` and `rst_ni` ports.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "verilated.h"
#include "verilated_fst_c.h"

#include "ocelli/sim/trace_code.hpp"

namespace ocelli::tb {

using sim::HasTraceCode;

template <class Model>
class SimHarness {
 public:
  // fst_path: write a waveform of the whole run there (empty: no trace). The environment variable OCELLI_FST
  // gives a default so that a failing test can be re-run with waves without editing it. Block models carry trace
  // code only when configured with -DOCELLI_BLOCK_TRACES=ON; asking an untraced model for a trace is an error.
  explicit SimHarness(const std::string& fst_path = default_trace_path()) {
    context_ = std::make_unique<VerilatedContext>();
    context_->assertOn(false);  // assertions stay off until reset has been released
    if (!fst_path.empty()) context_->traceEverOn(true);
    model_ = std::make_unique<Model>(context_.get(), "top");
    if (!fst_path.empty()) {
      if constexpr (HasTraceCode<Model>::value) {
        trace_ = std::make_unique<VerilatedFstC>();
        model_->trace(trace_.get(), 99);
        trace_->open(fst_path.c_str());
      } else {
        throw std::runtime_error("OCELLI_FST=" + fst_path + ": this block model has no trace code; configure with "
                                 "cmake -DOCELLI_BLOCK_TRACES=ON and rebuild");
      }
    }
    model_->clk_i = 0;
    model_->rst_ni = 1;
    model_->eval();
  }
  ~SimHarness() {
    // Verilator 5.006 erases a model's scopes through the thread's current context (VerilatedScope's destructor),
    // which is the last context constructed on this thread, not necessarily this one: with two harnesses alive, the
    // second one destroyed would otherwise use the first one's freed context and hang.
    Verilated::threadContextp(context_.get());
    model_->final();
    if (trace_) trace_->close();
    trace_.reset();
    model_.reset();
  }
  SimHarness(const SimHarness&) = delete;
  SimHarness& operator=(const SimHarness&) = delete;

  Model& model() { return *model_; }
  VerilatedContext& context() { return *context_; }
  std::uint64_t cycles() const { return cycles_; }

  // Asynchronous reset for `cycles` clock edges, then assertions on.
  void reset(int cycles = 2) {
    context_->assertOn(false);
    model_->rst_ni = 0;
    model_->eval();
    for (int i = 0; i < cycles; ++i) tick();
    model_->rst_ni = 1;
    model_->eval();
    context_->assertOn(true);
  }

  // Evaluate the inputs set since the last edge (so combinational outputs such as ready are up to date).
  void eval() { model_->eval(); }

  // One full clock cycle: rising edge, then falling edge.
  void tick() {
    if (model_->clk_i) {  // left high by tick_posedge_only()
      model_->clk_i = 0;
      model_->eval();
    }
    model_->clk_i = 1;
    model_->eval();
    dump();
    model_->clk_i = 0;
    model_->eval();
    dump();
    ++cycles_;
  }

  // One clock cycle with two evaluations instead of three: the falling edge is evaluated together with the inputs
  // set since the last call, then the rising edge; the clock stays high afterwards, so outputs read between calls
  // are the post-edge values. For designs without negedge-clocked logic. Full tick() while tracing.
  void tick_posedge_only() {
    if (trace_) {
      tick();
      return;
    }
    model_->clk_i = 0;
    model_->eval();
    model_->clk_i = 1;
    model_->eval();
    context_->timeInc(2);
    ++cycles_;
  }

  static std::string default_trace_path() {
    const char* env = std::getenv("OCELLI_FST");
    return env ? std::string(env) : std::string();
  }

 private:
  void dump() {
    context_->timeInc(1);
    if (trace_) trace_->dump(context_->time());
  }

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<VerilatedFstC> trace_;
  std::uint64_t cycles_ = 0;
};

}  // namespace ocelli::tb
