#include "ocelli/import/writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <fmt/core.h>

#include "ocelli/golden/tensor_file.hpp"

namespace ocelli::import {
namespace fs = std::filesystem;

namespace {

using golden::LayerKind;

std::string weights_file(const golden::LayerDesc& l) { return l.name + ".weights.octf"; }
std::string bias_file(const golden::LayerDesc& l) { return l.name + ".bias.octf"; }
constexpr const char* kInputFile = "input.octf";
constexpr const char* kProgramFile = "model.prog";

// A bias of zeros is left out of the program (no bias file means zeros).
bool has_bias(const golden::LayerParams& p) {
  return std::any_of(p.bias.begin(), p.bias.end(), [](std::int32_t b) { return b != 0; });
}

std::string pair(int a, int b) { return a == b ? std::to_string(a) : fmt::format("{}x{}", a, b); }

std::string layer_line(const golden::LayerDesc& l, const golden::LayerParams& p, bool first) {
  std::string s = fmt::format("layer {} {}", l.name, golden::to_string(l.kind));
  switch (l.kind) {
    case LayerKind::Conv:
      s += fmt::format(" filters={} kernel={} stride={} pads={},{},{},{}", l.weight_shape.n,
                       pair(l.weight_shape.h, l.weight_shape.w), pair(l.conv.stride_h, l.conv.stride_w),
                       l.conv.pad_top, l.conv.pad_left, l.conv.pad_bottom, l.conv.pad_right);
      if (l.conv.groups != 1) s += fmt::format(" groups={}", l.conv.groups);
      break;
    case LayerKind::FullyConnected: s += fmt::format(" outputs={}", l.weight_shape.n); break;
    case LayerKind::MaxPool:
      s += fmt::format(" kernel={} stride={} pads={},{},{},{}", pair(l.pool.kernel_h, l.pool.kernel_w),
                       pair(l.pool.stride_h, l.pool.stride_w), l.pool.pad_top, l.pool.pad_left, l.pool.pad_bottom,
                       l.pool.pad_right);
      break;
    case LayerKind::Lrn:
      s += fmt::format(" size={} alpha={} beta={} k={}", l.lrn.size, l.lrn.alpha, l.lrn.beta, l.lrn.k);
      break;
  }
  if (l.has_weights()) {
    if (l.relu) s += " relu";
    s += fmt::format(" frac_w={} frac_out={} weights={}", l.weight_frac, l.out_frac, weights_file(l));
    if (has_bias(p)) s += fmt::format(" bias={}", bias_file(l));
  }
  // The network input is dense: read raw (RLC words hold at most three values against four raw ones).
  if (first) s += " rlc=off";
  s += fmt::format(" out={}x{}x{}", l.out_shape.c, l.out_shape.h, l.out_shape.w);
  return s;
}

}  // namespace

std::string program_text(const QuantizedModel& q, const ImportInfo& info) {
  const golden::NetworkDesc& d = q.network.desc;
  std::string s;
  s += fmt::format("# Imported from {} by `ocelli import` (docs/import.md).\n", info.model_path);
  s += fmt::format("# Formats calibrated on {} (docs/numerics.md, \"Formats of imported models\").\n", info.calibration);
  s += fmt::format("network {}\n", d.name);
  s += fmt::format("batch   {}\n", info.batch);
  s += fmt::format("input   shape={}x{}x{} frac={} source=file path={}\n", d.input_shape.c, d.input_shape.h,
                   d.input_shape.w, d.input_frac, kInputFile);
  s += "\n";
  for (std::size_t i = 0; i < d.layers.size(); ++i) {
    s += layer_line(d.layers[i], q.network.params[i], i == 0) + "\n";
  }
  return s;
}

fs::path write_import(const QuantizedModel& q, const ImportInfo& info, const fs::path& dir, bool replace,
                      const std::function<void(const fs::path&)>& check) {
  if (fs::exists(dir) && !replace) {
    throw std::runtime_error(fmt::format("{}: already exists (use --force to replace it)", dir.string()));
  }
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  const fs::path stage = parent / fmt::format(".{}.import-{}", dir.filename().string(), ::getpid());
  fs::remove_all(stage);
  fs::create_directories(stage);
  try {
    const golden::NetworkDesc& d = q.network.desc;
    for (std::size_t i = 0; i < d.layers.size(); ++i) {
      const auto& l = d.layers[i];
      const auto& p = q.network.params[i];
      if (!l.has_weights()) continue;
      golden::write_tensor_file((stage / weights_file(l)).string(), p.weights);
      if (has_bias(p)) {
        golden::Tensor32 b(golden::Shape{1, static_cast<int>(p.bias.size()), 1, 1}, l.in_frac + l.weight_frac);
        b.data = p.bias;
        golden::write_tensor_file((stage / bias_file(l)).string(), b);
      }
    }
    const golden::Tensor16& all = q.calibration_input;
    golden::Tensor16 input(golden::Shape{info.batch, all.shape.c, all.shape.h, all.shape.w}, all.frac);
    if (info.batch > all.shape.n) {
      throw std::invalid_argument(fmt::format("batch {} but only {} calibration images", info.batch, all.shape.n));
    }
    std::copy_n(all.data.begin(), input.data.size(), input.data.begin());
    golden::write_tensor_file((stage / kInputFile).string(), input);
    {
      std::ofstream out(stage / kProgramFile);
      out << program_text(q, info);
      if (!out) throw std::runtime_error(fmt::format("{}: cannot write", (stage / kProgramFile).string()));
    }
    check(stage / kProgramFile);
    if (fs::exists(dir)) fs::remove_all(dir);
    fs::rename(stage, dir);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(stage, ignored);
    throw;
  }
  return dir / kProgramFile;
}

}  // namespace ocelli::import
