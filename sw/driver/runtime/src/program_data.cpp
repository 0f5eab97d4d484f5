#include "ocelli/runtime/program_data.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ocelli/golden/alexnet_data.hpp"
#include "ocelli/golden/file_bytes.hpp"
#include "ocelli/golden/tensor_file.hpp"

namespace ocelli::runtime {
namespace {

// Stream purposes of the runtime's synthetic data (distinct from the golden AlexNet's own purposes).
constexpr std::uint64_t kPurposeWeights = 0x72756e01;
constexpr std::uint64_t kPurposeBias = 0x72756e02;
constexpr std::uint64_t kPurposeInput = 0x72756e03;


std::int16_t clamp16(std::int64_t v) {
  return static_cast<std::int16_t>(std::clamp<std::int64_t>(v, INT16_MIN, INT16_MAX));
}

// The calibrated AlexNet's parameters for the program's layers, and its activations at the program's input.
void fill_calibrated(ProgramData& d) {
  driver::Program& p = d.program;
  const golden::CalibratedNetwork cal = golden::make_alexnet(p.seed, p.batch());
  driver::apply_calibration(p, cal.net.desc);
  d.network.desc = p.network;
  d.network.params.clear();
  for (const auto& layer : p.network.layers) {
    d.network.params.push_back(cal.net.params[cal.net.desc.index_of(layer.name)]);
  }
  if (p.input.source != driver::InputSource::Synthetic) return;
  golden::Tensor16 image = golden::make_alexnet_input(p.seed, p.batch());
  const std::size_t first = cal.net.desc.index_of(p.network.layers.front().name);
  if (first == 0) {
    d.input = std::move(image);
    return;
  }
  golden::Network prefix;
  prefix.desc = cal.net.desc;
  prefix.desc.layers.resize(first);
  prefix.params.assign(cal.net.params.begin(), cal.net.params.begin() + static_cast<std::ptrdiff_t>(first));
  d.input = golden::run_network(prefix, image).back().output;
}

// The header is checked against the program before anything is decoded: a file promising a huge tensor costs
// nothing, and only regular files are read (a FIFO, device or directory is refused at once, naming it).
golden::Tensor16 read_input_file(const driver::Program& p) {
  const std::vector<unsigned char> bytes =
      golden::read_regular_file(p.input.path, golden::kMaxTensorFileBytes, fmt::format("{}: input file", p.file));
  const golden::TensorFileHeader h = golden::read_tensor_file_header(bytes, p.input.path);
  if (h.shape != p.network.input_shape) {
    throw std::runtime_error(fmt::format("{}: input file {}: shape {} but the program's input is {} (batch {})", p.file,
                                         p.input.path, to_string(h.shape), to_string(p.network.input_shape),
                                         p.batch()));
  }
  golden::Tensor16 t = golden::parse_tensor_file(bytes, p.input.path);
  if (t.shape != p.network.input_shape) {
    throw std::runtime_error(fmt::format("{}: input file {}: shape {} but the program's input is {} (batch {})", p.file,
                                         p.input.path, to_string(t.shape), to_string(p.network.input_shape),
                                         p.batch()));
  }
  if (t.frac != p.network.input_frac) {
    throw std::runtime_error(fmt::format("{}: input file {}: frac {} but the program's input has frac {}", p.file,
                                         p.input.path, t.frac, p.network.input_frac));
  }
  return t;
}

// A layer's `weights=` / `bias=` files: weights (M, C/G, R, S) or (M, K, 1, 1) with frac = frac_w; bias int32
// with M elements (any shape holding M) and frac = frac_in + frac_w.
golden::LayerParams read_parameter_files(const driver::Program& p, std::size_t i) {
  const golden::LayerDesc& l = p.network.layers[i];
  const driver::LayerOptions& opt = p.options[i];
  const int line = opt.line;
  golden::LayerParams params;
  params.weights = golden::read_tensor_file(opt.weights_path);
  if (params.weights.shape != l.weight_shape) {
    throw driver::ProgramError(p.file, line, fmt::format("layer '{}': field 'weights': file {} has shape {}, the layer "
                                                         "needs {}",
                                                         l.name, opt.weights_path, to_string(params.weights.shape),
                                                         golden::to_string(l.weight_shape)));
  }
  if (params.weights.frac != l.weight_frac) {
    throw driver::ProgramError(p.file, line, fmt::format("layer '{}': field 'weights': file {} has frac {}, the layer's "
                                                         "frac_w is {}",
                                                         l.name, opt.weights_path, params.weights.frac, l.weight_frac));
  }
  if (opt.bias_path.empty()) {  // no bias file: zeros
    params.bias.assign(static_cast<std::size_t>(l.weight_shape.n), 0);
    return params;
  }
  const golden::Tensor32 bias = golden::read_tensor_file32(opt.bias_path);
  if (bias.data.size() != static_cast<std::size_t>(l.weight_shape.n)) {
    throw driver::ProgramError(p.file, line, fmt::format("layer '{}': field 'bias': file {} has {} elements for {} "
                                                         "filters",
                                                         l.name, opt.bias_path, bias.data.size(), l.weight_shape.n));
  }
  if (bias.frac != l.in_frac + l.weight_frac) {
    throw driver::ProgramError(p.file, line, fmt::format("layer '{}': field 'bias': file {} has frac {}, the "
                                                         "accumulator format is frac_in + frac_w = {}",
                                                         l.name, opt.bias_path, bias.frac, l.in_frac + l.weight_frac));
  }
  params.bias = bias.data;
  return params;
}

}  // namespace

golden::LayerParams make_synthetic_params(const golden::LayerDesc& layer, std::uint64_t seed, std::size_t index) {
  golden::LayerParams params;
  if (!layer.has_weights()) return params;
  const golden::Shape ws = layer.weight_shape;
  const double fan_in = static_cast<double>(ws.c) * ws.h * ws.w;
  const auto sigma = static_cast<std::int32_t>(
      std::clamp(std::ldexp(1.0, layer.weight_frac) / std::sqrt(fan_in), 1.0, 8192.0));
  params.weights = golden::Tensor16(ws, layer.weight_frac);
  golden::SplitMix64 wrng = golden::make_stream(seed, kPurposeWeights, index);
  for (auto& v : params.weights.data) v = clamp16(wrng.normalish(sigma));

  // A tenth of one output unit (accumulator format in_frac + weight_frac), capped well inside int32.
  const auto bias_sigma = static_cast<std::int32_t>(
      std::clamp(std::ldexp(0.1, layer.in_frac + layer.weight_frac), 0.0, std::ldexp(1.0, 24)));
  golden::SplitMix64 brng = golden::make_stream(seed, kPurposeBias, index);
  params.bias.resize(static_cast<std::size_t>(ws.n));
  for (auto& b : params.bias) b = brng.normalish(bias_sigma);
  return params;
}

golden::Tensor16 make_synthetic_input(const golden::Shape& shape, int frac, std::uint64_t seed) {
  golden::Tensor16 t(shape, frac);
  const std::size_t per_image = t.data.size() / static_cast<std::size_t>(shape.n);
  const auto sigma = static_cast<std::int32_t>(std::clamp(std::ldexp(1.0, frac), 1.0, 8192.0));
  for (int n = 0; n < shape.n; ++n) {
    golden::SplitMix64 rng = golden::make_stream(seed, kPurposeInput, static_cast<std::uint64_t>(n));
    auto* out = t.data.data() + static_cast<std::size_t>(n) * per_image;
    for (std::size_t i = 0; i < per_image; ++i) out[i] = clamp16(std::max(0, rng.normalish(sigma)));
  }
  return t;
}

namespace {

std::uint64_t host_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) : 0;
}

void check_host_memory(const driver::Program& p, std::uint64_t available) {
  // Elements of a shape, saturating instead of wrapping (dims are validated by the parser, but a batch multiplies).
  auto elements = [](const golden::Shape& s) {
    std::uint64_t v = 1;
    for (int d : {s.n, s.c, s.h, s.w}) {
      if (d < 0 || __builtin_mul_overflow(v, static_cast<std::uint64_t>(d), &v)) return UINT64_MAX;
    }
    return v;
  };
  auto add = [](std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; };
  // Every int16 tensor lives about four times: the golden's output, the DRAM image, the read-back and slack.
  auto cost = [](std::uint64_t n) { return n > UINT64_MAX / 8 ? UINT64_MAX : n * 8; };
  std::uint64_t total = cost(elements(p.network.input_shape));
  std::string largest = fmt::format("the input {}", golden::to_string(p.network.input_shape));
  std::uint64_t largest_bytes = total;
  for (const auto& l : p.network.layers) {
    for (const auto& [what, shape] : {std::pair<const char*, golden::Shape>{"output", l.out_shape},
                                      std::pair<const char*, golden::Shape>{"weights", l.weight_shape}}) {
      const std::uint64_t b = cost(elements(shape));
      total = add(total, b);
      if (b > largest_bytes) {
        largest_bytes = b;
        largest = fmt::format("layer '{}' {} {}", l.name, what, golden::to_string(shape));
      }
    }
  }
  if (available > 0 && total > available) {
    throw std::runtime_error(fmt::format(
        "{}: the program's tensors need about {:.1f} GiB of host memory (largest: {}), more than this machine's "
        "{:.1f} GiB; use a smaller batch or shapes",
        p.file, static_cast<double>(total) / (1ull << 30), largest, static_cast<double>(available) / (1ull << 30)));
  }
}

}  // namespace

ProgramData make_program_data(driver::Program program, const ProgramOverrides& overrides) {
  if (overrides.batch) program.network = golden::with_batch(program.network, *overrides.batch);
  if (overrides.seed) program.seed = *overrides.seed;
  // Refused with the shape named before anything is allocated (was: "error: std::bad_alloc").
  check_host_memory(program, host_memory_bytes());
  ProgramData d;
  d.program = std::move(program);
  driver::Program& p = d.program;
  if (p.calibrate) {
    fill_calibrated(d);
  } else {
    d.network.desc = p.network;
    for (std::size_t i = 0; i < p.network.layers.size(); ++i) {
      d.network.params.push_back(p.options[i].weights_path.empty() ? make_synthetic_params(p.network.layers[i], p.seed, i)
                                                                   : read_parameter_files(p, i));
    }
    if (p.input.source == driver::InputSource::Synthetic) {
      d.input = make_synthetic_input(p.network.input_shape, p.network.input_frac, p.seed);
    }
  }
  if (p.input.source == driver::InputSource::File) d.input = read_input_file(p);
  golden::validate(d.network);
  return d;
}

}  // namespace ocelli::runtime
