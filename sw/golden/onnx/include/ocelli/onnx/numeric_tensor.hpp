// Tensors read from ONNX protobuf files, held as doubles so float and integer data share one type.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
}

namespace ocelli::onnx {

// The node needs something the hardware (or this runner) cannot do; the message names it.
class Unsupported : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ElementKind { Float, Integer };

struct NumericTensor {
  std::string name;
  std::vector<std::int64_t> dims;
  std::vector<double> values;  // row-major; every int16/int32 and float value is exact in a double
  ElementKind kind = ElementKind::Float;
  int onnx_type = 0;  // TensorProto.DataType, kept for messages

  std::size_t elements() const { return values.size(); }
  double max_abs() const;
};

// Human-readable name of a TensorProto.DataType value ("FLOAT", "UINT8", ...).
std::string onnx_type_name(int onnx_type);

// Reads one serialized TensorProto (an input_*.pb / output_*.pb file). Throws std::runtime_error naming the
// file when it cannot be read or parsed, Unsupported for data types outside float/double and the integer types.
NumericTensor load_tensor_file(const std::string& path);
// The same for a TensorProto already in memory (model initializers); `context` prefixes error messages.
NumericTensor tensor_from_proto(const ::onnx::TensorProto& proto, const std::string& context);

}  // namespace ocelli::onnx
