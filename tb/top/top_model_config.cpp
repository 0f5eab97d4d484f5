// The checked build of the top in the testbench's non-default configuration (tb/top/CMakeLists.txt, vocelli_top_config).
#include "Vocelli_top_config.h"
#include "ocelli/sim/top_model_impl.hpp"
#include "top_model_config.hpp"

namespace ocelli::tb {

std::unique_ptr<sim::TopModel> make_config_top_model(VerilatedContext& context, const std::string& name) {
  return std::make_unique<sim::VerilatedTopModel<Vocelli_top_config>>(context, name);
}

driver::HwConfig config_hw() {
  driver::HwConfig hw;
  hw.array_rows = OCELLI_CONFIG_ROWS;
  hw.array_cols = OCELLI_CONFIG_COLS;
  hw.ifmap_spad = OCELLI_CONFIG_IFMAP_SPAD;
  hw.filter_spad = OCELLI_CONFIG_FILTER_SPAD;
  hw.psum_spad = OCELLI_CONFIG_PSUM_SPAD;
  hw.glb_act_banks = OCELLI_CONFIG_GLB_BANKS - 2;
  hw.glb_filter_banks = 2;
  return hw;
}

}  // namespace ocelli::tb
