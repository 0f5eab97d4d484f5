// Integer helpers of the driver's planners (mapper, conv and post-processing layers): positive operands only.
#pragma once

namespace ocelli::driver {

constexpr long ceil_div(long a, long b) { return (a + b - 1) / b; }
constexpr long round_up(long a, long b) { return ceil_div(a, b) * b; }

}  // namespace ocelli::driver
