// rtl/common/serial_divider.sv against C++ division: quotient, remainder, latency (Width cycles after start) and
// back-to-back starts in the done cycle, as the controller uses it.
#include <gtest/gtest.h>

#include <random>

#include "Vserial_divider.h"
#include "sim_harness.hpp"

namespace {

using Harness = ocelli::tb::SimHarness<Vserial_divider>;

struct Result {
  std::uint32_t quotient, remainder;
  int cycles;
};

// Starts a division and clocks until done; the start cycle does not count.
Result divide(Harness& h, std::uint16_t dividend, std::uint16_t divisor) {
  auto& d = h.model();
  d.start_i = 1;
  d.dividend_i = dividend;
  d.divisor_i = divisor;
  h.tick();
  d.start_i = 0;
  int cycles = 0;
  while (!d.done_o && cycles < 100) {
    h.tick();
    ++cycles;
  }
  return {d.quotient_o, d.remainder_o, cycles};
}

TEST(SerialDivider, RandomDivisionsTakeWidthCycles) {
  Harness h("");
  h.reset();
  EXPECT_TRUE(h.model().done_o) << "idle after reset";
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const auto dividend = static_cast<std::uint16_t>(rng());
    const auto divisor = static_cast<std::uint16_t>(1 + rng() % (i % 2 ? 255 : 65535));
    const Result r = divide(h, dividend, divisor);
    ASSERT_EQ(r.quotient, dividend / divisor) << dividend << " / " << divisor;
    ASSERT_EQ(r.remainder, dividend % divisor) << dividend << " % " << divisor;
    ASSERT_EQ(r.cycles, 16);
  }
}

TEST(SerialDivider, RestartInTheDoneCycle) {
  Harness h("");
  h.reset();
  ASSERT_EQ(divide(h, 96, 2).quotient, 48u);
  // The controller starts M / G in the cycle it reads C / G: the result stays until then.
  EXPECT_TRUE(h.model().done_o);
  const Result r = divide(h, 384, 2);
  EXPECT_EQ(r.quotient, 192u);
  EXPECT_EQ(r.remainder, 0u);
  EXPECT_EQ(r.cycles, 16);
}

TEST(SerialDivider, EdgeValues) {
  Harness h("");
  h.reset();
  EXPECT_EQ(divide(h, 0, 7).quotient, 0u);
  EXPECT_EQ(divide(h, 65535, 1).quotient, 65535u);
  const Result r = divide(h, 65535, 65535);
  EXPECT_EQ(r.quotient, 1u);
  EXPECT_EQ(r.remainder, 0u);
  EXPECT_EQ(divide(h, 5, 9).remainder, 5u);
}

}  // namespace
