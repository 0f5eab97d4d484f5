// Storage behind the DRAM timing model: one interface, an in-process and a remote implementation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ocelli::dram {

// Every storage error (bounds, files, remote failures) is a StorageError with a message naming what is wrong.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class FileFormat : uint8_t {
  kAuto = 0,    // by magic: "OCTF" ocelli tensor file, "\x93NUMPY" .npy, anything else raw
  kRaw = 1,     // every byte of the file
  kNpy = 2,     // NumPy .npy tensor (v1-v3, little-endian or 1-byte dtype, C order): its data bytes
  kTensor = 3,  // ocelli tensor file (sw/golden tensor_file.hpp, int16 or int32): elements, little-endian, NCHW
};
constexpr uint8_t kLastFileFormat = 3;

// Byte-addressed memory. Per client, operations take effect in call order: a read sees every earlier write,
// fill and load of the same client.
class Storage {
 public:
  virtual ~Storage() = default;
  virtual uint64_t size() const = 0;
  virtual void read(uint64_t addr, void* dst, std::size_t len) = 0;
  virtual void write(uint64_t addr, const void* src, std::size_t len) = 0;
  virtual void fill(uint64_t addr, uint64_t len, uint8_t value) = 0;
  // Loads a tensor or raw file (a path the memory's owner can open) at addr; returns the bytes stored.
  virtual uint64_t load_file(const std::string& path, uint64_t addr, FileFormat format = FileFormat::kAuto) = 0;
  // Hint: [addr, addr+len) will be read soon. Never changes results.
  virtual void prefetch(uint64_t /*addr*/, std::size_t /*len*/) {}
  // Returns once every earlier write/fill is applied; reports deferred errors.
  virtual void flush() {}
};

// Owns zero-initialised bytes; pages are only touched when used (calloc), so 512 MiB costs nothing up front.
class ByteBuffer {
 public:
  explicit ByteBuffer(uint64_t size);
  uint8_t* data() { return bytes_.get(); }
  const uint8_t* data() const { return bytes_.get(); }
  uint64_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> bytes_;
  uint64_t size_;
};

// Throws StorageError unless [addr, addr+len) lies inside a memory of `size` bytes; `what` names the operation.
void check_range(const char* what, uint64_t addr, uint64_t len, uint64_t size);

// Loads `path` into memory[addr...] (shared by InProcessDram and ocelli-dramd). Returns bytes stored. Only a
// regular file no larger than the memory + 1 MiB is read; a tensor file's size is taken from its header and
// checked against the memory before anything is decoded.
uint64_t load_file_into(uint8_t* memory, uint64_t memory_size, const std::string& path, uint64_t addr,
                        FileFormat format);
// Called with the target range once it is known, before any byte is written; may throw to refuse the load.
using LoadCheck = std::function<void(uint64_t addr, uint64_t len)>;
// The same for a file the caller opened (ocelli-dramd opens it inside its data directory); `path` names it.
uint64_t load_fd_into(uint8_t* memory, uint64_t memory_size, int fd, const std::string& path, uint64_t addr,
                      FileFormat format, const LoadCheck& check = {});
// The same for file contents already in memory.
uint64_t load_bytes_into(uint8_t* memory, uint64_t memory_size, const std::vector<unsigned char>& file,
                         const std::string& path, uint64_t addr, FileFormat format, const LoadCheck& check = {});

constexpr uint64_t kDefaultDramBytes = 512ull << 20;

class InProcessDram final : public Storage {
 public:
  explicit InProcessDram(uint64_t size_bytes = kDefaultDramBytes) : memory_(size_bytes) {}
  uint64_t size() const override { return memory_.size(); }
  void read(uint64_t addr, void* dst, std::size_t len) override;
  void write(uint64_t addr, const void* src, std::size_t len) override;
  void fill(uint64_t addr, uint64_t len, uint8_t value) override;
  uint64_t load_file(const std::string& path, uint64_t addr, FileFormat format = FileFormat::kAuto) override;

 private:
  ByteBuffer memory_;
};

}  // namespace ocelli::dram
