// Tensor files: a fixed little-endian header followed by the zlib-compressed payload (docs/numerics.md, "Tensor file").
#pragma once

#include <string>

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

}  // namespace ocelli::golden
