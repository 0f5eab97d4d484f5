// Drives the verilated accelerator top: clock, reset, the memory port (through MemPortModel over a DramPort),
// the start/queue inputs and the register port.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ocelli/sim/mem_port_model.hpp"
#include "ocelli/dram/dram_port.hpp"
#include "ocelli/isa.hpp"
#include "ocelli/sim/top_model.hpp"

class VerilatedContext;
class VerilatedFstC;

namespace ocelli::sim {

struct TopRunResult {
  bool done = false;
  bool error = false;
  int error_code = 0;
  int error_index = 0;
  std::uint64_t cycles = 0;  // simulated cycles of this run
  std::string message() const;
};

// Register addresses of the top's register port (generated from rtl/isa/isa.json, docs/isa.md).
using Csr = isa::Csr;

class TopSim {
 public:
  // `kind`: which build of the top runs (top_model.hpp); a trace needs the traced one.
  TopSim(dram::Storage& storage, const dram::TimingConfig& timing, TopModelKind kind = TopModelKind::kChecked);
  // Another build of the top, made by `factory`; `kind` says what it is (kTraced only if it has trace code).
  TopSim(dram::Storage& storage, const dram::TimingConfig& timing, const TopModelFactory& factory,
         TopModelKind kind = TopModelKind::kChecked);
  ~TopSim();
  TopSim(const TopSim&) = delete;
  TopSim& operator=(const TopSim&) = delete;

  // Runs the queue until done, error, or max_cycles (a timeout is reported as neither done nor error).
  TopRunResult run(std::uint32_t queue_addr, std::uint16_t queue_len, std::uint64_t max_cycles);
  std::uint64_t csr(Csr reg);
  std::uint64_t total_cycles() const { return cycles_; }
  TopModelKind model_kind() const { return kind_; }

  // Traces cycles [begin_cycle, begin_cycle + count) of this TopSim (total_cycles() numbering, so a runtime can
  // trace one layer of a queue or a window inside it) to an FST file; the file is opened when the window starts and
  // closed when it ends (or with the TopSim). Replaces a window that has not started yet. Throws std::logic_error
  // unless the TopSim runs the traced model.
  void set_trace_window(const std::string& fst_path, std::uint64_t begin_cycle,
                        std::uint64_t count = ~std::uint64_t{0});
  bool tracing() const { return trace_ != nullptr; }
  // Limits the next trace to these scopes (Verilator dumpvars entries: levels below the dotted scope, 1 = the
  // scope's own signals); empty = the whole design.
  void set_trace_scopes(std::vector<std::pair<int, std::string>> scopes) { trace_scopes_ = std::move(scopes); }
  // Closes the trace now (the layer ended before its window) and drops a window that has not started.
  void end_trace();

  // Calls `callback(cycles since the run's start)` every `every_cycles` cycles during run() (progress of a long
  // layer); an empty callback turns it off.
  void set_progress(std::function<void(std::uint64_t)> callback, std::uint64_t every_cycles);

 private:
  void cycle();
  void trace_event();  // opens or closes the FST at the window's edges
  TopModelKind kind_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<TopModel> top_;
  std::unique_ptr<VerilatedFstC> trace_;
  dram::DramPort port_;
  MemPortModel mem_;
  std::uint64_t cycles_ = 0;
  std::string trace_path_;
  std::vector<std::pair<int, std::string>> trace_scopes_;
  std::uint64_t trace_begin_ = 0, trace_end_ = 0;
  std::uint64_t next_trace_event_ = ~std::uint64_t{0};  // the only per-cycle tracing cost is comparing with this
  std::function<void(std::uint64_t)> progress_;
  std::uint64_t progress_every_ = 0;
};

}  // namespace ocelli::sim
