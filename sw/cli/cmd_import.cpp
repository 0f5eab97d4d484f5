// `ocelli import MODEL.onnx -o DIR`: an ONNX model as a layer program with weight files (docs/import.md).
// Exit codes: 0 written, 2 refused (a node ocelli cannot run; nothing written), 3 bad input.
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "import_flow.hpp"
#include "ocelli/golden/alexnet_data.hpp"
#include "ocelli/import/idx.hpp"

namespace ocelli::cli {
namespace {

struct ImportOptions {
  std::string model, out_dir;
  std::vector<std::string> calibration;  // TensorProto .pb files, concatenated along N
  std::string calibration_idx;
  std::size_t calibration_count = 256;
  int batch = 0;
  int headroom_bits = 0;
  bool force = false;
};

// Seeded uniform values in [0, 1): the fallback calibration when no data is given (docs/import.md).
onnx::NumericTensor synthetic_calibration(const import::FloatNetwork& net, int images) {
  onnx::NumericTensor t;
  t.name = "synthetic calibration";
  const auto& s = net.input_shape;
  t.dims = {images, s.c, s.h, s.w};
  t.values.resize(static_cast<std::size_t>(images) * s.c * s.h * s.w);
  golden::SplitMix64 rng = golden::make_stream(1, 0x696d7001, 0);
  for (auto& v : t.values) v = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
  return t;
}

onnx::NumericTensor concatenate(const std::vector<std::string>& files) {
  onnx::NumericTensor all;
  for (const auto& f : files) {
    onnx::NumericTensor t = onnx::load_tensor_file(f);
    if (all.values.empty()) {
      all = std::move(t);
      continue;
    }
    if (t.dims.size() != all.dims.size() || !std::equal(t.dims.begin() + 1, t.dims.end(), all.dims.begin() + 1)) {
      throw std::runtime_error(fmt::format("{}: calibration tensor shape differs from {}'s", f, files.front()));
    }
    all.dims[0] += t.dims[0];
    all.values.insert(all.values.end(), t.values.begin(), t.values.end());
  }
  all.name = files.front();
  return all;
}

int import_command(const ImportOptions& o) {
  try {
    const import::FloatNetwork net = import::lower_model_file(o.model);
    onnx::NumericTensor calibration;
    std::string what;
    if (!o.calibration.empty()) {
      calibration = concatenate(o.calibration);
      what = fmt::format("{} input(s) from {}", calibration.dims.empty() ? 0 : calibration.dims[0],
                         o.calibration.front());
    } else if (!o.calibration_idx.empty()) {
      calibration = import::read_idx_images(o.calibration_idx, o.calibration_count);
      what = fmt::format("the first {} images of {} (pixel / 255)", calibration.dims[0], o.calibration_idx);
    } else {
      calibration = synthetic_calibration(net, 8);
      what = "8 seeded synthetic inputs uniform in [0, 1) (no calibration data given)";
      fmt::print("warning: no calibration data (--calibration, --calibration-idx): formats from synthetic inputs\n");
    }
    import::QuantizeOptions qo;
    qo.headroom_bits = o.headroom_bits;
    const import::QuantizedModel q = import::quantize(net, calibration, qo);
    import::ImportInfo info;
    info.model_path = o.model;
    info.calibration = what;
    info.batch = o.batch > 0 ? std::min(o.batch, q.calibration_input.shape.n) : std::min(q.calibration_input.shape.n, 8);
    const auto program = write_checked_import(q, info, o.out_dir, o.force);
    fmt::print("imported {}: {} layers ({} nodes dropped: {}), input {}x{}x{} frac {}\n", o.model,
               q.network.desc.layers.size(), net.dropped.size(), fmt::join(net.dropped, ", "),
               net.input_shape.c, net.input_shape.h, net.input_shape.w, q.network.desc.input_frac);
    fmt::print("formats calibrated on {}:\n", what);
    print_formats(q);
    fmt::print("wrote {} (run it: ocelli run {})\n", program.string(), program.string());
    return 0;
  } catch (const import::Refused& e) {
    fmt::print(stderr, "refused: {}: {}; nothing written\n", o.model, e.what());
    return 2;
  }
}

}  // namespace

void add_import_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Import an ONNX model as a layer program with weight files (docs/import.md). Exit 0 written, 2 refused "
      "(nothing written), 3 bad input");
  cmd->add_option("model", o->model, "ONNX model file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", o->out_dir, "Directory to create: model.prog, weight/bias/input tensor files")->required();
  cmd->add_option("--calibration", o->calibration,
                  "Calibration inputs: ONNX TensorProto files (input_0.pb of a test data set), batches concatenated");
  cmd->add_option("--calibration-idx", o->calibration_idx, "Calibration images: an idx3-ubyte(.gz) file (pixel/255)");
  cmd->add_option("--calibration-count", o->calibration_count, "Images taken from --calibration-idx")
      ->check(CLI::Range(1, 60000));
  cmd->add_option("--batch", o->batch, "Images in the program's input file (default: min(calibration images, 8))")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--headroom-bits", o->headroom_bits, "Output formats this many bits coarser than calibration picks")
      ->check(CLI::Range(0, 8));
  cmd->add_flag("--force", o->force, "Replace an existing output directory");
  cmd->callback([o, &exit_code] { exit_code = import_command(*o); });
}

}  // namespace ocelli::cli
