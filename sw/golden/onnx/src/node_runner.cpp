#include "ocelli/onnx/node_runner.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "ocelli/golden/file_bytes.hpp"
#include "ocelli/onnx/numeric_tensor.hpp"
#include "ocelli/onnx/model_file.hpp"
#include "ops.hpp"

namespace ocelli::onnx {
namespace {

namespace pb = ::onnx;
namespace fs = std::filesystem;

constexpr std::uint64_t kMaxProtoBytes = 1ull << 30;

}  // namespace

// A regular file only (a FIFO is refused at once instead of blocking); an empty file or one without a graph is
// malformed (exit 3), not an unsupported model.
pb::ModelProto load_model_file(const fs::path& path) {
  const auto bytes = golden::read_regular_file(path.string(), kMaxProtoBytes, "ONNX model");
  if (bytes.empty()) throw std::runtime_error(fmt::format("{}: not a valid ModelProto: the file is empty", path.string()));
  pb::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw std::runtime_error(fmt::format("{}: not a valid ModelProto", path.string()));
  }
  if (!model.has_graph()) throw std::runtime_error(fmt::format("{}: not a valid ModelProto: no graph", path.string()));
  return model;
}

namespace {

std::vector<fs::path> data_set_dirs(const fs::path& dir) {
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  }
  std::sort(sets.begin(), sets.end());
  return sets;
}

// input_0.pb, input_1.pb, ... (or output_*) in index order. A numbered file after a gap (input_7.pb without
// input_1..6) is an error naming it, never silently ignored.
std::vector<fs::path> numbered_files(const fs::path& dir, const std::string& stem) {
  std::vector<fs::path> files;
  for (int i = 0;; ++i) {
    fs::path p = dir / fmt::format("{}_{}.pb", stem, i);
    if (!fs::exists(p)) break;
    files.push_back(p);
  }
  const std::string prefix = stem + "_";
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= prefix.size() + 3 || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - 3, 3, ".pb") != 0) {
      continue;
    }
    const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - 3);
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::find(files.begin(), files.end(), e.path()) == files.end()) {
      throw std::runtime_error(fmt::format("{}: {} does not follow {}_0..{}_{} (files must be numbered without gaps)",
                                           dir.string(), name, stem, stem, static_cast<int>(files.size()) - 1));
    }
  }
  return files;
}

std::string describe_node(const pb::NodeProto& node) {
  std::vector<std::string> attrs;
  for (const auto& a : node.attribute()) {
    switch (a.type()) {
      case pb::AttributeProto_AttributeType_INT: attrs.push_back(fmt::format("{}={}", a.name(), a.i())); break;
      case pb::AttributeProto_AttributeType_FLOAT: attrs.push_back(fmt::format("{}={}", a.name(), a.f())); break;
      case pb::AttributeProto_AttributeType_STRING: attrs.push_back(fmt::format("{}={}", a.name(), a.s())); break;
      case pb::AttributeProto_AttributeType_INTS:
        attrs.push_back(fmt::format("{}=[{}]", a.name(), fmt::join(a.ints(), ",")));
        break;
      default: attrs.push_back(a.name()); break;
    }
  }
  return fmt::format("{}({}) {}", node.op_type(), fmt::join(attrs, " "), fmt::join(node.input(), ","));
}

// Compares one output; returns the number of elements outside tolerance and reports the first few.
std::size_t compare(const OpOutput& got, const NumericTensor& expected, const std::string& where,
                    const NodeTestOptions& options, std::ostream& log) {
  if (got.tensor.dims != expected.dims) {
    log << fmt::format("{}: shape mismatch: expected [{}], got [{}]\n", where, fmt::join(expected.dims, ","),
                       fmt::join(got.tensor.dims, ","));
    return std::max<std::size_t>(1, expected.elements());
  }
  // The expected values are themselves rounded to their storage type (float32: relative 2^-24).
  const double storage_rel = expected.kind == ElementKind::Integer ? 0.0
                             : expected.onnx_type == pb::TensorProto_DataType_DOUBLE ? std::ldexp(1.0, -53)
                                                                                     : std::ldexp(1.0, -24);
  std::size_t bad = 0;
  double worst = 0.0, widest = 0.0;
  for (std::size_t i = 0; i < expected.elements(); ++i) {
    const double e = expected.values[i], g = got.tensor.values[i];
    const double tol = got.tolerance.size() == 1 ? got.tolerance[0] : got.tolerance[i];
    const double err = std::fabs(e - g);
    worst = std::max(worst, err);
    widest = std::max(widest, tol);
    if (!(err <= tol + storage_rel * std::fabs(e))) {  // NaN counts as a mismatch
      if (bad < static_cast<std::size_t>(options.max_reported_mismatches)) {
        log << fmt::format("{}: index {}: expected {}, got {} (|diff| {:.3g} > tolerance {:.3g})\n", where, i, e, g,
                           err, tol);
      }
      ++bad;
    }
  }
  if (options.verbose) {
    log << fmt::format("{}: {} elements, max |diff| {:.3g}, largest tolerance {:.3g}, {} outside tolerance\n", where,
                       expected.elements(), worst, widest, bad);
  }
  if (bad > 0) log << fmt::format("{}: {} of {} elements outside tolerance\n", where, bad, expected.elements());
  return bad;
}

}  // namespace

Verdict run_node_test(const std::string& test_dir, const NodeTestOptions& options, std::ostream& log) {
  const fs::path dir(test_dir);
  if (!fs::is_directory(dir)) throw std::runtime_error(fmt::format("{}: not a directory", test_dir));
  const pb::ModelProto model = load_model_file(dir / "model.onnx");
  const pb::GraphProto& graph = model.graph();
  try {
    if (graph.node_size() != 1) {
      std::vector<std::string> ops;
      for (const auto& n : graph.node()) ops.push_back(n.op_type());
      throw Unsupported(fmt::format("graph of {} nodes ({}); the runner executes single-node models", graph.node_size(),
                                    fmt::join(ops, ", ")));
    }
    const pb::NodeProto& node = graph.node(0);
    // Before touching the data: tests of other operators may hold non-tensor values (sequences, optionals).
    if (!is_supported_operator(node)) {
      throw Unsupported(fmt::format("operator {}{}", node.domain().empty() ? "" : node.domain() + ".", node.op_type()));
    }
    if (options.verbose) log << fmt::format("node: {}\n", describe_node(node));

    std::map<std::string, NumericTensor> initializers;
    for (const auto& init : graph.initializer()) {
      initializers[init.name()] = tensor_from_proto(init, fmt::format("{}: initializer {}", test_dir, init.name()));
    }
    std::vector<std::string> fed_inputs;  // graph inputs the data sets provide, in order
    for (const auto& vi : graph.input()) {
      if (!initializers.count(vi.name())) fed_inputs.push_back(vi.name());
    }

    const auto sets = data_set_dirs(dir);
    if (sets.empty()) throw std::runtime_error(fmt::format("{}: no test_data_set_* directories", test_dir));
    std::size_t total_bad = 0;
    for (const auto& set : sets) {
      const auto input_files = numbered_files(set, "input");
      const auto output_files = numbered_files(set, "output");
      if (input_files.size() != fed_inputs.size()) {
        throw std::runtime_error(fmt::format("{}: {} input files for {} graph inputs", set.string(),
                                             input_files.size(), fed_inputs.size()));
      }
      std::map<std::string, NumericTensor> values = initializers;
      for (std::size_t i = 0; i < input_files.size(); ++i) values[fed_inputs[i]] = load_tensor_file(input_files[i]);

      std::vector<std::optional<NumericTensor>> node_inputs;
      for (const auto& name : node.input()) {
        if (name.empty()) {
          node_inputs.emplace_back(std::nullopt);
          continue;
        }
        auto it = values.find(name);
        if (it == values.end()) throw std::runtime_error(fmt::format("{}: node input '{}' has no value", test_dir, name));
        it->second.name = name;
        node_inputs.emplace_back(it->second);
      }
      const auto outputs = run_node(node, node_inputs, options.verbose ? &log : nullptr);
      if (output_files.size() != outputs.size()) {
        throw std::runtime_error(fmt::format("{}: {} expected output files for {} node outputs", set.string(),
                                             output_files.size(), outputs.size()));
      }
      for (std::size_t i = 0; i < outputs.size(); ++i) {
        const NumericTensor expected = load_tensor_file(output_files[i]);
        if ((expected.kind == ElementKind::Integer) != (outputs[i].tensor.kind == ElementKind::Integer)) {
          throw std::runtime_error(fmt::format("{}: expected {} data, the node produces {}", output_files[i].string(),
                                               onnx_type_name(expected.onnx_type),
                                               onnx_type_name(outputs[i].tensor.onnx_type)));
        }
        total_bad += compare(outputs[i], expected,
                             fmt::format("{}/output_{}", set.filename().string(), i), options, log);
      }
    }
    if (total_bad > 0) {
      log << fmt::format("mismatch: {} ({} elements outside tolerance)\n", test_dir, total_bad);
      return Verdict::Mismatch;
    }
    log << fmt::format("match: {} ({} data set{})\n", test_dir, sets.size(), sets.size() == 1 ? "" : "s");
    return Verdict::Match;
  } catch (const Unsupported& e) {
    log << fmt::format("unsupported: {}\n", e.what());
    return Verdict::Unsupported;
  }
}

}  // namespace ocelli::onnx
