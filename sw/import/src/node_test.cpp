#include "ocelli/import/node_test.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/core.h>

#include "ocelli/onnx/model_file.hpp"

namespace ocelli::import {
namespace fs = std::filesystem;
using ocelli::onnx::NumericTensor;

ImportedTest import_node_test(const fs::path& dir, const QuantizeOptions& options) {
  const ::onnx::ModelProto model = ocelli::onnx::load_model_file(dir / "model.onnx");
  check_operators(model);
  const fs::path set = dir / "test_data_set_0";
  if (!fs::is_directory(set)) throw std::runtime_error(fmt::format("{}: no test_data_set_0", dir.string()));
  std::vector<std::string> fed;
  {
    std::vector<std::string> inits;
    for (const auto& i : model.graph().initializer()) inits.push_back(i.name());
    for (const auto& vi : model.graph().input()) {
      if (std::find(inits.begin(), inits.end(), vi.name()) == inits.end()) fed.push_back(vi.name());
    }
  }
  if (fed.empty()) throw std::runtime_error(fmt::format("{}: the model has no fed input", dir.string()));
  std::map<std::string, NumericTensor> constants;
  NumericTensor data;
  for (std::size_t i = 0; i < fed.size(); ++i) {
    const fs::path file = set / fmt::format("input_{}.pb", i);
    if (!fs::exists(file)) throw std::runtime_error(fmt::format("{}: missing (graph input '{}')", file.string(), fed[i]));
    NumericTensor t;
    try {
      t = ocelli::onnx::load_tensor_file(file.string());
    } catch (const std::exception& e) {
      // A value of a type ocelli does not compute with (bool, float16, string, a sequence) for a supported node.
      if (i == 0) throw;
      throw Refused(fed[i], "graph input", fmt::format("its test value cannot be a constant: {}", e.what()));
    }
    t.name = fed[i];
    if (i == 0) {
      data = std::move(t);
    } else {
      constants[fed[i]] = std::move(t);
    }
  }
  ImportedTest r;
  r.float_net = lower_model(model, constants);
  r.model = quantize(r.float_net, data, options);
  r.expected = ocelli::onnx::load_tensor_file((set / "output_0.pb").string());
  return r;
}

ExpectedComparison compare_with_expected(const golden::Tensor16& got, const NumericTensor& expected) {
  ExpectedComparison c;
  c.elements = expected.elements();
  if (got.data.size() != expected.elements()) {
    c.shape_matches = false;
    c.first_outside = fmt::format("{} elements expected, the network gives {}", expected.elements(), got.data.size());
    return c;
  }
  c.tolerance = std::ldexp(expected.max_abs(), -10) + 2 * std::ldexp(1.0, -got.frac);
  for (std::size_t i = 0; i < got.data.size(); ++i) {
    const double g = std::ldexp(static_cast<double>(got.data[i]), -got.frac);
    const double diff = std::fabs(g - expected.values[i]);
    c.max_diff = std::max(c.max_diff, diff);
    if (!(diff <= c.tolerance)) {
      if (c.outside == 0) c.first_outside = fmt::format("index {}: expected {}, got {}", i, expected.values[i], g);
      ++c.outside;
    }
  }
  return c;
}

}  // namespace ocelli::import
