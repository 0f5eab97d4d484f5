// A CNN as plain data (layer list with shapes, parameters and fixed-point formats) and its golden execution.
// The driver builds its layer programs from the same NetworkDesc, so the golden and the hardware run one description.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocelli/golden/layers.hpp"
#include "ocelli/golden/tensor.hpp"

namespace ocelli::golden {

enum class LayerKind { Conv, FullyConnected, MaxPool, Lrn };
const char* to_string(LayerKind kind);

struct LayerDesc {
  std::string name;
  LayerKind kind = LayerKind::Conv;
  Shape in_shape;            // (N, C, H, W); n is the batch
  Shape out_shape;
  Shape weight_shape;        // Conv: (M, C/groups, R, S); FullyConnected: (M, K, 1, 1); unused otherwise
  ConvParams conv;           // Conv only
  PoolParams pool;           // MaxPool only
  LrnParams lrn;             // Lrn only
  bool relu = false;         // Conv/FullyConnected: ReLU after requantize
  int in_frac = 0;           // fixed-point formats (set by calibration; pass-through layers keep in_frac)
  int weight_frac = 0;       // Conv/FullyConnected
  int out_frac = 0;

  bool has_weights() const { return kind == LayerKind::Conv || kind == LayerKind::FullyConnected; }
  std::uint64_t macs() const;  // multiply-accumulates for the whole batch (0 for pooling/LRN)
};

struct NetworkDesc {
  std::string name;
  Shape input_shape;
  int input_frac = 0;
  std::vector<LayerDesc> layers;

  std::uint64_t macs() const;
  // Index of the layer called `name`; throws std::out_of_range naming it if absent.
  std::size_t index_of(const std::string& name) const;
};

// The same network for another batch size (formats and parameters are per layer, not per image).
NetworkDesc with_batch(const NetworkDesc& desc, int batch);

// Weights and bias of one layer (both empty for layers without weights). Bias is in the accumulator format
// (in_frac + weight_frac), one entry per output channel.
struct LayerParams {
  Tensor16 weights;
  std::vector<std::int32_t> bias;
};

struct Network {
  NetworkDesc desc;
  std::vector<LayerParams> params;  // one entry per desc.layers entry
};

// The original AlexNet (groups = 2 in conv2/4/5; LRN k = 1, n = 5, alpha = 1e-4, beta = 0.75) with the given batch.
// Shapes and layer parameters only: formats are zero until calibrated.
NetworkDesc alexnet_description(int batch);

struct LayerRun {
  Tensor16 output;
  LayerStats stats;
  double seconds = 0.0;
};

// Runs the network on `input` (shape desc.input_shape, frac desc.input_frac) with the golden layers. Throws
// std::invalid_argument naming the layer and field when the input or a layer's parameters do not fit the description.
std::vector<LayerRun> run_network(const Network& net, const Tensor16& input);

// Checks that desc/params are consistent (shapes chain, weight/bias sizes, formats); throws std::invalid_argument
// naming the layer and the field.
void validate(const Network& net);

}  // namespace ocelli::golden
