// Temporary: entry points exist so teammates can link; implementations follow in the next commits.
#include <stdexcept>
#include <string>

#include "ocelli/golden/golden.hpp"

namespace ocelli::golden {
namespace {
[[noreturn]] void todo(const char* f) { throw std::logic_error(std::string("golden: not implemented yet: ") + f); }
}  // namespace
Shape conv2d_output_shape(const Shape&, const Shape&, const ConvParams&) { todo("conv2d_output_shape"); }
Tensor32 conv2d_accumulate(const Tensor16&, const Tensor16&, const std::vector<int32_t>&, const ConvParams&, LayerStats*) { todo("conv2d_accumulate"); }
Tensor16 requantize(const Tensor32&, int, bool, LayerStats*) { todo("requantize"); }
Tensor16 conv2d(const Tensor16&, const Tensor16&, const std::vector<int32_t>&, const ConvParams&, int, bool, LayerStats*) { todo("conv2d"); }
Tensor32 fc_accumulate(const Tensor16&, const Tensor16&, const std::vector<int32_t>&, LayerStats*) { todo("fc_accumulate"); }
Tensor16 fully_connected(const Tensor16&, const Tensor16&, const std::vector<int32_t>&, int, bool, LayerStats*) { todo("fully_connected"); }
Tensor16 relu(const Tensor16&) { todo("relu"); }
Shape max_pool_output_shape(const Shape&, const PoolParams&) { todo("max_pool_output_shape"); }
Tensor16 max_pool(const Tensor16&, const PoolParams&) { todo("max_pool"); }
std::size_t LrnTable::index_of(std::uint64_t) const { todo("LrnTable::index_of"); }
LrnTable make_lrn_table(const LrnParams&, int, int) { todo("make_lrn_table"); }
Tensor16 lrn(const Tensor16&, const LrnTable&, LayerStats*) { todo("lrn"); }
void write_tensor_file(const std::string&, const Tensor16&) { todo("write_tensor_file"); }
void write_tensor_file(const std::string&, const Tensor32&) { todo("write_tensor_file"); }
Tensor16 read_tensor_file(const std::string&) { todo("read_tensor_file"); }
Tensor32 read_tensor_file32(const std::string&) { todo("read_tensor_file32"); }
}  // namespace ocelli::golden
