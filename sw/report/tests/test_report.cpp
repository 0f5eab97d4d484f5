// The run report: table rows and totals, derived metrics from given counters, JSON round trip, CSV shape, chart,
// the Eyeriss block at batch 4 only, and errors that name the bad field.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "ocelli/golden/alexnet.hpp"
#include "ocelli/report/report.hpp"

namespace ocelli::report {
namespace {

namespace fs = std::filesystem;
using driver::LayerRecord;
using driver::RunRecord;
using golden::LayerKind;

constexpr int kPes = 12 * 14;


// AlexNet at `batch` with counters that follow from the golden's shapes and MAC counts (and vary per layer, so
// a wrong sum or a swapped field shows).
RunRecord synthetic_alexnet(int batch) {
  const golden::NetworkDesc net = golden::alexnet_description(batch);
  RunRecord run;
  run.program = "programs/alexnet.prog";
  run.network = net.name;
  run.hw_config = "12x14 PEs, spads 12/224/24, GLB 25+2 banks x 4 KB";
  run.dram = "inproc";
  run.timing = "eyeriss";
  run.batch = batch;
  run.seed = 7;
  run.wall_seconds = 123.5;
  std::uint64_t k = 1;
  for (const auto& d : net.layers) {
    LayerRecord l;
    l.name = d.name;
    l.kind = golden::to_string(d.kind);
    l.shape = golden::to_string(d.in_shape) + " -> " + golden::to_string(d.out_shape);
    const bool on_array = d.has_weights();
    l.mapping = on_array ? fmt::format("n1 e{} p16 q1 r1 t1", k) : "rows 4";
    l.active_pes = on_array ? static_cast<int>(100 + 7 * k) : 0;
    l.macs = d.macs();
    l.macs_issued = l.macs + 1000 * k;
    l.gated_macs = l.macs_issued / (k + 2);
    l.cycles = on_array ? l.macs / 100 + 500 * k : d.out_shape.elements() + k;
    l.estimated_cycles = l.cycles - k;
    l.pe_busy_cycles = l.cycles * static_cast<std::uint64_t>(l.active_pes);
    l.glb_reads = 10000 * k + 3;
    l.glb_writes = 5000 * k + 1;
    l.glb_conflicts = 17 * k;
    l.noc_deliveries = 30000 * k;
    l.ifmap_elements = d.in_shape.elements();
    l.ofmap_elements = d.out_shape.elements();
    l.ifmap_rlc = k > 1;
    l.ofmap_rlc = k < net.layers.size();
    l.rlc_words_in = l.ifmap_rlc ? l.ifmap_elements / 6 + k : 0;
    l.rlc_words_out = l.ofmap_rlc ? l.ofmap_elements / 7 + k : 0;
    l.dram_read_ifmap = l.ifmap_rlc ? l.rlc_words_in * 8 + 64 * k : l.ifmap_elements * 2;
    l.dram_read_weights = d.has_weights() ? d.weight_shape.elements() * 2 : 0;
    l.dram_read_bias = d.has_weights() ? static_cast<std::uint64_t>(d.out_shape.c) * 4 : 0;
    l.dram_read_descriptors = 128;
    l.dram_write_ofmap = l.ofmap_rlc ? l.rlc_words_out * 8 + 64 * k : l.ofmap_elements * 2;
    l.saturated = k % 3;
    l.wall_seconds = 0.25 * static_cast<double>(k);
    l.matched = true;
    run.layers.push_back(l);
    ++k;
  }
  for (int i = 0; i < batch; ++i) {
    run.top1_golden.push_back(100 + i);
    run.top1_rtl.push_back(100 + i);
  }
  return run;
}

class ReportFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("ocelli_report_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

// The performance block's row of `name` (the first line whose first field is the name).
std::vector<std::string> table_row(const std::string& table, const std::string& name) {
  for (const auto& line : lines_of(table)) {
    const auto f = fields_of(line);
    if (!f.empty() && f[0] == name) return f;
  }
  return {};
}

// Minimal RFC 4180 reader for one line (no embedded line breaks in these records).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

TEST(ReportTable, ListsEveryLayerAndTotalIsTheSum) {
  const RunRecord run = synthetic_alexnet(1);
  const std::string table = format_table(run);
  std::uint64_t cycles = 0, macs = 0;
  for (const auto& l : run.layers) {
    const auto row = table_row(table, l.name);
    ASSERT_FALSE(row.empty()) << "no row for " << l.name << " in\n" << table;
    cycles += l.cycles;
    macs += l.macs;
  }
  const auto total = table_row(table, "total");
  ASSERT_FALSE(total.empty()) << table;
  // total  kind(empty -> skipped by field split)  mapping "-"  PEs  cycles  ms  MMACs ...
  EXPECT_NE(std::find(total.begin(), total.end(), std::to_string(cycles)), total.end()) << table;
  EXPECT_NE(std::find(total.begin(), total.end(), fmt::format("{:.2f}", static_cast<double>(macs) / 1e6)),
            total.end())
      << table;
  EXPECT_NE(table.find(run.hw_config), std::string::npos);
  EXPECT_NE(table.find("timing preset eyeriss"), std::string::npos);
  EXPECT_NE(table.find("top-1 class per image: RTL [100], golden [100]: match"), std::string::npos) << table;
}

TEST(ReportTable, TotalCountersAreSumsAndActivePesCycleWeighted) {
  const RunRecord run = synthetic_alexnet(1);
  const LayerRecord total = sum_layers(run);
  std::uint64_t dram = 0, glb = 0, noc = 0;
  double pe_cycles = 0, array_cycles = 0;
  for (const auto& l : run.layers) {
    dram += l.dram_read_ifmap + l.dram_read_weights + l.dram_read_bias + l.dram_read_descriptors + l.dram_write_ofmap;
    glb += l.glb_reads + l.glb_writes;
    noc += l.noc_deliveries;
    if (l.active_pes > 0) {
      pe_cycles += static_cast<double>(l.active_pes) * static_cast<double>(l.cycles);
      array_cycles += static_cast<double>(l.cycles);
    }
  }
  const LayerMetrics m = derive_metrics(total, kPes);
  EXPECT_EQ(m.dram_read_bytes + m.dram_written_bytes, dram);
  EXPECT_EQ(m.glb_accesses, glb);
  EXPECT_EQ(total.noc_deliveries, noc);
  EXPECT_EQ(total.active_pes, static_cast<int>(pe_cycles / array_cycles + 0.5));
}

TEST(ReportMetrics, UtilizationAndEnergyFollowTheFormulas) {
  LayerRecord l;
  l.cycles = 1'000'000;
  l.macs = 90'000'000;
  l.macs_issued = 95'000'000;
  l.gated_macs = 30'000'000;
  l.glb_reads = 2'000'000;
  l.glb_writes = 700'000;
  l.noc_deliveries = 5'000'000;
  l.dram_read_ifmap = 800'000;
  l.dram_read_weights = 600'000;
  l.dram_read_bias = 1'024;
  l.dram_read_descriptors = 128;
  l.dram_write_ofmap = 400'000;
  l.ifmap_rlc = l.ofmap_rlc = true;
  l.ifmap_elements = 1'000'000;
  l.rlc_words_in = 100'000;
  l.ofmap_elements = 900'000;
  l.rlc_words_out = 50'000;

  const LayerMetrics m = derive_metrics(l, kPes);
  EXPECT_DOUBLE_EQ(m.utilization, 90e6 / (168.0 * 1e6));
  EXPECT_DOUBLE_EQ(m.ms, 1e6 / 200e6 * 1e3);
  EXPECT_DOUBLE_EQ(m.gated_fraction, 30.0 / 95.0);
  EXPECT_DOUBLE_EQ(*m.ifmap_rlc_ratio, 1e6 * 2 / (1e5 * 8));
  EXPECT_DOUBLE_EQ(*m.ofmap_rlc_ratio, 9e5 * 2 / (5e4 * 8));

  // docs/report.md: one access = one 16-bit word; DRAM bytes / 2, GLB 64-bit words x 4, NoC deliveries,
  // spad 4 per issued MAC minus the gated filter reads plus one write per delivery, MACs issued minus gated.
  const double dram_words = (800'000.0 + 600'000 + 1'024 + 128 + 400'000) / 2;
  const double glb_words = (2'000'000.0 + 700'000) * 4;
  const double noc_words = 5'000'000.0;
  const double spad = 4 * 95e6 - 30e6 + 5e6;
  const double mac = 95e6 - 30e6;
  const double expected = 200 * dram_words + 6 * glb_words + 2 * noc_words + 1 * spad + 1 * mac;
  EXPECT_DOUBLE_EQ(m.energy.dram, 200 * dram_words);
  EXPECT_DOUBLE_EQ(m.energy.glb, 6 * glb_words);
  EXPECT_DOUBLE_EQ(m.energy.total(), expected);
  EXPECT_DOUBLE_EQ(m.energy_per_mac, expected / 90e6);

  LayerRecord raw = l;
  raw.ifmap_rlc = raw.ofmap_rlc = false;
  EXPECT_FALSE(derive_metrics(raw, kPes).ifmap_rlc_ratio.has_value());
  EXPECT_FALSE(derive_metrics(raw, kPes).ofmap_rlc_ratio.has_value());
  EXPECT_DOUBLE_EQ(derive_metrics(LayerRecord{}, kPes).utilization, 0.0);  // no cycles: no division by zero
}

TEST(ReportMetrics, PesComeFromTheHwConfigOrTheOptions) {
  EXPECT_EQ(array_pes("12x14 PEs, spads 12/224/24, GLB 25+2 banks x 4 KB"), 168);
  EXPECT_EQ(array_pes("4x6 PEs"), 24);
  EXPECT_THROW(array_pes("eyeriss"), std::invalid_argument);
  RunRecord run = synthetic_alexnet(1);
  run.hw_config = "custom";
  EXPECT_THROW(format_table(run), std::invalid_argument);
  ReportOptions options;
  options.pes = 42;
  EXPECT_NE(format_table(run, options).find("(42 PEs for utilization)"), std::string::npos);
}

TEST(ReportTable, EyerissBlockAtBatchFourOnly) {
  const RunRecord four = synthetic_alexnet(4);
  const std::string table = format_table(four);
  ASSERT_NE(table.find("Against Eyeriss v1"), std::string::npos) << table;
  const EyerissConvResult& e = kEyerissAlexnetConv[0];
  const LayerRecord& conv1 = four.layers[0];
  ASSERT_EQ(conv1.name, e.layer);
  const double ms = static_cast<double>(conv1.cycles) / 200e6 * 1e3;
  // The comparison row: conv1, our ms, Eyeriss ms, ratio, ...
  bool found = false;
  for (const auto& line : lines_of(table.substr(table.find("Against Eyeriss v1")))) {
    const auto f = fields_of(line);
    if (f.size() >= 4 && f[0] == "conv1") {
      EXPECT_EQ(f[1], fmt::format("{:.2f}", ms));
      EXPECT_EQ(f[2], fmt::format("{:.2f}", e.latency_ms));
      EXPECT_EQ(f[3], fmt::format("{:.2f}", ms / e.latency_ms));
      found = true;
    }
  }
  EXPECT_TRUE(found) << table;
  EXPECT_EQ(format_table(synthetic_alexnet(1)).find("Eyeriss"), std::string::npos);
}

// The Eyeriss comparison says which DRAM timing ran, and warns when it is not Eyeriss's own.
TEST(ReportTable, EyerissComparisonNamesTheTiming) {
  RunRecord run = synthetic_alexnet(4);
  run.timing = "eyeriss";
  std::string table = format_table(run);
  EXPECT_NE(table.find("used the `eyeriss` DRAM timing"), std::string::npos) << table;
  EXPECT_EQ(table.find("NOTE:"), std::string::npos) << table;
  run.timing = "default";
  table = format_table(run);
  EXPECT_NE(table.find("NOTE: this run used the `default` DRAM timing"), std::string::npos) << table;
  EXPECT_NE(table.find("make eyeriss"), std::string::npos) << table;
  // Our cycles and Eyeriss's beside each other (conv1: 20.9 ms at 200 MHz = 4.18 M cycles).
  EXPECT_NE(table.find("Eyeriss Mcycles"), std::string::npos) << table;
  EXPECT_NE(table.find("4.18"), std::string::npos) << table;
}

TEST(ReportTable, FailedLayerIsNamed) {
  RunRecord run = synthetic_alexnet(1);
  run.layers[2].matched = false;
  run.layers[2].mismatch = "index (0,1,2,3) expected 5 got 6";
  run.top1_rtl[0] = 3;
  const std::string table = format_table(run);
  EXPECT_NE(table.find("FAILED"), std::string::npos);
  EXPECT_NE(table.find(run.layers[2].name + ": index (0,1,2,3) expected 5 got 6"), std::string::npos) << table;
  EXPECT_NE(table.find("MISMATCH"), std::string::npos);
}

void expect_same(const LayerRecord& a, const LayerRecord& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.shape, b.shape);
  EXPECT_EQ(a.mapping, b.mapping);
  EXPECT_EQ(a.active_pes, b.active_pes);
  EXPECT_EQ(a.estimated_cycles, b.estimated_cycles);
  EXPECT_EQ(a.cycles, b.cycles);
  EXPECT_EQ(a.macs, b.macs);
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
  EXPECT_EQ(a.ifmap_elements, b.ifmap_elements);
  EXPECT_EQ(a.ofmap_elements, b.ofmap_elements);
  EXPECT_EQ(a.ifmap_rlc, b.ifmap_rlc);
  EXPECT_EQ(a.ofmap_rlc, b.ofmap_rlc);
  EXPECT_EQ(a.saturated, b.saturated);
  EXPECT_DOUBLE_EQ(a.wall_seconds, b.wall_seconds);
  EXPECT_EQ(a.matched, b.matched);
  EXPECT_EQ(a.mismatch, b.mismatch);
}

TEST_F(ReportFiles, JsonRoundTrip) {
  RunRecord run = synthetic_alexnet(4);
  run.layers[1].matched = false;
  run.layers[1].mismatch = "index (0,1,2,3) expected \"5\", got 6";
  run.layers[0].cycles = (std::uint64_t{1} << 63) + 5;  // beyond int64
  write_json(run, path("run.json"));
  const RunRecord back = read_json(path("run.json"));
  EXPECT_EQ(back.program, run.program);
  EXPECT_EQ(back.network, run.network);
  EXPECT_EQ(back.hw_config, run.hw_config);
  EXPECT_EQ(back.dram, run.dram);
  EXPECT_EQ(back.timing, run.timing);
  EXPECT_EQ(back.batch, run.batch);
  EXPECT_EQ(back.seed, run.seed);
  EXPECT_EQ(back.top1_golden, run.top1_golden);
  EXPECT_EQ(back.top1_rtl, run.top1_rtl);
  EXPECT_DOUBLE_EQ(back.wall_seconds, run.wall_seconds);
  ASSERT_EQ(back.layers.size(), run.layers.size());
  for (std::size_t i = 0; i < run.layers.size(); ++i) expect_same(back.layers[i], run.layers[i]);

  // The file also carries the derived metrics, the total and the Eyeriss comparison (batch 4).
  std::ifstream in(path("run.json"));
  const auto doc = nlohmann::json::parse(in);
  const LayerMetrics m2 = derive_metrics(run.layers[2], kPes);
  EXPECT_DOUBLE_EQ(doc["layers"][2]["derived"]["utilization"].get<double>(), m2.utilization);
  EXPECT_DOUBLE_EQ(doc["layers"][2]["derived"]["energy"]["total"].get<double>(), m2.energy.total());
  EXPECT_EQ(doc["total"]["cycles"].get<std::uint64_t>(), sum_layers(run).cycles);
  EXPECT_EQ(doc["eyeriss_comparison"].size(), kEyerissAlexnetConv.size());
  EXPECT_FALSE(doc["passed"].get<bool>());
}

TEST_F(ReportFiles, CsvHasHeaderOneRowPerLayerAndTotal) {
  RunRecord run = synthetic_alexnet(1);
  run.layers[3].mismatch = "index (0,1,2,3) expected 5, got \"6\"";  // commas and quotes must stay one field
  write_csv(run, path("run.csv"));
  std::ifstream in(path("run.csv"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), run.layers.size() + 2);
  const auto header = csv_fields(lines[0]);
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t name_col = column("name"), cycles_col = column("cycles"), util_col = column("derived.utilization");
  column("derived.energy.total");
  column("dram_read_weights");
  for (std::size_t i = 1; i < lines.size(); ++i) ASSERT_EQ(csv_fields(lines[i]).size(), header.size()) << lines[i];
  for (std::size_t i = 0; i < run.layers.size(); ++i) {
    const auto row = csv_fields(lines[i + 1]);
    EXPECT_EQ(row[name_col], run.layers[i].name);
    EXPECT_EQ(row[cycles_col], std::to_string(run.layers[i].cycles));
  }
  EXPECT_EQ(csv_fields(lines[3 + 1])[column("mismatch")], run.layers[3].mismatch);
  const auto total = csv_fields(lines.back());
  EXPECT_EQ(total[name_col], "total");
  EXPECT_EQ(total[cycles_col], std::to_string(sum_layers(run).cycles));
  EXPECT_DOUBLE_EQ(std::stod(total[util_col]), derive_metrics(sum_layers(run), kPes).utilization);
}

TEST_F(ReportFiles, ChartIsWrittenAndNotEmpty) {
  if (::system("command -v gnuplot > /dev/null 2>&1") != 0) GTEST_SKIP() << "gnuplot is not installed";
  write_chart(synthetic_alexnet(4), path("alexnet.png"));
  ASSERT_TRUE(fs::exists(path("alexnet.png")));
  EXPECT_GT(fs::file_size(path("alexnet.png")), 0u);
  EXPECT_TRUE(fs::exists(path("alexnet.gp")));
  EXPECT_TRUE(fs::exists(path("alexnet.dat")));
}

TEST_F(ReportFiles, ChartWithoutGnuplotSaysWhatToInstall) {
  try {
    write_chart(synthetic_alexnet(1), path("alexnet.png"), path("no-such-gnuplot"));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("gnuplot-nox"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(path("alexnet.png")));
}

TEST_F(ReportFiles, ChartFailureOfGnuplotIsReported) {
  // A "gnuplot" that fails: /bin/false exits 1 without writing anything.
  try {
    write_chart(synthetic_alexnet(1), path("alexnet.png"), "/bin/false");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("failed"), std::string::npos) << e.what();
  }
}

// Writes the synthetic record, lets `edit` break it, and returns read_json's error message.
template <class Edit>
std::string read_error(const std::string& file, Edit edit) {
  write_json(synthetic_alexnet(1), file);
  nlohmann::json doc;
  {
    std::ifstream in(file);
    doc = nlohmann::json::parse(in);
  }
  edit(doc);
  {
    std::ofstream out(file);
    out << doc.dump();
  }
  try {
    read_json(file);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

TEST_F(ReportFiles, MalformedJsonNamesFileAndField) {
  const std::string file = path("bad.json");
  std::string err = read_error(file, [](nlohmann::json& d) { d["layers"][1]["cycles"] = "many"; });
  EXPECT_NE(err.find(file), std::string::npos) << err;
  EXPECT_NE(err.find("layers[1].cycles"), std::string::npos) << err;
  EXPECT_NE(err.find("\"many\""), std::string::npos) << err;

  err = read_error(file, [](nlohmann::json& d) { d["layers"][0].erase("gated_macs"); });
  EXPECT_NE(err.find("layers[0].gated_macs': missing"), std::string::npos) << err;

  err = read_error(file, [](nlohmann::json& d) { d["batch"] = -2; });
  EXPECT_NE(err.find("'batch'"), std::string::npos) << err;

  err = read_error(file, [](nlohmann::json& d) { d["top1_rtl"] = nlohmann::json::array({1, "x"}); });
  EXPECT_NE(err.find("top1_rtl[1]"), std::string::npos) << err;

  std::ofstream(file) << "{\"program\": ";
  try {
    read_json(file);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file + ": not valid JSON"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_json(path("missing.json")), std::runtime_error);
}

struct CliResult {
  int exit_code = -1;
  std::string out;
};

CliResult run_cli(const std::string& args) {
  CliResult r;
  const std::string cmd = std::string(OCELLI_CLI) + " " + args + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST_F(ReportFiles, CliWritesEveryReportFile) {
  const RunRecord run = synthetic_alexnet(4);
  write_json(run, path("run.json"));
  const bool have_gnuplot = ::system("command -v gnuplot > /dev/null 2>&1") == 0;
  const std::string out_dir = path("reports");
  const CliResult r = run_cli(fmt::format("report {} --out-dir {} --name alex{}", path("run.json"), out_dir,
                                          have_gnuplot ? "" : " --no-chart"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(format_table(run)), std::string::npos) << r.out;  // the table on stdout, unchanged
  for (const char* ext : {".txt", ".json", ".csv"}) EXPECT_GT(fs::file_size(out_dir + "/alex" + ext), 0u) << ext;
  if (have_gnuplot) {
    EXPECT_GT(fs::file_size(out_dir + "/alex.png"), 0u);
  }
  // The JSON it wrote reads back as the same run.
  const RunRecord back = read_json(out_dir + "/alex.json");
  ASSERT_EQ(back.layers.size(), run.layers.size());
  for (std::size_t i = 0; i < run.layers.size(); ++i) expect_same(back.layers[i], run.layers[i]);
}

TEST_F(ReportFiles, CliNamesTheBadField) {
  write_json(synthetic_alexnet(1), path("run.json"));
  std::string text;
  {
    std::ifstream in(path("run.json"));
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  nlohmann::json doc = nlohmann::json::parse(text);
  doc["layers"][0]["macs"] = -1;
  std::ofstream(path("bad.json")) << doc.dump();
  const CliResult r = run_cli(fmt::format("report {} --out-dir {} --no-chart", path("bad.json"), path("reports")));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("layers[0].macs"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ocelli::report
