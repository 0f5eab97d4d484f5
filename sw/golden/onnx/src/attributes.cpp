#include "ocelli/onnx/attributes.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "ocelli/onnx/numeric_tensor.hpp"

namespace ocelli::onnx {

namespace pb = ::onnx;

Attributes::Attributes(const pb::NodeProto& node) : op_(node.op_type()) {
  for (const auto& a : node.attribute()) by_name_[a.name()] = &a;
}

std::int64_t Attributes::get_int(const std::string& name, std::int64_t fallback) {
  const auto* a = find(name, pb::AttributeProto_AttributeType_INT);
  return a ? a->i() : fallback;
}
double Attributes::get_float(const std::string& name, double fallback) {
  const auto* a = find(name, pb::AttributeProto_AttributeType_FLOAT);
  return a ? a->f() : fallback;
}
std::string Attributes::get_string(const std::string& name, const std::string& fallback) {
  const auto* a = find(name, pb::AttributeProto_AttributeType_STRING);
  return a ? a->s() : fallback;
}
std::vector<std::int64_t> Attributes::get_ints(const std::string& name, std::vector<std::int64_t> fallback) {
  const auto* a = find(name, pb::AttributeProto_AttributeType_INTS);
  return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : fallback;
}

void Attributes::reject_unused() const {
  for (const auto& [name, attr] : by_name_) {
    if (!used_.count(name)) throw Unsupported(fmt::format("{} attribute '{}'", op_, name));
  }
}

const pb::AttributeProto* Attributes::find(const std::string& name, int type) {
  used_.insert(name);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return nullptr;
  if (it->second->type() != type) {
    throw std::runtime_error(fmt::format("{} attribute '{}' has type {}, expected {}", op_, name,
                                         pb::AttributeProto_AttributeType_Name(it->second->type()),
                                         pb::AttributeProto_AttributeType_Name(
                                             static_cast<pb::AttributeProto_AttributeType>(type))));
  }
  return it->second;
}

Pads resolve_pads(const std::string& op, const std::string& auto_pad, const std::vector<std::int64_t>& pads, int in_h,
                  int in_w, int k_h, int k_w, int s_h, int s_w) {
  Pads p;
  if (auto_pad == "NOTSET") {
    if (pads.size() != 4) throw std::runtime_error(fmt::format("{}: pads has {} entries, expected 4", op, pads.size()));
    for (auto v : pads) {
      if (v < 0) throw std::runtime_error(fmt::format("{}: negative pad {}", op, v));
    }
    p = Pads{static_cast<int>(pads[0]), static_cast<int>(pads[1]), static_cast<int>(pads[2]),
             static_cast<int>(pads[3])};
  } else if (auto_pad == "VALID") {
    p = Pads{};
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    // Output ceil(in / stride); the odd pixel of an odd total goes at the end (UPPER) or the beginning (LOWER).
    auto total = [](int in, int k, int s) { return std::max(0, ((in + s - 1) / s - 1) * s + k - in); };
    const int th = total(in_h, k_h, s_h), tw = total(in_w, k_w, s_w);
    const bool upper = auto_pad == "SAME_UPPER";
    p.top = upper ? th / 2 : th - th / 2;
    p.bottom = th - p.top;
    p.left = upper ? tw / 2 : tw - tw / 2;
    p.right = tw - p.left;
  } else {
    throw std::runtime_error(fmt::format("{}: unknown auto_pad '{}'", op, auto_pad));
  }
  return p;
}

void require_unit_dilations(const std::string& op, const std::vector<std::int64_t>& dilations) {
  for (auto d : dilations) {
    if (d != 1) throw Unsupported(fmt::format("{} dilations [{}]", op, fmt::join(dilations, ",")));
  }
}

std::vector<std::int64_t> two_ints(const std::string& op, const char* name, std::vector<std::int64_t> v) {
  if (v.size() != 2) {
    throw Unsupported(fmt::format("{} {} with {} entries (only 2-D)", op, name, v.size()));
  }
  for (auto x : v) {
    if (x < 1) throw std::runtime_error(fmt::format("{}: {} entry {} is not positive", op, name, x));
  }
  return v;
}

}  // namespace ocelli::onnx
