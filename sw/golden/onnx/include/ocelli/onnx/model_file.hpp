// Reading an ONNX model file (protobuf ModelProto); callers include <onnx/onnx_pb.h> to use the result.
#pragma once

#include <filesystem>

namespace onnx {
class ModelProto;
}

namespace ocelli::onnx {

// A regular file of at most 1 GiB holding a ModelProto with a graph; std::runtime_error naming the file otherwise.
::onnx::ModelProto load_model_file(const std::filesystem::path& path);

}  // namespace ocelli::onnx
