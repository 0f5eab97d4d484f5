#include "conv_on_top.hpp"

#include "ocelli/driver/layout.hpp"
#include "ocelli/sim/dram_arena.hpp"

namespace ocelli::tb {

using sim::Csr;
using sim::DramArena;
using sim::TopSim;
using sim::read_words;
using sim::write_words;

ConvOnTop run_conv_on_top(const driver::ConvLayer& layer, const driver::Mapping& mapping, const ConvInputs& in,
                          const dram::TimingConfig& timing, std::uint64_t max_cycles, const ConvEdit& edit,
                          const sim::TopModelFactory& model) {
  dram::InProcessDram mem(64ull << 20);
  DramArena arena(4096);
  driver::ConvAddresses addr;
  const auto out_shape = layer.out();
  const std::size_t out_rows = static_cast<std::size_t>(out_shape.n) * out_shape.c * out_shape.h;

  if (layer.ifmap_rlc) {
    const auto coded = driver::encode_rows(in.input);
    addr.ifmap = arena.take(coded.slots.size() * 8, "ifmap");
    addr.ifmap_index = arena.take(coded.index.size() * 8, "ifmap_index");
    write_words(mem, addr.ifmap, coded.slots);
    write_words(mem, addr.ifmap_index, coded.index);
  } else {
    const auto raw = driver::pack_rows_raw(in.input);
    addr.ifmap = arena.take(raw.size() * 8, "ifmap");
    write_words(mem, addr.ifmap, raw);
  }
  const auto weights = driver::arrange_weights(in.weights, layer, mapping);
  addr.weights = arena.take(weights.size() * 8, "weights");
  write_words(mem, addr.weights, weights);
  const auto bias = driver::pack_bias(in.bias);
  addr.bias = arena.take(bias.size() * 8 + 8, "bias");
  write_words(mem, addr.bias, bias);
  const std::size_t out_words =
      out_rows * (layer.ofmap_rlc ? driver::rlc_slot_words(out_shape.w) : driver::raw_row_words(out_shape.w));
  addr.ofmap = arena.take(out_words * 8, "ofmap");
  if (layer.ofmap_rlc) addr.ofmap_index = arena.take(out_rows * 8, "ofmap_index");

  auto desc = driver::encode_conv_descriptor(layer, mapping, addr);
  if (edit) edit(desc, mem, addr);
  mem.write(0, desc.data(), sizeof desc);

  ConvOnTop r;
  const sim::TopModelFactory checked = [](VerilatedContext& context, const std::string& name) {
    return sim::make_top_model(sim::TopModelKind::kChecked, context, name);
  };
  TopSim sim(mem, timing, model ? model : checked);
  r.result = sim.run(0, 1, max_cycles);
  r.macs = sim.csr(Csr::kMacs);
  r.gated_macs = sim.csr(Csr::kGatedMacs);
  r.pe_busy_cycles = sim.csr(Csr::kPeBusyCycles);
  r.glb_reads = sim.csr(Csr::kGlbReads);
  r.glb_writes = sim.csr(Csr::kGlbWrites);
  r.bytes_in = sim.csr(Csr::kBytesIfmap) + sim.csr(Csr::kBytesWeights) + sim.csr(Csr::kBytesBias);
  r.bytes_out = sim.csr(Csr::kBytesOfmap);
  if (!r.result.done) return r;

  const int out_frac = in.input.frac + in.weights.frac - layer.shift;
  if (layer.ofmap_rlc) {
    r.output = driver::decode_rows(read_words(mem, addr.ofmap, out_words), read_words(mem, addr.ofmap_index, out_rows),
                                   out_shape, out_frac);
  } else {
    r.output = driver::unpack_rows_raw(read_words(mem, addr.ofmap, out_words), out_shape, out_frac);
  }
  return r;
}

}  // namespace ocelli::tb
