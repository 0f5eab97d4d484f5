// One layer kind = one executor: it lays out the layer's own data (weights, bias, tables), encodes its descriptor
// and reads its output back. Activations are not its business: the network layout hands it the regions to read
// and write.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ocelli/driver/conv_layer.hpp"
#include "ocelli/driver/descriptor.hpp"
#include "ocelli/driver/postproc.hpp"
#include "ocelli/golden/alexnet.hpp"
#include "ocelli/runtime/dram_layout.hpp"

namespace ocelli::runtime {

// What the host decided for a layer before running it.
struct LayerPlan {
  std::string mapping;                  // Mapping::to_string() (conv/fc)
  int active_pes = 0;
  std::uint64_t estimated_cycles = 0;   // mapper's estimate (0 = none)
};

class LayerExecutor {
 public:
  virtual ~LayerExecutor() = default;
  virtual const LayerPlan& plan() const = 0;
  virtual void allocate(DramArena& arena) = 0;        // the layer's own regions
  virtual void write(dram::Storage& storage) = 0;     // the layer's own data into them (once)
  virtual driver::Descriptor descriptor() const = 0;  // valid after allocate()
  virtual golden::Tensor16 read_output(dram::Storage& storage) const = 0;
  // Ofmap rows per tile (the mapping's or tile's e): whether the layer can write 16-bit row-table entries
  // (driver::tbl16_writable).
  virtual int ofmap_tile_rows() const = 0;
  // The activation regions once allocated (their formats settled after every executor chose its mapping).
  virtual void set_activations(const ActivationRegion& in, const ActivationRegion& out) = 0;
};

// CONV and FC (an FC layer is a CONV whose filter covers the ifmap: weights (M, K, 1, 1), K = C*H*W, become
// (M, C, H, W) filters). Throws std::invalid_argument naming the layer when the RTL cannot run it (filter > 12,
// no legal mapping).
class ConvExecutor final : public LayerExecutor {
 public:
  ConvExecutor(const golden::LayerDesc& desc, const golden::LayerParams& params, const ActivationRegion& in,
               const ActivationRegion& out, const driver::HwConfig& hw);
  // A layer with a mapping chosen by the caller (tests run any legal mapping, not only the mapper's); `weights` are
  // (M, C/G, R, S) filters.
  ConvExecutor(std::string name, const driver::ConvLayer& layer, const driver::Mapping& mapping,
               const golden::Tensor16& weights, const std::vector<std::int32_t>& bias, const ActivationRegion& in,
               const ActivationRegion& out, const driver::HwConfig& hw);
  const LayerPlan& plan() const override { return plan_; }
  void allocate(DramArena& arena) override;
  void write(dram::Storage& storage) override;
  driver::Descriptor descriptor() const override;
  golden::Tensor16 read_output(dram::Storage& storage) const override;
  int ofmap_tile_rows() const override { return mapping_.e; }
  void set_activations(const ActivationRegion& in, const ActivationRegion& out) override { in_ = in; out_ = out; }

  const driver::ConvLayer& layer() const { return layer_; }
  const driver::Mapping& mapping() const { return mapping_; }
  const driver::ConvAddresses& addresses() const { return addr_; }  // valid after allocate()

 private:
  void prepare(const golden::Tensor16& filters, const std::vector<std::int32_t>& bias);  // weight and bias words

  std::string name_;
  driver::ConvLayer layer_;
  driver::Mapping mapping_;
  LayerPlan plan_;
  ActivationRegion in_, out_;
  std::vector<std::uint64_t> weight_words_, bias_words_;  // released once written
  std::uint64_t weight_bytes_ = 0, bias_bytes_ = 0;
  driver::ConvAddresses addr_;
  driver::HwConfig hw_;
};

// MAXPOOL on the post-processing unit (docs/isa.md, POOL): no data of its own. Throws std::invalid_argument naming
// the layer when the hardware cannot run it (vertical stride not 1/2/4, window > 12, no tile fits).
class PoolExecutor final : public LayerExecutor {
 public:
  PoolExecutor(const golden::LayerDesc& desc, const ActivationRegion& in, const ActivationRegion& out,
               const driver::HwConfig& hw);
  const LayerPlan& plan() const override { return plan_; }
  void allocate(DramArena&) override {}
  void write(dram::Storage&) override {}
  driver::Descriptor descriptor() const override;
  golden::Tensor16 read_output(dram::Storage& storage) const override;
  int ofmap_tile_rows() const override { return tile_.e; }
  void set_activations(const ActivationRegion& in, const ActivationRegion& out) override { in_ = in; out_ = out; }

 private:
  driver::PoolLayer layer_;
  driver::PostprocTile tile_;
  LayerPlan plan_;
  ActivationRegion in_, out_;
};

// LRN on the post-processing unit (docs/isa.md, LRN): its own data is the multiplier table, made by the golden's
// make_lrn_table from the layer's parameters and input format (the same table the golden computes with).
class LrnExecutor final : public LayerExecutor {
 public:
  LrnExecutor(const golden::LayerDesc& desc, const ActivationRegion& in, const ActivationRegion& out,
              const driver::HwConfig& hw);
  const LayerPlan& plan() const override { return plan_; }
  void allocate(DramArena& arena) override;
  void write(dram::Storage& storage) override;
  driver::Descriptor descriptor() const override;
  golden::Tensor16 read_output(dram::Storage& storage) const override;
  int ofmap_tile_rows() const override { return tile_.e; }
  void set_activations(const ActivationRegion& in, const ActivationRegion& out) override { in_ = in; out_ = out; }

 private:
  std::string name_;
  driver::LrnLayer layer_;
  golden::LrnTable table_;
  driver::PostprocTile tile_;
  LayerPlan plan_;
  ActivationRegion in_, out_;
  std::uint32_t table_addr_ = 0;
};

// The executor for `desc`'s kind; throws std::invalid_argument "layer '<name>': <kind> is not supported by the RTL
// yet" for kinds without one.
std::unique_ptr<LayerExecutor> make_executor(const golden::LayerDesc& desc, const golden::LayerParams& params,
                                             const ActivationRegion& in, const ActivationRegion& out,
                                             const driver::HwConfig& hw);

}  // namespace ocelli::runtime
