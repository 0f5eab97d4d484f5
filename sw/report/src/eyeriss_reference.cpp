#include "ocelli/report/eyeriss_reference.hpp"

#include <algorithm>
#include <cctype>

namespace ocelli::report {

const EyerissConvResult* eyeriss_result(const std::string& layer_name) {
  std::string lower = layer_name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& r : kEyerissAlexnetConv)
    if (lower == r.layer) return &r;
  return nullptr;
}

}  // namespace ocelli::report
