#include "postproc_on_top.hpp"

#include "ocelli/driver/layout.hpp"
#include "ocelli/runtime/dram_layout.hpp"

namespace ocelli::tb {

using sim::Csr;
using sim::DramArena;
using sim::TopSim;

namespace {
// The runtime's activation layout (raw rows or RLC slots with a row table) for the ifmap and the ofmap.
struct Regions {
  runtime::ActivationRegion ifmap, ofmap;
};

Regions lay_out(dram::Storage& mem, DramArena& arena, const golden::Tensor16& in, bool ifmap_rlc,
                const golden::Shape& out, bool ofmap_rlc, driver::ConvAddresses& a) {
  Regions r{{in.shape, in.frac, ifmap_rlc}, {out, in.frac, ofmap_rlc}};
  r.ifmap.allocate(arena, "ifmap");
  r.ofmap.allocate(arena, "ofmap");
  runtime::write_activation(mem, r.ifmap, in);
  a.ifmap = r.ifmap.addr;
  a.ifmap_index = r.ifmap.index_addr;
  a.ofmap = r.ofmap.addr;
  a.ofmap_index = r.ofmap.index_addr;
  return r;
}

ConvOnTop run(dram::InProcessDram& mem, driver::Descriptor desc, const driver::ConvAddresses& addr,
              const runtime::ActivationRegion& out, const dram::TimingConfig& timing, std::uint64_t max_cycles,
              const ConvEdit& edit) {
  if (edit) edit(desc, mem, addr);
  mem.write(0, desc.data(), sizeof desc);
  ConvOnTop r;
  TopSim sim(mem, timing);
  r.result = sim.run(0, 1, max_cycles);
  r.glb_reads = sim.csr(Csr::kGlbReads);
  r.glb_writes = sim.csr(Csr::kGlbWrites);
  r.bytes_in = sim.csr(Csr::kBytesIfmap) + sim.csr(Csr::kBytesWeights) + sim.csr(Csr::kBytesBias);
  r.bytes_out = sim.csr(Csr::kBytesOfmap);
  if (r.result.done) r.output = runtime::read_activation(mem, out);
  return r;
}
}  // namespace

ConvOnTop run_pool_on_top(const driver::PoolLayer& layer, const driver::PostprocTile& tile,
                          const golden::Tensor16& input, const dram::TimingConfig& timing, std::uint64_t max_cycles,
                          const ConvEdit& edit) {
  dram::InProcessDram mem(64ull << 20);
  DramArena arena(4096);  // the descriptor goes at address 0
  driver::ConvAddresses addr;
  const auto regions = lay_out(mem, arena, input, layer.ifmap_rlc, layer.out(), layer.ofmap_rlc, addr);
  return run(mem, driver::encode_pool_descriptor(layer, tile, addr), addr, regions.ofmap, timing, max_cycles, edit);
}

ConvOnTop run_lrn_on_top(const driver::LrnLayer& layer, const golden::LrnTable& table,
                         const driver::PostprocTile& tile, const golden::Tensor16& input,
                         const dram::TimingConfig& timing, std::uint64_t max_cycles, const ConvEdit& edit) {
  dram::InProcessDram mem(64ull << 20);
  DramArena arena(4096);
  driver::ConvAddresses addr;
  const auto regions = lay_out(mem, arena, input, layer.ifmap_rlc, layer.in, layer.ofmap_rlc, addr);
  const auto lut = driver::pack_lrn_table(table);
  addr.weights = arena.take(lut.size() * 8, "LRN table");
  runtime::write_words(mem, addr.weights, lut);
  return run(mem, driver::encode_lrn_descriptor(layer, table, tile, addr), addr, regions.ofmap, timing, max_cycles,
             edit);
}

}  // namespace ocelli::tb
