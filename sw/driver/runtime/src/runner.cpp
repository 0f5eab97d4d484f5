#include "ocelli/runtime/runner.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <stdexcept>

#include "ocelli/dram/timing.hpp"
#include "ocelli/runtime/model_hw.hpp"
#include "ocelli/sim/top_sim.hpp"

namespace ocelli::runtime {
namespace {

using Clock = std::chrono::steady_clock;
using sim::Csr;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<golden::Tensor16> golden_outputs(const golden::Network& net, const golden::Tensor16& input) {
  std::vector<golden::Tensor16> out;
  for (auto& run : golden::run_network(net, input)) out.push_back(std::move(run.output));
  return out;
}

driver::LayerRecord planned_record(const golden::LayerDesc& d, const NetworkLayout& layout, std::size_t i) {
  driver::LayerRecord r;
  r.name = d.name;
  r.kind = golden::to_string(d.kind);
  r.shape = golden::to_string(d.in_shape) + " -> " + golden::to_string(d.out_shape);
  const LayerPlan& plan = layout.executor(i).plan();
  r.mapping = plan.mapping;
  r.active_pes = plan.active_pes;
  r.estimated_cycles = plan.estimated_cycles;
  r.macs = d.macs();
  r.ifmap_elements = d.in_shape.elements();
  r.ofmap_elements = d.out_shape.elements();
  r.ifmap_rlc = layout.activation(i).rlc;
  r.ofmap_rlc = layout.activation(i + 1).rlc;
  return r;
}

void read_counters(sim::TopSim& sim, driver::LayerRecord& r) {
  r.cycles = sim.csr(Csr::kCycles);
  r.macs_issued = sim.csr(Csr::kMacs);
  r.gated_macs = sim.csr(Csr::kGatedMacs);
  r.pe_busy_cycles = sim.csr(Csr::kPeBusyCycles);
  r.glb_reads = sim.csr(Csr::kGlbReads);
  r.glb_writes = sim.csr(Csr::kGlbWrites);
  r.glb_conflicts = sim.csr(Csr::kGlbConflicts);
  r.noc_deliveries = sim.csr(Csr::kNocDeliveries);
  r.dram_read_ifmap = sim.csr(Csr::kBytesIfmap);
  r.dram_read_weights = sim.csr(Csr::kBytesWeights);
  r.dram_read_bias = sim.csr(Csr::kBytesBias);
  r.dram_read_descriptors = sim.csr(Csr::kBytesDescriptors);
  r.dram_write_ofmap = sim.csr(Csr::kBytesOfmap);
  r.rlc_words_in = sim.csr(Csr::kRlcWordsIn);
  r.rlc_words_out = sim.csr(Csr::kRlcWordsOut);
  r.saturated = sim.csr(Csr::kSaturated);
}

// The status word's detail for the error codes that carry one (docs/isa.md, register 0).
std::string error_detail(sim::TopSim& sim, int code, std::uint64_t status) {
  if (code == static_cast<int>(isa::ErrorCode::kDma)) {
    return fmt::format(" (DMA cause {}, address 0x{:x})", isa::csr_status::kDmaErrCause.of(status),
                       sim.csr(Csr::kDmaErrorAddr));
  }
  if (code == static_cast<int>(isa::ErrorCode::kRlc)) {
    return fmt::format(" (RLC decoder error code {})", isa::csr_status::kRlcErrCode.of(status));
  }
  return "";
}

std::uint64_t layer_budget(const RunOptions& o, std::uint64_t estimate) {
  const double scaled = o.budget_factor * static_cast<double>(estimate) + static_cast<double>(o.budget_slack);
  const std::uint64_t budget = scaled > 1e18 ? std::uint64_t{1'000'000'000'000'000'000} : static_cast<std::uint64_t>(scaled);
  return o.max_cycles ? std::min(budget, o.max_cycles) : budget;
}

}  // namespace

std::optional<std::uint64_t> parse_decimal_u64(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

TraceWindow parse_trace_window(const std::string& text) {
  const auto colon = text.find(':');
  auto number = [&](const std::string& part, const char* what) {
    const auto v = parse_decimal_u64(part);
    if (!v) {
      throw std::invalid_argument(fmt::format(
          "trace window '{}': {} '{}' is not a decimal cycle count in 0..18446744073709551615 (expected start:count)",
          text, what, part));
    }
    return *v;
  };
  if (colon == std::string::npos) {
    throw std::invalid_argument(fmt::format("trace window '{}': expected start:count (cycles)", text));
  }
  TraceWindow w{number(text.substr(0, colon), "start"), number(text.substr(colon + 1), "count")};
  if (w.count == 0) throw std::invalid_argument(fmt::format("trace window '{}': count must be > 0", text));
  return w;
}

const char* to_string(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::Passed: return "passed";
    case RunOutcome::Mismatch: return "mismatch";
    case RunOutcome::RtlError: return "rtl-error";
    case RunOutcome::Stuck: return "stuck";
  }
  return "?";
}

std::string error_code_meaning(int code) {
  const char* summary = isa::error_summary(code);
  return summary ? summary : fmt::format("unknown error code {}", code);
}

std::vector<int> top1(const golden::Tensor16& t) {
  std::vector<int> out;
  const std::size_t per_image = t.data.size() / static_cast<std::size_t>(std::max(1, t.shape.n));
  for (int n = 0; n < t.shape.n; ++n) {
    const auto begin = t.data.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(n) * per_image);
    out.push_back(static_cast<int>(std::max_element(begin, begin + static_cast<std::ptrdiff_t>(per_image)) - begin));
  }
  return out;
}

std::string first_mismatch(const golden::Tensor16& expected, const golden::Tensor16& got) {
  if (expected.shape != got.shape) {
    return fmt::format("shape: expected {} got {}", golden::to_string(expected.shape), golden::to_string(got.shape));
  }
  const auto& s = expected.shape;
  for (std::size_t k = 0; k < expected.data.size(); ++k) {
    if (expected.data[k] == got.data[k]) continue;
    const std::size_t w = k % s.w, h = k / s.w % s.h, c = k / s.w / s.h % s.c, n = k / s.w / s.h / s.c;
    return fmt::format("index ({},{},{},{}) expected {} got {}", n, c, h, w, expected.data[k], got.data[k]);
  }
  return "";
}

namespace {
// The hardware configuration with the DRAM link rate of the run's timing preset (the mapping's f depends on it).
driver::HwConfig with_link(driver::HwConfig hw, const std::string& timing) {
  const auto t = dram::TimingConfig::preset(timing);
  hw.dram_cycles_per_beat = static_cast<double>(t.beat_period_num) / t.beat_period_den;
  return hw;
}
}  // namespace

ProgramRunner::ProgramRunner(ProgramData data, RunOptions options)
    : data_(std::move(data)),
      options_(std::move(options)),
      layout_(data_.network, data_.program.options, with_link(options_.hw, options_.timing)),
      expected_(golden_outputs(data_.network, data_.input)) {
  const auto& desc = data_.network.desc;
  first_ = options_.first_layer.empty() ? 0 : desc.index_of(options_.first_layer);  // throws naming the layer
  last_ = options_.last_layer.empty() ? desc.layers.size() - 1 : desc.index_of(options_.last_layer);
  if (first_ > last_) {
    throw std::invalid_argument(fmt::format("first layer '{}' comes after last layer '{}' in {}", options_.first_layer,
                                            options_.last_layer, data_.program.file));
  }
  if (!options_.trace_layer.empty()) desc.index_of(options_.trace_layer);
  if (!options_.flip_output_bit_layer.empty()) {
    const std::size_t flip = desc.index_of(options_.flip_output_bit_layer);
    if (flip < first_ || flip > last_) {
      throw std::invalid_argument(fmt::format(
          "--flip-output-bit '{}': that layer is not simulated in this run (layers {}..{}), so nothing would be "
          "flipped", options_.flip_output_bit_layer, desc.layers[first_].name, desc.layers[last_].name));
    }
  }
}

driver::RunRecord ProgramRunner::record_header() const {
  driver::RunRecord rec;
  rec.program = data_.program.file;
  rec.network = data_.network.desc.name;
  rec.hw_config = options_.hw.name();
  rec.dram = options_.dram_label;
  rec.timing = options_.timing;
  rec.model = sim::to_string(model_kind());
  rec.batch = data_.program.batch();
  rec.seed = data_.program.seed;
  if (last_ + 1 == expected_.size()) rec.top1_golden = top1(expected_.back());
  return rec;
}

void ProgramRunner::write_image(dram::Storage& storage) {
  if (storage.size() < layout_.bytes_needed()) {
    throw std::runtime_error(fmt::format("DRAM ({}) has {} bytes; program {} needs {} bytes", options_.dram_label,
                                         storage.size(), data_.program.file, layout_.bytes_needed()));
  }
  layout_.write_data(storage, data_.input);
  // A run that starts inside the program gets the golden activations of the layer before it.
  if (first_ > 0) write_activation(storage, layout_.activation(first_), expected_[first_ - 1]);
  auto descriptors = layout_.descriptors();
  if (options_.edit_before_run) options_.edit_before_run(storage, descriptors);
  layout_.write_queue(storage, descriptors);
  storage.flush();
}

void ProgramRunner::judge_layer(std::size_t i, sim::TopSim& sim, const sim::TopRunResult& hw, std::uint64_t budget,
                                dram::Storage& storage, driver::LayerRecord& r, RunResult& result) const {
  if (hw.error) {
    const std::uint64_t status = sim.csr(Csr::kStatus);
    result.outcome = RunOutcome::RtlError;
    result.failure = fmt::format("layer '{}': RTL error code {} ({}){} at cycle {} of the layer (cycle {} of the run)",
                                 r.name, hw.error_code, error_code_meaning(hw.error_code),
                                 error_detail(sim, hw.error_code, status), hw.cycles, sim.total_cycles());
    return;
  }
  if (!hw.done) {
    result.outcome = RunOutcome::Stuck;
    result.failure = fmt::format(
        "layer '{}' stuck: not done after {} cycles (budget: {}x the estimate {} + {}{}), layer cycle counter {}, "
        "status 0x{:x}",
        r.name, budget, options_.budget_factor, r.estimated_cycles, options_.budget_slack,
        options_.max_cycles ? fmt::format(", --max-cycles {}", options_.max_cycles) : "", hw.cycles,
        sim.csr(Csr::kStatus));
    return;
  }
  try {
    golden::Tensor16 got = layout_.executor(i).read_output(storage);
    if (options_.flip_output_bit_layer == r.name && !got.data.empty()) {
      auto& victim = got.data[got.data.size() / 2];
      victim = static_cast<std::int16_t>(victim ^ 1);
    }
    r.mismatch = first_mismatch(expected_[i], got);
    if (i + 1 == layout_.layers() && got.shape == expected_[i].shape) result.record.top1_rtl = top1(got);
  } catch (const std::runtime_error& e) {  // an RLC row the RTL wrote does not decode
    r.mismatch = fmt::format("output does not decode: {}", e.what());
  }
  r.matched = r.mismatch.empty();
  if (!r.matched) {
    result.outcome = RunOutcome::Mismatch;
    result.failure = fmt::format("layer '{}': output differs from the golden: {}", r.name, r.mismatch);
  }
}

// A layer is judged only once the storage has confirmed every write the layer made (a remote server answers the
// SYNC or fails within its deadline): a PASS never rests on data the memory may not hold.
void ProgramRunner::confirm_writes(dram::Storage& storage, const std::string& layer) {
  try {
    storage.flush();
  } catch (const dram::StorageError& e) {
    throw dram::StorageError(
        fmt::format("layer '{}': the DRAM did not confirm the layer's writes, so the run cannot pass: {}", layer,
                    e.what()));
  }
}

RunResult ProgramRunner::run(dram::Storage& storage, RunObserver* observer) {
  const auto run_start = Clock::now();
  const auto& layers = data_.network.desc.layers;
  RunResult result;
  result.record = record_header();
  write_image(storage);
  result.layout_seconds = seconds_since(run_start);

  // Progress is measured in the mapper's estimated cycles: known for every layer before it runs.
  std::uint64_t estimate_total = 0, estimate_done = 0;
  for (std::size_t i = first_; i <= last_; ++i) estimate_total += layout_.executor(i).plan().estimated_cycles;
  auto progress_at = [&](std::size_t i) {
    LayerProgress p;
    p.index = i - first_;
    p.count = last_ - first_ + 1;
    p.fraction_done = estimate_total ? static_cast<double>(estimate_done) / estimate_total : 1.0;
    p.elapsed_seconds = seconds_since(run_start);
    p.eta_seconds = p.fraction_done > 0.0 ? p.elapsed_seconds * (1.0 - p.fraction_done) / p.fraction_done : 0.0;
    return p;
  };

  sim::TopSim sim(storage, dram::TimingConfig::preset(options_.timing), model_kind());
  require_model_hw(sim, options_.hw);
  sim.set_trace_scopes(options_.trace_scopes);
  for (std::size_t i = first_; i <= last_; ++i) {
    const auto layer_start = Clock::now();
    driver::LayerRecord r = planned_record(layers[i], layout_, i);
    LayerProgress progress = progress_at(i);
    progress.budget_cycles = layer_budget(options_, r.estimated_cycles);
    if (observer) observer->layer_started(r, progress);

    if (!options_.trace_layer.empty() && options_.trace_layer == r.name) {
      const TraceWindow w = options_.trace_window.value_or(TraceWindow{0, progress.budget_cycles});
      sim.set_trace_window(options_.trace_path, sim.total_cycles() + w.start, w.count);
    }
    if (observer) {
      sim.set_progress([&](std::uint64_t cycles) { observer->layer_running(r, cycles, progress); }, kProgressCycles);
    }
    const sim::TopRunResult hw = sim.run(layout_.descriptor_addr(i), 1, progress.budget_cycles);
    sim.end_trace();  // a traced layer's window ends with the layer
    read_counters(sim, r);
    confirm_writes(storage, r.name);
    judge_layer(i, sim, hw, progress.budget_cycles, storage, r, result);
    r.wall_seconds = seconds_since(layer_start);
    estimate_done += r.estimated_cycles;
    const std::uint64_t budget = progress.budget_cycles;
    progress = progress_at(i);
    progress.budget_cycles = budget;
    result.record.layers.push_back(r);
    if (observer) observer->layer_finished(result.record.layers.back(), progress);
    if (result.outcome != RunOutcome::Passed) break;
  }
  result.total_cycles = sim.total_cycles();
  result.record.wall_seconds = seconds_since(run_start);
  result.record.outcome = to_string(result.outcome);
  result.record.failure = result.failure;
  return result;
}

}  // namespace ocelli::runtime
