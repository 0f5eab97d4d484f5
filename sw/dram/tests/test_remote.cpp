// RemoteDram against ocelli-dramd: same results as in-process, errors, failures within 2 s, two clients.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "ocelli/dram/remote_dram.hpp"
#include "ocelli/dram/server.hpp"
#include "ocelli/golden/tensor_file.hpp"
#include "test_helpers.hpp"

namespace ocelli::dram {
namespace {

using testing::expect_error;
using testing::SpawnedServer;
using testing::temp_path;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kMemBytes = 8 << 20;

RemoteOptions small_blocks(uint16_t port) {
  RemoteOptions o;
  o.port = port;
  o.block_bytes = 4096;  // small blocks so tests cross many block boundaries and evict
  o.cache_blocks = 16;
  o.read_ahead_blocks = 2;
  o.write_batch_bytes = 1000;
  return o;
}

class RemoteDramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.size_bytes = kMemBytes;
    o.data_dir = ::testing::TempDir();  // temp_path() files are loaded
    server_ = std::make_unique<DramServer>(o);
    server_->start_background();
  }
  std::unique_ptr<DramServer> server_;
};

// Applies the same random operations to both storages and compares every read.
void random_ops(Storage& a, Storage& b, uint32_t seed, int count) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> buf, ra, rb;
  for (int i = 0; i < count; ++i) {
    const uint64_t region = (rng() % 8) * (kMemBytes / 8);  // a few hot regions so reads hit written bytes
    const uint64_t addr = region + rng() % 70000;
    const std::size_t len = 1 + rng() % (rng() % 8 == 0 ? 40000 : 300);
    switch (rng() % 5) {
      case 0:
      case 1:
        buf.resize(len);
        for (auto& x : buf) x = static_cast<uint8_t>(rng());
        a.write(addr, buf.data(), len);
        b.write(addr, buf.data(), len);
        break;
      case 2: {
        const auto v = static_cast<uint8_t>(rng());
        a.fill(addr, len, v);
        b.fill(addr, len, v);
        break;
      }
      case 3:
        a.prefetch(addr, len);
        b.prefetch(addr, len);
        [[fallthrough]];
      default:
        ra.resize(len);
        rb.resize(len);
        a.read(addr, ra.data(), len);
        b.read(addr, rb.data(), len);
        ASSERT_EQ(ra, rb) << "seed " << seed << " op " << i << " read 0x" << std::hex << addr << " +" << std::dec << len;
    }
  }
}

TEST_F(RemoteDramTest, MatchesInProcessOnRandomReadsWritesAndFills) {
  InProcessDram local(kMemBytes);
  RemoteDram remote(small_blocks(server_->port()));
  EXPECT_EQ(remote.size(), kMemBytes);
  EXPECT_EQ(remote.server_address(), "127.0.0.1:" + std::to_string(server_->port()));
  random_ops(local, remote, 42, 3000);
  remote.flush();
  // A second client sees everything the first one wrote, byte for byte.
  RemoteDram other(small_blocks(server_->port()));
  std::vector<uint8_t> x(kMemBytes), y(kMemBytes);
  local.read(0, x.data(), x.size());
  other.read(0, y.data(), y.size());
  EXPECT_TRUE(x == y);
  EXPECT_GT(remote.stats().blocks_fetched, 0u);
}

TEST_F(RemoteDramTest, DefaultOptionsAlsoMatch) {
  InProcessDram local(kMemBytes);
  RemoteOptions o;
  o.port = server_->port();
  RemoteDram remote(o);
  random_ops(local, remote, 7, 1500);
}

TEST_F(RemoteDramTest, BadOptionsAreRejectedNamingTheField) {
  RemoteOptions o = small_blocks(server_->port());
  o.read_ahead_blocks = o.cache_blocks;
  expect_error<StorageError>([&] { RemoteDram r(o); }, {"read_ahead_blocks"});
  o = small_blocks(server_->port());
  o.block_bytes = 0;
  expect_error<StorageError>([&] { RemoteDram r(o); }, {"block_bytes 0"});
  o.block_bytes = 3000;
  expect_error<StorageError>([&] { RemoteDram r(o); }, {"block_bytes 3000", "power of two"});
}

TEST_F(RemoteDramTest, BoundsErrorsAreReportedAndTheClientStaysUsable) {
  RemoteDram remote(small_blocks(server_->port()));
  uint8_t buf[16] = {};
  expect_error<StorageError>([&] { remote.read(kMemBytes - 8, buf, 16); }, {"read", "out of bounds"});
  expect_error<StorageError>([&] { remote.write(kMemBytes, buf, 1); }, {"write", "out of bounds"});
  expect_error<StorageError>([&] { remote.fill(1, kMemBytes, 0); }, {"fill", "out of bounds"});
  remote.write(0, "abcdefgh", 8);
  remote.read(0, buf, 8);
  EXPECT_EQ(std::memcmp(buf, "abcdefgh", 8), 0);
  // Zero-length operations are no-ops, also at the very end of the memory.
  for (uint64_t addr : {uint64_t{0}, uint64_t{3}, kMemBytes}) {
    remote.fill(addr, 0, 0xFF);
    remote.write(addr, buf, 0);
    remote.read(addr, buf, 0);
    remote.prefetch(addr, 0);
  }
  remote.flush();
  remote.read(0, buf, 8);
  EXPECT_EQ(std::memcmp(buf, "abcdefgh", 8), 0);
}

TEST_F(RemoteDramTest, LoadFileRunsOnTheServerAndInvalidatesCachedBytes) {
  const std::string path = temp_path("remote_raw.bin");
  std::vector<char> bytes(10000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i % 251);
  testing::write_bytes(path, bytes);
  RemoteDram remote(small_blocks(server_->port()));
  std::vector<char> back(bytes.size());
  remote.read(5000, back.data(), back.size());  // caches zeros
  remote.write(4000, "zz", 2);                  // posted before the load: must not land after it
  EXPECT_EQ(remote.load_file(path, 4000), bytes.size());
  remote.read(4000, back.data(), back.size());
  EXPECT_EQ(back, bytes);
  expect_error<StorageError>([&] { remote.load_file(path + ".missing", 0); },
                             {"LOAD_FILE", "FILE_ERROR", ".missing", remote.server_address()});
  expect_error<StorageError>([&] { remote.load_file(path, kMemBytes - 10); }, {"OUT_OF_BOUNDS"});
  remote.read(4000, back.data(), 16);  // still usable

  // An ocelli tensor file is decoded by the server into little-endian int16 elements.
  golden::Tensor16 t(golden::Shape{1, 3, 4, 5}, 8);
  for (std::size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<int16_t>(i * 1000 - 30000);
  const std::string tensor_path = temp_path("remote_t.octf");
  golden::write_tensor_file(tensor_path, t);
  ASSERT_EQ(remote.load_file(tensor_path, 8192), t.data.size() * 2);
  std::vector<int16_t> values(t.data.size());
  remote.read(8192, values.data(), values.size() * 2);
  EXPECT_EQ(values, t.data);
}

TEST_F(RemoteDramTest, TwoClientsConcurrently) {
  auto worker = [&](uint64_t base, uint32_t seed, bool& ok) {
    RemoteDram remote(small_blocks(server_->port()));
    InProcessDram mirror(kMemBytes);
    std::mt19937 rng(seed);
    std::vector<uint8_t> data(20000), a(20000), b(20000);
    for (int i = 0; i < 300; ++i) {
      const uint64_t addr = base + rng() % (kMemBytes / 2 - data.size());
      const std::size_t len = 1 + rng() % data.size();
      for (std::size_t k = 0; k < len; ++k) data[k] = static_cast<uint8_t>(rng());
      remote.write(addr, data.data(), len);
      mirror.write(addr, data.data(), len);
      const uint64_t raddr = base + rng() % (kMemBytes / 2 - data.size());
      remote.read(raddr, a.data(), len);
      mirror.read(raddr, b.data(), len);
      if (a != b) return;
    }
    remote.flush();
    ok = true;
  };
  bool ok1 = false, ok2 = false;
  std::thread t1(worker, 0, 1, std::ref(ok1));
  std::thread t2(worker, kMemBytes / 2, 2, std::ref(ok2));
  t1.join();
  t2.join();
  EXPECT_TRUE(ok1);
  EXPECT_TRUE(ok2);
  EXPECT_GE(server_->counters().connections, 2u);
}

TEST(RemoteDramFailures, KilledServerIsAClearErrorWithinTwoSeconds) {
  SpawnedServer server(kMemBytes);
  RemoteDram remote(small_blocks(server.port()));
  std::vector<uint8_t> buf(4096);
  remote.write(0, buf.data(), buf.size());
  remote.read(0, buf.data(), buf.size());
  server.kill();
  const auto start = Clock::now();
  expect_error<StorageError>(
      [&] {
        for (uint64_t addr = 0;; addr = (addr + 65536) % (kMemBytes - buf.size())) {
          remote.read(addr, buf.data(), buf.size());  // misses the cache: needs the server
        }
      },
      {"ocelli-dramd", "127.0.0.1:" + std::to_string(server.port())});
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  // Every later call fails the same way instead of hanging.
  expect_error<StorageError>([&] { remote.flush(); }, {"127.0.0.1:" + std::to_string(server.port())});
}

TEST(RemoteDramFailures, ServerThatStopsAnsweringMidRunTimesOut) {
  SpawnedServer server(kMemBytes);
  RemoteDram remote(small_blocks(server.port()));
  std::vector<uint8_t> buf(4096);
  remote.read(0, buf.data(), buf.size());
  server.signal(SIGSTOP);  // alive, connection open, but silent
  const auto start = Clock::now();
  expect_error<StorageError>([&] { remote.read(1 << 20, buf.data(), buf.size()); },
                             {"127.0.0.1:" + std::to_string(server.port()), "no reply to READ", "2000 ms"});
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(1900));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
}

TEST(RemoteDramFailures, HungServerTimesOutWithinTwoSeconds) {
  // Accepts the TCP connection but never answers the handshake.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  RemoteOptions o;
  o.port = acceptor.local_endpoint().port();
  const auto start = Clock::now();
  expect_error<StorageError>([&] { RemoteDram remote(o); }, {"127.0.0.1", "handshake", "timed out"});
  const auto elapsed = Clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
}

TEST(RemoteDramFailures, NoServerIsAClearErrorAtOnce) {
  uint16_t port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed: nothing listens on `port` now
  RemoteOptions o;
  o.port = port;
  expect_error<StorageError>([&] { RemoteDram remote(o); }, {"cannot connect", "127.0.0.1:" + std::to_string(port)});
}

}  // namespace
}  // namespace ocelli::dram
