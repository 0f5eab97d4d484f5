#include "conv_on_top.hpp"

#include "ocelli/runtime/dram_layout.hpp"
#include "ocelli/runtime/layer_executor.hpp"
#include "ocelli/runtime/model_hw.hpp"

namespace ocelli::tb {

using sim::Csr;
using sim::DramArena;
using sim::TopSim;

ConvOnTop run_conv_on_top(const driver::ConvLayer& layer, const driver::Mapping& mapping, const ConvInputs& in,
                          const dram::TimingConfig& timing, std::uint64_t max_cycles, const ConvEdit& edit,
                          const sim::TopModelFactory& model, const RowTables& tables, const driver::HwConfig& hw) {
  dram::InProcessDram mem(64ull << 20);
  DramArena arena(4096);  // the descriptor goes at address 0
  // The runtime's own layout and executor, with the test's mapping instead of the mapper's.
  runtime::ActivationRegion ifmap{layer.in, in.input.frac, layer.ifmap_rlc};
  runtime::ActivationRegion ofmap{layer.out(), in.input.frac + in.weights.frac - layer.shift, layer.ofmap_rlc};
  ifmap.tbl16 = tables.ifmap_tbl16;
  ofmap.tbl16 = tables.ofmap_tbl16;
  ifmap.allocate(arena, "ifmap");
  ofmap.allocate(arena, "ofmap");
  runtime::ConvExecutor layer_exec("conv", layer, mapping, in.weights, in.bias, ifmap, ofmap, hw);
  layer_exec.allocate(arena);  // weights and bias
  runtime::write_activation(mem, ifmap, in.input);
  layer_exec.write(mem);

  auto desc = layer_exec.descriptor();
  if (edit) edit(desc, mem, layer_exec.addresses());
  mem.write(0, desc.data(), sizeof desc);

  ConvOnTop r;
  const sim::TopModelFactory checked = [](VerilatedContext& context, const std::string& name) {
    return sim::make_top_model(sim::TopModelKind::kChecked, context, name);
  };
  TopSim sim(mem, timing, model ? model : checked);
  runtime::require_model_hw(sim, hw);
  r.result = sim.run(0, 1, max_cycles);
  r.macs = sim.csr(Csr::kMacs);
  r.gated_macs = sim.csr(Csr::kGatedMacs);
  r.pe_busy_cycles = sim.csr(Csr::kPeBusyCycles);
  r.array_active_cycles = sim.csr(Csr::kArrayActiveCycles);
  r.glb_reads = sim.csr(Csr::kGlbReads);
  r.glb_writes = sim.csr(Csr::kGlbWrites);
  r.bytes_in = sim.csr(Csr::kBytesIfmap) + sim.csr(Csr::kBytesWeights) + sim.csr(Csr::kBytesBias);
  r.bytes_out = sim.csr(Csr::kBytesOfmap);
  r.bytes_ifmap = sim.csr(Csr::kBytesIfmap);
  r.bytes_weights = sim.csr(Csr::kBytesWeights);
  if (r.result.done) r.output = layer_exec.read_output(mem);
  return r;
}

}  // namespace ocelli::tb
