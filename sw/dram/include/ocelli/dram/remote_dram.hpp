// Storage served by ocelli-dramd over TCP. Reads are fetched in blocks ahead of need (prefetch hints from the
// timing model plus sequential read-ahead); writes are posted and batched; one ordered connection keeps every
// read behind the earlier writes of this client. Every blocking wait has a deadline (docs/dram-protocol.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "ocelli/dram/storage.hpp"

namespace ocelli::dram {

struct RemoteOptions {
  std::string host = "127.0.0.1";  // an IP address or a host name (resolved once, first address used)
  uint16_t port = 0;
  std::string token;  // sent in the handshake (protocol version 2) when not empty; the server may require it
  std::chrono::milliseconds timeout{2000};        // connect, handshake, every wait for a reply
  std::chrono::milliseconds load_timeout{60000};  // LOAD_FILE: the server reads a whole file
  uint32_t block_bytes = 256u << 10;              // read granularity of the client cache (a power of two)
  uint32_t cache_blocks = 64;                     // cache capacity = block_bytes * cache_blocks (16 MiB)
  uint32_t read_ahead_blocks = 4;                 // per detected sequential stream
  uint32_t write_batch_bytes = 256u << 10;        // adjacent posted writes are merged up to this size
};

struct RemoteStats {
  uint64_t blocks_fetched = 0;
  uint64_t demand_waits = 0;  // reads that had to wait for data in flight
  uint64_t write_frames = 0;
};

class RemoteDram final : public Storage {
 public:
  explicit RemoteDram(RemoteOptions options);  // connects and handshakes, throws StorageError on failure
  ~RemoteDram() override;                      // flushes posted writes (errors are dropped) and disconnects

  uint64_t size() const override;
  void read(uint64_t addr, void* dst, std::size_t len) override;
  void write(uint64_t addr, const void* src, std::size_t len) override;
  void fill(uint64_t addr, uint64_t len, uint8_t value) override;
  uint64_t load_file(const std::string& path, uint64_t addr, FileFormat format = FileFormat::kAuto) override;
  void prefetch(uint64_t addr, std::size_t len) override;
  void flush() override;
  // Claims [addr, addr+len) for this connection: other connections can no longer write there while it is open.
  // Throws StorageError naming the other connection when part of the range is still claimed after the timeout
  // (a closing connection's claim is released when the server sees the close, so it is waited for).
  void claim(uint64_t addr, uint64_t len);

  const std::string& server_address() const;
  RemoteStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ocelli::dram
