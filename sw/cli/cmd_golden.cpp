// `ocelli golden alexnet --seed S [--batch N] [--save-dir DIR]`: the synthetic AlexNet on the golden reference.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "option_checks.hpp"
#include "ocelli/golden/alexnet.hpp"
#include "ocelli/golden/alexnet_data.hpp"
#include "ocelli/golden/rlc.hpp"
#include "ocelli/golden/tensor_file.hpp"

namespace ocelli::cli {
namespace {

using golden::Tensor16;

double zero_fraction(const Tensor16& t) {
  std::size_t zeros = 0;
  for (auto v : t.data) zeros += v == 0 ? 1 : 0;
  return t.data.empty() ? 0.0 : static_cast<double>(zeros) / static_cast<double>(t.data.size());
}

// Dense 16-bit bytes over RLC bytes, each image's tensor encoded as one stream (as the hardware writes it).
double rlc_ratio(const Tensor16& t) {
  const std::size_t per_image = t.data.size() / static_cast<std::size_t>(t.shape.n);
  std::size_t words = 0;
  for (int n = 0; n < t.shape.n; ++n) words += golden::rlc_encode(t.data.data() + n * per_image, per_image).size();
  return static_cast<double>(t.data.size() * 2) / static_cast<double>(words * 8);
}


void save(const std::filesystem::path& dir, const golden::Network& net, const Tensor16& input,
          const std::vector<golden::LayerRun>& runs, std::uint64_t seed) {
  std::filesystem::create_directories(dir);
  golden::write_tensor_file((dir / "input.octf").string(), input);
  nlohmann::json layers = nlohmann::json::array();
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& l = net.desc.layers[i];
    const std::string file = l.name + ".out.octf";
    golden::write_tensor_file((dir / file).string(), runs[i].output);
    layers.push_back({{"name", l.name},
                      {"kind", golden::to_string(l.kind)},
                      {"in_shape", golden::to_string(l.in_shape)},
                      {"out_shape", golden::to_string(l.out_shape)},
                      {"in_frac", l.in_frac},
                      {"weight_frac", l.weight_frac},
                      {"out_frac", l.out_frac},
                      {"relu", l.relu},
                      {"output_file", file},
                      {"output_fnv1a64", fmt::format("{:016x}", golden::fnv1a64(runs[i].output.data))}});
  }
  nlohmann::json doc = {{"network", net.desc.name}, {"seed", seed}, {"batch", input.shape.n},
                        {"input_file", "input.octf"}, {"input_frac", net.desc.input_frac}, {"layers", layers}};
  std::ofstream out(dir / "alexnet.json");
  if (!out) throw std::runtime_error(fmt::format("{}: cannot write", (dir / "alexnet.json").string()));
  out << doc.dump(2) << "\n";
}

int run_alexnet(std::uint64_t seed, int batch, const std::string& save_dir) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const golden::CalibratedNetwork cal = golden::make_alexnet(seed, batch);
  const Tensor16 input = golden::make_alexnet_input(seed, batch);
  const auto t1 = clock::now();
  const auto runs = golden::run_network(cal.net, input);
  const auto t2 = clock::now();

  fmt::print("AlexNet golden, seed {}, batch {} (checksum: FNV-1a 64 of the int16 data, little-endian, NCHW)\n", seed,
             batch);
  fmt::print("{:<6} {:<16} {:>5} {:>5} {:>9} {:>7} {:>6} {:>6} {:>16} {:>8}\n", "layer", "output NxCxHxW", "frac",
             "wfrac", "MMACs", "zeros", "sat", "rlc", "fnv1a64", "ms");
  std::uint64_t total_macs = 0, total_saturated = 0, total_overflows = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& l = cal.net.desc.layers[i];
    const auto& r = runs[i];
    total_macs += r.stats.macs;
    total_saturated += r.stats.saturated;
    total_overflows += r.stats.acc_overflows;
    fmt::print("{:<6} {:<16} {:>5} {:>5} {:>9.1f} {:>6.1f}% {:>6} {:>5.2f}x {:016x} {:>8.1f}\n", l.name,
               golden::to_string(r.output.shape), l.out_frac, l.has_weights() ? fmt::format("{}", l.weight_frac) : "-",
               static_cast<double>(r.stats.macs) / 1e6, 100.0 * zero_fraction(r.output), r.stats.saturated,
               rlc_ratio(r.output), golden::fnv1a64(r.output.data), 1e3 * r.seconds);
    if (r.stats.acc_overflows != 0) {
      fmt::print("  WARNING: {} accumulators overflowed int32 in {}\n", r.stats.acc_overflows, l.name);
    }
  }
  const Tensor16& logits = runs.back().output;
  for (int n = 0; n < logits.shape.n; ++n) {
    int best = 0;
    for (int c = 1; c < logits.shape.c; ++c) {
      if (logits.at(n, c, 0, 0) > logits.at(n, best, 0, 0)) best = c;
    }
    fmt::print("image {}: top-1 class {} (logit {:.4f})\n", n, best,
               std::ldexp(static_cast<double>(logits.at(n, best, 0, 0)), -logits.frac));
  }
  fmt::print("total: {:.1f} MMACs, {} saturated, {} accumulator overflows\n", static_cast<double>(total_macs) / 1e6,
             total_saturated, total_overflows);
  fmt::print("time: setup+calibration {:.2f} s, inference {:.2f} s, total {:.2f} s\n",
             std::chrono::duration<double>(t1 - t0).count(), std::chrono::duration<double>(t2 - t1).count(),
             std::chrono::duration<double>(t2 - t0).count());
  if (!save_dir.empty()) {
    save(save_dir, cal.net, input, runs, seed);
    fmt::print("saved input, layer outputs and alexnet.json to {}\n", save_dir);
  }
  return total_overflows == 0 ? 0 : 1;
}

}  // namespace

void add_golden_command(CLI::App& app, int& exit_code) {
  CLI::App* golden = app.add_subcommand("golden", "Run workloads on the golden reference model");
  golden->require_subcommand(1);
  struct Options {
    std::uint64_t seed = 1;
    int batch = 1;
    std::string save_dir;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* alexnet = golden->add_subcommand("alexnet", "Synthetic, calibrated AlexNet (seeded weights and images)");
  alexnet->add_option("--seed", opts->seed, "Seed of weights, biases and images")->required()->check(decimal_u64());
  alexnet->add_option("--batch", opts->batch, "Images per batch")->check(CLI::Range(1, 1024));
  alexnet->add_option("--save-dir", opts->save_dir, "Write input.octf, <layer>.out.octf and alexnet.json here");
  alexnet->callback([opts, &exit_code] { exit_code = run_alexnet(opts->seed, opts->batch, opts->save_dir); });
}

}  // namespace ocelli::cli
