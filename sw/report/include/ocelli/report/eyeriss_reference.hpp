// Eyeriss v1's measured AlexNet CONV results, the reference the report compares against.
#pragma once

#include <array>
#include <string>

namespace ocelli::report {

struct EyerissConvResult {
  const char* layer;    // our layer name (programs/alexnet.prog)
  int active_pes;
  double latency_ms;    // at the 200 MHz core clock, 60 MHz DRAM link
  double dram_mb;       // DRAM traffic, MB
  double core_cycles() const { return latency_ms * 1e-3 * 200e6; }
};

// ISSCC 2016 (Chen et al., paper 14.5), AlexNet CONV layers at batch 4, as tabulated in
// docs/eyeriss-reference.md ("Measured AlexNet CONV results"). The only place in the code these numbers live.
constexpr int kEyerissBatch = 4;
constexpr std::array<EyerissConvResult, 5> kEyerissAlexnetConv{{
    {"conv1", 154, 20.9, 5.0},
    {"conv2", 135, 41.9, 4.0},
    {"conv3", 156, 23.6, 3.0},
    {"conv4", 156, 18.4, 2.1},
    {"conv5", 156, 10.5, 1.3},
}};

// The Eyeriss result for a layer name (case-insensitive), or nullptr when Eyeriss published none.
const EyerissConvResult* eyeriss_result(const std::string& layer_name);

}  // namespace ocelli::report
