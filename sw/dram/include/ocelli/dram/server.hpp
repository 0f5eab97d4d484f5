// ocelli-dramd as a library: one shared memory served to any number of TCP clients (docs/dram-protocol.md).
#pragma once

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
};

struct ServerCounters {
  uint64_t connections = 0;
  uint64_t requests = 0;
  uint64_t error_replies = 0;
  uint64_t closed_for_protocol_errors = 0;
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
