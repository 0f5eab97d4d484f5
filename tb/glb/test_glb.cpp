// Global buffer against a C++ reference memory and a reference of the per-bank round-robin arbiter: random
// read/write traffic (with write masks) from all ports, forced same-bank conflicts, a fairness check that does not
// rely on the reference arbiter, and the sticky out-of-range error. Every access must happen exactly once, every
// read must return the reference word exactly one cycle after its handshake, and the counters must match.
#include <gtest/gtest.h>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "Vglb.h"
#include "bit_fields.hpp"
#include "sim_harness.hpp"

namespace ocelli::tb {
namespace {

// glb parameters of the verilated model: the defaults (rtl/ocelli_pkg.sv) unless the build gives others (the
// small variant test_glb_small: 3 banks of 8 words, 3 ports; test_glb_first: port 1 of the default GLB in
// FirstPorts).
#ifndef OCELLI_GLB_PORTS
#define OCELLI_GLB_PORTS 4
#define OCELLI_GLB_BANKS 27
#define OCELLI_GLB_BANK_WORDS 512
#endif
constexpr unsigned ceil_log2(unsigned v) { return v <= 1 ? 0 : 1 + ceil_log2((v + 1) / 2); }
#ifndef OCELLI_GLB_FIRST_PORTS
#define OCELLI_GLB_FIRST_PORTS 0
#endif
constexpr unsigned kPorts = OCELLI_GLB_PORTS;
constexpr unsigned kFirstPorts = OCELLI_GLB_FIRST_PORTS;  // mask: these ports win a bank over the others
constexpr unsigned kBanks = OCELLI_GLB_BANKS;
constexpr unsigned kBankWords = OCELLI_GLB_BANK_WORDS;
constexpr unsigned kAddrWidth = ceil_log2(kBankWords) + std::max(1u, ceil_log2(kBanks));
constexpr unsigned kLanes = 4;
constexpr std::uint32_t kTotalWords = kBanks * kBankWords;

struct GlbOp {
  std::uint32_t addr = 0;
  bool write = false;
  std::uint64_t data = 0;
  std::uint8_t mask = 0;  // lane l covers bits [16l +: 16]
};

std::uint64_t lane_bits(std::uint8_t lanes) {
  std::uint64_t bits = 0;
  for (unsigned l = 0; l < kLanes; ++l)
    if (lanes >> l & 1) bits |= std::uint64_t{0xffff} << (16 * l);
  return bits;
}

// Reference memory (with the lanes that have been written) and reference arbiter.
class GlbReference {
 public:
  GlbReference() : words_(kTotalWords, 0), known_(kTotalWords, 0) { rr_.fill(0); }

  // Which ports the GLB takes this cycle, given what each port offers; advances the round-robin pointers. Per bank
  // the first requesting port from the pointer on among kFirstPorts, else among all ports.
  std::uint8_t take(const std::array<std::optional<GlbOp>, kPorts>& offered) {
    std::uint8_t ready = 0;
    for (unsigned p = 0; p < kPorts; ++p)
      if (offered[p] && offered[p]->addr >= kTotalWords) ready |= 1u << p;  // out of range: taken, ignored
    for (unsigned b = 0; b < kBanks; ++b) {
      for (const bool first_only : {true, false}) {
        bool granted = false;
        for (unsigned i = 0; i < kPorts && !granted; ++i) {
          const unsigned p = (rr_[b] + i) % kPorts;
          if (first_only && !(kFirstPorts >> p & 1)) continue;
          if (offered[p] && offered[p]->addr < kTotalWords && offered[p]->addr / kBankWords == b) {
            ready |= 1u << p;
            rr_[b] = (p + 1) % kPorts;
            granted = true;
          }
        }
        if (granted) break;
      }
    }
    return ready;
  }

  void write(const GlbOp& op) {
    if (op.addr >= kTotalWords) return;
    const std::uint64_t bits = lane_bits(op.mask);
    words_[op.addr] = (words_[op.addr] & ~bits) | (op.data & bits);
    known_[op.addr] |= op.mask;
  }
  std::uint64_t word(std::uint32_t addr) const { return addr < kTotalWords ? words_[addr] : 0; }
  // Lanes whose value is defined (written before, or the whole word for an out-of-range read, which returns 0).
  std::uint8_t known(std::uint32_t addr) const { return addr < kTotalWords ? known_[addr] : 0xf; }

 private:
  std::vector<std::uint64_t> words_;
  std::vector<std::uint8_t> known_;
  std::array<unsigned, kBanks> rr_{};
};

struct ExpectedRead {
  std::uint64_t data;
  std::uint8_t known;
  std::uint64_t due_cycle;
  std::uint32_t addr;
};

struct PortStats {
  std::uint64_t reads = 0, writes = 0, conflict_cycles = 0;
};

// Drives per-port operation lists into the GLB with random valid gaps and checks every cycle.
class GlbBench {
 public:
  explicit GlbBench(std::uint64_t seed) : seed_(seed), rng_(seed) {
    auto& d = sim_.model();
    d.req_valid_i = 0;
    d.perf_clear_i = 0;
    sim_.reset();
  }

  Vglb& dut() { return sim_.model(); }
  std::mt19937_64& rng() { return rng_; }
  std::string tag() const { return fmt::format("seed {}", seed_); }
  const std::array<PortStats, kPorts>& stats() const { return stats_; }
  std::uint64_t cycles() const { return sim_.cycles(); }

  void set_ops(unsigned port, std::vector<GlbOp> ops) {
    ops_[port] = std::move(ops);
    next_[port] = 0;
  }

  // Runs until every operation is taken and every read answered; false on a timeout.
  bool run(double valid_prob, std::uint64_t max_cycles = 200000) {
    const std::uint64_t limit = sim_.cycles() + max_cycles;
    while (sim_.cycles() < limit) {
      if (all_done()) return true;
      cycle(valid_prob);
      if (::testing::Test::HasFailure()) return false;
    }
    ADD_FAILURE() << tag() << ": timeout after " << max_cycles << " cycles";
    return false;
  }

  // One idle cycle with perf_clear_i high; the bench's own counts restart too.
  void clear_perf() {
    auto& d = sim_.model();
    d.req_valid_i = 0;
    d.perf_clear_i = 1;
    sim_.eval();
    sim_.tick();
    d.perf_clear_i = 0;
    stats_ = {};
  }

 private:
  bool all_done() const {
    for (unsigned p = 0; p < kPorts; ++p)
      if (next_[p] < ops_[p].size() || offered_[p] || !pending_[p].empty()) return false;
    return true;
  }

  void cycle(double valid_prob) {
    auto& d = sim_.model();
    std::array<std::optional<GlbOp>, kPorts> offer;
    for (unsigned p = 0; p < kPorts; ++p) {
      if (!offered_[p] && next_[p] < ops_[p].size() && std::bernoulli_distribution(valid_prob)(rng_))
        offered_[p] = true;
      if (offered_[p]) offer[p] = ops_[p][next_[p]];
      const GlbOp op = offer[p].value_or(GlbOp{});
      set_bits(d.req_valid_i, p, 1, offered_[p]);
      set_elem(d.req_addr_i, p, kAddrWidth, op.addr);
      set_bits(d.req_write_i, p, 1, op.write);
      set_elem(d.req_wdata_i, p, 64, op.data);
      set_elem(d.req_wmask_i, p, kLanes, op.mask);
    }
    sim_.eval();

    // Read data due this cycle.
    for (unsigned p = 0; p < kPorts; ++p) {
      const bool rsp_valid = get_bits(d.rsp_valid_o, p, 1);
      const bool due = !pending_[p].empty() && pending_[p].front().due_cycle == sim_.cycles();
      if (rsp_valid != due) {
        ADD_FAILURE() << tag() << fmt::format(": port {} cycle {}: rsp_valid {} but a read is {}due", p,
                                              sim_.cycles(), rsp_valid, due ? "" : "not ");
        return;
      }
      if (!due) continue;
      const ExpectedRead expected = pending_[p].front();
      pending_[p].pop_front();
      const std::uint64_t bits = lane_bits(expected.known);
      const std::uint64_t got = get_elem(d.rsp_data_o, p, 64);
      if ((got & bits) != (expected.data & bits)) {
        ADD_FAILURE() << tag() << fmt::format(": port {} read of {:#x}: got {:#018x}, expected {:#018x} (lanes {:#x})",
                                              p, expected.addr, got, expected.data, expected.known);
        return;
      }
    }

    // Arbitration against the reference, then the accesses in handshake order.
    const std::uint8_t expected_ready = reference_.take(offer);
    const auto ready = static_cast<std::uint8_t>(d.req_ready_o);
    for (unsigned p = 0; p < kPorts; ++p) {
      if (!offer[p]) continue;
      const bool got = ready >> p & 1, want = expected_ready >> p & 1;
      if (got != want) {
        ADD_FAILURE() << tag() << fmt::format(": port {} cycle {} addr {:#x} (bank {}): ready {}, reference {}", p,
                                              sim_.cycles(), offer[p]->addr, offer[p]->addr / kBankWords, got, want);
        return;
      }
      if (!got) {
        ++stats_[p].conflict_cycles;
        continue;
      }
      const GlbOp& op = *offer[p];
      if (op.write) {
        reference_.write(op);
        ++stats_[p].writes;
      } else {
        pending_[p].push_back({reference_.word(op.addr), reference_.known(op.addr), sim_.cycles() + 1, op.addr});
        ++stats_[p].reads;
      }
      offered_[p] = false;
      ++next_[p];
    }
    sim_.tick();
  }

  std::uint64_t seed_;
  std::mt19937_64 rng_;
  SimHarness<Vglb> sim_;
  GlbReference reference_;
  std::array<std::vector<GlbOp>, kPorts> ops_;
  std::array<std::size_t, kPorts> next_{};
  std::array<bool, kPorts> offered_{};
  std::array<std::deque<ExpectedRead>, kPorts> pending_;
  std::array<PortStats, kPorts> stats_{};
};

// Random operations on addresses drawn from `pool` (so reads often find written words).
std::vector<GlbOp> random_ops(std::mt19937_64& rng, const std::vector<std::uint32_t>& pool, std::size_t count,
                              double write_prob) {
  std::vector<GlbOp> ops(count);
  std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
  std::uniform_int_distribution<int> lanes(1, 15);
  for (auto& op : ops) {
    op.addr = pool[pick(rng)];
    op.write = std::bernoulli_distribution(write_prob)(rng);
    op.data = rng();
    op.mask = std::bernoulli_distribution(0.5)(rng) ? 0xf : static_cast<std::uint8_t>(lanes(rng));
  }
  return ops;
}

// `count` distinct addresses in the given banks.
std::vector<std::uint32_t> address_pool(std::mt19937_64& rng, const std::vector<unsigned>& banks, std::size_t count) {
  std::vector<std::uint32_t> pool;
  std::uniform_int_distribution<std::size_t> bank(0, banks.size() - 1);
  std::uniform_int_distribution<std::uint32_t> offset(0, kBankWords - 1);
  for (std::size_t i = 0; i < count; ++i) pool.push_back(banks[bank(rng)] * kBankWords + offset(rng));
  return pool;
}

// Checks the DUT counters against the bench's own counts.
void expect_counters(GlbBench& bench) {
  auto& d = bench.dut();
  PortStats total{};
  for (const PortStats& s : bench.stats()) {
    total.reads += s.reads;
    total.writes += s.writes;
    total.conflict_cycles += s.conflict_cycles;
  }
  EXPECT_EQ(d.perf_reads_o, total.reads) << bench.tag();
  EXPECT_EQ(d.perf_writes_o, total.writes) << bench.tag();
  EXPECT_EQ(d.perf_conflict_cycles_o, total.conflict_cycles) << bench.tag();
}

std::vector<unsigned> all_banks() {
  std::vector<unsigned> banks(kBanks);
  for (unsigned b = 0; b < kBanks; ++b) banks[b] = b;
  return banks;
}

// ---- Tests ----

// Fill the whole buffer through all ports (each port its own banks, so no conflicts), then read it all back through
// other ports: every word written once and returned in order, full throughput.
TEST(Glb, FillAndReadBackWholeBuffer) {
  GlbBench bench(1);
  std::mt19937_64 data_rng(99);
  std::vector<std::uint64_t> image(kTotalWords);
  for (auto& w : image) w = data_rng();
  std::array<std::vector<GlbOp>, kPorts> writes, reads;
  for (std::uint32_t a = 0; a < kTotalWords; ++a) {
    const unsigned bank = a / kBankWords;
    writes[bank % kPorts].push_back({a, true, image[a], 0xf});
    reads[(bank + 1) % kPorts].push_back({a, false, 0, 0});
  }
  for (unsigned p = 0; p < kPorts; ++p) bench.set_ops(p, writes[p]);
  ASSERT_TRUE(bench.run(1.0));
  const std::uint64_t write_cycles = bench.cycles();
  for (unsigned p = 0; p < kPorts; ++p) bench.set_ops(p, reads[p]);
  ASSERT_TRUE(bench.run(1.0));
  expect_counters(bench);
  std::uint64_t conflicts = 0;
  for (const auto& s : bench.stats()) conflicts += s.conflict_cycles;
  EXPECT_EQ(conflicts, 0u);
  // Ports stream through their banks in the same order, so they never meet in one bank.
  EXPECT_LE(write_cycles, (kBanks + kPorts - 1) / kPorts * kBankWords + 10) << "writes took " << write_cycles
                                                                             << " cycles";
}

// All P ports hammer one bank with back-to-back requests: the bank serves one per cycle and the round-robin
// arbiter grants in port order, so port p's grants are at cycles p, p+P, ... and it waits (P-1)(N-1) + p cycles.
TEST(Glb, SameBankRoundRobinIsFair) {
  if (kFirstPorts != 0) GTEST_SKIP() << "first ports: see FirstPortsWinTheirBank";
  constexpr std::size_t kOpsPerPort = 200;
  GlbBench bench(2);
  for (unsigned p = 0; p < kPorts; ++p) {
    std::vector<GlbOp> ops;
    for (std::size_t i = 0; i < kOpsPerPort; ++i)
      ops.push_back({static_cast<std::uint32_t>(std::min(5u, kBanks - 1) * kBankWords + (i * 7 + p) % kBankWords),
                     i % 2 == 0,
                     bench.rng()(), 0xf});
    bench.set_ops(p, ops);
  }
  const std::uint64_t start = bench.cycles();
  ASSERT_TRUE(bench.run(1.0));
  expect_counters(bench);
  for (unsigned p = 0; p < kPorts; ++p)
    EXPECT_EQ(bench.stats()[p].conflict_cycles, (kPorts - 1) * (kOpsPerPort - 1) + p) << "port " << p;
  // One access per cycle in the bank, plus the last read's response cycle.
  EXPECT_EQ(bench.cycles() - start, kPorts * kOpsPerPort + 1);
}

// All ports hammer one bank: the first ports are served back to back (round robin among them) and never wait for
// the others, which get the bank only after them.
TEST(Glb, FirstPortsWinTheirBank) {
  if (kFirstPorts == 0) GTEST_SKIP() << "no first ports in this build";
  constexpr std::size_t kOpsPerPort = 100;
  GlbBench bench(3);
  unsigned firsts = 0;
  for (unsigned p = 0; p < kPorts; ++p) {
    firsts += kFirstPorts >> p & 1;
    std::vector<GlbOp> ops;
    for (std::size_t i = 0; i < kOpsPerPort; ++i)
      ops.push_back({static_cast<std::uint32_t>(std::min(5u, kBanks - 1) * kBankWords + (i * 5 + p) % kBankWords),
                     i % 2 == 1, bench.rng()(), 0xf});
    bench.set_ops(p, ops);
  }
  ASSERT_TRUE(bench.run(1.0));
  expect_counters(bench);
  for (unsigned p = 0; p < kPorts; ++p) {
    if (kFirstPorts >> p & 1) {
      // sharing the bank only with the other first ports
      EXPECT_LE(bench.stats()[p].conflict_cycles, (firsts - 1) * kOpsPerPort + firsts) << "port " << p;
    } else {
      // waits at least until every first port's requests are done
      EXPECT_GE(bench.stats()[p].conflict_cycles, firsts * kOpsPerPort) << "port " << p;
    }
  }
}

// Random traffic over the whole buffer (a small address pool so reads find written words), random valid gaps.
class GlbRandom : public ::testing::TestWithParam<int> {};

TEST_P(GlbRandom, TrafficMatchesReference) {
  const std::uint64_t seed = 1000 + GetParam();
  GlbBench bench(seed);
  const auto pool = address_pool(bench.rng(), all_banks(), 96);
  for (unsigned p = 0; p < kPorts; ++p) bench.set_ops(p, random_ops(bench.rng(), pool, 1500, 0.5));
  const double valid_prob = std::uniform_real_distribution<double>(0.3, 1.0)(bench.rng());
  ASSERT_TRUE(bench.run(valid_prob)) << "valid_prob " << valid_prob;
  expect_counters(bench);
}

// Forced conflicts: every port works in the same two banks.
TEST_P(GlbRandom, ForcedConflictsLoseNothing) {
  const std::uint64_t seed = 2000 + GetParam();
  GlbBench bench(seed);
  std::uniform_int_distribution<unsigned> bank(0, kBanks - 1);
  const std::vector<unsigned> banks = {bank(bench.rng()), bank(bench.rng())};
  const auto pool = address_pool(bench.rng(), banks, 24);
  for (unsigned p = 0; p < kPorts; ++p) bench.set_ops(p, random_ops(bench.rng(), pool, 1000, 0.4));
  ASSERT_TRUE(bench.run(0.9));
  expect_counters(bench);
  std::uint64_t conflicts = 0;
  for (const auto& s : bench.stats()) conflicts += s.conflict_cycles;
  EXPECT_GT(conflicts, 250u * kPorts) << bench.tag() << ": all ports in two banks must collide often";
}

INSTANTIATE_TEST_SUITE_P(Seeds, GlbRandom, ::testing::Range(0, 12));

// A request past the last bank is taken (no hang), writes nothing, reads 0 and sets the sticky error.
TEST(Glb, OutOfRangeAddressSetsStickyError) {
  GlbBench bench(3);
  EXPECT_EQ(bench.dut().err_addr_o, 0);
  bench.set_ops(0, {{7, true, 0x1234, 0xf}, {7, false, 0, 0}});
  ASSERT_TRUE(bench.run(1.0));
  EXPECT_EQ(bench.dut().err_addr_o, 0);
  // a_addr_in_range fires on purpose here.
  bench.dut().contextp()->assertOn(false);
  const std::uint32_t bad = kTotalWords + 3;  // in the first bank past the end (default: bank 27 of 32)
  static_assert(kTotalWords + 3 < (1u << kAddrWidth), "needs an addressable bank past the end");
  bench.set_ops(1, {{bad, true, 0xdead, 0xf}, {bad, false, 0, 0}, {7, false, 0, 0}});
  ASSERT_TRUE(bench.run(1.0));
  EXPECT_EQ(bench.dut().err_addr_o, 1);
  bench.set_ops(2, {{8, false, 0, 0}});
  ASSERT_TRUE(bench.run(1.0));
  EXPECT_EQ(bench.dut().err_addr_o, 1) << "sticky until reset";
  expect_counters(bench);
}

// Clearing the counters leaves the contents alone (psums stay in the buffer between passes).
TEST(Glb, PerfClearKeepsContents) {
  GlbBench bench(4);
  constexpr std::uint32_t kA = 3, kB = kTotalWords - 5;
  bench.set_ops(0, {{kA, true, 0x1111222233334444, 0xf}, {kB, true, 0x5555666677778888, 0x5}});
  ASSERT_TRUE(bench.run(1.0));
  bench.clear_perf();
  EXPECT_EQ(bench.dut().perf_writes_o, 0u);
  bench.set_ops(1, {{kA, false, 0, 0}, {kB, false, 0, 0}});
  ASSERT_TRUE(bench.run(1.0));  // the bench checks the read data against the reference
  expect_counters(bench);
  EXPECT_EQ(bench.stats()[1].reads, 2u);
}

}  // namespace
}  // namespace ocelli::tb
