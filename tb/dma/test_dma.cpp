// DMA engine against the DRAM model: random read and write commands move the right bytes with back-pressure on
// both sides, and range errors, error responses and a silent memory end in a sticky error instead of a hang.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "Vdma.h"
#include "verilated.h"

#include "ocelli/sim/mem_port_model.hpp"
#include "ocelli/dram/dram_port.hpp"

namespace {

using ocelli::dram::DramPort;
using ocelli::dram::InProcessDram;
using ocelli::dram::TimingConfig;
using ocelli::sim::MemPortModel;
using ocelli::sim::MemPortRequestPins;
using ocelli::sim::sample_request;

constexpr std::uint64_t kStorageBytes = 1 << 20;

class DmaHarness {
 public:
  DmaHarness(std::uint64_t seed, const char* timing)
      : rng_(seed), dram_(kStorageBytes), port_(TimingConfig::preset(timing), dram_), mem_(port_) {
    context_ = std::make_unique<VerilatedContext>();
    context_->assertOn(false);
    dut_ = std::make_unique<Vdma>(context_.get(), "dma");
    dut_->mem_size_i = kStorageBytes;
    dut_->rst_ni = 0;
    dut_->clk_i = 0;
    dut_->eval();
    edge();
    dut_->rst_ni = 1;
    dut_->eval();
    context_->assertOn(true);
  }
  ~DmaHarness() { dut_->final(); }

  Vdma& dut() { return *dut_; }
  InProcessDram& dram() { return dram_; }
  MemPortModel& mem() { return mem_; }
  bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::mt19937_64& rng() { return rng_; }

  // One clock cycle with the memory side serviced; `client` sets the client-side inputs after the memory outputs.
  template <class Client>
  void cycle(Client&& client) {
    apply_response(*dut_, mem_.drive());
    auto& d = *dut_;
    client(d);
    d.eval();
    const MemPortRequestPins p = sample_request(d);
    observed_ = p;
    after_eval_(d);
    edge();
    mem_.observe_and_tick(p);
    ++cycles_;
  }
  std::uint64_t cycles() const { return cycles_; }

  // Hook run after eval, before the edge: the client samples handshakes here.
  std::function<void(Vdma&)> after_eval_ = [](Vdma&) {};

 private:
  void edge() {
    dut_->clk_i = 1;
    dut_->eval();
    dut_->clk_i = 0;
    dut_->eval();
  }
  std::mt19937_64 rng_;
  InProcessDram dram_;
  DramPort port_;
  MemPortModel mem_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vdma> dut_;
  MemPortRequestPins observed_;
  std::uint64_t cycles_ = 0;
};

// Runs one read command and returns the words the client received.
std::vector<std::uint64_t> run_read(DmaHarness& h, std::uint32_t addr, std::uint32_t words, double ready_p,
                                    std::uint64_t limit = 200000) {
  std::vector<std::uint64_t> got;
  bool cmd_sent = false;
  bool ready = false;
  bool saw_last = false;
  h.after_eval_ = [&](Vdma& d) {
    if (d.rd_cmd_valid_i && d.rd_cmd_ready_o) cmd_sent = true;
    if (d.rd_data_valid_o && ready) {
      got.push_back(d.rd_data_o);
      saw_last = d.rd_data_last_o;
    }
  };
  for (std::uint64_t c = 0; c < limit && !saw_last && !h.dut().error_o; ++c) {
    ready = h.coin(ready_p);
    h.cycle([&](Vdma& d) {
      d.rd_cmd_valid_i = !cmd_sent;
      d.rd_cmd_addr_i = addr;
      d.rd_cmd_words_i = words;
      d.rd_data_ready_i = ready;
    });
  }
  h.cycle([&](Vdma& d) { d.rd_cmd_valid_i = 0; });
  return got;
}

bool run_write(DmaHarness& h, std::uint32_t addr, const std::vector<std::uint64_t>& data, double valid_p,
               std::uint64_t limit = 200000) {
  bool cmd_sent = false;
  bool done = false;
  std::size_t next = 0;
  bool offer = false;
  h.after_eval_ = [&](Vdma& d) {
    if (d.wr_cmd_valid_i && d.wr_cmd_ready_o) cmd_sent = true;
    if (offer && d.wr_data_ready_o) ++next;
    if (d.wr_done_o) done = true;
  };
  for (std::uint64_t c = 0; c < limit && !done && !h.dut().error_o; ++c) {
    offer = next < data.size() && h.coin(valid_p);
    h.cycle([&](Vdma& d) {
      d.wr_cmd_valid_i = !cmd_sent;
      d.wr_cmd_addr_i = addr;
      d.wr_cmd_words_i = static_cast<std::uint32_t>(data.size());
      d.wr_data_valid_i = offer;
      d.wr_data_i = next < data.size() ? data[next] : 0;
    });
  }
  h.cycle([&](Vdma& d) {
    d.wr_cmd_valid_i = 0;
    d.wr_data_valid_i = 0;
  });
  // A completed write must have taken every beat.
  if (done) {
    EXPECT_EQ(next, data.size());
  }
  return done;
}

class DmaTiming : public ::testing::TestWithParam<const char*> {};

TEST_P(DmaTiming, RandomReadsAndWrites) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(fmt::format("seed {} timing {}", seed, GetParam()));
    DmaHarness h(seed, GetParam());
    // Reference memory content: a pattern derived from each word's address.
    std::vector<std::uint64_t> image(kStorageBytes / 8);
    for (std::size_t i = 0; i < image.size(); ++i) image[i] = 0x9e3779b97f4a7c15ull * (i + seed);
    h.dram().write(0, image.data(), kStorageBytes);
    for (int op = 0; op < 12; ++op) {
      const std::uint32_t words = std::uniform_int_distribution<std::uint32_t>(1, 700)(h.rng());
      const std::uint32_t word_addr =
          std::uniform_int_distribution<std::uint32_t>(0, kStorageBytes / 8 - words)(h.rng());
      if (h.coin(0.5)) {
        const auto got = run_read(h, word_addr * 8, words, h.coin(0.5) ? 1.0 : 0.6);
        ASSERT_FALSE(h.dut().error_o) << "read error code " << int(h.dut().err_code_o);
        ASSERT_EQ(got.size(), words);
        for (std::uint32_t i = 0; i < words; ++i) {
          ASSERT_EQ(got[i], image[word_addr + i]) << fmt::format("read word {} of {} at {:#x}", i, words, word_addr * 8);
        }
      } else {
        std::vector<std::uint64_t> data(words);
        for (auto& w : data) w = h.rng()();
        ASSERT_TRUE(run_write(h, word_addr * 8, data, h.coin(0.5) ? 1.0 : 0.7)) << "write did not complete";
        ASSERT_FALSE(h.dut().error_o);
        std::copy(data.begin(), data.end(), image.begin() + word_addr);
        std::vector<std::uint64_t> stored(words);
        h.dram().read(std::uint64_t{word_addr} * 8, stored.data(), words * 8);
        ASSERT_EQ(stored, data);
      }
    }
    EXPECT_FALSE(h.dut().busy_o);
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, DmaTiming, ::testing::Values("default", "eyeriss"));

TEST(Dma, StreamsOneBeatPerCycleWithDefaultTiming) {
  // Not a benchmark: a long read with a ready client runs at the port's rate plus a bounded start-up.
  DmaHarness h(3, "default");
  const auto start = h.cycles();
  const auto got = run_read(h, 0, 4096, 1.0);
  ASSERT_EQ(got.size(), 4096u);
  EXPECT_LE(h.cycles() - start, 4096u + 64u);
}

TEST(Dma, CommandOutsideMemoryIsARangeError) {
  DmaHarness h(4, "default");
  const auto got = run_read(h, kStorageBytes - 64, 16, 1.0, 1000);
  EXPECT_TRUE(h.dut().error_o);
  EXPECT_EQ(h.dut().err_code_o, 1);  // DmaErrRange
  EXPECT_EQ(h.dut().err_addr_o, kStorageBytes - 64);
  EXPECT_TRUE(got.empty());
}

TEST(Dma, MisalignedCommandIsARangeError) {
  DmaHarness h(5, "default");
  run_write(h, 12, {1, 2, 3}, 1.0, 1000);
  EXPECT_TRUE(h.dut().error_o);
  EXPECT_EQ(h.dut().err_code_o, 1);
}

TEST(Dma, ErrorResponseIsStickyAndDrains) {
  DmaHarness h(6, "default");
  h.dut().mem_size_i = 2 * kStorageBytes;  // the DMA believes in more memory than the model has
  run_read(h, kStorageBytes + 4096, 40, 1.0, 5000);
  EXPECT_TRUE(h.dut().error_o);
  EXPECT_EQ(h.dut().err_code_o, 2);  // DmaErrResponse
  // Let the model answer the rest; the DMA drains it and goes idle.
  for (int i = 0; i < 200; ++i) h.cycle([](Vdma&) {});
  EXPECT_FALSE(h.dut().busy_o);
  // Clearing the error makes the DMA usable again.
  h.cycle([](Vdma& d) { d.clear_i = 1; });
  h.cycle([](Vdma& d) { d.clear_i = 0; });
  EXPECT_FALSE(h.dut().error_o);
  const auto got = run_read(h, 0, 8, 1.0);
  EXPECT_EQ(got.size(), 8u);
}

TEST(Dma, SilentMemoryTripsTheWatchdog) {
  DmaHarness h(7, "default");
  bool started = false;
  h.after_eval_ = [&](Vdma& d) {
    if (d.mem_req_valid_o && d.mem_req_ready_i) started = true;
  };
  // Accept the request, then go silent.
  for (int i = 0; i < 5 && !started; ++i) {
    h.cycle([](Vdma& d) {
      d.rd_cmd_valid_i = 1;
      d.rd_cmd_addr_i = 0;
      d.rd_cmd_words_i = 8;
      d.rd_data_ready_i = 1;
    });
  }
  ASSERT_TRUE(started);
  h.mem().set_dead(true);
  std::uint64_t waited = 0;
  while (!h.dut().error_o && waited < 10000) {
    h.cycle([](Vdma& d) { d.rd_cmd_valid_i = 0; });
    ++waited;
  }
  EXPECT_TRUE(h.dut().error_o) << "no watchdog after " << waited << " cycles";
  EXPECT_EQ(h.dut().err_code_o, 3);  // DmaErrTimeout
  EXPECT_FALSE(h.dut().busy_o);
}

}  // namespace
