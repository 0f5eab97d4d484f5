#include "ocelli/runtime/dram_layout.hpp"

#include <fmt/core.h>

#include <stdexcept>

#include "ocelli/driver/layout.hpp"

namespace ocelli::runtime {

std::size_t ActivationRegion::data_words() const {
  return rows() * static_cast<std::size_t>(rlc ? driver::rlc_slot_words(shape.w) : driver::raw_row_words(shape.w));
}

void ActivationRegion::allocate(DramArena& arena, const std::string& what) {
  addr = arena.take(data_words() * 8, what);
  if (rlc) index_addr = arena.take(driver::row_table_words(shape, tbl16) * 8, what + " row table");
}

void write_activation(dram::Storage& storage, const ActivationRegion& region, const golden::Tensor16& tensor) {
  if (region.rlc) {
    const auto coded = driver::encode_rows(tensor, region.tbl16);
    write_words(storage, region.addr, coded.slots);
    write_words(storage, region.index_addr, coded.index);
  } else {
    write_words(storage, region.addr, driver::pack_rows_raw(tensor));
  }
}

golden::Tensor16 read_activation(dram::Storage& storage, const ActivationRegion& region) {
  const auto data = read_words(storage, region.addr, region.data_words());
  if (!region.rlc) return driver::unpack_rows_raw(data, region.shape, region.frac);
  return driver::decode_rows(data,
                             read_words(storage, region.index_addr, driver::row_table_words(region.shape, region.tbl16)),
                             region.shape, region.frac, region.tbl16);
}

}  // namespace ocelli::runtime
