#include "ocelli/golden/alexnet.hpp"

#include <chrono>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::golden {
namespace {


[[noreturn]] void bad(const LayerDesc& l, const std::string& what) {
  throw std::invalid_argument(fmt::format("layer {}: {}", l.name, what));
}

LayerDesc conv(const std::string& name, const Shape& in, int filters, int kernel, int stride, int pad, int groups) {
  LayerDesc l;
  l.name = name;
  l.kind = LayerKind::Conv;
  l.in_shape = in;
  l.weight_shape = Shape{filters, in.c / groups, kernel, kernel};
  l.conv.stride_h = l.conv.stride_w = stride;
  l.conv.pad_top = l.conv.pad_bottom = l.conv.pad_left = l.conv.pad_right = pad;
  l.conv.groups = groups;
  l.relu = true;
  l.out_shape = conv2d_output_shape(in, l.weight_shape, l.conv);
  return l;
}

LayerDesc lrn(const std::string& name, const Shape& in) {
  LayerDesc l;
  l.name = name;
  l.kind = LayerKind::Lrn;
  l.in_shape = l.out_shape = in;
  l.lrn = LrnParams{5, 1e-4, 0.75, 1.0};  // size 5, alpha 1e-4, beta 0.75, k 1 (issue 3; Caffe's AlexNet)
  return l;
}

LayerDesc pool(const std::string& name, const Shape& in) {
  LayerDesc l;
  l.name = name;
  l.kind = LayerKind::MaxPool;
  l.in_shape = in;
  l.pool = PoolParams{};  // 3x3 stride 2, no padding
  l.out_shape = max_pool_output_shape(in, l.pool);
  return l;
}

LayerDesc fc(const std::string& name, const Shape& in, int outputs, bool relu) {
  LayerDesc l;
  l.name = name;
  l.kind = LayerKind::FullyConnected;
  l.in_shape = in;
  l.weight_shape = Shape{outputs, in.c * in.h * in.w, 1, 1};
  l.out_shape = Shape{in.n, outputs, 1, 1};
  l.relu = relu;
  return l;
}

}  // namespace

const char* to_string(LayerKind kind) {
  switch (kind) {
    case LayerKind::Conv: return "conv";
    case LayerKind::FullyConnected: return "fc";
    case LayerKind::MaxPool: return "maxpool";
    case LayerKind::Lrn: return "lrn";
  }
  return "?";
}

std::uint64_t LayerDesc::macs() const {
  if (!has_weights()) return 0;
  const std::uint64_t per_output = static_cast<std::uint64_t>(weight_shape.c) * weight_shape.h * weight_shape.w;
  return static_cast<std::uint64_t>(out_shape.elements()) * per_output;
}

std::uint64_t NetworkDesc::macs() const {
  std::uint64_t total = 0;
  for (const auto& l : layers) total += l.macs();
  return total;
}

std::size_t NetworkDesc::index_of(const std::string& layer_name) const {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].name == layer_name) return i;
  }
  throw std::out_of_range(fmt::format("network {}: no layer named '{}'", name, layer_name));
}

NetworkDesc alexnet_description(int batch) {
  if (batch < 1) throw std::invalid_argument(fmt::format("alexnet: batch {} must be >= 1", batch));
  NetworkDesc d;
  d.name = "alexnet";
  d.input_shape = Shape{batch, 3, 227, 227};
  auto add = [&d](LayerDesc l) {
    d.layers.push_back(l);
    return l.out_shape;
  };
  Shape s = d.input_shape;
  s = add(conv("conv1", s, 96, 11, 4, 0, 1));
  s = add(lrn("norm1", s));
  s = add(pool("pool1", s));
  s = add(conv("conv2", s, 256, 5, 1, 2, 2));
  s = add(lrn("norm2", s));
  s = add(pool("pool2", s));
  s = add(conv("conv3", s, 384, 3, 1, 1, 1));
  s = add(conv("conv4", s, 384, 3, 1, 1, 2));
  s = add(conv("conv5", s, 256, 3, 1, 1, 2));
  s = add(pool("pool5", s));
  s = add(fc("fc6", s, 4096, true));
  s = add(fc("fc7", s, 4096, true));
  add(fc("fc8", s, 1000, false));
  return d;
}

NetworkDesc with_batch(const NetworkDesc& desc, int batch) {
  if (batch < 1) throw std::invalid_argument(fmt::format("network {}: batch {} must be >= 1", desc.name, batch));
  NetworkDesc d = desc;
  d.input_shape.n = batch;
  for (auto& l : d.layers) {
    l.in_shape.n = batch;
    l.out_shape.n = batch;
  }
  return d;
}

void validate(const Network& net) {
  const NetworkDesc& d = net.desc;
  if (net.params.size() != d.layers.size()) {
    throw std::invalid_argument(fmt::format("network {}: {} parameter sets for {} layers", d.name, net.params.size(),
                                            d.layers.size()));
  }
  Shape s = d.input_shape;
  int frac = d.input_frac;
  for (std::size_t i = 0; i < d.layers.size(); ++i) {
    const LayerDesc& l = d.layers[i];
    const LayerParams& p = net.params[i];
    if (l.in_shape != s) {
      bad(l, fmt::format("in_shape {} but the previous layer gives {}", to_string(l.in_shape), to_string(s)));
    }
    if (l.in_frac != frac) bad(l, fmt::format("in_frac {} but the previous layer gives {}", l.in_frac, frac));
    if (l.has_weights()) {
      if (p.weights.shape != l.weight_shape) {
        bad(l, fmt::format("weights shape {} but weight_shape {}", to_string(p.weights.shape),
                           to_string(l.weight_shape)));
      }
      if (p.weights.frac != l.weight_frac) bad(l, fmt::format("weights frac {} but weight_frac {}", p.weights.frac, l.weight_frac));
      if (p.bias.size() != static_cast<std::size_t>(l.weight_shape.n)) {
        bad(l, fmt::format("bias has {} entries for {} outputs", p.bias.size(), l.weight_shape.n));
      }
      const int shift = l.in_frac + l.weight_frac - l.out_frac;
      if (shift < 0 || shift > 31) bad(l, fmt::format("requantize shift {} outside 0..31", shift));
    } else if (l.out_frac != l.in_frac) {
      bad(l, fmt::format("out_frac {} differs from in_frac {} in a layer that keeps the format", l.out_frac, l.in_frac));
    }
    s = l.out_shape;
    frac = l.out_frac;
  }
}

std::vector<LayerRun> run_network(const Network& net, const Tensor16& input) {
  validate(net);
  const NetworkDesc& d = net.desc;
  if (input.shape != d.input_shape) {
    throw std::invalid_argument(fmt::format("network {}: input shape {} but the description expects {}", d.name,
                                            to_string(input.shape), to_string(d.input_shape)));
  }
  if (input.frac != d.input_frac) {
    throw std::invalid_argument(fmt::format("network {}: input frac {} but the description expects {}", d.name,
                                            input.frac, d.input_frac));
  }
  std::vector<LayerRun> runs;
  runs.reserve(d.layers.size());
  const Tensor16* x = &input;
  for (std::size_t i = 0; i < d.layers.size(); ++i) {
    const LayerDesc& l = d.layers[i];
    const LayerParams& p = net.params[i];
    LayerRun r;
    const auto t0 = std::chrono::steady_clock::now();
    switch (l.kind) {
      case LayerKind::Conv:
        r.output = conv2d(*x, p.weights, p.bias, l.conv, l.out_frac, l.relu, &r.stats);
        break;
      case LayerKind::FullyConnected:
        r.output = fully_connected(*x, p.weights, p.bias, l.out_frac, l.relu, &r.stats);
        break;
      case LayerKind::MaxPool:
        r.output = max_pool(*x, l.pool);
        break;
      case LayerKind::Lrn:
        r.output = lrn(*x, make_lrn_table(l.lrn, l.in_frac), &r.stats);
        break;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r.output.shape != l.out_shape) {
      bad(l, fmt::format("produced {} but out_shape is {}", to_string(r.output.shape), to_string(l.out_shape)));
    }
    runs.push_back(std::move(r));
    x = &runs.back().output;
  }
  return runs;
}

}  // namespace ocelli::golden
