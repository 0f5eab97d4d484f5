// Tensor files: a fixed little-endian header followed by the zlib-compressed payload (docs/numerics.md, "Tensor file").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocelli/golden/tensor.hpp"

namespace ocelli::golden {

inline constexpr char kTensorFileMagic[4] = {'O', 'C', 'T', 'F'};
inline constexpr std::uint16_t kTensorFileVersion = 1;

void write_tensor_file(const std::string& path, const Tensor16& t);
void write_tensor_file(const std::string& path, const Tensor32& t);

// Throws std::runtime_error naming the file and what is wrong (cannot open, bad magic, unsupported version,
// wrong dtype, truncated, corrupt compressed payload, checksum mismatch, shape vs element count).
Tensor16 read_tensor_file(const std::string& path);
Tensor32 read_tensor_file32(const std::string& path);
// Only regular files of at most this size are read (a FIFO, device or directory is refused, never waited on).
inline constexpr std::uint64_t kMaxTensorFileBytes = 1ull << 30;

// The header of a tensor file held in memory, checked (magic, version, width 16/32, dimensions >= 0 whose product
// fits 64 bits and equals the count, payload size, and no more data than the compressed payload can hold) before
// anything is allocated. `name` is used in messages. The payload checksum is checked only when decoding.
struct TensorFileHeader {
  Shape shape;
  int frac = 0;
  unsigned bits = 0;
  std::uint64_t count = 0;
  std::uint32_t crc = 0;
  std::uint64_t data_bytes() const { return count * (bits / 8); }
};
TensorFileHeader read_tensor_file_header(const std::vector<unsigned char>& bytes, const std::string& name);
// Checks the payload checksum, then decompresses the elements as stored (little-endian, NCHW) straight into
// out[0, header.data_bytes()): no intermediate copy. After a checksum match only a crafted stream can still fail,
// and then `out` may be partly written.
void decode_tensor_payload(const std::vector<unsigned char>& bytes, const std::string& name, unsigned char* out);
Tensor16 parse_tensor_file(const std::vector<unsigned char>& bytes, const std::string& name);
Tensor32 parse_tensor_file32(const std::vector<unsigned char>& bytes, const std::string& name);

}  // namespace ocelli::golden
