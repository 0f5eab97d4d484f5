#include "ocelli/runtime/layer_executor.hpp"

#include <fmt/core.h>

#include <stdexcept>
#include <utility>

#include "ocelli/driver/layout.hpp"
#include "ocelli/driver/mapper.hpp"

namespace ocelli::runtime {
namespace {

constexpr int kMaxFilterSide = 12;  // R and S limit of the descriptor (docs/isa.md)

}  // namespace

ConvExecutor::ConvExecutor(const golden::LayerDesc& desc, const golden::LayerParams& params,
                           const ActivationRegion& in, const ActivationRegion& out, const driver::HwConfig& hw)
    : name_(desc.name), layer_(driver::conv_layer_of(desc, in.rlc, out.rlc)), in_(in), out_(out), hw_(hw) {
  driver::MappingEstimate best;
  try {
    best = driver::choose_mapping(layer_, hw);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("layer '{}': {}", desc.name, e.what()));
  }
  mapping_ = best.mapping;
  plan_ = LayerPlan{mapping_.to_string(), best.active_pes, best.cycles};
  if (desc.kind == golden::LayerKind::FullyConnected) {
    golden::Tensor16 filters = params.weights;  // same data, CHW order per filter
    filters.shape = golden::Shape{layer_.filters, layer_.in.c, layer_.filter_h, layer_.filter_w};
    prepare(filters, params.bias);
  } else {
    prepare(params.weights, params.bias);
  }
}

ConvExecutor::ConvExecutor(std::string name, const driver::ConvLayer& layer, const driver::Mapping& mapping,
                           const golden::Tensor16& weights, const std::vector<std::int32_t>& bias,
                           const ActivationRegion& in, const ActivationRegion& out, const driver::HwConfig& hw)
    : name_(std::move(name)), layer_(layer), mapping_(mapping), in_(in), out_(out), hw_(hw) {
  const auto est = driver::estimate(layer_, mapping_, hw);
  plan_ = LayerPlan{mapping_.to_string(), est.active_pes, est.cycles};
  prepare(weights, bias);
}

void ConvExecutor::prepare(const golden::Tensor16& filters, const std::vector<std::int32_t>& bias) {
  weight_words_ = driver::arrange_weights(filters, layer_, mapping_);
  bias_words_ = driver::pack_bias(bias);
  weight_bytes_ = weight_words_.size() * 8;
  bias_bytes_ = bias_words_.size() * 8 + 8;  // one spare word: the bias DMA may read a whole word pair
}

void ConvExecutor::allocate(DramArena& arena) {
  addr_.ifmap = in_.addr;
  addr_.ifmap_index = in_.index_addr;
  addr_.ofmap = out_.addr;
  addr_.ofmap_index = out_.index_addr;
  addr_.ifmap_tbl16 = in_.tbl16;
  addr_.ofmap_tbl16 = out_.tbl16;
  addr_.weights = arena.take(weight_bytes_, fmt::format("layer '{}' weights", name_));
  addr_.bias = arena.take(bias_bytes_, fmt::format("layer '{}' bias", name_));
}

void ConvExecutor::write(dram::Storage& storage) {
  write_words(storage, addr_.weights, weight_words_);
  write_words(storage, addr_.bias, bias_words_);
  weight_words_ = {};
  bias_words_ = {};
}

driver::Descriptor ConvExecutor::descriptor() const {
  return driver::encode_conv_descriptor(layer_, mapping_, addr_, hw_);
}

golden::Tensor16 ConvExecutor::read_output(dram::Storage& storage) const { return read_activation(storage, out_); }

namespace {
driver::ConvAddresses activation_addresses(const ActivationRegion& in, const ActivationRegion& out) {
  driver::ConvAddresses a;
  a.ifmap = in.addr;
  a.ifmap_index = in.index_addr;
  a.ofmap = out.addr;
  a.ofmap_index = out.index_addr;
  a.ifmap_tbl16 = in.tbl16;
  a.ofmap_tbl16 = out.tbl16;
  return a;
}

template <typename F>
auto named(const std::string& layer, const F& f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("layer '{}': {}", layer, e.what()));
  }
}
}  // namespace

PoolExecutor::PoolExecutor(const golden::LayerDesc& desc, const ActivationRegion& in, const ActivationRegion& out,
                           const driver::HwConfig& hw)
    : in_(in), out_(out) {
  layer_.in = desc.in_shape;
  layer_.pool = desc.pool;
  layer_.relu = desc.relu;
  layer_.ifmap_rlc = in.rlc;
  layer_.ofmap_rlc = out.rlc;
  if (desc.pool.kernel_h > kMaxFilterSide || desc.pool.kernel_w > kMaxFilterSide) {
    throw std::invalid_argument(fmt::format("layer '{}': maxpool window {}x{} exceeds the unit's {}x{}", desc.name,
                                            desc.pool.kernel_h, desc.pool.kernel_w, kMaxFilterSide, kMaxFilterSide));
  }
  tile_ = named(desc.name, [&] { return driver::choose_pool_tile(layer_, hw); });
  plan_ = LayerPlan{"ppu " + tile_.to_string(), 0, driver::estimate_pool_cycles(layer_, tile_)};
}

driver::Descriptor PoolExecutor::descriptor() const {
  return driver::encode_pool_descriptor(layer_, tile_, activation_addresses(in_, out_));
}

golden::Tensor16 PoolExecutor::read_output(dram::Storage& storage) const { return read_activation(storage, out_); }

LrnExecutor::LrnExecutor(const golden::LayerDesc& desc, const ActivationRegion& in, const ActivationRegion& out,
                         const driver::HwConfig& hw)
    : name_(desc.name), in_(in), out_(out) {
  layer_.in = desc.in_shape;
  layer_.ifmap_rlc = in.rlc;
  layer_.ofmap_rlc = out.rlc;
  table_ = named(desc.name, [&] { return golden::make_lrn_table(desc.lrn, desc.in_frac); });
  named(desc.name, [&] { return driver::pack_lrn_table(table_); });  // the unit can hold it
  tile_ = named(desc.name, [&] { return driver::choose_lrn_tile(layer_, hw); });
  plan_ = LayerPlan{"ppu " + tile_.to_string(), 0, driver::estimate_lrn_cycles(layer_, table_, tile_)};
}

void LrnExecutor::allocate(DramArena& arena) {
  table_addr_ = arena.take(driver::pack_lrn_table(table_).size() * 8, fmt::format("layer '{}' LRN table", name_));
}

void LrnExecutor::write(dram::Storage& storage) { write_words(storage, table_addr_, driver::pack_lrn_table(table_)); }

driver::Descriptor LrnExecutor::descriptor() const {
  auto a = activation_addresses(in_, out_);
  a.weights = table_addr_;
  return driver::encode_lrn_descriptor(layer_, table_, tile_, a);
}

golden::Tensor16 LrnExecutor::read_output(dram::Storage& storage) const { return read_activation(storage, out_); }

std::unique_ptr<LayerExecutor> make_executor(const golden::LayerDesc& desc, const golden::LayerParams& params,
                                             const ActivationRegion& in, const ActivationRegion& out,
                                             const driver::HwConfig& hw) {
  switch (desc.kind) {
    case golden::LayerKind::Conv:
    case golden::LayerKind::FullyConnected:
      return std::make_unique<ConvExecutor>(desc, params, in, out, hw);
    case golden::LayerKind::MaxPool:
      return std::make_unique<PoolExecutor>(desc, in, out, hw);
    case golden::LayerKind::Lrn:
      return std::make_unique<LrnExecutor>(desc, in, out, hw);
    default:
      throw std::invalid_argument(
          fmt::format("layer '{}': {} is not supported by the RTL yet", desc.name, golden::to_string(desc.kind)));
  }
}

}  // namespace ocelli::runtime
