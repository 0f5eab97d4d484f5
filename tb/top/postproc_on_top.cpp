#include "postproc_on_top.hpp"

#include "ocelli/driver/layout.hpp"
#include "ocelli/sim/dram_arena.hpp"

namespace ocelli::tb {

using sim::Csr;
using sim::DramArena;
using sim::TopSim;
using sim::read_words;
using sim::write_words;

namespace {
struct Activations {
  bool rlc = false;
  golden::Shape shape;
  std::size_t words = 0, rows = 0;
};

// Ifmap in DRAM as the driver lays it out; returns nothing, fills addr.ifmap(/_index).
void lay_ifmap(dram::Storage& mem, DramArena& arena, const golden::Tensor16& in, bool rlc, driver::ConvAddresses& a) {
  if (rlc) {
    const auto coded = driver::encode_rows(in);
    a.ifmap = arena.take(coded.slots.size() * 8, "ifmap");
    a.ifmap_index = arena.take(coded.index.size() * 8, "ifmap_index");
    write_words(mem, a.ifmap, coded.slots);
    write_words(mem, a.ifmap_index, coded.index);
  } else {
    const auto raw = driver::pack_rows_raw(in);
    a.ifmap = arena.take(raw.size() * 8, "ifmap");
    write_words(mem, a.ifmap, raw);
  }
}

Activations reserve_ofmap(DramArena& arena, const golden::Shape& out, bool rlc, driver::ConvAddresses& a) {
  Activations o{rlc, out, 0, static_cast<std::size_t>(out.n) * out.c * out.h};
  o.words = o.rows * (rlc ? driver::rlc_slot_words(out.w) : driver::raw_row_words(out.w));
  a.ofmap = arena.take(o.words * 8, "ofmap");
  if (rlc) a.ofmap_index = arena.take(o.rows * 8, "ofmap_index");
  return o;
}

ConvOnTop run(dram::InProcessDram& mem, driver::Descriptor desc, const driver::ConvAddresses& addr,
              const Activations& out, int frac, const dram::TimingConfig& timing, std::uint64_t max_cycles,
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
  if (!r.result.done) return r;
  r.output = out.rlc ? driver::decode_rows(read_words(mem, addr.ofmap, out.words),
                                           read_words(mem, addr.ofmap_index, out.rows), out.shape, frac)
                     : driver::unpack_rows_raw(read_words(mem, addr.ofmap, out.words), out.shape, frac);
  return r;
}
}  // namespace

ConvOnTop run_pool_on_top(const driver::PoolLayer& layer, const driver::PostprocTile& tile,
                          const golden::Tensor16& input, const dram::TimingConfig& timing, std::uint64_t max_cycles,
                          const ConvEdit& edit) {
  dram::InProcessDram mem(64ull << 20);
  DramArena arena(4096);
  driver::ConvAddresses addr;
  lay_ifmap(mem, arena, input, layer.ifmap_rlc, addr);
  const auto out = reserve_ofmap(arena, layer.out(), layer.ofmap_rlc, addr);
  return run(mem, driver::encode_pool_descriptor(layer, tile, addr), addr, out, input.frac, timing, max_cycles,
             edit);
}

ConvOnTop run_lrn_on_top(const driver::LrnLayer& layer, const golden::LrnTable& table,
                         const driver::PostprocTile& tile, const golden::Tensor16& input,
                         const dram::TimingConfig& timing, std::uint64_t max_cycles, const ConvEdit& edit) {
  dram::InProcessDram mem(64ull << 20);
  DramArena arena(4096);
  driver::ConvAddresses addr;
  lay_ifmap(mem, arena, input, layer.ifmap_rlc, addr);
  const auto lut = driver::pack_lrn_table(table);
  addr.weights = arena.take(lut.size() * 8, "weights");
  write_words(mem, addr.weights, lut);
  const auto out = reserve_ofmap(arena, layer.in, layer.ofmap_rlc, addr);
  return run(mem, driver::encode_lrn_descriptor(layer, table, tile, addr), addr, out, input.frac, timing,
             max_cycles, edit);
}

}  // namespace ocelli::tb
