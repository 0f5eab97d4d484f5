// ocelli-dramd protocol handling: raw frames against an in-process server thread (127.0.0.1, port 0).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>

#include "ocelli/dram/protocol.hpp"
#include "ocelli/dram/server.hpp"
#include "raw_client.hpp"
#include "test_helpers.hpp"

namespace ocelli::dram {
namespace {

namespace proto = protocol;
using testing::RawClient;
constexpr uint64_t kProtocolMemBytes = 1 << 20;

class DramServerProtocol : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.size_bytes = kProtocolMemBytes;
    server_ = std::make_unique<DramServer>(o);
    server_->start_background();
  }
  uint16_t port() const { return server_->port(); }
  // A fresh connection proves the server still serves: write then read back.
  void expect_server_serves() {
    RawClient c(port());
    c.hello();
    ASSERT_EQ(c.hello_status(), 0);
    c.request(uint8_t(proto::Opcode::kWrite), 1, 64, 4, {1, 2, 3, 4});
    c.request(uint8_t(proto::Opcode::kRead), 2, 64, 4);
    RawClient::Reply w, r;
    ASSERT_TRUE(c.reply(w));
    ASSERT_TRUE(c.reply(r));
    EXPECT_EQ(w.status(), proto::Status::kOk);
    EXPECT_EQ(r.payload, (std::vector<uint8_t>{1, 2, 3, 4}));
  }
  std::unique_ptr<DramServer> server_;
};

TEST_F(DramServerProtocol, HandshakeReportsSizeAndRequestIdsAreEchoed) {
  RawClient c(port());
  c.hello();
  uint64_t size = 0;
  ASSERT_EQ(c.hello_status(&size), 0);
  EXPECT_EQ(size, kProtocolMemBytes);
  std::vector<uint8_t> data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 13);
  c.request(uint8_t(proto::Opcode::kWrite), 0xDEADBEEF, 4096, 1000, data);
  c.request(uint8_t(proto::Opcode::kFill), 77, 4100, 10, {0xEE});
  c.request(uint8_t(proto::Opcode::kRead), 78, 4096, 1000);
  c.request(uint8_t(proto::Opcode::kSync), 79, 0, 0);
  RawClient::Reply r;
  ASSERT_TRUE(c.reply(r));
  EXPECT_EQ(r.header.id, 0xDEADBEEFu);
  EXPECT_EQ(r.status(), proto::Status::kOk);
  ASSERT_TRUE(c.reply(r));
  EXPECT_EQ(r.header.id, 77u);
  ASSERT_TRUE(c.reply(r));
  EXPECT_EQ(r.header.id, 78u);
  for (std::size_t i = 4; i < 14; ++i) data[i] = 0xEE;
  EXPECT_EQ(r.payload, data);
  ASSERT_TRUE(c.reply(r));
  EXPECT_EQ(r.header.id, 79u);
  EXPECT_EQ(r.header.opcode, uint8_t(proto::Opcode::kSync));
}

TEST_F(DramServerProtocol, BadHandshakesAreAnsweredAndOnlyThatConnectionCloses) {
  {
    RawClient c(port());
    c.hello(proto::kVersion, "HTTP");
    EXPECT_EQ(c.hello_status(), uint16_t(proto::Status::kBadMagic));
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    RawClient c(port());
    c.hello(proto::kVersionWithToken + 1);
    EXPECT_EQ(c.hello_status(), uint16_t(proto::Status::kUnsupportedVersion));
    EXPECT_TRUE(c.closed_by_peer());
  }
  expect_server_serves();
}

TEST_F(DramServerProtocol, RecoverableErrorsAreAnsweredAndTheConnectionKeepsServing) {
  RawClient c(port());
  c.hello();
  ASSERT_EQ(c.hello_status(), 0);
  struct Case {
    uint8_t opcode;
    uint64_t addr;
    uint32_t length;
    std::vector<uint8_t> payload;
    uint8_t flags;
    proto::Status expected;
  };
  const std::vector<Case> cases = {
      {99, 0, 0, {1, 2, 3}, 0, proto::Status::kUnknownOpcode},
      {0, 0, 0, {}, 0, proto::Status::kUnknownOpcode},
      {uint8_t(proto::Opcode::kRead), kProtocolMemBytes - 4, 8, {}, 0, proto::Status::kOutOfBounds},
      {uint8_t(proto::Opcode::kRead), UINT64_MAX, 1, {}, 0, proto::Status::kOutOfBounds},
      {uint8_t(proto::Opcode::kRead), 0, proto::kMaxPayload + 1, {}, 0, proto::Status::kBadLength},
      {uint8_t(proto::Opcode::kRead), 0, 8, {1}, 0, proto::Status::kBadLength},
      {uint8_t(proto::Opcode::kWrite), kProtocolMemBytes - 1, 2, {1, 2}, 0, proto::Status::kOutOfBounds},
      {uint8_t(proto::Opcode::kWrite), 0, 3, {1, 2}, 0, proto::Status::kBadLength},
      {uint8_t(proto::Opcode::kFill), 0, 8, {}, 0, proto::Status::kBadLength},
      {uint8_t(proto::Opcode::kFill), 8, kProtocolMemBytes, {0}, 0, proto::Status::kOutOfBounds},
      {uint8_t(proto::Opcode::kRead), 0, 8, {}, 0x80, proto::Status::kBadRequest},
      {uint8_t(proto::Opcode::kLoadFile), 0, 0, {0}, 0, proto::Status::kBadLength},
      {uint8_t(proto::Opcode::kLoadFile), 0, 0, {9, 'x'}, 0, proto::Status::kBadRequest},
      {uint8_t(proto::Opcode::kLoadFile), 0, 0, {0, '/', 'n', 'o', 'n', 'e'}, 0, proto::Status::kFileError},
      {uint8_t(proto::Opcode::kSync), 0, 0, {1}, 0, proto::Status::kBadLength},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& k = cases[i];
    c.request(k.opcode, 1000 + static_cast<uint32_t>(i), k.addr, k.length, k.payload, proto::kFrameMagic, k.flags);
    RawClient::Reply r;
    ASSERT_TRUE(c.reply(r)) << "case " << i;
    EXPECT_EQ(r.header.id, 1000 + i) << "case " << i;
    EXPECT_EQ(r.status(), k.expected) << "case " << i << ": " << r.message();
    EXPECT_FALSE(r.message().empty()) << "case " << i;
    // The same connection still works after every error.
    c.request(uint8_t(proto::Opcode::kRead), 1, 0, 8);
    ASSERT_TRUE(c.reply(r)) << "case " << i;
    EXPECT_EQ(r.status(), proto::Status::kOk) << "case " << i;
  }
  EXPECT_GE(server_->counters().error_replies, cases.size());
}

TEST_F(DramServerProtocol, UnsynchronisableFramesCloseOnlyTheirConnection) {
  RawClient bystander(port());
  bystander.hello();
  ASSERT_EQ(bystander.hello_status(), 0);
  {
    RawClient c(port());
    c.hello();
    ASSERT_EQ(c.hello_status(), 0);
    c.request(uint8_t(proto::Opcode::kRead), 5, 0, 8, {}, 0x1234);
    RawClient::Reply r;
    ASSERT_TRUE(c.reply(r));
    EXPECT_EQ(r.status(), proto::Status::kBadMagic);
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    RawClient c(port());
    c.hello();
    ASSERT_EQ(c.hello_status(), 0);
    proto::Header h;
    h.opcode = uint8_t(proto::Opcode::kWrite);
    h.id = 6;
    h.length = h.payload_bytes = proto::kMaxPayload + 1;
    uint8_t hdr[proto::kHeaderBytes];
    proto::encode_header(h, hdr);
    c.send(hdr, sizeof hdr);
    RawClient::Reply r;
    ASSERT_TRUE(c.reply(r));
    EXPECT_EQ(r.status(), proto::Status::kBadLength);
    EXPECT_EQ(r.header.id, 6u);
    EXPECT_TRUE(c.closed_by_peer());
  }
  bystander.request(uint8_t(proto::Opcode::kSync), 9, 0, 0);
  RawClient::Reply r;
  ASSERT_TRUE(bystander.reply(r));
  EXPECT_EQ(r.status(), proto::Status::kOk);
  EXPECT_EQ(server_->counters().closed_for_protocol_errors, 2u);
}

TEST_F(DramServerProtocol, FuzzedAndTruncatedBytesDoNotKillTheServer) {
  const uint32_t seed = ::testing::UnitTest::GetInstance()->random_seed();
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay with --gtest_random_seed=N)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  int connections = 0;
  for (; connections < 300 && std::chrono::steady_clock::now() < deadline; ++connections) {
    RawClient c(port());
    const int mode = rng() % 4;
    if (mode != 0) c.hello();  // mode 0 fuzzes the handshake itself
    std::vector<uint8_t> junk(rng() % 200);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    if (mode == 2) {
      // A plausible header with random fields, possibly truncated payload.
      proto::Header h;
      h.opcode = static_cast<uint8_t>(rng() % 7);
      h.id = rng();
      h.address_or_value = rng() % 2 ? rng() % kProtocolMemBytes : (uint64_t{rng()} << 32 | rng());
      h.length = rng() % 2 ? rng() % 512 : rng();
      h.payload_bytes = rng() % 2 ? static_cast<uint32_t>(junk.size()) : rng() % 4096;
      uint8_t hdr[proto::kHeaderBytes];
      proto::encode_header(h, hdr);
      c.send(hdr, rng() % 3 ? sizeof hdr : rng() % sizeof hdr);
    }
    c.send(junk.data(), junk.size());
    if (rng() % 2) {
      uint8_t sink[256];
      pollfd pfd{c.fd(), POLLIN, 0};
      if (::poll(&pfd, 1, 5) > 0) (void)::recv(c.fd(), sink, sizeof sink, 0);
    }
  }
  EXPECT_GT(connections, 20);
  expect_server_serves();
}

}  // namespace
}  // namespace ocelli::dram
