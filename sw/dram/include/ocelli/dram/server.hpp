// ocelli-dramd as a library: one shared memory served to any number of TCP clients (docs/dram-protocol.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "ocelli/dram/storage.hpp"

namespace ocelli::dram {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: the OS picks a free port; read it back with port()
  uint64_t size_bytes = kDefaultDramBytes;
  bool log_connections = false;  // one line per connection open/close/fatal error on stderr
  // LOAD_FILE opens paths inside this directory only (relative to it; symlinks resolving outside are refused).
  // Empty: LOAD_FILE is refused.
  std::string data_dir;
  // Shared secret a client must send in its handshake (protocol version 2). Required (the constructor throws)
  // when `host` is not a loopback address.
  std::string token;
  uint32_t max_connections = 64;                   // further connections get BUSY in the handshake
  uint64_t max_connection_bytes = 64ull << 20;     // buffered requests + unsent replies of one connection
  uint64_t max_buffered_bytes = 256ull << 20;      // the same summed over all connections
  std::chrono::milliseconds idle_timeout{600000};  // no byte received or sent for this long: closed (0: never)
  std::chrono::milliseconds handshake_timeout{10000};  // connected but no complete handshake: closed
  std::chrono::milliseconds send_timeout{30000};   // a reply not taken by the client for this long: closed
};

struct ServerCounters {
  uint64_t connections = 0;
  uint64_t requests = 0;
  uint64_t error_replies = 0;
  uint64_t closed_for_protocol_errors = 0;
  uint64_t refused_connections = 0;  // over max_connections, or accept() out of descriptors
  uint64_t timed_out = 0;            // closed by the idle, handshake or send timeout
  uint64_t buffered_bytes = 0;       // now, over all connections
  uint64_t peak_buffered_bytes = 0;
};

class DramServer {
 public:
  explicit DramServer(ServerOptions options);  // binds and listens before returning
  ~DramServer();                               // stops and joins the background thread, if any
  DramServer(const DramServer&) = delete;
  DramServer& operator=(const DramServer&) = delete;

  uint16_t port() const;
  std::string address() const;  // "host:port"
  void stop_on_signals();       // SIGINT/SIGTERM end run()
  void run();                   // serves on the calling thread until stop()
  void start_background();      // serves on an internal thread (tests, benchmarks)
  void stop();                  // thread-safe; closes every connection
  ServerCounters counters() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ocelli::dram
