// The traced build of the top (tb/top/top_model.hpp).
#include "Vocelli_top_traced.h"
#include "top_model_impl.hpp"

namespace ocelli::tb {

std::unique_ptr<TopModel> make_traced_top_model(VerilatedContext& context, const std::string& name) {
  return std::make_unique<VerilatedTopModel<Vocelli_top_traced>>(context, name);
}

}  // namespace ocelli::tb
