#include "ocelli/dram/storage.hpp"

#include "ocelli/golden/tensor_file.hpp"

#include <fmt/core.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "ocelli/golden/file_bytes.hpp"

namespace ocelli::dram {

ByteBuffer::ByteBuffer(uint64_t size) : bytes_(static_cast<uint8_t*>(std::calloc(size ? size : 1, 1))), size_(size) {
  if (!bytes_) throw StorageError(fmt::format("cannot allocate {} bytes of DRAM", size));
}

void check_range(const char* what, uint64_t addr, uint64_t len, uint64_t size) {
  if (addr > size || len > size - addr) {
    throw StorageError(fmt::format("DRAM {} out of bounds: address 0x{:x} + {} bytes exceeds memory size 0x{:x}",
                                   what, addr, len, size));
  }
}

namespace {

// Parses the .npy header and returns the offset of the data; checks that the data are raw little-endian bytes.
std::size_t npy_data_offset(const std::vector<unsigned char>& file, const std::string& path) {
  auto fail = [&path](const std::string& why) { throw StorageError(fmt::format("{}: bad .npy file: {}", path, why)); };
  if (file.size() < 10 || std::memcmp(file.data(), "\x93NUMPY", 6) != 0) fail("missing \\x93NUMPY magic");
  const int major = static_cast<unsigned char>(file[6]);
  std::size_t header_len = 0;
  std::size_t header_start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(file[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(file[9])) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (file.size() < 12) fail("truncated header length");
    for (int i = 3; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(file[8 + i]);
    header_start = 12;
  } else {
    fail(fmt::format("unsupported version {}", major));
  }
  if (header_start + header_len > file.size()) fail("header runs past the end of the file");
  const std::string header(reinterpret_cast<const char*>(file.data()) + header_start, header_len);
  const auto descr_pos = header.find("'descr'");
  if (descr_pos == std::string::npos) fail("no 'descr' in header");
  const auto q1 = header.find('\'', header.find(':', descr_pos));
  const auto q2 = header.find('\'', q1 + 1);
  if (q1 == std::string::npos || q2 == std::string::npos) fail("unreadable 'descr'");
  const std::string descr = header.substr(q1 + 1, q2 - q1 - 1);
  const bool byte_sized = descr.size() >= 2 && descr.substr(1) == "1";
  if (!(descr[0] == '<' || (byte_sized && (descr[0] == '|' || descr[0] == '>')))) {
    fail(fmt::format("dtype '{}' is not little-endian", descr));
  }
  if (header.find("'fortran_order': True") != std::string::npos) fail("Fortran order is not supported");
  return header_start + header_len;
}

}  // namespace

uint64_t load_bytes_into(uint8_t* memory, uint64_t memory_size, const std::vector<unsigned char>& file,
                         const std::string& path, uint64_t addr, FileFormat format, const LoadCheck& check) {
  if (format == FileFormat::kAuto) {
    if (file.size() >= 6 && std::memcmp(file.data(), "\x93NUMPY", 6) == 0) {
      format = FileFormat::kNpy;
    } else if (file.size() >= 4 && std::memcmp(file.data(), golden::kTensorFileMagic, 4) == 0) {
      format = FileFormat::kTensor;
    } else {
      format = FileFormat::kRaw;
    }
  }
  const std::string what = fmt::format("load of '{}'", path);
  if (format == FileFormat::kTensor) {
    // The size comes from the header: checked against the memory before anything is decoded or allocated.
    try {
      const golden::TensorFileHeader h = golden::read_tensor_file_header(file, path);
      check_range(what.c_str(), addr, h.data_bytes(), memory_size);
      if (check) check(addr, h.data_bytes());
      golden::decode_tensor_payload(file, path, memory + addr);
      return h.data_bytes();
    } catch (const StorageError&) {
      throw;
    } catch (const std::runtime_error& e) {
      throw StorageError(e.what());
    }
  }
  std::size_t offset = 0;
  if (format == FileFormat::kNpy) {
    offset = npy_data_offset(file, path);
  } else if (format != FileFormat::kRaw) {
    throw StorageError(fmt::format("{}: unknown file format code {}", path, static_cast<int>(format)));
  }
  const uint64_t len = file.size() - offset;
  check_range(what.c_str(), addr, len, memory_size);
  if (check) check(addr, len);
  std::memcpy(memory + addr, file.data() + offset, len);
  return len;
}

uint64_t load_fd_into(uint8_t* memory, uint64_t memory_size, int fd, const std::string& path, uint64_t addr,
                      FileFormat format, const LoadCheck& check) {
  // Only regular files no larger than the memory (+1 MiB of headers): a device or FIFO must not hang or exhaust
  // the loader.
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    throw StorageError(fmt::format("cannot load '{}' into DRAM: not a regular file ({})", path,
                                   golden::file_kind(st.st_mode)));
  }
  const auto file_size = static_cast<uint64_t>(st.st_size);
  if (file_size > memory_size + (1u << 20)) {
    throw StorageError(fmt::format("cannot load '{}': {} bytes is larger than the DRAM (0x{:x} bytes), out of bounds",
                                   path, file_size, memory_size));
  }
  std::vector<unsigned char> file;
  try {
    file = golden::read_regular_fd(fd, path, memory_size + (1u << 20), "cannot load");
  } catch (const std::runtime_error& e) {
    throw StorageError(e.what());
  }
  return load_bytes_into(memory, memory_size, file, path, addr, format, check);
}

uint64_t load_file_into(uint8_t* memory, uint64_t memory_size, const std::string& path, uint64_t addr,
                        FileFormat format) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw StorageError(fmt::format("cannot load '{}' into DRAM: {}", path, std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  return load_fd_into(memory, memory_size, fd, path, addr, format);
}

void InProcessDram::read(uint64_t addr, void* dst, std::size_t len) {
  check_range("read", addr, len, memory_.size());
  std::memcpy(dst, memory_.data() + addr, len);
}

void InProcessDram::write(uint64_t addr, const void* src, std::size_t len) {
  check_range("write", addr, len, memory_.size());
  std::memcpy(memory_.data() + addr, src, len);
}

void InProcessDram::fill(uint64_t addr, uint64_t len, uint8_t value) {
  check_range("fill", addr, len, memory_.size());
  std::memset(memory_.data() + addr, value, len);
}

uint64_t InProcessDram::load_file(const std::string& path, uint64_t addr, FileFormat format) {
  return load_file_into(memory_.data(), memory_.size(), path, addr, format);
}

}  // namespace ocelli::dram
