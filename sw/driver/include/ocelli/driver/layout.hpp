// How tensors are laid out in DRAM for the accelerator (docs/isa.md, "Tensor layout in DRAM").
#pragma once

#include <cstdint>
#include <vector>

#include "ocelli/driver/conv_layer.hpp"
#include "ocelli/golden/tensor.hpp"

namespace ocelli::driver {

int raw_row_words(int width);   // ceil(W/4): a raw row padded to whole 64-bit words
int rlc_slot_words(int width);  // ceil(W/3): the worst-case coded row

// Raw activations: NCHW rows, each starting on a 64-bit word.
std::vector<std::uint64_t> pack_rows_raw(const golden::Tensor16& t);
golden::Tensor16 unpack_rows_raw(const std::vector<std::uint64_t>& words, golden::Shape shape, int frac);

// Run-length coded activations: each row its own stream in a slot of rlc_slot_words(W) words, plus a row table
// with each row's length in words (docs/isa.md, "Tensor layout in DRAM"): one 64-bit word per row, or with 16-bit
// entries (`tbl16`, descriptor bits ifmap_tbl16/ofmap_tbl16) four per word, entry k of a plane in lane k mod 4 of its
// word k / 4, each plane's table ceil(H/4) words.
std::size_t row_table_words(const golden::Shape& shape, bool tbl16);
// Table row of row h of plane (n, c) (entry index: word = row / 4 with 16-bit entries, else the word itself).
std::size_t row_table_row(const golden::Shape& shape, bool tbl16, std::size_t plane, int h);
struct CodedRows {
  std::vector<std::uint64_t> slots;
  std::vector<std::uint64_t> index;
  std::uint64_t coded_words = 0;  // words actually used (what crosses the DRAM link)
};
CodedRows encode_rows(const golden::Tensor16& t, bool tbl16 = false);
// Throws std::runtime_error naming the row (n, c, h) and the RLC error when a row does not decode.
golden::Tensor16 decode_rows(const std::vector<std::uint64_t>& slots, const std::vector<std::uint64_t>& index,
                             golden::Shape shape, int frac, bool tbl16 = false);

// Filter spad address of filter f, channel c, column s of one PE's p*q*S block, in the PE's issue order
// (docs/pe-array.md): m, s, c with the filter outer, else s, c, m. The one place that order is written down.
constexpr int filter_spad_offset(bool filter_outer, int p, int q, int filter_w, int f, int s, int c) {
  const int k = s * q + c;  // window offset
  return filter_outer ? f * filter_w * q + k : k * p + f;
}

// Weights (M, C/G, R, S) in the order the filter network consumes them for `mapping`: per group, filter block,
// channel block, one block of p*q*S values per (PE row, horizontal set), zero where the block runs past the group.
std::vector<std::uint64_t> arrange_weights(const golden::Tensor16& weights, const ConvLayer& layer,
                                           const Mapping& mapping);
std::vector<std::uint64_t> pack_bias(const std::vector<std::int32_t>& bias);

}  // namespace ocelli::driver
