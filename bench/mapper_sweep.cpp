// Calibrates the mapper's cost model against the RTL: runs one AlexNet CONV or FC layer (calibrated synthetic AlexNet,
// the golden output of the layer before it as input) through the verilated top with the mapper's K best mappings,
// each in both PE issue orders, and prints the estimate beside the measured cycles, and per pass the cost model's
// terms beside the measured cycles with a PE busy. Every run is checked bit for
// bit against the golden. `make mapper-sweep LAYER=conv2 [BATCH=1] [K=4] [TIMING=default]`.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "conv_on_top.hpp"
#include "ocelli/driver/mapper.hpp"
#include "ocelli/golden/alexnet_data.hpp"

namespace {

using namespace ocelli;

int sweep(const std::string& name, int batch, int k, const std::string& timing_name, std::uint64_t seed,
          bool estimate_only, const std::vector<std::string>& chosen) {
  const auto calibrated = golden::make_alexnet(seed, batch);
  const auto& net = calibrated.net;
  const std::size_t i = net.desc.index_of(name);
  const auto& desc = net.desc.layers[i];
  if (desc.kind != golden::LayerKind::Conv && desc.kind != golden::LayerKind::FullyConnected) {
    fmt::print(stderr, "mapper_sweep: layer {} is not a CONV or FC layer\n", name);
    return 2;
  }
  const auto input = golden::make_alexnet_input(seed, batch);
  const auto runs = golden::run_network(net, input);
  const auto& in = i == 0 ? input : runs[i - 1].output;
  // As programs/alexnet.prog runs it: the raw image into conv1, every later activation RLC coded.
  const driver::ConvLayer layer = driver::conv_layer_of(desc, i != 0, true);
  // An FC layer runs as a conv whose filter covers the input: the same weights viewed as (M, C, H, W).
  golden::Tensor16 weights = net.params[i].weights;
  if (desc.kind == golden::LayerKind::FullyConnected) {
    weights.shape = golden::Shape{layer.filters, layer.in.c, layer.filter_h, layer.filter_w};
  }
  const auto timing = dram::TimingConfig::preset(timing_name);
  // As `ocelli run --dram-timing` configures the driver (sw/driver/runtime/src/runner.cpp): the link's speed decides
  // f and the resident filter chunks.
  driver::HwConfig hw;
  hw.dram_cycles_per_beat = static_cast<double>(timing.beat_period_num) / timing.beat_period_den;
  const auto ranked = driver::rank_mappings(layer, hw);
  const sim::TopModelFactory fast = [](VerilatedContext& context, const std::string& model_name) {
    return sim::make_top_model(sim::TopModelKind::kFast, context, model_name);
  };
  // The given mappings, or the K best by estimate in both issue orders.
  std::vector<driver::Mapping> mappings;
  for (const auto& text : chosen) {
    const auto m = driver::parse_mapping(text);
    if (const auto why = driver::check_mapping(layer, m, hw); !why.empty()) {
      throw std::invalid_argument(fmt::format("mapping '{}' is not legal for {}: {}", text, name, why));
    }
    mappings.push_back(m);
  }
  for (int j = 0; chosen.empty() && j < k && j < static_cast<int>(ranked.size()); ++j) {
    for (const bool filter_outer : {ranked[j].mapping.filter_outer, !ranked[j].mapping.filter_outer}) {
      mappings.push_back(ranked[j].mapping);
      mappings.back().filter_outer = filter_outer;
    }
  }
  fmt::print("{} batch {} seed {}, timing {}: {} legal mappings; {}\n", name, batch, seed, timing_name,
             ranked.size(), chosen.empty() ? fmt::format("the {} best by estimate in both issue orders", k)
                                           : std::string("the given mappings"));
  // Per pass: the model's demands (M MACs per PE, Ff filter feed beyond the first column, I ifmap feeder, O psums
  // out) and estimate, beside the measured cycles with a PE busy per pass (the passes without the load and output
  // phases between them).
  fmt::print("{:<28} {:>5} {:>12} {:>12} {:>8} {:>9} {:>6} {:>6} {:>5} {:>6} {:>6} {:>7} {:>8}  {}\n", "mapping", "PEs",
             "estimate", "measured", "est/meas", "DRAM MB", "passes", "M", "Ff", "I", "O", "pass", "act/pass",
             "bit-exact");
  int failures = 0;
  for (const auto& m : mappings) {
    const auto est = driver::estimate(layer, m, hw);
    const auto per_pass = fmt::format("{:>6} {:>6} {:>5} {:>6} {:>6} {:>7}", est.passes, est.pass.macs,
                                      est.pass.filter_feed, est.pass.ifmap, est.pass.psum_out, est.pass_cycles);
    if (estimate_only) {
      fmt::print("{:<28} {:>5} {:>12} {:>12} {:>8} {:>9} {}\n", m.to_string(), est.active_pes, est.cycles, "", "",
                 fmt::format("~{:.3f}", static_cast<double>(est.dram_bytes) / 1e6), per_pass);
      continue;
    }
    const auto r = tb::run_conv_on_top(layer, m, {in, weights, net.params[i].bias}, timing,
                                       2'000'000'000ull, {}, fast, {}, hw);
    const bool exact = r.result.done && r.output.data == runs[i].output.data;
    failures += exact ? 0 : 1;
    fmt::print("{:<28} {:>5} {:>12} {:>12} {:>8.3f} {:>9.3f} {} {:>8}  {}\n", m.to_string(), est.active_pes, est.cycles,
               r.result.cycles, static_cast<double>(est.cycles) / std::max<std::uint64_t>(1, r.result.cycles),
               static_cast<double>(r.bytes_in + r.bytes_out) / 1e6, per_pass,
               r.array_active_cycles / std::max<std::uint64_t>(1, est.passes),
               exact ? "yes" : fmt::format("NO ({})", r.result.message()));
    std::fflush(stdout);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Mapper estimate against the RTL for one AlexNet CONV or FC layer"};
  std::string layer = "conv2", timing = "default";
  int batch = 1, k = 4;
  std::uint64_t seed = 1;
  bool estimate_only = false;
  std::vector<std::string> chosen;
  app.add_option("--layer", layer, "AlexNet CONV or FC layer (conv1..conv5, fc6..fc8)");
  app.add_option("--batch", batch, "Batch size")->check(CLI::Range(1, 64));
  app.add_option("-k", k, "How many of the best-estimated mappings to run")->check(CLI::Range(1, 100));
  app.add_option("--timing", timing, "DRAM timing preset (default, eyeriss)");
  app.add_option("--seed", seed, "Weight and input seed");
  app.add_flag("--estimate-only", estimate_only, "Print the estimates without running the RTL");
  app.add_option("--mapping", chosen,
                 "Run this mapping instead of the best-estimated ones (e.g. \"n2 e13 p14 q4 r4 t1 f3\"); repeatable");
  CLI11_PARSE(app, argc, argv);
  try {
    return sweep(layer, batch, k, timing, seed, estimate_only, chosen);
  } catch (const std::exception& e) {
    fmt::print(stderr, "mapper_sweep: {}\n", e.what());
    return 2;
  }
}
