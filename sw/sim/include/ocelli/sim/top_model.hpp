// One verilated build of ocelli_top behind a small interface, so that a harness picks the build at run time:
//   checked: the PE rule checks and the SystemVerilog assertions (tests, `ocelli run --checked`);
//   fast:    the performance model, without checks, assertions or trace code (`ocelli run`, `make alexnet`);
//   traced:  checked plus FST trace code (`make wave`, `ocelli run --trace-layer`).
// All three come from the same RTL (rtl/CMakeLists.txt) and must give identical cycles, counters and outputs
// (Runtime.FastModelMatchesCheckedModel).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ocelli/sim/mem_port_model.hpp"

class VerilatedContext;
class VerilatedFstC;

namespace ocelli::sim {

enum class TopModelKind { kChecked, kFast, kTraced };
const char* to_string(TopModelKind kind);

class TopModel {
 public:
  virtual ~TopModel() = default;
  // Holds reset over one rising edge and releases it.
  virtual void reset(std::uint64_t mem_size) = 0;
  // One clock cycle: drives the memory response, evaluates, samples the request (returned), rising edge.
  // `trace` (may be null) gets both edges.
  virtual MemPortRequestPins cycle(const MemPortResponsePins& response, VerilatedFstC* trace) = 0;
  virtual void set_queue(bool start, std::uint32_t addr, std::uint16_t len) = 0;
  virtual bool done() const = 0;
  virtual bool error() const = 0;
  virtual std::uint64_t csr(int addr) = 0;
  // Attaches an FST writer (before it is opened); throws std::logic_error unless the model has trace code.
  virtual void trace(VerilatedFstC& fst) = 0;
  virtual void final() = 0;
};

// `context` outlives the model.
std::unique_ptr<TopModel> make_top_model(TopModelKind kind, VerilatedContext& context, const std::string& name);

// Builds some other build of the top (e.g. a testbench's non-default configuration, tb/top/test_top_config.cpp).
using TopModelFactory = std::function<std::unique_ptr<TopModel>(VerilatedContext& context, const std::string& name)>;

}  // namespace ocelli::sim
