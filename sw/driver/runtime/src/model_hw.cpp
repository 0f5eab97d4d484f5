#include "ocelli/runtime/model_hw.hpp"

#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::runtime {

driver::HwConfig model_hw(sim::TopSim& sim) { return driver::HwConfig::from_register(sim.csr(sim::Csr::kHwConfig)); }

void require_model_hw(sim::TopSim& sim, const driver::HwConfig& planned) {
  const driver::HwConfig built = model_hw(sim);
  const std::string diff = planned.hardware_difference(built);
  if (!diff.empty()) {
    throw std::runtime_error(fmt::format("the RTL model ({}) was built with another configuration than the one the "
                                         "layers are mapped for: {}", sim::to_string(sim.model_kind()), diff));
  }
}

}  // namespace ocelli::runtime
