// ONNX graph -> the layers ocelli runs, still in float: fusion (Relu into the layer before it), folding
// (BatchNormalization into the Conv before it, alpha/beta into Gemm's weights and bias, MatMul + Add into one FC),
// dropping (Dropout, Identity, Flatten/Reshape that only re-lay out data) and mapping (AveragePool and
// GlobalAveragePool as depthwise convolutions with constant weights 1/k). docs/import.md lists what is supported.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ocelli/golden/alexnet.hpp"
#include "ocelli/onnx/numeric_tensor.hpp"

namespace onnx {
class ModelProto;
}

namespace ocelli::import {

// The model cannot run on ocelli; what() names the node, its op type and the reason. Nothing is written.
class Refused : public std::runtime_error {
 public:
  Refused(const std::string& node, const std::string& op_type, const std::string& reason);
  const std::string& node() const { return node_; }
  const std::string& op_type() const { return op_type_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string node_, op_type_, reason_;
};

// One layer in float. desc has kind, shapes (batch 1), conv/pool/LRN parameters and relu; formats are not set.
struct FloatLayer {
  golden::LayerDesc desc;
  std::vector<double> weights;  // conv: (M, C/G, R, S); fc: (M, K) with K in the CHW order of the input; row-major
  std::vector<double> bias;     // M entries, or empty
  std::string origin;           // the ONNX nodes this layer came from, e.g. "Conv 'conv1' + BatchNormalization 'bn1'"
  std::string node, op_type;    // the node that made the layer (refusals of later steps name it)
};

struct FloatNetwork {
  std::string name;
  std::string input_name;              // the graph input that feeds the network
  golden::Shape input_shape;           // batch 1 (the program's batch header sets N)
  std::vector<std::int64_t> output_dims_per_image;  // ONNX dims of the output without the batch dim (Flatten: {K})
  std::vector<FloatLayer> layers;
  std::vector<std::string> dropped;    // nodes that needed no layer ("Dropout 'd1'", ...)
};

// Lowers `model`. Graph inputs other than the data input must be initializers or appear in `constants` (an ONNX
// node test feeds a Conv's W as an input; the caller binds it to its test data). Throws Refused for anything ocelli
// cannot run, std::runtime_error for a malformed model.
FloatNetwork lower_model(const ::onnx::ModelProto& model,
                         const std::map<std::string, ocelli::onnx::NumericTensor>& constants = {});

// Refused naming the first node whose operator ocelli does not run at all (before any data is read).
void check_operators(const ::onnx::ModelProto& model);

// The same for a model file (ocelli::onnx::load_model_file reads it).
FloatNetwork lower_model_file(const std::string& path,
                              const std::map<std::string, ocelli::onnx::NumericTensor>& constants = {});

}  // namespace ocelli::import
