// The checked build of the top (sw/sim/include/ocelli/sim/top_model.hpp).
#include "Vocelli_top.h"
#include "ocelli/sim/top_model_impl.hpp"

namespace ocelli::sim {

std::unique_ptr<TopModel> make_checked_top_model(VerilatedContext& context, const std::string& name) {
  return std::make_unique<VerilatedTopModel<Vocelli_top>>(context, name);
}

}  // namespace ocelli::sim
