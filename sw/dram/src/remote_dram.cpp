#include "ocelli/dram/remote_dram.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ocelli/dram/protocol.hpp"

namespace ocelli::dram {

namespace asio = boost::asio;
using asio::ip::tcp;
namespace proto = protocol;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxOutboxBytes = 32u << 20;  // the simulator waits when this much is unsent
constexpr std::size_t kRxChunk = 64u << 10;  // small, so most of a block is received straight into it
constexpr std::size_t kStreams = 8;

struct Block {
  uint64_t base = 0;
  uint32_t len = 0;
  std::vector<uint8_t> data;
  std::atomic<bool> ready{false};  // set by the I/O thread after the data is in place; then never touched by it
  uint64_t last_use = 0;
};

struct SyncReply {
  proto::Header header;
  std::string message;
};

}  // namespace

class RemoteDram::Impl {
 public:
  explicit Impl(RemoteOptions o)
      : options_(std::move(o)), address_(fmt::format("{}:{}", options_.host, options_.port)), socket_(io_) {
    const uint32_t bb = options_.block_bytes;
    if (bb == 0 || (bb & (bb - 1)) != 0 || bb > proto::kMaxPayload || options_.cache_blocks < 4 ||
        options_.read_ahead_blocks > options_.cache_blocks / 4) {
      throw StorageError(fmt::format(
          "RemoteDram options: block_bytes {} must be a power of two <= {}, cache_blocks {} >= 4, "
          "read_ahead_blocks {} <= cache_blocks / 4",
          bb, proto::kMaxPayload, options_.cache_blocks, options_.read_ahead_blocks));
    }
    while ((1u << block_shift_) < bb) ++block_shift_;
    connect_and_handshake();
    start_io_thread();
  }

  ~Impl() {
    try {
      if (!failed_) flush();
    } catch (const std::exception&) {
      // Destructors must not throw; a caller that cares calls flush() first.
    }
    asio::post(io_, [this] {
      boost::system::error_code ec;
      socket_.shutdown(tcp::socket::shutdown_both, ec);
      socket_.close(ec);
    });
    work_.reset();
    io_.stop();
    if (io_thread_.joinable()) io_thread_.join();
  }

  uint64_t size() const { return size_; }
  const std::string& address() const { return address_; }
  RemoteStats stats() const { return stats_; }

  void read(uint64_t addr, void* dst, std::size_t len) {
    check_alive();
    check_range("read", addr, len, size_);
    auto* out = static_cast<uint8_t*>(dst);
    // Fast path: the whole access lies in the block used last.
    if (last_block_ && addr >= last_block_->base && addr + len <= last_block_->base + last_block_->len &&
        last_block_->ready.load(std::memory_order_acquire)) {
      std::memcpy(out, last_block_->data.data() + (addr - last_block_->base), len);
      return;
    }
    const uint64_t end = addr + len;
    // Issue every block of a large read first so their transfers overlap, in chunks the cache can hold.
    const uint64_t chunk_blocks = options_.cache_blocks / 2;
    uint64_t pos = addr;
    while (pos < end) {
      const uint64_t first = pos >> block_shift_;
      const uint64_t last = std::min((end - 1) >> block_shift_, first + chunk_blocks - 1);
      for (uint64_t b = first; b <= last; ++b) ensure_block(b);
      for (uint64_t b = first; b <= last; ++b) {
        Block& block = ensure_block(b);
        wait_ready(block, "READ");
        const uint64_t from = std::max(pos, block.base);
        const uint64_t to = std::min(end, block.base + block.len);
        std::memcpy(out + (from - addr), block.data.data() + (from - block.base), to - from);
        last_block_ = &block;
        pos = to;
      }
    }
  }

  void prefetch(uint64_t addr, std::size_t len) {
    check_alive();
    if (len == 0 || addr >= size_) return;
    len = std::min<uint64_t>(len, size_ - addr);
    // Fast path: still inside the block the previous hint touched (once per burst, so keep it cheap).
    if (last_hint_block_ && addr >= last_hint_block_->base && addr + len <= last_hint_block_->base + last_hint_block_->len) {
      last_hint_block_->last_use = ++use_clock_;
      return;
    }
    const uint64_t first = addr >> block_shift_;
    const uint64_t last = (addr + len - 1) >> block_shift_;
    for (uint64_t b = first; b <= last; ++b) last_hint_block_ = &ensure_block(b);
    // Sequential stream detection: an access starting in or right after a stream's last block extends it.
    Stream* stream = nullptr;
    for (auto& s : streams_) {
      if (s.valid && (first == s.last_block || first == s.last_block + 1)) {
        stream = &s;
        break;
      }
    }
    if (!stream) {
      Stream& s = streams_[next_stream_++ % kStreams];
      s = Stream{true, last, last};
      return;
    }
    stream->last_block = std::max(stream->last_block, last);
    const uint64_t blocks_in_memory = (size_ + options_.block_bytes - 1) >> block_shift_;
    const uint64_t ahead = std::min(stream->last_block + options_.read_ahead_blocks, blocks_in_memory - 1);
    for (uint64_t b = std::max(stream->fetched_until + 1, stream->last_block + 1); b <= ahead; ++b) ensure_block(b);
    stream->fetched_until = std::max(stream->fetched_until, ahead);
  }

  void write(uint64_t addr, const void* src, std::size_t len) {
    check_alive();
    check_range("write", addr, len, size_);
    if (len == 0) return;
    const auto* in = static_cast<const uint8_t*>(src);
    patch_cached(addr, len, [&](uint8_t* dst, uint64_t from, uint64_t n) { std::memcpy(dst, in + (from - addr), n); });
    while (len > 0) {
      const bool extends = !batch_.empty() && addr == batch_addr_ + batch_.size();
      if (!extends || batch_.size() >= options_.write_batch_bytes) {
        flush_write_batch();
        batch_addr_ = addr;
      }
      const std::size_t n = std::min<std::size_t>(len, options_.write_batch_bytes - batch_.size());
      batch_.insert(batch_.end(), in, in + n);
      in += n;
      addr += n;
      len -= n;
    }
  }

  void fill(uint64_t addr, uint64_t len, uint8_t value) {
    check_alive();
    check_range("fill", addr, len, size_);
    patch_cached(addr, len, [&](uint8_t* dst, uint64_t, uint64_t n) { std::memset(dst, value, n); });
    flush_write_batch();
    while (len > 0) {
      const uint64_t n = std::min<uint64_t>(len, UINT32_MAX);
      proto::Header h;
      h.opcode = static_cast<uint8_t>(proto::Opcode::kFill);
      h.id = next_id_++;
      h.address_or_value = addr;
      h.length = static_cast<uint32_t>(n);
      h.payload_bytes = 1;
      send_frame(h, &value);
      addr += n;
      len -= n;
    }
  }

  uint64_t load_file(const std::string& path, uint64_t addr, FileFormat format) {
    check_alive();
    if (path.empty() || path.size() > proto::kMaxPathBytes) {
      throw StorageError(fmt::format("LOAD_FILE path '{}' must have 1..{} bytes", path, proto::kMaxPathBytes));
    }
    flush_write_batch();
    std::vector<uint8_t> payload(1 + path.size());
    payload[0] = static_cast<uint8_t>(format);
    std::memcpy(payload.data() + 1, path.data(), path.size());
    proto::Header h;
    h.opcode = static_cast<uint8_t>(proto::Opcode::kLoadFile);
    h.id = next_id_++;
    h.address_or_value = addr;
    h.payload_bytes = static_cast<uint32_t>(payload.size());
    const SyncReply r = request_and_wait(h, payload.data(), options_.load_timeout);
    if (r.header.flags_or_status != 0) {
      throw StorageError(fmt::format("ocelli-dramd at {}: LOAD_FILE of '{}' to 0x{:x} failed ({}): {}", address_,
                                     path, addr, proto::status_name(static_cast<proto::Status>(r.header.flags_or_status)),
                                     r.message));
    }
    const uint64_t loaded = r.header.address_or_value;
    // Drop cached copies of the loaded bytes; blocks in flight were requested before the load and are stale too.
    for (auto it = blocks_.begin(); it != blocks_.end();) {
      Block& b = *it->second;
      if (b.base < addr + loaded && addr < b.base + b.len) {
        wait_ready(b, "READ");
        if (last_block_ == &b) last_block_ = nullptr;
        if (last_hint_block_ == &b) last_hint_block_ = nullptr;
        it = blocks_.erase(it);
      } else {
        ++it;
      }
    }
    return loaded;
  }

  void claim(uint64_t addr, uint64_t len) {
    check_alive();
    check_range("claim", addr, len, size_);
    flush_write_batch();
    uint8_t payload[8];
    proto::put64(payload, len);
    proto::Header h;
    h.opcode = static_cast<uint8_t>(proto::Opcode::kClaim);
    h.address_or_value = addr;
    h.payload_bytes = sizeof payload;
    // A range still held by a connection that is closing (the previous run's) is released once the server reads
    // its end of stream, which may come after this request: NOT_OWNER is retried until the deadline.
    const auto deadline = Clock::now() + options_.timeout;
    for (;;) {
      h.id = next_id_++;
      const SyncReply r = request_and_wait(h, payload, options_.timeout);
      const auto status = static_cast<proto::Status>(r.header.flags_or_status);
      if (status == proto::Status::kOk) return;
      if (status != proto::Status::kNotOwner || Clock::now() >= deadline) {
        throw StorageError(fmt::format("ocelli-dramd at {}: cannot claim 0x{:x}..0x{:x} ({}): {}", address_, addr,
                                       addr + len, proto::status_name(status), r.message));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void flush() {
    check_alive();
    flush_write_batch();
    proto::Header h;
    h.opcode = static_cast<uint8_t>(proto::Opcode::kSync);
    h.id = next_id_++;
    request_and_wait(h, nullptr, options_.timeout);
    check_alive();
  }

 private:
  struct Stream {
    bool valid = false;
    uint64_t last_block = 0;
    uint64_t fetched_until = 0;
  };

  // ---- simulator thread ----

  void check_alive() {
    if (failed_.load(std::memory_order_acquire)) {
      std::lock_guard<std::mutex> lock(mutex_);
      throw StorageError(failure_);
    }
  }

  [[noreturn]] void fail_timeout(const std::string& what, std::chrono::milliseconds limit) {
    set_failure(fmt::format("ocelli-dramd at {}: no reply to {} within {} ms (server hung or unreachable)", address_,
                            what, limit.count()));
    check_alive();
    throw StorageError("unreachable");
  }

  Block& ensure_block(uint64_t index) {
    auto it = blocks_.find(index);
    if (it != blocks_.end()) {
      it->second->last_use = ++use_clock_;
      return *it->second;
    }
    if (blocks_.size() >= options_.cache_blocks) evict_one();
    // Recycle evicted blocks: fresh 256 KiB buffers would cost an mmap and page faults each.
    std::unique_ptr<Block> block;
    if (spare_.empty()) {
      block = std::make_unique<Block>();
    } else {
      block = std::move(spare_.back());
      spare_.pop_back();
      block->ready.store(false, std::memory_order_relaxed);
    }
    block->base = index << block_shift_;
    block->len = static_cast<uint32_t>(std::min<uint64_t>(options_.block_bytes, size_ - block->base));
    block->data.resize(block->len);
    block->last_use = ++use_clock_;
    Block& ref = *block;
    blocks_.emplace(index, std::move(block));
    flush_write_batch();  // the READ must follow every earlier write on the wire
    proto::Header h;
    h.opcode = static_cast<uint8_t>(proto::Opcode::kRead);
    h.id = next_id_++;
    h.address_or_value = ref.base;
    h.length = ref.len;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_reads_.emplace(h.id, &ref);
    }
    send_frame(h, nullptr);
    ++stats_.blocks_fetched;
    return ref;
  }

  void evict_one() {
    auto victim = blocks_.end();
    for (auto it = blocks_.begin(); it != blocks_.end(); ++it) {
      if (victim == blocks_.end() || it->second->last_use < victim->second->last_use) victim = it;
    }
    wait_ready(*victim->second, "READ");  // the I/O thread may still be filling it
    if (last_block_ == victim->second.get()) last_block_ = nullptr;
    if (last_hint_block_ == victim->second.get()) last_hint_block_ = nullptr;
    spare_.push_back(std::move(victim->second));
    blocks_.erase(victim);
  }

  void wait_ready(Block& b, const char* what) {
    if (b.ready.load(std::memory_order_acquire)) return;
    ++stats_.demand_waits;
    std::unique_lock<std::mutex> lock(mutex_);
    if (!cv_.wait_for(lock, options_.timeout, [&] { return b.ready.load(std::memory_order_acquire) || failed_.load(); })) {
      lock.unlock();
      fail_timeout(fmt::format("{} of 0x{:x} (+{} bytes)", what, b.base, b.len), options_.timeout);
    }
    lock.unlock();
    check_alive();
  }

  template <class Patch>
  void patch_cached(uint64_t addr, uint64_t len, Patch patch) {
    if (blocks_.empty() || len == 0) return;
    const uint64_t first = addr >> block_shift_;
    const uint64_t last = (addr + len - 1) >> block_shift_;
    for (uint64_t index = first; index <= last; ++index) {
      auto it = blocks_.find(index);
      if (it == blocks_.end()) continue;
      Block& b = *it->second;
      wait_ready(b, "READ");  // its reply predates this write, so patch only after it has landed
      const uint64_t from = std::max(addr, b.base);
      const uint64_t to = std::min(addr + len, b.base + b.len);
      patch(b.data.data() + (from - b.base), from, to - from);
    }
  }

  void flush_write_batch() {
    if (batch_.empty()) return;
    proto::Header h;
    h.opcode = static_cast<uint8_t>(proto::Opcode::kWrite);
    h.id = next_id_++;
    h.address_or_value = batch_addr_;
    h.length = h.payload_bytes = static_cast<uint32_t>(batch_.size());
    send_frame(h, batch_.data());
    batch_.clear();
    ++stats_.write_frames;
  }

  void send_frame(const proto::Header& h, const void* payload) {
    bool post = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (outbox_.size() > kMaxOutboxBytes &&
          !cv_.wait_for(lock, options_.timeout, [&] { return outbox_.size() <= kMaxOutboxBytes || failed_.load(); })) {
        lock.unlock();
        fail_timeout("queued requests (server stopped reading)", options_.timeout);
      }
      if (failed_) {
        lock.unlock();
        check_alive();
      }
      uint8_t header[proto::kHeaderBytes];
      proto::encode_header(h, header);
      outbox_.insert(outbox_.end(), header, header + sizeof header);
      const auto* bytes = static_cast<const uint8_t*>(payload);
      if (h.payload_bytes) outbox_.insert(outbox_.end(), bytes, bytes + h.payload_bytes);
      if (!kick_posted_) kick_posted_ = post = true;
    }
    if (post) asio::post(io_, [this] { start_write(); });
  }

  SyncReply request_and_wait(const proto::Header& h, const void* payload, std::chrono::milliseconds limit) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      sync_waits_.emplace(h.id, std::nullopt);
    }
    send_frame(h, payload);
    std::unique_lock<std::mutex> lock(mutex_);
    const bool done = cv_.wait_for(lock, limit, [&] { return sync_waits_[h.id].has_value() || failed_.load(); });
    if (!done) {
      sync_waits_.erase(h.id);
      lock.unlock();
      fail_timeout(fmt::format("{} (id {})", proto::opcode_name(h.opcode), h.id), limit);
    }
    if (failed_) {
      lock.unlock();
      check_alive();
    }
    SyncReply r = std::move(*sync_waits_[h.id]);
    sync_waits_.erase(h.id);
    return r;
  }

  // ---- connection setup (simulator thread, before the I/O thread exists) ----

  void connect_and_handshake() {
    boost::system::error_code ec;
    // An IP address, or a host name whose addresses are tried in turn (localhost may resolve to ::1 and 127.0.0.1).
    std::vector<tcp::endpoint> endpoints;
    const auto ip = asio::ip::make_address(options_.host, ec);
    if (!ec) {
      endpoints.emplace_back(ip, options_.port);
    } else {
      tcp::resolver resolver(io_);
      const auto found = resolver.resolve(options_.host, std::to_string(options_.port), ec);
      if (ec || found.empty()) {
        throw StorageError(fmt::format("ocelli-dramd host '{}' is not an IP address and cannot be resolved: {}",
                                       options_.host, ec ? ec.message() : std::string("no address")));
      }
      for (const auto& e : found) endpoints.push_back(e.endpoint());
    }
    if (options_.token.size() > proto::kMaxTokenBytes) {
      throw StorageError(fmt::format("ocelli-dramd token of {} bytes is longer than {}", options_.token.size(),
                                     proto::kMaxTokenBytes));
    }
    std::optional<boost::system::error_code> result;
    asio::async_connect(socket_, endpoints, [&](boost::system::error_code e, const tcp::endpoint&) { result = e; });
    run_until(result, "connect");
    if (*result) throw StorageError(fmt::format("cannot connect to ocelli-dramd at {}: {}", address_, result->message()));
    socket_.set_option(tcp::no_delay(true), ec);

    std::vector<uint8_t> hello(proto::kHelloBytes + options_.token.size());
    std::memcpy(hello.data(), proto::kHelloMagic, 4);
    if (options_.token.empty()) {
      proto::put16(hello.data() + 4, proto::kVersion);
    } else {
      proto::put16(hello.data() + 4, proto::kVersionWithToken);
      proto::put16(hello.data() + 6, static_cast<uint16_t>(options_.token.size()));
      std::memcpy(hello.data() + 8, options_.token.data(), options_.token.size());
    }
    result.reset();
    asio::async_write(socket_, asio::buffer(hello), [&](boost::system::error_code e, std::size_t) { result = e; });
    run_until(result, "handshake send");
    uint8_t reply[proto::kHelloReplyBytes];
    if (!*result) {
      result.reset();
      asio::async_read(socket_, asio::buffer(reply), [&](boost::system::error_code e, std::size_t) { result = e; });
      run_until(result, "handshake reply");
    }
    if (*result) throw StorageError(fmt::format("ocelli-dramd at {}: handshake failed: {}", address_, result->message()));
    if (std::memcmp(reply, proto::kHelloMagic, 4) != 0) {
      throw StorageError(fmt::format("{} is not an ocelli-dramd server (bad handshake magic)", address_));
    }
    const auto status = static_cast<proto::Status>(proto::get16(reply + 6));
    if (status != proto::Status::kOk) {
      const char* hint = status == proto::Status::kUnauthorized
                             ? (options_.token.empty() ? ": the server requires a token (set OCELLI_DRAM_TOKEN)"
                                                       : ": the token does not match the server's")
                         : status == proto::Status::kBusy ? ": the server has too many connections" : "";
      throw StorageError(fmt::format("ocelli-dramd at {} refused the handshake: {} (server version {}){}", address_,
                                     proto::status_name(status), proto::get16(reply + 4), hint));
    }
    size_ = proto::get64(reply + 8);
    if (proto::get32(reply + 16) < options_.block_bytes) {
      throw StorageError(fmt::format("ocelli-dramd at {}: max payload {} is below block_bytes {}", address_,
                                     proto::get32(reply + 16), options_.block_bytes));
    }
  }

  void run_until(std::optional<boost::system::error_code>& result, const char* step) {
    io_.restart();
    const auto deadline = Clock::now() + options_.timeout;
    while (!result && Clock::now() < deadline) io_.run_one_until(deadline);
    if (!result) {
      boost::system::error_code ec;
      socket_.close(ec);
      io_.restart();
      io_.poll();  // let the aborted handler run before `result` goes out of scope
      throw StorageError(fmt::format("ocelli-dramd at {}: {} timed out after {} ms", address_, step,
                                     options_.timeout.count()));
    }
  }

  // ---- I/O thread ----

  void start_io_thread() {
    io_.restart();
    work_.emplace(asio::make_work_guard(io_));
    rx_.resize(kRxChunk);
    read_more();
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void set_failure(const std::string& message) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!failed_) {
        failure_ = message;
        failed_.store(true, std::memory_order_release);
      }
    }
    cv_.notify_all();
  }

  void start_write() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      kick_posted_ = false;
      if (writing_ || outbox_.empty()) return;
      writing_ = true;
      sending_.swap(outbox_);
      outbox_.clear();
    }
    cv_.notify_all();  // senders waiting on a full outbox
    asio::async_write(socket_, asio::buffer(sending_), [this](boost::system::error_code ec, std::size_t) {
      if (ec) {
        set_failure(fmt::format("connection to ocelli-dramd at {} failed while sending: {}", address_, ec.message()));
        return;
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        writing_ = false;
        sending_.clear();
      }
      start_write();
    });
  }

  void read_more() {
    if (direct_block_) {
      // The rest of a READ payload goes straight into its block: no copy through rx_.
      Block* block = direct_block_;
      asio::async_read(socket_, asio::buffer(block->data.data() + direct_filled_, block->len - direct_filled_),
                       [this, block](boost::system::error_code ec, std::size_t) {
                         if (ec) {
                           on_receive_error(ec);
                           return;
                         }
                         direct_block_ = nullptr;
                         {
                           std::lock_guard<std::mutex> lock(mutex_);
                           block->ready.store(true, std::memory_order_release);
                         }
                         cv_.notify_all();
                         read_more();
                       });
      return;
    }
    if (rx_.size() - rx_end_ < kRxChunk) rx_.resize(rx_end_ + kRxChunk);
    socket_.async_read_some(asio::buffer(rx_.data() + rx_end_, rx_.size() - rx_end_),
                            [this](boost::system::error_code ec, std::size_t n) {
                              if (ec) {
                                on_receive_error(ec);
                                return;
                              }
                              rx_end_ += n;
                              if (!parse_replies()) return;
                              read_more();
                            });
  }

  void on_receive_error(const boost::system::error_code& ec) {
    set_failure(fmt::format("connection to ocelli-dramd at {} lost: {}", address_,
                            ec == asio::error::eof ? std::string("closed by the server") : ec.message()));
  }

  bool parse_replies() {
    bool progressed = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (rx_end_ - rx_begin_ >= proto::kHeaderBytes) {
        const uint8_t* p = rx_.data() + rx_begin_;
        const proto::Header h = proto::decode_header(p);
        if (h.magic != proto::kFrameMagic || h.payload_bytes > proto::kMaxPayload) {
          failure_ = fmt::format("ocelli-dramd at {} sent a malformed reply (magic 0x{:04x}, payload {} bytes)",
                                 address_, h.magic, h.payload_bytes);
          failed_.store(true, std::memory_order_release);
          cv_.notify_all();
          return false;
        }
        if (rx_end_ - rx_begin_ < proto::kHeaderBytes + h.payload_bytes) {
          start_direct_receive(h, p + proto::kHeaderBytes, rx_end_ - rx_begin_ - proto::kHeaderBytes);
          break;
        }
        if (!handle_reply(h, p + proto::kHeaderBytes)) {
          cv_.notify_all();
          return false;
        }
        rx_begin_ += proto::kHeaderBytes + h.payload_bytes;
        progressed = true;
      }
    }
    if (progressed) cv_.notify_all();
    if (rx_begin_ == rx_end_) {
      rx_begin_ = rx_end_ = 0;
    } else if (rx_begin_ > 0) {
      std::memmove(rx_.data(), rx_.data() + rx_begin_, rx_end_ - rx_begin_);
      rx_end_ -= rx_begin_;
      rx_begin_ = 0;
    }
    return true;
  }

  // Called with mutex_ held, for an incomplete reply: a successful READ continues straight into its block.
  void start_direct_receive(const proto::Header& h, const uint8_t* payload, std::size_t available) {
    if (h.flags_or_status != 0 || h.opcode != static_cast<uint8_t>(proto::Opcode::kRead)) return;
    auto pending = pending_reads_.find(h.id);
    if (pending == pending_reads_.end() || pending->second->len != h.payload_bytes) return;
    Block* block = pending->second;
    pending_reads_.erase(pending);
    std::memcpy(block->data.data(), payload, available);
    direct_block_ = block;
    direct_filled_ = available;
    rx_begin_ = rx_end_;  // everything buffered belonged to this reply
  }

  // Called with mutex_ held. Returns false after a fatal error.
  bool handle_reply(const proto::Header& h, const uint8_t* payload) {
    const auto status = static_cast<proto::Status>(h.flags_or_status);
    const std::string message(reinterpret_cast<const char*>(payload), status == proto::Status::kOk ? 0 : h.payload_bytes);
    auto sync = sync_waits_.find(h.id);
    if (sync != sync_waits_.end()) {
      sync->second = SyncReply{h, message};
      return true;
    }
    auto pending = pending_reads_.find(h.id);
    if (pending != pending_reads_.end()) {
      Block* block = pending->second;
      pending_reads_.erase(pending);
      if (status != proto::Status::kOk || h.payload_bytes != block->len) {
        failure_ = fmt::format("ocelli-dramd at {}: READ of 0x{:x} (+{} bytes) failed ({}): {}", address_,
                               block->base, block->len, proto::status_name(status), message);
        failed_.store(true, std::memory_order_release);
        return false;
      }
      std::memcpy(block->data.data(), payload, block->len);
      block->ready.store(true, std::memory_order_release);
      return true;
    }
    if (status != proto::Status::kOk) {
      // A posted WRITE or FILL failed: report it at the next call of the simulator.
      failure_ = fmt::format("ocelli-dramd at {}: posted {} at 0x{:x} (+{} bytes) failed ({}): {}", address_,
                             proto::opcode_name(h.opcode), h.address_or_value, h.length, proto::status_name(status),
                             message);
      failed_.store(true, std::memory_order_release);
      return false;
    }
    return true;
  }

  RemoteOptions options_;
  std::string address_;
  asio::io_context io_;
  tcp::socket socket_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread io_thread_;
  uint64_t size_ = 0;

  // Simulator thread only.
  std::unordered_map<uint64_t, std::unique_ptr<Block>> blocks_;
  std::vector<std::unique_ptr<Block>> spare_;
  Block* last_block_ = nullptr;       // read() fast path
  Block* last_hint_block_ = nullptr;  // prefetch() fast path
  uint32_t block_shift_ = 0;          // log2(block_bytes)
  uint64_t use_clock_ = 0;
  Stream streams_[kStreams];
  std::size_t next_stream_ = 0;
  std::vector<uint8_t> batch_;
  uint64_t batch_addr_ = 0;
  uint32_t next_id_ = 1;
  RemoteStats stats_;

  // I/O thread only.
  std::vector<uint8_t> rx_;
  std::size_t rx_begin_ = 0;
  std::size_t rx_end_ = 0;
  std::vector<uint8_t> sending_;
  Block* direct_block_ = nullptr;  // READ payload being received in place
  std::size_t direct_filled_ = 0;

  // Shared, guarded by mutex_.
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<uint8_t> outbox_;
  bool kick_posted_ = false;
  bool writing_ = false;
  std::unordered_map<uint32_t, Block*> pending_reads_;
  std::unordered_map<uint32_t, std::optional<SyncReply>> sync_waits_;
  std::string failure_;
  std::atomic<bool> failed_{false};
};

RemoteDram::RemoteDram(RemoteOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
RemoteDram::~RemoteDram() = default;
uint64_t RemoteDram::size() const { return impl_->size(); }
void RemoteDram::read(uint64_t addr, void* dst, std::size_t len) { impl_->read(addr, dst, len); }
void RemoteDram::write(uint64_t addr, const void* src, std::size_t len) { impl_->write(addr, src, len); }
void RemoteDram::fill(uint64_t addr, uint64_t len, uint8_t value) { impl_->fill(addr, len, value); }
uint64_t RemoteDram::load_file(const std::string& path, uint64_t addr, FileFormat format) {
  return impl_->load_file(path, addr, format);
}
void RemoteDram::prefetch(uint64_t addr, std::size_t len) { impl_->prefetch(addr, len); }
void RemoteDram::flush() { impl_->flush(); }
const std::string& RemoteDram::server_address() const { return impl_->address(); }
RemoteStats RemoteDram::stats() const { return impl_->stats(); }
void RemoteDram::claim(uint64_t addr, uint64_t len) { impl_->claim(addr, len); }

}  // namespace ocelli::dram
