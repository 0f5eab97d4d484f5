// A build of the top in a non-default configuration (rows, columns and GLB banks set once in tb/top/CMakeLists.txt,
// as Verilator parameters of the model and as the HwConfig the mapper plans for), so the tests can show that the
// sizes really are parameters.
#pragma once

#include <memory>
#include <string>

#include "ocelli/driver/conv_layer.hpp"
#include "ocelli/sim/top_model.hpp"

namespace ocelli::tb {

std::unique_ptr<sim::TopModel> make_config_top_model(VerilatedContext& context, const std::string& name);
// The same configuration for the mapper and the driver.
driver::HwConfig config_hw();

}  // namespace ocelli::tb
