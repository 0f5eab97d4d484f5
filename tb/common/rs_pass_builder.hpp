// Row-stationary mapping of a 2-D convolution slice onto the PE array: which PE gets which filter and ifmap rows,
// the PE configuration, and the psums each column must output (expected values from the golden).
// This logic moves to the driver later; it is kept apart from the RTL harness for that reason.
#pragma once

#include <cstdint>
#include <vector>

#include "ocelli/golden/layers.hpp"
#include "ocelli/golden/tensor.hpp"

namespace ocelli::tb {

// Fields of the RTL pe_cfg_t (rtl/ocelli_pkg.sv, docs/pe-array.md).
struct PeConfig {
  int filt_width = 1;    // S
  int stride = 1;        // U (horizontal)
  int num_filters = 1;   // p
  int num_channels = 1;  // q
  int ofmap_width = 1;   // F
  int num_images = 1;    // n
  bool psum_hold = false;    // the pass leaves its sums in the psum spad (outputs nothing)
  bool psum_resume = false;  // the pass starts from the sums a hold pass left
  bool filter_outer = false; // issue order filter outer, window offset inner (filter stream in order m, s, c)

  int ifmap_width() const { return (ofmap_width - 1) * stride + filt_width; }
  int macs_per_column() const { return num_filters * num_channels * filt_width; }
  // Throws std::invalid_argument naming the field that is out of range or breaks a spad limit.
  void validate() const;
  // The packed pe_cfg_t bits.
  std::uint64_t pack() const;
};

// Everything one PE receives and must produce in a pass.
struct PeJob {
  bool enabled = false;
  bool accum = false;     // adds an incoming psum to each output
  bool psum_ext = false;  // takes that psum from its own port (else from the PE below)
  std::vector<std::int16_t> filter;   // order m, s, c with cfg.filter_outer, else s, c, m
  std::vector<std::int16_t> ifmap;    // order image, column, channel
  std::vector<std::int32_t> psum_in;  // order image, column, filter (only when accum && psum_ext)
};

struct ArrayPass {
  PeConfig cfg;
  int rows = 0;
  int cols = 0;
  std::vector<PeJob> pes;                          // index row * cols + col, row 0 at the bottom
  std::vector<std::vector<std::int32_t>> expected;  // per column, in output order; empty: the column is unused
  std::uint64_t macs = 0;                          // MACs the active PEs perform
  std::uint64_t zero_macs = 0;                     // ... of which with a zero ifmap operand

  int active_pes() const;
};

// How a convolution slice is folded: PE sets of R x e PEs (filter rows x ofmap rows); r sets on consecutive
// channel groups are stacked vertically and accumulate up the columns, t sets on consecutive filter groups sit
// side by side. Needs r*R <= rows, t*e <= cols.
struct RsMapping {
  int p = 1;  // filters per PE
  int q = 1;  // channels per PE
  int r = 1;  // channel-group sets (C = r*q)
  int t = 1;  // filter-group sets (M = t*p)
  int e = 1;  // ofmap rows computed (the first e rows of the output)
  bool filter_outer = false;  // PE issue order (PeConfig::filter_outer)
};

// A convolution slice: ifmap (n, C, H, W) and weights (M, C, R, S) as given to the golden.
struct ConvSlice {
  golden::Tensor16 ifmap;
  golden::Tensor16 weights;
  std::vector<std::int32_t> bias;  // empty or M entries
  golden::ConvParams conv;         // groups must be 1
  bool has_psum_in = false;        // an incoming psum (e.g. from the previous pass) per output
  golden::Tensor32 psum_in;        // (n, M, e, F) when has_psum_in
};

class RsPassBuilder {
 public:
  RsPassBuilder(int rows, int cols);
  // Throws std::invalid_argument naming the field when the slice does not fit the mapping or the array.
  ArrayPass build(const ConvSlice& slice, const RsMapping& map) const;

 private:
  int rows_;
  int cols_;
};

}  // namespace ocelli::tb
