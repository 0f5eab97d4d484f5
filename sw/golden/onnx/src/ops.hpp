// Executors of the ONNX operators the hardware supports, on top of the golden reference (internal header).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ocelli/onnx/numeric_tensor.hpp"

namespace onnx {
class NodeProto;
}

namespace ocelli::onnx {

// One computed output with the absolute tolerance the comparison allows for each element (a single entry applies
// to all elements). Integer data gets tolerance 0: it must match exactly.
struct OpOutput {
  NumericTensor tensor;
  std::vector<double> tolerance;
  std::string tolerance_note;  // how the tolerance was derived, for --verbose
};

// Conv, Gemm, MaxPool, Relu, LRN: the operators the hardware can run (attributes permitting).
bool is_supported_operator(const ::onnx::NodeProto& node);

// Inputs are in node input order; std::nullopt for omitted optional inputs. Throws Unsupported for operators,
// attributes, shapes or data types the hardware cannot do, std::runtime_error for malformed nodes.
std::vector<OpOutput> run_node(const ::onnx::NodeProto& node, const std::vector<std::optional<NumericTensor>>& inputs,
                               std::ostream* verbose);

}  // namespace ocelli::onnx
