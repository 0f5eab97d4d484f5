#include "ocelli/sim/top_model.hpp"

namespace ocelli::sim {

// One per build, each in its own translation unit (top_model_<kind>.cpp).
std::unique_ptr<TopModel> make_checked_top_model(VerilatedContext& context, const std::string& name);
std::unique_ptr<TopModel> make_fast_top_model(VerilatedContext& context, const std::string& name);
std::unique_ptr<TopModel> make_traced_top_model(VerilatedContext& context, const std::string& name);

const char* to_string(TopModelKind kind) {
  switch (kind) {
    case TopModelKind::kChecked: return "checked";
    case TopModelKind::kFast: return "fast";
    case TopModelKind::kTraced: return "traced";
  }
  return "?";
}

std::unique_ptr<TopModel> make_top_model(TopModelKind kind, VerilatedContext& context, const std::string& name) {
  switch (kind) {
    case TopModelKind::kChecked: return make_checked_top_model(context, name);
    case TopModelKind::kFast: return make_fast_top_model(context, name);
    case TopModelKind::kTraced: return make_traced_top_model(context, name);
  }
  return nullptr;
}

}  // namespace ocelli::sim
