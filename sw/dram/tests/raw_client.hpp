// A raw protocol client for the DRAM server tests: blocking POSIX socket, a deadline on every receive.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "ocelli/dram/protocol.hpp"

namespace ocelli::dram::testing {

namespace proto = protocol;

// A blocking POSIX socket client with a deadline on every receive, so no test can hang.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect");
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RawClient() { ::close(fd_); }

  void send(const void* p, std::size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    while (n > 0) {
      const ssize_t k = ::send(fd_, b, n, MSG_NOSIGNAL);
      if (k <= 0) return;  // the server may have closed; the next receive shows it
      b += k;
      n -= static_cast<std::size_t>(k);
    }
  }
  // Receives exactly n bytes; false on EOF/error/timeout.
  bool recv(void* p, std::size_t n, int timeout_ms = 2000) {
    auto* b = static_cast<uint8_t*>(p);
    while (n > 0) {
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, timeout_ms) <= 0) return false;
      const ssize_t k = ::recv(fd_, b, n, 0);
      if (k <= 0) return false;
      b += k;
      n -= static_cast<std::size_t>(k);
    }
    return true;
  }
  bool closed_by_peer(int timeout_ms = 2000) {
    uint8_t byte;
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, timeout_ms) <= 0) return false;
    return ::recv(fd_, &byte, 1, 0) <= 0;
  }
  void hello_with_token(const std::string& token) {
    std::vector<uint8_t> h(proto::kHelloBytes + token.size());
    std::memcpy(h.data(), proto::kHelloMagic, 4);
    proto::put16(h.data() + 4, proto::kVersionWithToken);
    proto::put16(h.data() + 6, static_cast<uint16_t>(token.size()));
    std::memcpy(h.data() + 8, token.data(), token.size());
    send(h.data(), h.size());
  }
  void hello(uint16_t version = proto::kVersion, const char* magic = proto::kHelloMagic) {
    uint8_t h[proto::kHelloBytes] = {};
    std::memcpy(h, magic, 4);
    proto::put16(h + 4, version);
    send(h, sizeof h);
  }
  uint16_t hello_status(uint64_t* size = nullptr) {
    uint8_t r[proto::kHelloReplyBytes];
    if (!recv(r, sizeof r)) return 0xFFFF;
    if (size) *size = proto::get64(r + 8);
    return proto::get16(r + 6);
  }
  void request(uint8_t opcode, uint32_t id, uint64_t addr, uint32_t length, const std::vector<uint8_t>& payload = {},
               uint16_t magic = proto::kFrameMagic, uint8_t flags = 0) {
    proto::Header h;
    h.magic = magic;
    h.opcode = opcode;
    h.flags_or_status = flags;
    h.id = id;
    h.address_or_value = addr;
    h.length = length;
    h.payload_bytes = static_cast<uint32_t>(payload.size());
    uint8_t hdr[proto::kHeaderBytes];
    proto::encode_header(h, hdr);
    send(hdr, sizeof hdr);
    if (!payload.empty()) send(payload.data(), payload.size());
  }
  struct Reply {
    proto::Header header;
    std::vector<uint8_t> payload;
    proto::Status status() const { return static_cast<proto::Status>(header.flags_or_status); }
    std::string message() const { return std::string(payload.begin(), payload.end()); }
  };
  // `timeout_ms`: the longest wait for any byte of it.
  bool reply(Reply& r, int timeout_ms = 2000) {
    uint8_t hdr[proto::kHeaderBytes];
    if (!recv(hdr, sizeof hdr, timeout_ms)) return false;
    r.header = proto::decode_header(hdr);
    r.payload.resize(r.header.payload_bytes);
    return r.payload.empty() || recv(r.payload.data(), r.payload.size(), timeout_ms);
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace ocelli::dram::testing
