// Soak of ocelli-dramd (issue 19): hundreds of idle connections, clients that flood READs and never take the
// replies, slow senders that stall mid-frame and clients that flood small requests, all at once, while one
// well-behaved RemoteDram client works. Prints the server's peak RSS and the latencies the good client saw; fails
// if the server dies, exceeds its memory bound, or the good client hits a deadline.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ocelli/dram/protocol.hpp"
#include "ocelli/dram/remote_dram.hpp"
#include "raw_client.hpp"
#include "test_helpers.hpp"

namespace ocelli::dram {
namespace {

namespace proto = protocol;
using testing::RawClient;
using Clock = std::chrono::steady_clock;

// Peak resident set (VmHWM) of a process, in bytes.
uint64_t peak_rss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  uint64_t kb = 0;
  while (in >> key) {
    if (key == "VmHWM:" && in >> kb) return kb * 1024;
    std::getline(in, key);
  }
  return 0;
}

TEST(DramdSoak, HundredsOfClientsFloodsAndSlowSenders) {
  constexpr uint64_t kMem = 64ull << 20;
  constexpr uint64_t kTotal = 128ull << 20;
  constexpr int kIdle = 250, kFlood = 30, kSlow = 20, kBusy = 8;
  testing::SpawnedServer server(kMem, {"--max-connections", "400", "--max-buffered-bytes", std::to_string(kTotal),
                                       "--max-connection-bytes", std::to_string(40ull << 20)});
  const uint64_t rss_at_start = peak_rss(server.pid());

  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < kIdle; ++i) {
    held.push_back(std::make_unique<RawClient>(server.port()));
    held.back()->hello();
    ASSERT_EQ(held.back()->hello_status(), 0) << "idle client " << i;
  }
  for (int i = 0; i < kFlood; ++i) {  // 8 x 16 MiB READs each, replies never read
    held.push_back(std::make_unique<RawClient>(server.port()));
    held.back()->hello();
    ASSERT_EQ(held.back()->hello_status(), 0);
    for (int k = 0; k < 8; ++k) held.back()->request(uint8_t(proto::Opcode::kRead), k, 0, proto::kMaxPayload);
  }
  for (int i = 0; i < kSlow; ++i) {  // a 4 MiB WRITE of which 1000 bytes arrive
    held.push_back(std::make_unique<RawClient>(server.port()));
    held.back()->hello();
    ASSERT_EQ(held.back()->hello_status(), 0);
    proto::Header h;
    h.opcode = uint8_t(proto::Opcode::kWrite);
    h.length = h.payload_bytes = 4u << 20;
    uint8_t hdr[proto::kHeaderBytes];
    proto::encode_header(h, hdr);
    held.back()->send(hdr, sizeof hdr);
    std::vector<uint8_t> part(1000, 0x5a);
    held.back()->send(part.data(), part.size());
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> busy_requests{0};
  std::vector<std::thread> busy;
  for (int i = 0; i < kBusy; ++i) {  // small requests as fast as the server answers them
    busy.emplace_back([&, i] {
      RawClient c(server.port());
      c.hello();
      if (c.hello_status() != 0) return;
      while (!stop) {
        for (int k = 0; k < 64; ++k) c.request(uint8_t(proto::Opcode::kFill), k, 32u << 20 | (i << 16), 256, {0x11});
        RawClient::Reply r;
        for (int k = 0; k < 64; ++k) {
          if (!c.reply(r)) return;
        }
        busy_requests += 64;
      }
    });
  }

  // The well-behaved client: writes, flushes and reads back, every operation timed.
  RemoteOptions o;
  o.port = server.port();
  std::vector<double> latency_ms;
  std::mt19937 rng(5);
  {
    RemoteDram good(o);
    std::vector<uint8_t> data(64 << 10), back(data.size());
    for (int op = 0; op < 200; ++op) {
      const uint64_t addr = (rng() % 256) * data.size();
      for (auto& b : data) b = static_cast<uint8_t>(rng());
      const auto t0 = Clock::now();
      good.write(addr, data.data(), data.size());
      good.flush();
      good.read(addr, back.data(), back.size());
      latency_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      ASSERT_EQ(back, data) << "op " << op;
    }
  }
  stop = true;
  for (auto& t : busy) t.join();
  const uint64_t rss = peak_rss(server.pid());
  std::sort(latency_ms.begin(), latency_ms.end());
  const double p99 = latency_ms[latency_ms.size() * 99 / 100];
  std::printf("soak: %d idle + %d READ-flood + %d slow-sender + %d small-request clients (%llu requests served); "
              "server peak RSS %.1f MiB (%.1f MiB at start; memory %llu MiB, buffer limit %llu MiB); good client: "
              "%zu write+flush+read ops, median %.2f ms, p99 %.2f ms, max %.2f ms\n",
              kIdle, kFlood, kSlow, kBusy, static_cast<unsigned long long>(busy_requests.load()),
              rss / 1048576.0, rss_at_start / 1048576.0, static_cast<unsigned long long>(kMem >> 20),
              static_cast<unsigned long long>(kTotal >> 20), latency_ms.size(), latency_ms[latency_ms.size() / 2],
              p99, latency_ms.back());
  // Bound: the memory itself, the total buffer limit, 1 MiB per connection admitted beyond it, the program.
  const uint64_t conns = kIdle + kFlood + kSlow + kBusy + 1;
  EXPECT_LE(rss, kMem + kTotal + conns * (1u << 20) + (32u << 20));
  EXPECT_LE(rss, kMem + kTotal + (64u << 20)) << "well above what this load should need";
  // Still serving.
  RawClient c(server.port());
  c.hello();
  EXPECT_EQ(c.hello_status(), 0);
}

}  // namespace
}  // namespace ocelli::dram
