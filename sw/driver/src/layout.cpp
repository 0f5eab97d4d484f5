#include "ocelli/driver/layout.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/core.h>

#include "ocelli/golden/rlc.hpp"

namespace ocelli::driver {

using golden::Shape;
using golden::Tensor16;

int raw_row_words(int width) { return (width + 3) / 4; }
int rlc_slot_words(int width) { return (width + 2) / 3; }

namespace {
std::size_t rows_of(const Shape& s) { return static_cast<std::size_t>(s.n) * s.c * s.h; }
void put16(std::vector<std::uint64_t>& words, std::size_t element, std::int16_t v) {
  words[element / 4] |= std::uint64_t{static_cast<std::uint16_t>(v)} << (16 * (element % 4));
}
std::int16_t get16(const std::vector<std::uint64_t>& words, std::size_t element) {
  return static_cast<std::int16_t>(words[element / 4] >> (16 * (element % 4)));
}
}  // namespace

std::vector<std::uint64_t> pack_rows_raw(const Tensor16& t) {
  const std::size_t pitch = raw_row_words(t.shape.w);
  std::vector<std::uint64_t> words(rows_of(t.shape) * pitch, 0);
  for (std::size_t row = 0; row < rows_of(t.shape); ++row) {
    for (int x = 0; x < t.shape.w; ++x) put16(words, row * pitch * 4 + x, t.data[row * t.shape.w + x]);
  }
  return words;
}

Tensor16 unpack_rows_raw(const std::vector<std::uint64_t>& words, Shape shape, int frac) {
  const std::size_t pitch = raw_row_words(shape.w);
  if (words.size() != rows_of(shape) * pitch) {
    throw std::invalid_argument(
        fmt::format("raw tensor: {} words for {} rows of {} words", words.size(), rows_of(shape), pitch));
  }
  Tensor16 t(shape, frac);
  for (std::size_t row = 0; row < rows_of(shape); ++row) {
    for (int x = 0; x < shape.w; ++x) t.data[row * shape.w + x] = get16(words, row * pitch * 4 + x);
  }
  return t;
}

namespace {
std::size_t table_pitch(const Shape& s, bool tbl16) {  // table rows per plane
  return tbl16 ? static_cast<std::size_t>((s.h + 3) / 4 * 4) : static_cast<std::size_t>(s.h);
}
}  // namespace

std::size_t row_table_words(const Shape& s, bool tbl16) {
  const std::size_t planes = static_cast<std::size_t>(s.n) * s.c;
  return tbl16 ? planes * table_pitch(s, true) / 4 : planes * s.h;
}

std::size_t row_table_row(const Shape& s, bool tbl16, std::size_t plane, int h) {
  return plane * table_pitch(s, tbl16) + static_cast<std::size_t>(h);
}

CodedRows encode_rows(const Tensor16& t, bool tbl16) {
  const std::size_t slot = rlc_slot_words(t.shape.w);
  CodedRows out;
  out.slots.assign(rows_of(t.shape) * slot, 0);
  out.index.assign(row_table_words(t.shape, tbl16), 0);
  for (std::size_t row = 0; row < rows_of(t.shape); ++row) {
    const auto words = golden::rlc_encode(t.data.data() + row * t.shape.w, t.shape.w);
    if (words.size() > slot) throw std::logic_error("RLC row longer than its worst case");
    std::copy(words.begin(), words.end(), out.slots.begin() + row * slot);
    const std::size_t at = row_table_row(t.shape, tbl16, row / t.shape.h, static_cast<int>(row % t.shape.h));
    if (tbl16) {
      out.index[at / 4] |= std::uint64_t{words.size()} << (16 * (at % 4));
    } else {
      out.index[at] = words.size();
    }
    out.coded_words += words.size();
  }
  return out;
}

Tensor16 decode_rows(const std::vector<std::uint64_t>& slots, const std::vector<std::uint64_t>& index, Shape shape,
                     int frac, bool tbl16) {
  const std::size_t slot = rlc_slot_words(shape.w);
  if (index.size() != row_table_words(shape, tbl16) || slots.size() != rows_of(shape) * slot) {
    throw std::invalid_argument(fmt::format("coded tensor: {} row-table words and {} slot words for {} rows",
                                            index.size(), slots.size(), rows_of(shape)));
  }
  Tensor16 t(shape, frac);
  for (std::size_t row = 0; row < rows_of(shape); ++row) {
    const int n = static_cast<int>(row / (shape.c * shape.h));
    const int c = static_cast<int>(row / shape.h % shape.c);
    const int h = static_cast<int>(row % shape.h);
    const std::size_t at = row_table_row(shape, tbl16, row / shape.h, h);
    const std::uint64_t len = tbl16 ? (index[at / 4] >> (16 * (at % 4))) & 0xffff : index[at];
    if (len == 0 || len > slot) {
      throw std::runtime_error(
          fmt::format("coded row (n {}, c {}, h {}): length {} words outside 1..{}", n, c, h, len, slot));
    }
    try {
      const auto v = golden::rlc_decode(slots.data() + row * slot, len, shape.w);
      std::copy(v.begin(), v.end(), t.data.begin() + row * shape.w);
    } catch (const golden::RlcError& e) {
      throw std::runtime_error(fmt::format("coded row (n {}, c {}, h {}): {}", n, c, h, e.what()));
    }
  }
  return t;
}

std::vector<std::uint64_t> arrange_weights(const Tensor16& w, const ConvLayer& l, const Mapping& m) {
  const int groups = l.conv.groups;
  const int mg = l.filters_per_group();
  const int cg = l.channels_per_group();
  const int rr = l.filter_h;
  const int s = l.filter_w;
  if (w.shape != Shape{l.filters, cg, rr, s}) {
    throw std::invalid_argument("arrange_weights: weight shape does not match the layer");
  }
  const int pt = m.p * m.t;
  const int qr = m.q * m.r;
  const int blk_len = m.p * m.q * s;
  const int blk_pitch = (blk_len + 3) / 4;
  std::vector<std::uint64_t> out;
  // Chunks in the controller's load order: group, filter-block group (m.f blocks), channel block, filter block.
  for (int g = 0; g < groups; ++g) {
    for (int mgroup = 0; mgroup < mg; mgroup += pt * m.f) {
      for (int c0 = 0; c0 < cg; c0 += qr) {
        for (int m0 = mgroup; m0 < std::min(mg, mgroup + pt * m.f); m0 += pt) {
          for (int row = 0; row < m.r * rr; ++row) {
            const int vr = row / rr;
            const int i = row % rr;
            for (int ht = 0; ht < m.t; ++ht) {
              std::vector<std::uint64_t> block(blk_pitch, 0);
              // In the PE's issue order (docs/pe-array.md): m, s, c with the filter outer, else s, c, m.
              for (int f = 0; f < m.p; ++f) {
                for (int ss = 0; ss < s; ++ss) {
                  for (int c = 0; c < m.q; ++c) {
                    const int filt = m0 + ht * m.p + f;
                    const int chan = c0 + vr * m.q + c;
                    if (filt >= mg || chan >= cg) continue;
                    const int at = filter_spad_offset(m.filter_outer, m.p, m.q, s, f, ss, c);
                    put16(block, static_cast<std::size_t>(at), w.at(g * mg + filt, chan, i, ss));
                  }
                }
              }
              out.insert(out.end(), block.begin(), block.end());
            }
          }
        }
      }
    }
  }
  return out;
}

std::vector<std::uint64_t> pack_bias(const std::vector<std::int32_t>& bias) {
  std::vector<std::uint64_t> words((bias.size() + 1) / 2, 0);
  for (std::size_t i = 0; i < bias.size(); ++i) {
    words[i / 2] |= std::uint64_t{static_cast<std::uint32_t>(bias[i])} << (32 * (i % 2));
  }
  return words;
}

}  // namespace ocelli::driver
