// Reading ONNX node attributes and the 2-D window attributes shared by Conv and the pooling operators (the golden's
// node runner and the model importer read nodes alike).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace onnx {
class NodeProto;
class AttributeProto;
}  // namespace onnx

namespace ocelli::onnx {

// Reads a node's attributes and remembers which were asked for, so unknown ones are rejected, never ignored.
// A present attribute of the wrong type is std::runtime_error (malformed).
class Attributes {
 public:
  explicit Attributes(const ::onnx::NodeProto& node);

  std::int64_t get_int(const std::string& name, std::int64_t fallback);
  double get_float(const std::string& name, double fallback);
  std::string get_string(const std::string& name, const std::string& fallback);
  std::vector<std::int64_t> get_ints(const std::string& name, std::vector<std::int64_t> fallback);
  bool has(const std::string& name) const { return by_name_.count(name) != 0; }

  // Any attribute no executor asked for changes semantics we do not model: Unsupported naming it.
  void reject_unused() const;

 private:
  const ::onnx::AttributeProto* find(const std::string& name, int type);

  std::string op_;
  std::map<std::string, const ::onnx::AttributeProto*> by_name_;
  std::set<std::string> used_;
};

struct Pads {
  int top = 0, left = 0, bottom = 0, right = 0;
};

// ONNX padding (explicit pads [top, left, bottom, right] or auto_pad) of a 2-D window. Each side may differ (the
// golden and the hardware pad each side on its own).
Pads resolve_pads(const std::string& op, const std::string& auto_pad, const std::vector<std::int64_t>& pads, int in_h,
                  int in_w, int k_h, int k_w, int s_h, int s_w);

// Unsupported unless every dilation is 1.
void require_unit_dilations(const std::string& op, const std::vector<std::int64_t>& dilations);

// A 2-D attribute (kernel_shape, strides): Unsupported for another rank, std::runtime_error for entries < 1.
std::vector<std::int64_t> two_ints(const std::string& op, const char* name, std::vector<std::int64_t> v);

}  // namespace ocelli::onnx
