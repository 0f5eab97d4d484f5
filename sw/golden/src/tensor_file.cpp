// Tensor files (docs/numerics.md, "Tensor file"): 48-byte little-endian header + zlib-compressed payload.
#include "ocelli/golden/tensor_file.hpp"

#include "ocelli/golden/file_bytes.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>

namespace ocelli::golden {
namespace {

constexpr std::size_t kHeaderBytes = 48;

[[noreturn]] void file_error(const std::string& path, const std::string& what) {
  throw std::runtime_error(fmt::format("tensor file '{}': {}", path, what));
}

class ByteWriter {
 public:
  template <class T>
  void put(T v) {
    const auto u = static_cast<std::make_unsigned_t<T>>(v);
    for (std::size_t i = 0; i < sizeof(T); ++i) bytes_.push_back(static_cast<unsigned char>(u >> (8 * i)));
  }
  void put_bytes(const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  std::vector<unsigned char>& bytes() { return bytes_; }

 private:
  std::vector<unsigned char> bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(const unsigned char* p) : p_(p) {}
  template <class T>
  T get() {
    std::make_unsigned_t<T> u = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) u |= static_cast<std::make_unsigned_t<T>>(p_[pos_ + i]) << (8 * i);
    pos_ += sizeof(T);
    return static_cast<T>(u);
  }

 private:
  const unsigned char* p_;
  std::size_t pos_ = 0;
};

template <class T>
std::vector<unsigned char> payload_bytes(const std::vector<T>& data) {
  ByteWriter w;
  for (T v : data) w.put(v);
  return std::move(w.bytes());
}

template <class T>
void write_file(const std::string& path, const Tensor<T>& t) {
  if (t.data.size() != t.shape.elements()) {
    throw std::invalid_argument(fmt::format("write_tensor_file '{}': tensor holds {} elements but its shape needs {}",
                                            path, t.data.size(), t.shape.elements()));
  }
  const std::vector<unsigned char> payload = payload_bytes(t.data);
  uLongf packed_size = compressBound(payload.size());
  std::vector<unsigned char> packed(packed_size);
  if (compress2(packed.data(), &packed_size, payload.data(), payload.size(), Z_BEST_SPEED) != Z_OK) {
    file_error(path, "zlib compression failed");
  }
  ByteWriter header;
  header.put_bytes(kTensorFileMagic, sizeof(kTensorFileMagic));
  header.put<std::uint16_t>(kTensorFileVersion);
  header.put<std::uint16_t>(8 * sizeof(T));
  for (int d : {t.shape.n, t.shape.c, t.shape.h, t.shape.w}) header.put<std::int32_t>(d);
  header.put<std::int32_t>(t.frac);
  header.put<std::uint64_t>(t.data.size());
  // The CRC covers the bytes as stored, so any damaged byte is caught before decompression (zlib's own
  // Adler-32 then guards the decompressed data).
  header.put<std::uint32_t>(crc32(0L, packed.data(), static_cast<uInt>(packed_size)));
  header.put<std::uint64_t>(packed_size);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) file_error(path, "cannot open for writing");
  f.write(reinterpret_cast<const char*>(header.bytes().data()), static_cast<std::streamsize>(header.bytes().size()));
  f.write(reinterpret_cast<const char*>(packed.data()), static_cast<std::streamsize>(packed_size));
  if (!f) file_error(path, "write failed");
}

// Deflate never expands more than 1032:1, so a header promising more data than its stream can hold is corrupt:
// refused before anything is allocated (a 2 KB file must not make the reader ask for terabytes).
constexpr std::uint64_t kMaxDeflateRatio = 1032;

std::uint64_t checked_elements(const Shape& s, const std::string& name) {
  if (s.n < 0 || s.c < 0 || s.h < 0 || s.w < 0) {
    file_error(name, fmt::format("negative dimension in shape ({}, {}, {}, {})", s.n, s.c, s.h, s.w));
  }
  std::uint64_t product = 1;
  for (int d : {s.n, s.c, s.h, s.w}) {
    if (__builtin_mul_overflow(product, static_cast<std::uint64_t>(d), &product)) {
      file_error(name, fmt::format("shape ({}, {}, {}, {}) has more than 2^64 elements", s.n, s.c, s.h, s.w));
    }
  }
  return product;
}

template <class T>
Tensor<T> decode(const std::vector<unsigned char>& bytes, const std::string& name) {
  const TensorFileHeader hdr = read_tensor_file_header(bytes, name);
  if (hdr.bits != 8 * sizeof(T)) {
    file_error(name, fmt::format("holds int{} elements but int{} was requested", hdr.bits, 8 * sizeof(T)));
  }
  Tensor<T> t;
  t.shape = hdr.shape;
  t.frac = hdr.frac;
  std::vector<unsigned char> payload(static_cast<std::size_t>(hdr.data_bytes()));
  decode_tensor_payload(bytes, name, payload.data());
  t.data.resize(static_cast<std::size_t>(hdr.count));
  ByteReader r(payload.data());
  for (auto& v : t.data) v = r.get<T>();
  return t;
}

template <class T>
Tensor<T> read_file(const std::string& path) {
  return decode<T>(read_regular_file(path, kMaxTensorFileBytes, "tensor file"), path);
}

}  // namespace

void write_tensor_file(const std::string& path, const Tensor16& t) { write_file(path, t); }
void write_tensor_file(const std::string& path, const Tensor32& t) { write_file(path, t); }
TensorFileHeader read_tensor_file_header(const std::vector<unsigned char>& bytes, const std::string& name) {
  if (bytes.size() < kHeaderBytes) {
    file_error(name, fmt::format("truncated header ({} of {} bytes)", bytes.size(), kHeaderBytes));
  }
  if (std::memcmp(bytes.data(), kTensorFileMagic, sizeof(kTensorFileMagic)) != 0) {
    file_error(name, "bad magic (not an ocelli tensor file; expected \"OCTF\")");
  }
  ByteReader h(bytes.data() + sizeof(kTensorFileMagic));
  const auto version = h.get<std::uint16_t>();
  if (version != kTensorFileVersion) file_error(name, fmt::format("unsupported version {}", version));
  TensorFileHeader hdr;
  hdr.bits = h.get<std::uint16_t>();
  if (hdr.bits != 16 && hdr.bits != 32) file_error(name, fmt::format("element width {} bits is not 16 or 32", hdr.bits));
  hdr.shape.n = h.get<std::int32_t>();
  hdr.shape.c = h.get<std::int32_t>();
  hdr.shape.h = h.get<std::int32_t>();
  hdr.shape.w = h.get<std::int32_t>();
  hdr.frac = h.get<std::int32_t>();
  hdr.count = h.get<std::uint64_t>();
  hdr.crc = h.get<std::uint32_t>();
  const auto packed_size = h.get<std::uint64_t>();
  const Shape& s = hdr.shape;
  if (checked_elements(s, name) != hdr.count) {
    file_error(name, fmt::format("shape ({}, {}, {}, {}) does not match the element count {}", s.n, s.c, s.h, s.w,
                                 hdr.count));
  }
  const std::size_t available = bytes.size() - kHeaderBytes;
  if (packed_size > available) {
    file_error(name, fmt::format("truncated payload ({} of {} compressed bytes)", available, packed_size));
  }
  if (packed_size < available) {
    file_error(name, fmt::format("{} unexpected bytes after the payload", available - packed_size));
  }
  const std::uint64_t limit = packed_size * kMaxDeflateRatio + 1024;
  if (hdr.count > limit / (hdr.bits / 8)) {
    file_error(name, fmt::format("header promises {} elements of {} bits, more than its {} compressed bytes can "
                                 "hold (corrupt header)",
                                 hdr.count, hdr.bits, packed_size));
  }
  return hdr;
}

void decode_tensor_payload(const std::vector<unsigned char>& bytes, const std::string& name, unsigned char* out) {
  const TensorFileHeader hdr = read_tensor_file_header(bytes, name);
  const unsigned char* packed = bytes.data() + kHeaderBytes;
  const std::uint64_t packed_size = bytes.size() - kHeaderBytes;
  const std::uint32_t actual_crc = crc32(0L, packed, static_cast<uInt>(packed_size));
  if (actual_crc != hdr.crc) {
    file_error(name, fmt::format("payload checksum mismatch (CRC32 {:#010x}, header says {:#010x})", actual_crc,
                                 hdr.crc));
  }
  uLongf unpacked = static_cast<uLongf>(hdr.data_bytes());
  const int z = uncompress(out, &unpacked, packed, packed_size);
  if (z != Z_OK || unpacked != hdr.data_bytes()) {
    // zlib's text is empty for Z_OK (a stream shorter than the header promises); never print an empty reason.
    const char* zwhy = zError(z);
    const std::string why = z == Z_OK ? std::string("the stream ends early")
                            : zwhy && *zwhy ? std::string(zwhy)
                                            : fmt::format("error {}", z);
    file_error(name, fmt::format("corrupt compressed payload (zlib: {}, {} of {} bytes)", why, unpacked,
                                 hdr.data_bytes()));
  }
}

Tensor16 parse_tensor_file(const std::vector<unsigned char>& bytes, const std::string& name) {
  return decode<std::int16_t>(bytes, name);
}
Tensor32 parse_tensor_file32(const std::vector<unsigned char>& bytes, const std::string& name) {
  return decode<std::int32_t>(bytes, name);
}
Tensor16 read_tensor_file(const std::string& path) { return read_file<std::int16_t>(path); }
Tensor32 read_tensor_file32(const std::string& path) { return read_file<std::int32_t>(path); }

}  // namespace ocelli::golden
