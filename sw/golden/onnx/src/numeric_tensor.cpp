#include "ocelli/onnx/numeric_tensor.hpp"

#include "ocelli/golden/file_bytes.hpp"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

namespace ocelli::onnx {
namespace {

namespace pb = ::onnx;

// Decodes little-endian raw_data of element type T.
template <class T>
std::vector<double> from_raw(const std::string& raw, const std::string& path) {
  if (raw.size() % sizeof(T) != 0) {
    throw std::runtime_error(fmt::format("{}: raw_data has {} bytes, not a multiple of {}", path, raw.size(),
                                         sizeof(T)));
  }
  std::vector<double> out(raw.size() / sizeof(T));
  for (std::size_t i = 0; i < out.size(); ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));  // x86-64 and the format are both little-endian
    out[i] = static_cast<double>(v);
  }
  return out;
}

template <class Field>
std::vector<double> from_field(const Field& field) {
  return std::vector<double>(field.begin(), field.end());
}

}  // namespace

double NumericTensor::max_abs() const {
  double m = 0.0;
  for (double v : values) m = std::max(m, std::fabs(v));
  return m;
}

std::string onnx_type_name(int onnx_type) {
  if (pb::TensorProto_DataType_IsValid(onnx_type)) {
    return pb::TensorProto_DataType_Name(static_cast<pb::TensorProto_DataType>(onnx_type));
  }
  return fmt::format("type#{}", onnx_type);
}

NumericTensor load_tensor_file(const std::string& path) {
  // A regular file only: a FIFO input_0.pb is refused at once instead of blocking.
  const auto bytes = golden::read_regular_file(path, 1ull << 30, "ONNX tensor");
  pb::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw std::runtime_error(fmt::format("{}: not a valid TensorProto", path));
  }
  return tensor_from_proto(proto, path);
}

NumericTensor tensor_from_proto(const pb::TensorProto& proto, const std::string& path) {
  if (proto.data_location() == pb::TensorProto_DataLocation_EXTERNAL) {
    throw Unsupported(fmt::format("{}: tensor with external data", path));
  }
  if (proto.has_segment()) throw Unsupported(fmt::format("{}: segmented tensor", path));

  NumericTensor t;
  t.name = proto.name();
  t.onnx_type = proto.data_type();
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  const std::string& raw = proto.raw_data();
  const bool has_raw = proto.has_raw_data();
  switch (proto.data_type()) {
    case pb::TensorProto_DataType_FLOAT:
      t.values = has_raw ? from_raw<float>(raw, path) : from_field(proto.float_data());
      break;
    case pb::TensorProto_DataType_DOUBLE:
      t.values = has_raw ? from_raw<double>(raw, path) : from_field(proto.double_data());
      break;
    case pb::TensorProto_DataType_UINT8:
      t.values = has_raw ? from_raw<std::uint8_t>(raw, path) : from_field(proto.int32_data());
      t.kind = ElementKind::Integer;
      break;
    case pb::TensorProto_DataType_INT8:
      t.values = has_raw ? from_raw<std::int8_t>(raw, path) : from_field(proto.int32_data());
      t.kind = ElementKind::Integer;
      break;
    case pb::TensorProto_DataType_UINT16:
      t.values = has_raw ? from_raw<std::uint16_t>(raw, path) : from_field(proto.int32_data());
      t.kind = ElementKind::Integer;
      break;
    case pb::TensorProto_DataType_INT16:
      t.values = has_raw ? from_raw<std::int16_t>(raw, path) : from_field(proto.int32_data());
      t.kind = ElementKind::Integer;
      break;
    case pb::TensorProto_DataType_INT32:
      t.values = has_raw ? from_raw<std::int32_t>(raw, path) : from_field(proto.int32_data());
      t.kind = ElementKind::Integer;
      break;
    case pb::TensorProto_DataType_INT64:
      t.values = has_raw ? from_raw<std::int64_t>(raw, path) : from_field(proto.int64_data());
      t.kind = ElementKind::Integer;
      break;
    case pb::TensorProto_DataType_UINT32:
      t.values = has_raw ? from_raw<std::uint32_t>(raw, path) : from_field(proto.uint64_data());
      t.kind = ElementKind::Integer;
      break;
    default:
      throw Unsupported(fmt::format("{}: data type {} (only float, double and integer tensors)", path,
                                    onnx_type_name(proto.data_type())));
  }
  std::size_t expected = 1;
  for (auto d : t.dims) {
    if (d < 0) throw std::runtime_error(fmt::format("{}: negative dimension {}", path, d));
    expected *= static_cast<std::size_t>(d);
  }
  if (expected != t.values.size()) {
    throw std::runtime_error(
        fmt::format("{}: dims promise {} elements but the data holds {}", path, expected, t.values.size()));
  }
  return t;
}

}  // namespace ocelli::onnx
