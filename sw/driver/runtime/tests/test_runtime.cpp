// The runtime: shipped small programs run through the verilated top bit-exact with the golden, in-process and
// through a spawned ocelli-dramd with identical cycles; corrupted weights, an invalid descriptor and a tiny cycle
// budget are reported naming the layer; layers the RTL cannot run are refused before anything runs.
#include <gtest/gtest.h>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <future>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "ocelli/dram/remote_dram.hpp"
#include "ocelli/driver/program.hpp"
#include "ocelli/golden/tensor_file.hpp"
#include "ocelli/report/report.hpp"
#include "ocelli/runtime/runner.hpp"
#include "ocelli/runtime/storage_spec.hpp"
#include "test_helpers.hpp"  // sw/dram/tests: SpawnedServer

namespace ocelli::runtime {
namespace {

using Clock = std::chrono::steady_clock;

const std::string kProgramsDir = OCELLI_PROGRAMS_DIR;

ProgramData load(const std::string& name, ProgramOverrides overrides = {}) {
  return make_program_data(driver::parse_program_file(kProgramsDir + "/" + name), overrides);
}

struct ProgramRun {
  std::unique_ptr<ProgramRunner> runner;
  std::unique_ptr<dram::Storage> storage;
  RunResult result;
};

ProgramRun run_program(ProgramData data, RunOptions options = {}, const std::string& dram_spec = "inproc") {
  ProgramRun r;
  options.dram_label = dram_spec;
  r.runner = std::make_unique<ProgramRunner>(std::move(data), std::move(options));
  r.storage = open_storage(dram_spec, r.runner->dram_bytes_needed());
  r.result = r.runner->run(*r.storage);
  return r;
}

// Failure messages are printed so the test log shows what a user would read.
void show(const RunResult& r) { fmt::print("message: {}\n", r.failure); }

void expect_contains(const std::string& text, const std::string& fragment) {
  EXPECT_NE(text.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << text;
}

void expect_passed(const ProgramRun& r, std::size_t layers) {
  ASSERT_EQ(r.result.outcome, RunOutcome::Passed) << r.result.failure;
  ASSERT_EQ(r.result.record.layers.size(), layers);
  EXPECT_TRUE(r.result.record.passed());
  std::uint64_t cycles = 0;
  for (const auto& l : r.result.record.layers) {
    EXPECT_TRUE(l.matched) << l.name << ": " << l.mismatch;
    EXPECT_GT(l.cycles, 0u) << l.name;
    EXPECT_GE(l.macs_issued, l.macs) << l.name;
    EXPECT_GT(l.dram_write_ofmap, 0u) << l.name;
    cycles += l.cycles;
  }
  // Each layer's start pulse and the flop it passes through at the chip boundary are two cycles the layer counters
  // do not see.
  EXPECT_EQ(r.result.total_cycles, cycles + 2 * layers);
  EXPECT_EQ(r.result.record.top1_rtl, r.result.record.top1_golden);
  EXPECT_EQ(r.result.record.top1_golden.size(), static_cast<std::size_t>(r.result.record.batch));
}

TEST(Runtime, SmallConvMatchesTheGolden) {
  const ProgramRun r = run_program(load("small_conv.prog"));
  expect_passed(r, 1);
  EXPECT_EQ(r.result.record.batch, 2);
  EXPECT_TRUE(r.result.record.layers[0].ifmap_rlc);
  EXPECT_GT(r.result.record.layers[0].rlc_words_in, 0u);
}

TEST(Runtime, SmallConvGroupsMatchesTheGolden) {
  const ProgramRun r = run_program(load("small_conv_groups.prog"));
  expect_passed(r, 1);
  EXPECT_FALSE(r.result.record.layers[0].ifmap_rlc);
  EXPECT_EQ(r.result.record.layers[0].rlc_words_in, 0u);
}

TEST(Runtime, SmallFcRunsAsConvAndMatchesTheGolden) {
  const ProgramRun r = run_program(load("small_fc.prog"));
  expect_passed(r, 2);
  EXPECT_EQ(r.result.record.layers[0].kind, "fc");
}

// FC layers with several channel blocks and filter blocks: psums stay in the PEs between channel passes (only the
// last pass of a tile sends them out) and f2's ifmap is resident, read from DRAM once for its filter blocks.
TEST(Runtime, FcBlocksKeepPsumsInThePesAndReadTheIfmapOnce) {
  const ProgramRun r = run_program(load("small_fc_blocks.prog"));
  expect_passed(r, 3);
  const auto& f1 = r.result.record.layers[0];
  const auto& f2 = r.result.record.layers[1];
  // f2's mapping has more than one filter block (p * t < 400 filters) and more than one channel block.
  int n = 0, e = 0, p = 0, q = 0, rr = 0, t = 0;
  ASSERT_EQ(std::sscanf(f2.mapping.c_str(), "n%d e%d p%d q%d r%d t%d", &n, &e, &p, &q, &rr, &t), 6) << f2.mapping;
  EXPECT_LT(p * t, 400) << f2.mapping;
  EXPECT_LT(q * rr, 200) << f2.mapping;
  // Read once: the coded words into f2's decoder are the words f1's encoder wrote.
  EXPECT_GT(f1.rlc_words_out, 0u);
  EXPECT_EQ(f2.rlc_words_in, f1.rlc_words_out);
}

TEST(Runtime, BatchAndSeedOverridesApply) {
  const ProgramRun r = run_program(load("small_conv.prog", ProgramOverrides{1, 99}));
  expect_passed(r, 1);
  EXPECT_EQ(r.result.record.batch, 1);
  EXPECT_EQ(r.result.record.seed, 99u);
}

TEST(Runtime, RemoteDramGivesTheSameCyclesAndOutputs) {
  dram::testing::SpawnedServer server(64ull << 20);
  const ProgramRun local = run_program(load("small_conv.prog"));
  const ProgramRun remote = run_program(load("small_conv.prog"), {}, "tcp://127.0.0.1:" + std::to_string(server.port()));
  expect_passed(remote, 1);
  EXPECT_EQ(remote.result.record.dram, "tcp://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(remote.result.total_cycles, local.result.total_cycles);
  const auto& a = local.result.record.layers[0];
  const auto& b = remote.result.record.layers[0];
  EXPECT_EQ(a.cycles, b.cycles);
  EXPECT_EQ(a.dram_read_ifmap, b.dram_read_ifmap);
  EXPECT_EQ(a.dram_write_ofmap, b.dram_write_ofmap);
  EXPECT_EQ(a.glb_conflicts, b.glb_conflicts);
  const auto out_local = local.runner->layout().executor(0).read_output(*local.storage);
  const auto out_remote = remote.runner->layout().executor(0).read_output(*remote.storage);
  EXPECT_EQ(out_local.data, out_remote.data);
  EXPECT_EQ(out_remote.data, remote.runner->expected_output(0).data);
}

// Word 6 of a descriptor holds the weight address in bits 31:0 (docs/isa.md).
std::uint32_t weight_addr(const driver::Descriptor& d) { return static_cast<std::uint32_t>(d[6]); }

TEST(Runtime, CorruptedWeightsAreAMismatchNamingLayerAndIndex) {
  RunOptions o;
  o.edit_before_run = [](dram::Storage& storage, std::vector<driver::Descriptor>& descriptors) {
    const std::uint64_t big = 0x3fff3fff3fff3fffull;  // four large positive weights of the first filter block
    storage.write(weight_addr(descriptors[0]), &big, sizeof big);
  };
  const ProgramRun r = run_program(load("small_conv.prog"), o);
  show(r.result);
  ASSERT_EQ(r.result.outcome, RunOutcome::Mismatch) << r.result.failure;
  ASSERT_EQ(r.result.record.layers.size(), 1u);
  EXPECT_FALSE(r.result.record.layers[0].matched);
  EXPECT_FALSE(r.result.record.passed());
  expect_contains(r.result.failure, "layer 'conv'");
  expect_contains(r.result.failure, "index (");
  expect_contains(r.result.failure, "expected");
  expect_contains(r.result.record.layers[0].mismatch, " got ");
}

TEST(Runtime, InvalidDescriptorIsReportedWithTheErrorMeaning) {
  RunOptions o;
  o.edit_before_run = [](dram::Storage&, std::vector<driver::Descriptor>& descriptors) { descriptors[0][9] = 1; };
  const ProgramRun r = run_program(load("small_conv.prog"), o);
  show(r.result);
  ASSERT_EQ(r.result.outcome, RunOutcome::RtlError) << r.result.failure;
  expect_contains(r.result.failure, "layer 'conv'");
  expect_contains(r.result.failure, "error code 1");
  expect_contains(r.result.failure, "reserved descriptor word");
  expect_contains(r.result.failure, "at cycle");
}

TEST(Runtime, SecondLayerErrorStopsThereAndKeepsTheFirst) {
  RunOptions o;
  o.edit_before_run = [](dram::Storage&, std::vector<driver::Descriptor>& descriptors) {
    descriptors[1][0] = (descriptors[1][0] & ~0xffull) | 0x7f;  // unknown opcode
  };
  const ProgramRun r = run_program(load("small_fc.prog"), o);
  ASSERT_EQ(r.result.outcome, RunOutcome::RtlError) << r.result.failure;
  ASSERT_EQ(r.result.record.layers.size(), 2u);
  EXPECT_TRUE(r.result.record.layers[0].matched);
  EXPECT_FALSE(r.result.record.layers[1].matched);
  expect_contains(r.result.failure, "layer 'fc2'");
}

TEST(Runtime, TinyCycleBudgetIsReportedAsStuck) {
  RunOptions o;
  o.max_cycles = 200;
  const ProgramRun r = run_program(load("small_conv.prog"), o);
  show(r.result);
  ASSERT_EQ(r.result.outcome, RunOutcome::Stuck) << r.result.failure;
  expect_contains(r.result.failure, "layer 'conv' stuck: not done after 200 cycles");
  expect_contains(r.result.failure, "status 0x");
}

TEST(Runtime, TraceWindowWritesAnFstForTheLayer) {
  const std::string path = ::testing::TempDir() + "ocelli_runtime_trace_" + std::to_string(::getpid()) + ".fst";
  std::filesystem::remove(path);
  RunOptions o;
  o.trace_layer = "fc2";
  o.trace_window = parse_trace_window("10:50");
  o.trace_path = path;
  const ProgramRun r = run_program(load("small_fc.prog"), o);
  expect_passed(r, 2);
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_GT(std::filesystem::file_size(path), 0u);
  std::filesystem::remove(path);
}

TEST(Runtime, BadTraceOptionsNameTheValue) {
  EXPECT_THROW(parse_trace_window("10"), std::invalid_argument);
  EXPECT_THROW(parse_trace_window("a:5"), std::invalid_argument);
  EXPECT_THROW(parse_trace_window("5:0"), std::invalid_argument);
  RunOptions o;
  o.trace_layer = "nope";
  EXPECT_THROW(ProgramRunner(load("small_conv.prog"), o), std::out_of_range);
}

TEST(Runtime, SmallNetEveryLayerKindMatches) {
  // conv, lrn, maxpool, grouped conv, fc: every kind on the RTL, chained through DRAM.
  const ProgramRun r = run_program(load("small_net.prog"));
  expect_passed(r, 5);
  EXPECT_EQ(r.result.record.layers[1].kind, "lrn");
  EXPECT_EQ(r.result.record.layers[2].kind, "maxpool");
}

// The counters restart at every layer's start (docs/isa.md): a layer's figures are the same whether the layers
// before it ran on the RTL or not. The RLC and saturation counters once ran on across layers, which made the
// report's RLC ratios and saturation counts of every layer after the first wrong.
TEST(Runtime, LayerCountersDoNotDependOnTheLayersBefore) {
  const ProgramRun whole = run_program(load("small_net.prog"));
  expect_passed(whole, 5);
  for (const std::string first : {"p1", "c2"}) {
    RunOptions options;
    options.first_layer = first;
    const ProgramRun part = run_program(load("small_net.prog"), options);
    ASSERT_EQ(part.result.outcome, RunOutcome::Passed) << part.result.failure;
    const auto& alone = part.result.record.layers.front();
    const auto it = std::find_if(whole.result.record.layers.begin(), whole.result.record.layers.end(),
                                 [&](const driver::LayerRecord& l) { return l.name == first; });
    ASSERT_NE(it, whole.result.record.layers.end());
    const driver::LayerRecord& after = *it;
    EXPECT_EQ(alone.name, first);
    EXPECT_TRUE(after.ifmap_rlc) << first;
    EXPECT_GT(after.rlc_words_in, 0u) << first;
    // c2 writes f1's input raw (f1 has rlc=off): nothing of it goes through the encoder.
    if (after.ofmap_rlc) {
      EXPECT_GT(after.rlc_words_out, 0u) << first;
    } else {
      EXPECT_EQ(after.rlc_words_out, 0u) << first;
    }
    EXPECT_EQ(after.rlc_words_in, alone.rlc_words_in) << first;
    EXPECT_EQ(after.rlc_words_out, alone.rlc_words_out) << first;
    EXPECT_EQ(after.saturated, alone.saturated) << first;
    EXPECT_EQ(after.macs_issued, alone.macs_issued) << first;
    EXPECT_EQ(after.gated_macs, alone.gated_macs) << first;
    EXPECT_EQ(after.dram_read_ifmap, alone.dram_read_ifmap) << first;
    EXPECT_EQ(after.dram_write_ofmap, alone.dram_write_ofmap) << first;
    EXPECT_EQ(after.glb_reads, alone.glb_reads) << first;
  }
}

// Every measured field of two layer records, so that one build of the top can be held against another.
void expect_same_measurements(const driver::LayerRecord& a, const driver::LayerRecord& b, const std::string& what) {
  SCOPED_TRACE(what + " layer " + a.name);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.cycles, b.cycles);
  EXPECT_EQ(a.macs_issued, b.macs_issued);
  EXPECT_EQ(a.gated_macs, b.gated_macs);
  EXPECT_EQ(a.pe_busy_cycles, b.pe_busy_cycles);
  EXPECT_EQ(a.glb_reads, b.glb_reads);
  EXPECT_EQ(a.glb_writes, b.glb_writes);
  EXPECT_EQ(a.glb_conflicts, b.glb_conflicts);
  EXPECT_EQ(a.noc_deliveries, b.noc_deliveries);
  EXPECT_EQ(a.dram_read_ifmap, b.dram_read_ifmap);
  EXPECT_EQ(a.dram_read_weights, b.dram_read_weights);
  EXPECT_EQ(a.dram_read_bias, b.dram_read_bias);
  EXPECT_EQ(a.dram_read_descriptors, b.dram_read_descriptors);
  EXPECT_EQ(a.dram_write_ofmap, b.dram_write_ofmap);
  EXPECT_EQ(a.rlc_words_in, b.rlc_words_in);
  EXPECT_EQ(a.rlc_words_out, b.rlc_words_out);
  EXPECT_EQ(a.saturated, b.saturated);
  EXPECT_EQ(a.matched, b.matched);
}

// The performance model (no rule checks, assertions or trace code) and the checked build of the same RTL give the
// same cycles, counters and outputs, layer by layer, on every layer kind: nobody has to trust the fast model blindly.
TEST(Runtime, FastModelMatchesCheckedModel) {
  for (const std::string program : {"small_net.prog", "small_fc_blocks.prog", "small_conv_groups.prog"}) {
    RunOptions fast_options, checked_options;
    fast_options.model = sim::TopModelKind::kFast;
    checked_options.model = sim::TopModelKind::kChecked;
    const ProgramRun fast = run_program(load(program), fast_options);
    const ProgramRun checked = run_program(load(program), checked_options);
    ASSERT_EQ(checked.result.outcome, RunOutcome::Passed) << program << ": " << checked.result.failure;
    ASSERT_EQ(fast.result.outcome, RunOutcome::Passed) << program << ": " << fast.result.failure;
    EXPECT_EQ(fast.result.record.model, "fast");
    EXPECT_EQ(checked.result.record.model, "checked");
    EXPECT_EQ(fast.result.total_cycles, checked.result.total_cycles) << program;
    const auto& fl = fast.result.record.layers;
    const auto& cl = checked.result.record.layers;
    ASSERT_EQ(fl.size(), cl.size()) << program;
    for (std::size_t i = 0; i < fl.size(); ++i) {
      expect_same_measurements(fl[i], cl[i], program);
      EXPECT_EQ(fast.runner->layout().executor(i).read_output(*fast.storage).data,
                checked.runner->layout().executor(i).read_output(*checked.storage).data)
          << program << " layer " << fl[i].name;
    }
  }
}

// `ocelli run --jobs N` runs groups of layers in separate processes, each from the golden input of its first layer.
// That gives the chained run's figures only if nothing a layer's timing depends on carries over from the layers
// before it (arbiter pointers, counters, queue state): every layer, run as the first of a group, must give the same
// cycles and counters as in the chained run.
TEST(Runtime, SplitRunGivesTheChainedCycles) {
  for (const std::string program : {"small_net.prog", "small_fc.prog"}) {
    RunOptions fast;
    fast.model = sim::TopModelKind::kFast;
    const ProgramRun chained = run_program(load(program), fast);
    expect_passed(chained, chained.runner->data().network.desc.layers.size());
    const auto& layers = chained.result.record.layers;
    for (std::size_t first = 1; first < layers.size(); ++first) {
      RunOptions group = fast;
      group.first_layer = layers[first].name;
      const ProgramRun part = run_program(load(program), group);
      ASSERT_EQ(part.result.outcome, RunOutcome::Passed) << program << " from " << layers[first].name << ": "
                                                         << part.result.failure;
      ASSERT_EQ(part.result.record.layers.size(), layers.size() - first);
      for (std::size_t i = first; i < layers.size(); ++i) {
        expect_same_measurements(part.result.record.layers[i - first], layers[i],
                                 program + " from " + layers[first].name);
      }
    }
  }
}

TEST(Runtime, PoolTheHardwareCannotRunIsRefusedNamingTheLayer) {
  auto p = driver::parse_program_text(
      "network t\ninput shape=2x9x9 frac=8\nlayer p3 maxpool kernel=3 stride=3\n", "t.prog");
  try {
    ProgramRunner runner(make_program_data(p), {});
    FAIL() << "vertical stride 3";
  } catch (const std::invalid_argument& e) {
    expect_contains(e.what(), "layer 'p3'");
    expect_contains(e.what(), "vertical stride 3");
  }
}

TEST(Runtime, FcWithAnInputWiderThan12IsRefused) {
  auto p = driver::parse_program_text("network t\ninput shape=2x13x13 frac=8\nlayer big fc outputs=4 frac_w=8 shift=8\n",
                                      "t.prog");
  try {
    ProgramRunner runner(make_program_data(p), {});
    FAIL() << "a 13x13 filter";
  } catch (const std::invalid_argument& e) {
    expect_contains(e.what(), "layer 'big'");
    expect_contains(e.what(), "R or S > 12");
  }
}

TEST(Runtime, ActivationsAreCodedIffTheirReaderHasRlcOn) {
  auto p = driver::parse_program_text(
      "network t\ninput shape=4x6x6 frac=8\n"
      "layer a conv filters=4 kernel=3 pad=1 frac_w=8 shift=8 rlc=off\n"
      "layer b conv filters=4 kernel=3 pad=1 frac_w=8 shift=8\n"
      "layer c conv filters=4 kernel=3 pad=1 frac_w=8 shift=8 rlc=off\n",
      "t.prog");
  ProgramRunner runner(make_program_data(p), {});
  const auto& layout = runner.layout();
  EXPECT_FALSE(layout.activation(0).rlc);  // input, read by a
  EXPECT_TRUE(layout.activation(1).rlc);   // a -> b
  EXPECT_FALSE(layout.activation(2).rlc);  // b -> c
  EXPECT_FALSE(layout.activation(3).rlc);  // c's output: c has rlc off
  auto storage = open_storage("inproc", runner.dram_bytes_needed());
  const RunResult r = runner.run(*storage);
  EXPECT_EQ(r.outcome, RunOutcome::Passed) << r.failure;
  ASSERT_EQ(r.record.layers.size(), 3u);
  EXPECT_TRUE(r.record.layers[0].ofmap_rlc);
  EXPECT_TRUE(r.record.layers[1].ifmap_rlc);
  EXPECT_FALSE(r.record.layers[1].ofmap_rlc);
}

TEST(Runtime, ConvThenFcChainsThroughDramCoded) {
  auto p = driver::parse_program_text(
      "network t\nbatch 2\nseed 9\ninput shape=4x9x9 frac=8\n"
      "layer c conv filters=6 kernel=3 stride=2 relu frac_w=9 frac_out=8\n"
      "layer f fc outputs=5 frac_w=9 shift=9\n",
      "t.prog");
  const ProgramRun r = run_program(make_program_data(p));
  expect_passed(r, 2);
  EXPECT_TRUE(r.result.record.layers[1].ifmap_rlc);
  EXPECT_EQ(r.result.record.layers[1].shape, "2x6x4x4 -> 2x5x1x1");
}

TEST(Runtime, ReportJsonCarriesTheRecord) {
  const ProgramRun r = run_program(load("small_fc.prog"));
  const std::string path = ::testing::TempDir() + "ocelli_runtime_report_" + std::to_string(::getpid()) + ".json";
  report::write_json(r.result.record, path);
  std::ifstream in(path);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc.at("outcome"), "passed");
  EXPECT_EQ(doc.at("batch"), 4);
  ASSERT_EQ(doc.at("layers").size(), 2u);
  EXPECT_EQ(doc.at("layers")[1].at("name"), "fc2");
  EXPECT_EQ(doc.at("layers")[1].at("cycles").get<std::uint64_t>(), r.result.record.layers[1].cycles);
  EXPECT_EQ(doc.at("top1_rtl").get<std::vector<int>>(), r.result.record.top1_rtl);
  EXPECT_EQ(report::read_json(path).layers.size(), 2u);
  std::filesystem::remove(path);
  EXPECT_THROW(report::write_json(r.result.record, "/nonexistent-dir/x.json"), std::runtime_error);
}

TEST(Runtime, FirstMismatchNamesIndexExpectedAndGot) {
  golden::Tensor16 a(golden::Shape{2, 3, 4, 5}, 8);
  golden::Tensor16 b = a;
  EXPECT_EQ(first_mismatch(a, b), "");
  b.at(1, 2, 3, 4) = 7;
  EXPECT_EQ(first_mismatch(a, b), "index (1,2,3,4) expected 0 got 7");
}

TEST(Runtime, BadDramSpecsAreNamed) {
  EXPECT_THROW(open_storage("tcp://x", 1), std::invalid_argument);
  EXPECT_THROW(open_storage("udp://x:1", 1), std::invalid_argument);
  EXPECT_THROW(open_storage("tcp://127.0.0.1:99999", 1), std::invalid_argument);
}


// Delegates to another storage; calls a hook at every flush (the n-th flush, counted from 1).
class FlushHookStorage final : public dram::Storage {
 public:
  FlushHookStorage(std::unique_ptr<dram::Storage> inner, std::function<void(int)> hook)
      : inner_(std::move(inner)), hook_(std::move(hook)) {}
  uint64_t size() const override { return inner_->size(); }
  void read(uint64_t a, void* d, std::size_t n) override { inner_->read(a, d, n); }
  void write(uint64_t a, const void* s, std::size_t n) override { inner_->write(a, s, n); }
  void fill(uint64_t a, uint64_t n, uint8_t v) override { inner_->fill(a, n, v); }
  uint64_t load_file(const std::string& p, uint64_t a, dram::FileFormat f) override { return inner_->load_file(p, a, f); }
  void prefetch(uint64_t a, std::size_t n) override { inner_->prefetch(a, n); }
  void flush() override {
    hook_(++flushes_);
    inner_->flush();
  }

 private:
  std::unique_ptr<dram::Storage> inner_;
  std::function<void(int)> hook_;
  int flushes_ = 0;
};

// Issue 19 item 7: a DRAM server that stops answering during a run made it exit 0 with PASS: the layer's writes
// were never confirmed (one flush after the image only). Each layer is now judged only after a confirmed flush, so
// the run fails naming the layer, within the client's 2 s deadline.
TEST(Runtime, AServerThatStopsAnsweringFailsTheRunWithinItsDeadline) {
  dram::testing::SpawnedServer server(64ull << 20);
  ProgramRunner runner(load("small_conv.prog"), RunOptions{});
  Clock::time_point stopped;
  FlushHookStorage storage(open_storage("tcp://127.0.0.1:" + std::to_string(server.port()), runner.dram_bytes_needed()),
                           [&](int n) {
                             if (n == 1) return;  // the image: confirmed; then the server stops
                             server.signal(SIGSTOP);
                             stopped = Clock::now();
                           });
  try {
    (void)runner.run(storage);
    ADD_FAILURE() << "the run ended without an error";
  } catch (const dram::StorageError& e) {
    const auto detected = Clock::now() - stopped;
    fmt::print("message: {} (detected {} ms after the stop)\n", e.what(),
               std::chrono::duration_cast<std::chrono::milliseconds>(detected).count());
    expect_contains(e.what(), "layer 'conv'");
    expect_contains(e.what(), "did not confirm");
    expect_contains(e.what(), "no reply to SYNC");
    EXPECT_LT(detected, std::chrono::milliseconds(2000 + 2000));
  }
  server.signal(SIGCONT);
}

// Item 11: --flip-output-bit naming a layer the run does not simulate silently did nothing.
TEST(Runtime, FlipOutputBitOfALayerNotSimulatedIsRefused) {
  RunOptions o;
  o.last_layer = "fc1";
  o.flip_output_bit_layer = "fc2";
  try {
    ProgramRunner runner(load("small_fc.prog"), o);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    expect_contains(e.what(), "fc2");
    expect_contains(e.what(), "not simulated");
  }
}

// Item 8: numbers too large for 64 bits, or negative, are refused instead of wrapping (or "error: stoull").
TEST(Runtime, DecimalOptionsAreStrict) {
  EXPECT_EQ(parse_decimal_u64("0"), 0u);
  EXPECT_EQ(parse_decimal_u64("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "18446744073709551616", "99999999999999999999999"}) {
    EXPECT_FALSE(parse_decimal_u64(bad)) << bad;
  }
  try {
    parse_trace_window("99999999999999999999:1");
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    expect_contains(e.what(), "99999999999999999999");
  }
}

// Items 4, 5, 9: an input file that is /dev/zero grew memory without end, a FIFO blocked the run forever, a
// directory gave a message without the file's name. Each is now refused at once, naming the file and its kind.
TEST(Runtime, InputFilesThatAreNotRegularFilesAreRefusedAtOnce) {
  const std::string dir = ::testing::TempDir() + "ocelli_rt_inputs_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string fifo = dir + "/in.fifo";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto program_with_input = [&](const std::string& input) {
    const std::string path = dir + "/p.prog";
    std::ofstream(path) << "network t\ninput shape=8x16x16 frac=8 source=file path=" << input
                        << "\nlayer conv conv filters=16 kernel=3 stride=1 pad=1 relu frac_w=10 frac_out=8 out=16x16x16\n";
    return path;
  };
  auto done = std::async(std::launch::async, [&] {
    for (const auto& [input, kind] : std::vector<std::pair<std::string, std::string>>{
             {"/dev/zero", "a character device"}, {fifo, "a FIFO"}, {dir, "a directory"}}) {
      try {
        make_program_data(driver::parse_program_file(program_with_input(input)), {});
        ADD_FAILURE() << input << ": no error";
      } catch (const std::runtime_error& e) {
        expect_contains(e.what(), input);
        expect_contains(e.what(), kind);
      }
    }
  });
  if (done.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "reading an input file blocked";
    std::ofstream release(fifo);  // a writer that closes at once ends a blocked read
  }
  done.get();
  std::filesystem::remove_all(dir);
}


// Item 9: huge shapes failed with "error: std::bad_alloc". They are refused before anything is allocated, naming
// the largest tensor and the memory it would need.
TEST(Runtime, ShapesTooLargeForTheHostAreRefusedNamingTheTensor) {
  for (const std::string& text :
       {std::string("network big\ninput shape=65536x65536x65536 frac=8 source=synthetic\n"
                    "layer conv conv filters=16 kernel=3 stride=1 pad=1 relu frac_w=10 frac_out=8\n"),
        std::string("network big\nbatch 1024\ninput shape=64x4096x4096 frac=8 source=synthetic\n"
                    "layer conv conv filters=16 kernel=3 stride=1 pad=1 relu frac_w=10 frac_out=8\n")}) {
    try {
      make_program_data(driver::parse_program_text(text, "big.prog"), {});
      ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
      expect_contains(e.what(), "big.prog");
      expect_contains(e.what(), "GiB of host memory");
      expect_contains(e.what(), "largest: the input");
    }
  }
}

}  // namespace
}  // namespace ocelli::runtime

namespace ocelli::runtime {
namespace {

// `weights=` / `bias=` / `pads=`: parameters from tensor files (as `ocelli import` writes them) reach the golden and
// the RTL; a file of the wrong shape or format is an error naming the layer, the field and the file.
TEST(Runtime, WeightFilesAndPerSidePadsRunBitExact) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("ocelli_weights_{}", ::getpid());
  std::filesystem::create_directories(dir);
  golden::Tensor16 w(golden::Shape{4, 2, 3, 3}, 12);
  for (std::size_t i = 0; i < w.data.size(); ++i) w.data[i] = static_cast<std::int16_t>((i * 37 % 61) * 50 - 1500);
  golden::Tensor32 b(golden::Shape{1, 4, 1, 1}, 8 + 12);
  b.data = {1000, -2000, 3000, 0};
  golden::write_tensor_file((dir / "c.w.octf").string(), w);
  golden::write_tensor_file((dir / "c.b.octf").string(), b);
  const std::string program = (dir / "p.prog").string();
  std::ofstream(program) << "network wf\ninput shape=2x9x10 frac=8\n"
                            "layer c conv filters=4 kernel=3 pads=0,1,2,0 relu frac_w=12 frac_out=8 weights=c.w.octf "
                            "bias=c.b.octf out=4x9x9\n";
  ProgramData data = make_program_data(driver::parse_program_file(program));
  EXPECT_EQ(data.network.params[0].weights.data, w.data);
  EXPECT_EQ(data.network.params[0].bias, b.data);
  EXPECT_EQ(data.network.desc.layers[0].conv.pad_bottom, 2);
  EXPECT_EQ(data.network.desc.layers[0].conv.pad_top, 0);
  ProgramRunner runner(std::move(data), RunOptions{});
  auto storage = open_storage("inproc", runner.dram_bytes_needed());
  EXPECT_EQ(runner.run(*storage).outcome, RunOutcome::Passed);

  std::ofstream(program) << "network wf\ninput shape=2x9x10 frac=8\n"
                            "layer c conv filters=4 kernel=3 frac_w=11 frac_out=8 weights=c.w.octf\n";
  try {
    make_program_data(driver::parse_program_file(program));
    ADD_FAILURE() << "a weight file of another format was accepted";
  } catch (const driver::ProgramError& e) {
    EXPECT_NE(std::string(e.what()).find("layer 'c': field 'weights': file"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("frac 12, the layer's frac_w is 11"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ocelli::runtime
