#include "ocelli/dram/server.hpp"

#include <fmt/core.h>

#include <atomic>
#include <boost/asio.hpp>
#include <cstring>
#include <thread>
#include <vector>

#include "ocelli/dram/protocol.hpp"

namespace ocelli::dram {

namespace asio = boost::asio;
using asio::ip::tcp;
namespace proto = protocol;

namespace {

constexpr std::size_t kReadChunk = 256 << 10;
constexpr std::size_t kMaxQueuedReplyBytes = 64u << 20;  // stop reading requests while this much output waits

struct SharedState {
  ByteBuffer memory;
  bool log_connections;
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> error_replies{0};
  std::atomic<uint64_t> closed_for_protocol_errors{0};
  SharedState(uint64_t size, bool log) : memory(size), log_connections(log) {}
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, SharedState& state) : socket_(std::move(socket)), state_(state) {
    boost::system::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    peer_ = ec ? std::string("?") : fmt::format("{}:{}", ep.address().to_string(), ep.port());
    socket_.set_option(tcp::no_delay(true), ec);
  }
  void start() {
    log("connected");
    read_more();
  }

 private:
  void log(const std::string& what) {
    if (state_.log_connections) fmt::print(stderr, "ocelli-dramd: {} {}\n", peer_, what);
  }

  void read_more() {
    if (reading_ || closing_) return;
    if (queued_.size() > kMaxQueuedReplyBytes) return;  // resumed when the write completes
    if (rx_.size() - rx_end_ < kReadChunk) rx_.resize(rx_end_ + kReadChunk);
    reading_ = true;
    socket_.async_read_some(asio::buffer(rx_.data() + rx_end_, rx_.size() - rx_end_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                              self->reading_ = false;
                              if (ec) {
                                self->log(fmt::format("disconnected ({})", ec.message()));
                                self->close();
                                return;
                              }
                              self->rx_end_ += n;
                              self->process();
                              self->flush();
                              self->read_more();
                            });
  }

  // Parses every complete frame in rx_[rx_begin_, rx_end_).
  void process() {
    while (!closing_) {
      const std::size_t avail = rx_end_ - rx_begin_;
      const uint8_t* p = rx_.data() + rx_begin_;
      if (!handshaken_) {
        if (avail < proto::kHelloBytes) break;
        handle_hello(p);
        rx_begin_ += proto::kHelloBytes;
        continue;
      }
      if (avail < proto::kHeaderBytes) break;
      const proto::Header h = proto::decode_header(p);
      if (h.magic != proto::kFrameMagic) {
        fatal(h, proto::Status::kBadMagic, fmt::format("bad frame magic 0x{:04x} (expected 0x{:04x})", h.magic,
                                                      proto::kFrameMagic));
        break;
      }
      if (h.payload_bytes > proto::kMaxPayload) {
        fatal(h, proto::Status::kBadLength,
              fmt::format("payload of {} bytes exceeds the maximum {}", h.payload_bytes, proto::kMaxPayload));
        break;
      }
      if (avail < proto::kHeaderBytes + h.payload_bytes) {
        // Make room for the whole frame, then wait for the rest.
        if (rx_begin_ > 0) compact();
        break;
      }
      ++state_.requests;
      handle_request(h, p + proto::kHeaderBytes);
      rx_begin_ += proto::kHeaderBytes + h.payload_bytes;
    }
    if (rx_begin_ == rx_end_) rx_begin_ = rx_end_ = 0;
    else if (rx_begin_ > (4u << 20)) compact();
  }

  void compact() {
    std::memmove(rx_.data(), rx_.data() + rx_begin_, rx_end_ - rx_begin_);
    rx_end_ -= rx_begin_;
    rx_begin_ = 0;
  }

  void handle_hello(const uint8_t* p) {
    uint8_t reply[proto::kHelloReplyBytes] = {};
    std::memcpy(reply, proto::kHelloMagic, 4);
    proto::put16(reply + 4, proto::kVersion);
    proto::put64(reply + 8, state_.memory.size());
    proto::put32(reply + 16, proto::kMaxPayload);
    const uint16_t version = proto::get16(p + 4);
    proto::Status status = proto::Status::kOk;
    std::string why;
    if (std::memcmp(p, proto::kHelloMagic, 4) != 0) {
      status = proto::Status::kBadMagic;
      why = "bad handshake magic";
    } else if (version != proto::kVersion) {
      status = proto::Status::kUnsupportedVersion;
      why = fmt::format("unsupported protocol version {} (server speaks {})", version, proto::kVersion);
    }
    proto::put16(reply + 6, static_cast<uint16_t>(status));
    queued_.insert(queued_.end(), reply, reply + sizeof reply);
    if (status != proto::Status::kOk) {
      ++state_.closed_for_protocol_errors;
      log(fmt::format("closed: {}", why));
      closing_ = true;
      return;
    }
    handshaken_ = true;
  }

  void reply(const proto::Header& req, proto::Status status, uint64_t value, const void* payload, uint32_t len) {
    proto::Header h;
    h.opcode = req.opcode;
    h.flags_or_status = static_cast<uint8_t>(status);
    h.id = req.id;
    h.address_or_value = value;
    h.length = req.length;
    h.payload_bytes = len;
    uint8_t header[proto::kHeaderBytes];
    proto::encode_header(h, header);
    queued_.insert(queued_.end(), header, header + sizeof header);
    const auto* bytes = static_cast<const uint8_t*>(payload);
    if (len) queued_.insert(queued_.end(), bytes, bytes + len);  // no zero-fill before the copy
  }

  void error(const proto::Header& req, proto::Status status, const std::string& message) {
    ++state_.error_replies;
    const auto len = static_cast<uint32_t>(std::min<std::size_t>(message.size(), proto::kMaxPayload));
    reply(req, status, req.address_or_value, message.data(), len);
  }

  // An error after which the byte stream cannot be trusted: answer, then close only this connection.
  void fatal(const proto::Header& req, proto::Status status, const std::string& message) {
    error(req, status, message);
    ++state_.closed_for_protocol_errors;
    log(fmt::format("closed: {}", message));
    closing_ = true;
  }

  bool in_bounds(const proto::Header& h, uint64_t len) {
    const uint64_t size = state_.memory.size();
    if (h.address_or_value <= size && len <= size - h.address_or_value) return true;
    error(h, proto::Status::kOutOfBounds,
          fmt::format("{} at 0x{:x} + {} bytes exceeds memory size 0x{:x}", proto::opcode_name(h.opcode),
                      h.address_or_value, len, size));
    return false;
  }

  void handle_request(const proto::Header& h, const uint8_t* payload) {
    if (h.flags_or_status != 0) {
      error(h, proto::Status::kBadRequest, fmt::format("flags must be 0, got 0x{:02x}", h.flags_or_status));
      return;
    }
    uint8_t* mem = state_.memory.data();
    const uint64_t addr = h.address_or_value;
    switch (static_cast<proto::Opcode>(h.opcode)) {
      case proto::Opcode::kRead:
        if (h.payload_bytes != 0 || h.length > proto::kMaxPayload) {
          error(h, proto::Status::kBadLength,
                fmt::format("READ needs length <= {} and no payload (length {}, payload {})", proto::kMaxPayload,
                            h.length, h.payload_bytes));
        } else if (in_bounds(h, h.length)) {
          reply(h, proto::Status::kOk, addr, mem + addr, h.length);
        }
        return;
      case proto::Opcode::kWrite:
        if (h.length != h.payload_bytes) {
          error(h, proto::Status::kBadLength,
                fmt::format("WRITE length {} differs from payload size {}", h.length, h.payload_bytes));
        } else if (in_bounds(h, h.length)) {
          std::memcpy(mem + addr, payload, h.length);
          reply(h, proto::Status::kOk, addr, nullptr, 0);
        }
        return;
      case proto::Opcode::kFill:
        if (h.payload_bytes != 1) {
          error(h, proto::Status::kBadLength, fmt::format("FILL needs a 1-byte payload, got {}", h.payload_bytes));
        } else if (in_bounds(h, h.length)) {
          std::memset(mem + addr, payload[0], h.length);
          reply(h, proto::Status::kOk, addr, nullptr, 0);
        }
        return;
      case proto::Opcode::kLoadFile:
        handle_load(h, payload);
        return;
      case proto::Opcode::kSync:
        if (h.payload_bytes != 0) {
          error(h, proto::Status::kBadLength, fmt::format("SYNC takes no payload, got {}", h.payload_bytes));
        } else {
          reply(h, proto::Status::kOk, 0, nullptr, 0);
        }
        return;
    }
    error(h, proto::Status::kUnknownOpcode, fmt::format("unknown opcode {}", h.opcode));
  }

  void handle_load(const proto::Header& h, const uint8_t* payload) {
    if (h.payload_bytes < 2 || h.payload_bytes > 1 + proto::kMaxPathBytes) {
      error(h, proto::Status::kBadLength,
            fmt::format("LOAD_FILE payload must be 1 format byte + 1..{} path bytes, got {} bytes",
                        proto::kMaxPathBytes, h.payload_bytes));
      return;
    }
    const uint8_t format = payload[0];
    if (format > kLastFileFormat) {
      error(h, proto::Status::kBadRequest, fmt::format("LOAD_FILE: unknown file format code {}", format));
      return;
    }
    const std::string path(reinterpret_cast<const char*>(payload + 1), h.payload_bytes - 1);
    if (path.find('\0') != std::string::npos) {
      error(h, proto::Status::kBadRequest, "LOAD_FILE: path contains a NUL byte");
      return;
    }
    if (h.address_or_value > state_.memory.size()) {
      in_bounds(h, 0);
      return;
    }
    try {
      const uint64_t loaded = load_file_into(state_.memory.data(), state_.memory.size(), path, h.address_or_value,
                                             static_cast<FileFormat>(format));
      reply(h, proto::Status::kOk, loaded, nullptr, 0);
    } catch (const StorageError& e) {
      const bool bounds = std::string(e.what()).find("out of bounds") != std::string::npos;
      error(h, bounds ? proto::Status::kOutOfBounds : proto::Status::kFileError, e.what());
    }
  }

  void flush() {
    if (writing_) return;
    if (queued_.empty()) {
      if (closing_) close();
      return;
    }
    writing_ = true;
    in_flight_.swap(queued_);
    queued_.clear();
    asio::async_write(socket_, asio::buffer(in_flight_), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) {
        self->log(fmt::format("write failed ({})", ec.message()));
        self->close();
        return;
      }
      self->in_flight_.clear();
      self->flush();
      self->read_more();
    });
  }

  void close() {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  tcp::socket socket_;
  SharedState& state_;
  std::string peer_;
  std::vector<uint8_t> rx_;
  std::size_t rx_begin_ = 0;
  std::size_t rx_end_ = 0;
  std::vector<uint8_t> queued_;
  std::vector<uint8_t> in_flight_;
  bool handshaken_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;
};

}  // namespace

class DramServer::Impl {
 public:
  explicit Impl(const ServerOptions& o)
      : options_(o), state_(o.size_bytes, o.log_connections), acceptor_(io_), signals_(io_) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(o.host, ec);
    if (ec) throw StorageError(fmt::format("bad listen host '{}': {}", o.host, ec.message()));
    const tcp::endpoint endpoint(address, o.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint, ec);
    if (ec) throw StorageError(fmt::format("cannot bind {}:{}: {}", o.host, o.port, ec.message()));
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
    accept();
  }
  ~Impl() {
    stop();
    if (thread_.joinable()) thread_.join();
  }

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) accept();
        return;
      }
      ++state_.connections;
      std::make_shared<Session>(std::move(socket), state_)->start();
      accept();
    });
  }

  void stop_on_signals() {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](boost::system::error_code ec, int) {
      if (!ec) stop();
    });
  }
  void run() { io_.run(); }
  void start_background() {
    thread_ = std::thread([this] { io_.run(); });
  }
  void stop() { io_.stop(); }

  ServerOptions options_;
  SharedState state_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  uint16_t port_ = 0;
  std::thread thread_;
};

DramServer::DramServer(ServerOptions options) : impl_(std::make_unique<Impl>(options)) {}
DramServer::~DramServer() = default;
uint16_t DramServer::port() const { return impl_->port_; }
std::string DramServer::address() const { return fmt::format("{}:{}", impl_->options_.host, impl_->port_); }
void DramServer::stop_on_signals() { impl_->stop_on_signals(); }
void DramServer::run() { impl_->run(); }
void DramServer::start_background() { impl_->start_background(); }
void DramServer::stop() { impl_->stop(); }
ServerCounters DramServer::counters() const {
  return ServerCounters{impl_->state_.connections, impl_->state_.requests, impl_->state_.error_replies,
                        impl_->state_.closed_for_protocol_errors};
}

}  // namespace ocelli::dram
