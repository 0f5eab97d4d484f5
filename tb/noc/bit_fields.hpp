// Read and write bit fields of verilated ports, whatever C++ type Verilator chose for them: packed arrays such as
// `logic [N-1:0][W-1:0]` become CData/SData/IData/QData up to 64 bits and VlWide<words> above.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "verilated.h"

namespace ocelli::tb {

inline std::uint64_t low_mask(unsigned width) { return width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1; }

// Scalar ports (up to 64 bits).
template <class T, class = std::enable_if_t<std::is_integral_v<T>>>
std::uint64_t get_bits(const T& port, unsigned lsb, unsigned width) {
  return (static_cast<std::uint64_t>(port) >> lsb) & low_mask(width);
}
template <class T, class = std::enable_if_t<std::is_integral_v<T>>>
void set_bits(T& port, unsigned lsb, unsigned width, std::uint64_t value) {
  const std::uint64_t mask = low_mask(width) << lsb;
  port = static_cast<T>((static_cast<std::uint64_t>(port) & ~mask) | ((value << lsb) & mask));
}

// Wide ports: a field of up to 64 bits, possibly spanning 32-bit words.
template <std::size_t Words>
std::uint64_t get_bits(const VlWide<Words>& port, unsigned lsb, unsigned width) {
  std::uint64_t result = 0;
  for (unsigned done = 0; done < width;) {
    const unsigned bit = lsb + done, word = bit / 32, offset = bit % 32;
    const unsigned n = std::min(32 - offset, width - done);
    result |= ((static_cast<std::uint64_t>(port[word]) >> offset) & low_mask(n)) << done;
    done += n;
  }
  return result;
}
template <std::size_t Words>
void set_bits(VlWide<Words>& port, unsigned lsb, unsigned width, std::uint64_t value) {
  for (unsigned done = 0; done < width;) {
    const unsigned bit = lsb + done, word = bit / 32, offset = bit % 32;
    const unsigned n = std::min(32 - offset, width - done);
    const std::uint32_t mask = static_cast<std::uint32_t>(low_mask(n) << offset);
    const std::uint32_t chunk = static_cast<std::uint32_t>(((value >> done) & low_mask(n)) << offset);
    port[word] = (port[word] & ~mask) | chunk;
    done += n;
  }
}

// Element `index` of a packed array of `width`-bit elements.
template <class Port>
std::uint64_t get_elem(const Port& port, unsigned index, unsigned width) { return get_bits(port, index * width, width); }
template <class Port>
void set_elem(Port& port, unsigned index, unsigned width, std::uint64_t value) {
  set_bits(port, index * width, width, value);
}

}  // namespace ocelli::tb
