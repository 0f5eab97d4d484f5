// `ocelli fashion`: the trained Fashion-MNIST CNN (models/fashion) imported with calibration on training images, then
// N test images through the golden and the RTL in batches; top-1 accuracy of the float model (its predictions,
// stored at training time), the golden and the RTL side by side, cycles and energy per image (docs/import.md).
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "commands.hpp"
#include "import_flow.hpp"
#include "ocelli/driver/program.hpp"
#include "ocelli/import/idx.hpp"
#include "ocelli/report/metrics.hpp"
#include "ocelli/runtime/runner.hpp"
#include "ocelli/runtime/storage_spec.hpp"

namespace ocelli::cli {
namespace {

namespace fs = std::filesystem;

struct FashionOptions {
  std::string model = "models/fashion/fashion_cnn.onnx";
  std::string float_predictions;  // default: float_predictions.txt beside the model
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string out_dir = "build/fashion";
  std::size_t images = 1000;
  std::size_t calibration = 512;
  int batch = 50;
  bool checked = false;
};

std::vector<int> read_float_predictions(const std::string& path, std::size_t n) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open (written by scripts/train_fashion.py)", path));
  std::string line;
  std::getline(in, line);
  if (line.size() < n) throw std::runtime_error(fmt::format("{}: {} predictions, {} needed", path, line.size(), n));
  std::vector<int> p(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (line[i] < '0' || line[i] > '9') {
      throw std::runtime_error(fmt::format("{}: character {} ('{}') is not a class digit", path, i, line[i]));
    }
    p[i] = line[i] - '0';
  }
  return p;
}

struct Tally {
  std::size_t float_ok = 0, golden_ok = 0, rtl_ok = 0, golden_rtl_same = 0, golden_float_same = 0, images = 0;
  std::uint64_t cycles = 0;
  double energy = 0.0;
  std::vector<std::uint64_t> saturated;  // per layer (RTL counter)
};

double percent(std::size_t k, std::size_t n) { return n ? 100.0 * static_cast<double>(k) / static_cast<double>(n) : 0; }

int fashion_command(const FashionOptions& o) {
  const fs::path model_dir = fs::path(o.model).parent_path();
  const std::string preds = o.float_predictions.empty() ? (model_dir / "float_predictions.txt").string()
                                                        : o.float_predictions;
  const std::vector<int> float_pred = read_float_predictions(preds, o.images);
  const std::vector<int> labels = import::read_idx_labels(o.data + "/t10k-labels-idx1-ubyte.gz", o.images);
  const onnx::NumericTensor test = import::read_idx_images(o.data + "/t10k-images-idx3-ubyte.gz", o.images);

  // Import: formats calibrated on the first training images (never on the test images).
  const import::FloatNetwork net = import::lower_model_file(o.model);
  const onnx::NumericTensor cal = import::read_idx_images(o.data + "/train-images-idx3-ubyte.gz", o.calibration);
  const import::QuantizedModel q = import::quantize(net, cal);
  import::ImportInfo info;
  info.model_path = o.model;
  info.calibration = fmt::format("the first {} training images of {} (pixel / 255)", o.calibration, o.data);
  info.batch = 1;
  const fs::path program = write_checked_import(q, info, o.out_dir, true);
  fmt::print("imported {} -> {} ({} layers); formats calibrated on {}:\n", o.model, program.string(),
             q.network.desc.layers.size(), info.calibration);
  print_formats(q);

  Tally t;
  t.saturated.assign(q.network.desc.layers.size(), 0);
  const golden::Shape per_image = net.input_shape;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t first = 0; first < o.images; first += static_cast<std::size_t>(o.batch)) {
    const int n = static_cast<int>(std::min<std::size_t>(o.batch, o.images - first));
    driver::Program p = driver::parse_program_file(program.string());
    p.input.source = driver::InputSource::Synthetic;  // replaced by the test images below
    runtime::ProgramData data = runtime::make_program_data(std::move(p), runtime::ProgramOverrides{n, std::nullopt});
    onnx::NumericTensor images;
    images.name = "test images";
    images.dims = {n, 1, per_image.h, per_image.w};
    const std::size_t per = per_image.elements();
    images.values.assign(test.values.begin() + static_cast<std::ptrdiff_t>(first * per),
                         test.values.begin() + static_cast<std::ptrdiff_t>((first + n) * per));
    data.input = import::quantize_input(images, per_image, data.network.desc.input_frac);

    runtime::RunOptions options;
    options.model = o.checked ? sim::TopModelKind::kChecked : sim::TopModelKind::kFast;
    runtime::ProgramRunner runner(std::move(data), options);
    auto storage = runtime::open_storage("inproc", runner.dram_bytes_needed());
    const runtime::RunResult r = runner.run(*storage);
    if (r.outcome != runtime::RunOutcome::Passed) {
      fmt::print("FAIL: images {}..{}: {}\n", first, first + n - 1, r.failure);
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      const std::size_t k = first + static_cast<std::size_t>(i);
      t.float_ok += float_pred[k] == labels[k];
      t.golden_ok += r.record.top1_golden[i] == labels[k];
      t.rtl_ok += r.record.top1_rtl[i] == labels[k];
      t.golden_rtl_same += r.record.top1_golden[i] == r.record.top1_rtl[i];
      t.golden_float_same += r.record.top1_golden[i] == float_pred[k];
    }
    t.images += static_cast<std::size_t>(n);
    t.cycles += r.total_cycles;
    const auto total = report::sum_layers(r.record);
    t.energy += report::derive_metrics(total, report::array_pes(r.record.hw_config)).energy.total();
    for (std::size_t l = 0; l < r.record.layers.size(); ++l) t.saturated[l] += r.record.layers[l].saturated;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("images {:>5}..{:<5} every layer bit-exact (RTL == golden); running top-1: float {:.2f} %, golden "
               "{:.2f} %, RTL {:.2f} % ({:.0f} s)\n",
               first, first + n - 1, percent(t.float_ok, t.images), percent(t.golden_ok, t.images),
               percent(t.rtl_ok, t.images), s);
    std::fflush(stdout);
  }
  fmt::print("\nsaturated outputs per layer over the {} test images (RTL counter):\n", t.images);
  for (std::size_t l = 0; l < t.saturated.size(); ++l) {
    fmt::print("  {:<24} {}\n", q.network.desc.layers[l].name, t.saturated[l]);
  }
  fmt::print("\nFashion-MNIST, first {} test images, batches of {}:\n", t.images, o.batch);
  fmt::print("  top-1 float  (PyTorch, predictions stored at training: {}) {:6.2f} %\n", preds,
             percent(t.float_ok, t.images));
  fmt::print("  top-1 golden (fixed point)                                {:6.2f} %\n", percent(t.golden_ok, t.images));
  fmt::print("  top-1 RTL                                                 {:6.2f} %\n", percent(t.rtl_ok, t.images));
  fmt::print("  RTL class == golden class on {} of {} images; every layer's output bit-exact\n", t.golden_rtl_same,
             t.images);
  fmt::print("  golden class == float class on {} of {} images\n", t.golden_float_same, t.images);
  fmt::print("  {:.0f} cycles per image ({:.3f} ms at {:.0f} MHz), energy {:.3g} MAC-units per image (docs/report.md)\n",
             static_cast<double>(t.cycles) / t.images,
             static_cast<double>(t.cycles) / t.images / report::kReportClockHz * 1e3, report::kReportClockHz / 1e6,
             t.energy / t.images);
  return t.golden_rtl_same == t.images ? 0 : 1;
}

}  // namespace

void add_fashion_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<FashionOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fashion",
      "Fashion-MNIST: import the trained CNN, run N test images through the golden and the RTL, print top-1 "
      "accuracy of float, golden and RTL, cycles and energy per image. Exit 0 RTL == golden, 1 otherwise, 3 error");
  cmd->add_option("--model", o->model, "ONNX model (float_predictions.txt beside it)")->capture_default_str();
  cmd->add_option("--float-predictions", o->float_predictions, "The float model's test predictions");
  cmd->add_option("--data", o->data, "Fashion-MNIST IDX directory (Debian dataset-fashion-mnist)")->capture_default_str();
  cmd->add_option("--out-dir", o->out_dir, "Where the imported program goes (replaced)")->capture_default_str();
  cmd->add_option("-n,--images", o->images, "Test images")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--calibration", o->calibration, "Training images for calibration")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  cmd->add_option("--batch", o->batch, "Images per RTL run")->check(CLI::Range(1, 1024))->capture_default_str();
  cmd->add_flag("--checked", o->checked, "The checked build of the top (slower; same results)");
  cmd->callback([o, &exit_code] { exit_code = fashion_command(*o); });
}

}  // namespace ocelli::cli
