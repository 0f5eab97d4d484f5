// Where a program's tensors live in DRAM: a bump allocator and the activation regions layers read and write.
#pragma once

#include <cstdint>
#include <string>

#include "ocelli/dram/storage.hpp"
#include "ocelli/golden/tensor.hpp"
#include "ocelli/sim/dram_arena.hpp"

namespace ocelli::runtime {

using sim::DramArena;
using sim::read_words;
using sim::write_words;

// An activation tensor in DRAM in the layout of docs/isa.md: raw rows, or RLC slots plus a row table.
struct ActivationRegion {
  golden::Shape shape;
  int frac = 0;
  bool rlc = false;
  std::uint32_t addr = 0;        // rows (raw) or slots (RLC)
  std::uint32_t index_addr = 0;  // RLC row table (unused when raw)
  // RLC: 16-bit row-table entries (docs/isa.md; the writing layer must start every tile on a table word, so
  // NetworkLayout sets it from the producer's tile rows), else one 64-bit word per row.
  bool tbl16 = false;

  std::size_t rows() const { return static_cast<std::size_t>(shape.n) * shape.c * shape.h; }
  std::size_t data_words() const;  // raw rows or worst-case RLC slots
  void allocate(DramArena& arena, const std::string& what);
};

void write_activation(dram::Storage& storage, const ActivationRegion& region, const golden::Tensor16& tensor);
// Throws std::runtime_error (from driver::decode_rows) naming the row when an RLC row does not decode.
golden::Tensor16 read_activation(dram::Storage& storage, const ActivationRegion& region);


}  // namespace ocelli::runtime
