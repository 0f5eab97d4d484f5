// The hardware configuration of the top a TopSim runs, as its HwConfig register reports it (docs/isa.md), and the
// check that a program was mapped for that configuration.
#pragma once

#include "ocelli/driver/conv_layer.hpp"
#include "ocelli/sim/top_sim.hpp"

namespace ocelli::runtime {

driver::HwConfig model_hw(sim::TopSim& sim);

// Throws std::runtime_error naming every difference when the top was built with another array, spads or GLB than
// `planned` (its mappings and GLB plans would not fit, or would waste the hardware).
void require_model_hw(sim::TopSim& sim, const driver::HwConfig& planned);

}  // namespace ocelli::runtime
