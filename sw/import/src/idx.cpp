#include "ocelli/import/idx.hpp"

#include <zlib.h>

#include <memory>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::import {
namespace {

// gzread reads compressed and plain files alike.
class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb"), &gzclose) {
    if (!f_) throw std::runtime_error(fmt::format("{}: cannot open", path));
  }
  void read(void* dst, std::size_t bytes) {
    const int got = gzread(f_.get(), dst, static_cast<unsigned>(bytes));
    if (got < 0 || static_cast<std::size_t>(got) != bytes) {
      throw std::runtime_error(fmt::format("{}: truncated IDX file", path_));
    }
  }
  std::uint32_t be32() {
    unsigned char b[4];
    read(b, 4);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
  }
  void skip(std::size_t bytes) {
    if (gzseek(f_.get(), static_cast<z_off_t>(bytes), SEEK_CUR) < 0) {
      throw std::runtime_error(fmt::format("{}: truncated IDX file", path_));
    }
  }

 private:
  std::string path_;
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f_;
};

std::size_t take(const std::string& path, std::size_t available, std::size_t count, std::size_t first) {
  if (first > available || (count > 0 && first + count > available)) {
    throw std::runtime_error(fmt::format("{}: holds {} items, asked for {} from {}", path, available, count, first));
  }
  return count == 0 ? available - first : count;
}

}  // namespace

ocelli::onnx::NumericTensor read_idx_images(const std::string& path, std::size_t count, std::size_t first) {
  GzFile f(path);
  const std::uint32_t magic = f.be32();
  if (magic != 0x803) throw std::runtime_error(fmt::format("{}: not an idx3-ubyte image file (magic {:#x})", path, magic));
  const std::size_t n = f.be32(), rows = f.be32(), cols = f.be32();
  if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096) {
    throw std::runtime_error(fmt::format("{}: image size {}x{}", path, rows, cols));
  }
  const std::size_t k = take(path, n, count, first);
  f.skip(first * rows * cols);
  std::vector<unsigned char> bytes(k * rows * cols);
  f.read(bytes.data(), bytes.size());
  ocelli::onnx::NumericTensor t;
  t.name = path;
  t.dims = {static_cast<std::int64_t>(k), 1, static_cast<std::int64_t>(rows), static_cast<std::int64_t>(cols)};
  t.values.resize(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) t.values[i] = bytes[i] / 255.0;
  return t;
}

std::vector<int> read_idx_labels(const std::string& path, std::size_t count, std::size_t first) {
  GzFile f(path);
  const std::uint32_t magic = f.be32();
  if (magic != 0x801) throw std::runtime_error(fmt::format("{}: not an idx1-ubyte label file (magic {:#x})", path, magic));
  const std::size_t n = f.be32();
  const std::size_t k = take(path, n, count, first);
  f.skip(first);
  std::vector<unsigned char> bytes(k);
  f.read(bytes.data(), bytes.size());
  return std::vector<int>(bytes.begin(), bytes.end());
}

}  // namespace ocelli::import
