#include "ocelli/dram/server.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "ocelli/dram/protocol.hpp"

namespace ocelli::dram {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
namespace proto = protocol;

namespace {

constexpr std::size_t kHelloRx = 4u << 10;        // receive buffer before the handshake
// Receive buffer between large frames (not charged to budgets): room for ~170 pipelined headers; a WRITE frame
// grows it to the frame's size. Small, so idle connections cost little (2,000 of them: ~10 MB).
constexpr std::size_t kBaseRx = 4u << 10;
constexpr std::size_t kShrinkAbove = 1u << 20;    // larger buffers are given back once empty
constexpr std::size_t kSmallChunk = 4u << 10;     // small replies are packed into chunks of this capacity
constexpr std::size_t kMaxErrorMessage = 1024;
constexpr std::size_t kMaxClaimsPerConnection = 16;
constexpr std::size_t kMinConnectionBytes = 2 * proto::kMaxPayload + (1u << 20);  // one frame in + one reply out
// A connection buffering less than this is always admitted, even when the total is used up by others (clients that
// never read their replies): light, well-behaved clients keep being served. So the total can exceed
// max_buffered_bytes by at most max_connections * kGuaranteedBytes. 1 MiB holds a RemoteDram block (256 KiB) coming
// in and one going out.
constexpr std::size_t kGuaranteedBytes = 1u << 20;

class Session;

struct Claim {
  uint64_t begin;
  uint64_t end;
  const void* owner;
  std::string peer;
};

// Ranges of the shared memory claimed by connections (CLAIM): written only by their owner while it is open.
class ClaimTable {
 public:
  // A claim of another owner overlapping [addr, addr+len), or null.
  const Claim* foreign(const void* owner, uint64_t addr, uint64_t len) const {
    if (len == 0) return nullptr;
    for (const auto& c : claims_) {
      if (c.owner != owner && addr < c.end && c.begin < addr + len) return &c;
    }
    return nullptr;
  }
  std::size_t count(const void* owner) const {
    return static_cast<std::size_t>(
        std::count_if(claims_.begin(), claims_.end(), [owner](const Claim& c) { return c.owner == owner; }));
  }
  void add(Claim c) { claims_.push_back(std::move(c)); }
  void release(const void* owner) {
    claims_.erase(std::remove_if(claims_.begin(), claims_.end(), [owner](const Claim& c) { return c.owner == owner; }),
                  claims_.end());
  }

 private:
  std::vector<Claim> claims_;
};

std::string resolved(const std::string& path) {
  std::unique_ptr<char, void (*)(void*)> p(::realpath(path.c_str(), nullptr), std::free);
  return p ? std::string(p.get()) : std::string();
}

bool path_inside(const std::string& path, const std::string& dir) {
  return dir == "/" ? path.size() > 1 && path[0] == '/'
                    : path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

// LOAD_FILE's data directory: a path (relative to it, or absolute) is opened only if it resolves inside it,
// symlinks included. Checked on the resolved path before opening and again on the file actually opened, so a link
// swapped in between cannot lead outside either.
class DataDir {
 public:
  explicit DataDir(std::string resolved_dir) : dir_(std::move(resolved_dir)) {}
  bool enabled() const { return !dir_.empty(); }
  const std::string& path() const { return dir_; }

  // An open read-only descriptor (owned by the caller), or -1 with `why` set.
  int open(const std::string& path, std::string& why) const {
    const std::string real = resolved(path[0] == '/' ? path : dir_ + "/" + path);
    if (real.empty()) {
      why = fmt::format("LOAD_FILE '{}': {}", path, std::strerror(errno));
      return -1;
    }
    if (!path_inside(real, dir_)) {
      why = outside(path);
      return -1;
    }
    const int fd = ::open(real.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
    if (fd < 0) {
      why = fmt::format("LOAD_FILE '{}': cannot open: {}", path, std::strerror(errno));
      return -1;
    }
    char opened[PATH_MAX];
    const ssize_t n = ::readlink(fmt::format("/proc/self/fd/{}", fd).c_str(), opened, sizeof opened - 1);
    if (n <= 0 || !path_inside(std::string(opened, static_cast<std::size_t>(n)), dir_)) {
      ::close(fd);
      why = outside(path);
      return -1;
    }
    return fd;
  }

 private:
  std::string outside(const std::string& path) const {
    return fmt::format("LOAD_FILE '{}' is outside the data directory {}", path, dir_);
  }
  std::string dir_;
};

// Thrown by the LOAD_FILE ownership check before any byte is written.
class NotOwnerError : public StorageError {
 public:
  using StorageError::StorageError;
};

struct SharedState {
  ByteBuffer memory;
  ServerOptions options;
  DataDir data_dir{""};  // resolved (realpath); empty: LOAD_FILE refused
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> error_replies{0};
  std::atomic<uint64_t> closed_for_protocol_errors{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> timed_out{0};
  std::atomic<uint64_t> buffered{0};
  std::atomic<uint64_t> peak_buffered{0};
  // I/O thread only.
  bool stopping = false;  // the server is being destroyed: nothing may be posted any more
  uint32_t open_sessions = 0;
  ClaimTable claims;
  std::vector<std::weak_ptr<Session>> waiting;  // paused until the total budget has room

  explicit SharedState(const ServerOptions& o) : memory(o.size_bytes), options(o) {}
  void log(const std::string& line) const {
    if (options.log_connections) fmt::print(stderr, "ocelli-dramd: {}\n", line);
  }
};

bool tokens_equal(const std::string& a, const uint8_t* b, std::size_t b_len) {
  unsigned diff = a.size() == b_len ? 0u : 1u;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned>(a[i]) ^ (i < b_len ? b[i] : 0u);
  return diff == 0;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, SharedState& state, bool refuse)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), state_(state), refuse_(refuse) {
    boost::system::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    peer_ = ec ? std::string("?") : fmt::format("{}:{}", ep.address().to_string(), ep.port());
    socket_.set_option(tcp::no_delay(true), ec);
    ++state_.open_sessions;
    const auto& o = state_.options;
    auto period = std::min(o.handshake_timeout, o.send_timeout);
    if (o.idle_timeout.count() > 0) period = std::min(period, o.idle_timeout);
    tick_ = std::clamp<std::chrono::milliseconds>(period / 4, std::chrono::milliseconds(10), std::chrono::seconds(1));
  }
  ~Session() {
    release_claims();
    --state_.open_sessions;
    state_.buffered -= reported_;
    if (reported_ > 0) wake_waiters();  // what this connection held is free for the paused ones
  }

  void start() {
    log(refuse_ ? "connected (over the connection limit: refused in the handshake)" : "connected");
    started_ = last_activity_ = Clock::now();
    arm_watchdog();
    read_more();
  }

  // Called when the total budget may have room again.
  void resume() {
    if (!paused_ || closed_) return;
    paused_ = false;
    process();
    flush();
    read_more();
  }

 private:
  void log(const std::string& what) const { state_.log(fmt::format("{} {}", peer_, what)); }

  // ---- memory budget ----

  uint64_t footprint() const { return rx_.capacity() + out_bytes_; }

  // Updates the server-wide total after buffers changed; wakes sessions waiting for room when it shrank.
  void account() {
    const uint64_t now = footprint();
    if (now >= reported_) {
      const uint64_t total = state_.buffered += now - reported_;
      uint64_t peak = state_.peak_buffered.load();
      while (total > peak && !state_.peak_buffered.compare_exchange_weak(peak, total)) {
      }
    } else {
      state_.buffered -= reported_ - now;
      wake_waiters();
    }
    reported_ = now;
  }

  void wake_waiters() {
    if (state_.waiting.empty() || state_.stopping) return;
    std::vector<std::weak_ptr<Session>> waiting;
    waiting.swap(state_.waiting);
    for (auto& w : waiting) {
      if (auto s = w.lock()) asio::post(socket_.get_executor(), [s] { s->resume(); });
    }
  }

  // True when `extra` more buffered bytes fit this connection's and the server's budget; otherwise pauses the
  // connection (no reading, no processing) until its replies drain or another connection frees memory.
  bool admit(uint64_t extra) {
    const auto& o = state_.options;
    if (footprint() + extra <= kGuaranteedBytes) return true;
    const bool mine_ok = footprint() + extra <= o.max_connection_bytes;
    const bool total_ok = state_.buffered.load() + extra <= o.max_buffered_bytes;
    if (mine_ok && total_ok) return true;
    paused_ = true;
    if (mine_ok || out_bytes_ == 0) state_.waiting.push_back(weak_from_this());
    return false;
  }

  // ---- receiving ----

  void read_more() {
    if (reading_ || closing_ || closed_ || paused_) return;
    if (rx_begin_ > 0) compact();
    const std::size_t base = handshaken_ ? kBaseRx : kHelloRx;
    const std::size_t target = std::max(base, want_);  // the frame being received, or a base chunk
    if (rx_.capacity() < target) {
      const uint64_t growth = target - std::max(rx_.capacity(), base);
      if (target > base && !admit(growth)) return;
      rx_.reserve(target);  // exactly: vector growth must not double a 16 MiB frame
      account();
    }
    if (rx_.size() < target) rx_.resize(target);
    reading_ = true;
    socket_.async_read_some(asio::buffer(rx_.data() + rx_end_, rx_.size() - rx_end_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                              self->reading_ = false;
                              if (self->closed_) return;
                              if (ec) {
                                self->log(fmt::format("disconnected ({})", ec.message()));
                                self->close();
                                return;
                              }
                              self->last_activity_ = Clock::now();
                              self->rx_end_ += n;
                              self->process();
                              self->flush();
                              self->read_more();
                            });
  }

  void compact() {
    std::memmove(rx_.data(), rx_.data() + rx_begin_, rx_end_ - rx_begin_);
    rx_end_ -= rx_begin_;
    rx_begin_ = 0;
  }

  // Parses and executes every complete frame in rx_[rx_begin_, rx_end_), unless the budget pauses it.
  void process() {
    while (!closing_ && !paused_) {
      const std::size_t avail = rx_end_ - rx_begin_;
      const uint8_t* p = rx_.data() + rx_begin_;
      if (!handshaken_) {
        if (avail < proto::kHelloBytes) {
          want_ = proto::kHelloBytes;
          break;
        }
        const bool v2 = std::memcmp(p, proto::kHelloMagic, 4) == 0 && proto::get16(p + 4) == proto::kVersionWithToken;
        const std::size_t token_len = v2 ? proto::get16(p + 6) : 0;
        const bool too_long = token_len > proto::kMaxTokenBytes;
        const std::size_t hello = proto::kHelloBytes + (too_long ? 0 : token_len);
        if (avail < hello) {
          want_ = hello;
          break;
        }
        handle_hello(p, too_long ? 0 : token_len, too_long);
        rx_begin_ += hello;
        continue;
      }
      if (avail < proto::kHeaderBytes) {
        want_ = proto::kHeaderBytes;
        break;
      }
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
      const std::size_t frame = proto::kHeaderBytes + h.payload_bytes;
      if (avail < frame) {
        want_ = frame;
        break;
      }
      // The reply is budgeted before the request runs: unread replies cannot grow past the limits.
      const bool read_ok = h.opcode == static_cast<uint8_t>(proto::Opcode::kRead) && h.length <= proto::kMaxPayload;
      if (!admit(proto::kHeaderBytes + kSmallChunk + (read_ok ? h.length : 0))) break;
      ++state_.requests;
      handle_request_safely(h, p + proto::kHeaderBytes);
      rx_begin_ += frame;
      want_ = 0;
    }
    if (rx_begin_ == rx_end_) {
      rx_begin_ = rx_end_ = 0;
      if (rx_.capacity() > kShrinkAbove && !reading_) std::vector<uint8_t>().swap(rx_);
    }
    account();
  }

  // ---- handshake ----

  void handle_hello(const uint8_t* p, std::size_t token_len, bool token_too_long) {
    uint8_t reply[proto::kHelloReplyBytes] = {};
    std::memcpy(reply, proto::kHelloMagic, 4);
    proto::put16(reply + 4, proto::kVersionWithToken);
    proto::put64(reply + 8, state_.memory.size());
    proto::put32(reply + 16, proto::kMaxPayload);
    const uint16_t version = proto::get16(p + 4);
    const std::string& token = state_.options.token;
    proto::Status status = proto::Status::kOk;
    std::string why;
    if (std::memcmp(p, proto::kHelloMagic, 4) != 0) {
      status = proto::Status::kBadMagic;
      why = "bad handshake magic";
    } else if (version != proto::kVersion && version != proto::kVersionWithToken) {
      status = proto::Status::kUnsupportedVersion;
      why = fmt::format("unsupported protocol version {} (server speaks {} and {})", version, proto::kVersion,
                        proto::kVersionWithToken);
    } else if (refuse_) {
      status = proto::Status::kBusy;
      why = fmt::format("too many connections (at most {})", state_.options.max_connections);
    } else if (token_too_long) {
      status = proto::Status::kUnauthorized;
      why = fmt::format("token longer than {} bytes", proto::kMaxTokenBytes);
    } else if (!token.empty() && (version != proto::kVersionWithToken || !tokens_equal(token, p + 8, token_len))) {
      status = proto::Status::kUnauthorized;
      why = version == proto::kVersionWithToken ? "wrong token" : "no token (the server requires one)";
    }
    proto::put16(reply + 6, static_cast<uint16_t>(status));
    queue(reply, sizeof reply, nullptr, 0);
    if (status != proto::Status::kOk) {
      ++state_.closed_for_protocol_errors;
      log(fmt::format("closed: {}", why));
      closing_ = true;
      return;
    }
    handshaken_ = true;
  }

  // ---- replies ----

  void queue(const void* head, std::size_t head_len, const void* payload, std::size_t len) {
    const std::size_t n = head_len + len;
    if (queued_.empty() || queued_.back().size() + n > queued_.back().capacity()) {
      std::vector<uint8_t> chunk;
      chunk.reserve(std::max(n, kSmallChunk));
      out_bytes_ += chunk.capacity();
      queued_.push_back(std::move(chunk));
    }
    auto& c = queued_.back();
    const auto* h = static_cast<const uint8_t*>(head);
    c.insert(c.end(), h, h + head_len);
    const auto* b = static_cast<const uint8_t*>(payload);
    if (len) c.insert(c.end(), b, b + len);  // no zero-fill before the copy
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
    queue(header, sizeof header, payload, len);
  }

  void error(const proto::Header& req, proto::Status status, const std::string& message) {
    ++state_.error_replies;
    const auto len = static_cast<uint32_t>(std::min(message.size(), kMaxErrorMessage));
    reply(req, status, req.address_or_value, message.data(), len);
  }

  // An error after which the byte stream cannot be trusted: answer, then close only this connection.
  void fatal(const proto::Header& req, proto::Status status, const std::string& message) {
    error(req, status, message);
    ++state_.closed_for_protocol_errors;
    log(fmt::format("closed: {}", message));
    closing_ = true;
  }

  // ---- requests ----

  bool in_bounds(const proto::Header& h, uint64_t len) {
    const uint64_t size = state_.memory.size();
    if (h.address_or_value <= size && len <= size - h.address_or_value) return true;
    error(h, proto::Status::kOutOfBounds,
          fmt::format("{} at 0x{:x} + {} bytes exceeds memory size 0x{:x}", proto::opcode_name(h.opcode),
                      h.address_or_value, len, size));
    return false;
  }

  const Claim* foreign_claim(uint64_t addr, uint64_t len) const { return state_.claims.foreign(this, addr, len); }

  std::string claimed_message(const char* what, uint64_t addr, uint64_t len, const Claim& c) const {
    return fmt::format("{} at 0x{:x} + {} bytes: 0x{:x}..0x{:x} is claimed by another connection ({})", what, addr,
                       len, c.begin, c.end, c.peer);
  }

  bool may_write(const proto::Header& h, uint64_t len) {
    const Claim* c = foreign_claim(h.address_or_value, len);
    if (!c) return true;
    error(h, proto::Status::kNotOwner, claimed_message(proto::opcode_name(h.opcode), h.address_or_value, len, *c));
    return false;
  }

  void release_claims() { state_.claims.release(this); }

  // No request, however large or malformed, may end the server: an allocation failure is an error reply.
  void handle_request_safely(const proto::Header& h, const uint8_t* payload) {
    try {
      handle_request(h, payload);
    } catch (const std::bad_alloc&) {
      error(h, proto::Status::kBusy, fmt::format("{}: the server is out of memory", proto::opcode_name(h.opcode)));
    } catch (const std::exception& e) {
      error(h, proto::Status::kBusy, fmt::format("{}: server error: {}", proto::opcode_name(h.opcode), e.what()));
    }
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
        } else if (in_bounds(h, h.length) && may_write(h, h.length)) {
          std::memcpy(mem + addr, payload, h.length);
          reply(h, proto::Status::kOk, addr, nullptr, 0);
        }
        return;
      case proto::Opcode::kFill:
        if (h.payload_bytes != 1) {
          error(h, proto::Status::kBadLength, fmt::format("FILL needs a 1-byte payload, got {}", h.payload_bytes));
        } else if (in_bounds(h, h.length) && may_write(h, h.length)) {
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
      case proto::Opcode::kClaim:
        handle_claim(h, payload);
        return;
    }
    error(h, proto::Status::kUnknownOpcode, fmt::format("unknown opcode {}", h.opcode));
  }

  void handle_claim(const proto::Header& h, const uint8_t* payload) {
    if (h.payload_bytes != 8) {
      error(h, proto::Status::kBadLength, fmt::format("CLAIM needs an 8-byte length payload, got {}", h.payload_bytes));
      return;
    }
    const uint64_t len = proto::get64(payload);
    if (len == 0) {
      error(h, proto::Status::kBadLength, "CLAIM of 0 bytes");
      return;
    }
    if (!in_bounds(h, len)) return;
    if (const Claim* c = foreign_claim(h.address_or_value, len)) {
      error(h, proto::Status::kNotOwner, claimed_message("CLAIM", h.address_or_value, len, *c));
      return;
    }
    if (state_.claims.count(this) >= kMaxClaimsPerConnection) {
      error(h, proto::Status::kBadRequest, fmt::format("CLAIM: at most {} claims per connection",
                                                      kMaxClaimsPerConnection));
      return;
    }
    state_.claims.add(Claim{h.address_or_value, h.address_or_value + len, this, peer_});
    log(fmt::format("claimed 0x{:x}..0x{:x}", h.address_or_value, h.address_or_value + len));
    reply(h, proto::Status::kOk, h.address_or_value, nullptr, 0);
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
    if (!state_.data_dir.enabled()) {
      error(h, proto::Status::kFileError, "LOAD_FILE is disabled: ocelli-dramd was started without --data-dir");
      return;
    }
    std::string why;
    const int fd = state_.data_dir.open(path, why);
    if (fd < 0) {
      error(h, proto::Status::kFileError, why);
      return;
    }
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    try {
      const uint64_t loaded = load_fd_into(
          state_.memory.data(), state_.memory.size(), fd, path, h.address_or_value, static_cast<FileFormat>(format),
          [&](uint64_t addr, uint64_t len) {
            if (const Claim* c = foreign_claim(addr, len)) throw NotOwnerError(claimed_message("LOAD_FILE", addr, len, *c));
          });
      reply(h, proto::Status::kOk, loaded, nullptr, 0);
    } catch (const NotOwnerError& e) {
      error(h, proto::Status::kNotOwner, e.what());
    } catch (const StorageError& e) {
      const bool bounds = std::string(e.what()).find("out of bounds") != std::string::npos;
      error(h, bounds ? proto::Status::kOutOfBounds : proto::Status::kFileError, e.what());
    }
  }

  // ---- sending ----

  void flush() {
    if (writing_ || closed_) return;
    if (queued_.empty()) {
      if (closing_) close();
      return;
    }
    writing_ = true;
    write_started_ = Clock::now();
    in_flight_.swap(queued_);
    buffers_.clear();
    for (const auto& c : in_flight_) buffers_.emplace_back(asio::buffer(c));
    asio::async_write(socket_, buffers_, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      self->writing_ = false;
      if (self->closed_) return;
      if (ec) {
        self->log(fmt::format("write failed ({})", ec.message()));
        self->close();
        return;
      }
      self->last_activity_ = Clock::now();
      for (const auto& c : self->in_flight_) self->out_bytes_ -= c.capacity();
      self->in_flight_.clear();
      self->account();
      self->flush();
      if (self->paused_) {
        self->resume();
      } else {
        self->read_more();
      }
    });
  }

  // ---- timeouts ----

  void arm_watchdog() {
    timer_.expires_after(tick_);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->closed_) self->on_watchdog();
    });
  }

  void on_watchdog() {
    const auto& o = state_.options;
    const auto now = Clock::now();
    auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    if (!handshaken_ && now - started_ >= o.handshake_timeout) {
      time_out(fmt::format("no complete handshake within {} ms", ms(o.handshake_timeout)));
    } else if (writing_ && now - write_started_ >= o.send_timeout) {
      time_out(fmt::format("the client took no reply for {} ms", ms(o.send_timeout)));
    } else if (o.idle_timeout.count() > 0 && !writing_ && now - last_activity_ >= o.idle_timeout) {
      time_out(fmt::format("idle for {} ms", ms(o.idle_timeout)));
    } else {
      arm_watchdog();
    }
  }

  void time_out(const std::string& why) {
    ++state_.timed_out;
    log(fmt::format("closed: {}", why));
    close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    release_claims();
    boost::system::error_code ec;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  SharedState& state_;
  const bool refuse_;
  std::string peer_;
  std::chrono::milliseconds tick_{1000};
  Clock::time_point started_;
  Clock::time_point last_activity_;
  Clock::time_point write_started_;
  std::vector<uint8_t> rx_;
  std::size_t rx_begin_ = 0;
  std::size_t rx_end_ = 0;
  std::size_t want_ = 0;  // size of the frame (or hello) being received
  std::vector<std::vector<uint8_t>> queued_;
  std::vector<std::vector<uint8_t>> in_flight_;
  std::vector<asio::const_buffer> buffers_;
  uint64_t out_bytes_ = 0;  // capacity of queued_ + in_flight_ chunks
  uint64_t reported_ = 0;   // footprint last added to state_.buffered
  bool handshaken_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool paused_ = false;
};

void check_options(const ServerOptions& o, bool loopback) {
  if (!loopback && o.token.empty()) {
    throw StorageError(fmt::format("listening on {} (not a loopback address) needs a token (--token-file): anyone "
                                   "who can connect could read and write the memory",
                                   o.host));
  }
  if (o.token.size() > proto::kMaxTokenBytes) {
    throw StorageError(fmt::format("token of {} bytes is longer than {}", o.token.size(), proto::kMaxTokenBytes));
  }
  if (o.max_connection_bytes < kMinConnectionBytes) {
    throw StorageError(fmt::format("per-connection limit {} bytes is below {} (one largest request and reply)",
                                   o.max_connection_bytes, kMinConnectionBytes));
  }
  if (o.max_buffered_bytes < o.max_connection_bytes) {
    throw StorageError(fmt::format("total buffer limit {} bytes is below the per-connection limit {}",
                                   o.max_buffered_bytes, o.max_connection_bytes));
  }
  if (o.max_connections == 0) throw StorageError("max_connections must be at least 1");
}

}  // namespace

class DramServer::Impl {
 public:
  explicit Impl(const ServerOptions& o) : options_(o), acceptor_(io_), retry_(io_), signals_(io_) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(o.host, ec);
    if (ec) throw StorageError(fmt::format("bad listen host '{}': {}", o.host, ec.message()));
    check_options(o, address.is_loopback());
    std::string data_dir;
    if (!o.data_dir.empty()) {
      data_dir = resolved(o.data_dir);
      std::error_code fec;
      if (data_dir.empty() || !std::filesystem::is_directory(data_dir, fec)) {
        throw StorageError(fmt::format("--data-dir '{}' is not a directory{}", o.data_dir,
                                       data_dir.empty() ? fmt::format(" ({})", std::strerror(errno)) : ""));
      }
    }
    state_ = std::make_unique<SharedState>(o);
    state_->data_dir = DataDir(data_dir);
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
    state_->stopping = true;  // sessions destroyed with io_ below must not post
  }

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        const int e = ec.value();
        if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
          // Out of descriptors: the pending connection stays queued; try again later instead of spinning.
          ++state_->refused;
          if (!exhausted_) fmt::print(stderr, "ocelli-dramd: accept: {}; retrying every 100 ms\n", ec.message());
          exhausted_ = true;
          retry_.expires_after(std::chrono::milliseconds(100));
          retry_.async_wait([this](boost::system::error_code wec) {
            if (!wec) accept();
          });
          return;
        }
        accept();
        return;
      }
      exhausted_ = false;
      ++state_->connections;
      const bool refuse = state_->open_sessions >= options_.max_connections;
      if (refuse) ++state_->refused;
      std::make_shared<Session>(std::move(socket), *state_, refuse)->start();
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
  std::unique_ptr<SharedState> state_;  // outlives io_ (declared before it): sessions in handlers refer to it
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  asio::signal_set signals_;
  uint16_t port_ = 0;
  bool exhausted_ = false;
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
  const SharedState& s = *impl_->state_;
  return ServerCounters{s.connections, s.requests, s.error_replies, s.closed_for_protocol_errors, s.refused,
                        s.timed_out, s.buffered, s.peak_buffered};
}

}  // namespace ocelli::dram
