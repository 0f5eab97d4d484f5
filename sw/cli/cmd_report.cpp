// `ocelli report <run.json> [--out-dir reports] [--name NAME] [--pes N] [--no-chart]`: a run record (written by
// `ocelli run --report` / report::write_json) as the table on stdout and <out-dir>/<name>.{txt,json,csv,png}.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/core.h>

#include "commands.hpp"
#include "ocelli/report/report.hpp"

namespace ocelli::cli {
namespace {

struct ReportArgs {
  std::string run_json;
  std::string out_dir = "reports";
  std::string name;  // default: the record's network name
  int pes = 0;
  bool chart = true;
};

// The file name stem: a plain name, never a path (a record's "network": "../x" must not write outside --out-dir).
std::string report_stem(const ReportArgs& args, const driver::RunRecord& run) {
  const bool from_record = args.name.empty();
  const std::string name = !from_record ? args.name : (!run.network.empty() ? run.network : "run");
  const bool plain = name != "." && name != ".." && name.size() <= 200 &&
                     name.find_first_of(std::string("/\\\0", 3)) == std::string::npos &&
                     std::all_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20; });
  if (!plain) {
    std::string shown;
    for (char c : name.substr(0, 80)) {
      shown += static_cast<unsigned char>(c) < 0x20 ? fmt::format("\\x{:02x}", static_cast<unsigned char>(c))
                                                    : std::string(1, c);
    }
    throw std::invalid_argument(
        from_record ? fmt::format("{}: field 'network' '{}' is not a plain file name (no '/', '..' or control "
                                  "characters); give one with --name",
                                  args.run_json, shown)
                    : fmt::format("--name '{}' is not a plain file name (no '/', '..' or control characters)", shown));
  }
  return name;
}

int run_report(const ReportArgs& args) {
  const driver::RunRecord run = report::read_json(args.run_json);
  report::ReportOptions options;
  options.pes = args.pes;
  const std::string name = report_stem(args, run);
  const std::string table = report::format_table(run, options);
  fmt::print("{}", table);

  const std::filesystem::path dir(args.out_dir);
  std::filesystem::create_directories(dir);
  const auto file = [&](const char* ext) { return (dir / (name + ext)).string(); };
  {
    std::ofstream txt(file(".txt"));
    txt << table;
    if (!txt) throw std::runtime_error(fmt::format("{}: cannot write", file(".txt")));
  }
  report::write_json(run, file(".json"), options);
  report::write_csv(run, file(".csv"), options);
  std::string written = fmt::format("{}, {}, {}", file(".txt"), file(".json"), file(".csv"));
  if (args.chart) {
    report::write_chart(run, file(".png"));
    written += ", " + file(".png");
  }
  fmt::print("\nwritten: {}\n", written);
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Print a run record (JSON) as the per-layer report and write it as txt, json, csv and png");
  cmd->add_option("run_json", args->run_json, "Run record JSON (ocelli run --report)")->required();
  cmd->add_option("--out-dir", args->out_dir, "Directory for the report files")->capture_default_str();
  cmd->add_option("--name", args->name, "File name stem (default: the record's network name)");
  cmd->add_option("--pes", args->pes, "PEs of the array for utilization (default: from the record's hw_config)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("!--no-chart", args->chart, "Skip the gnuplot chart");
  cmd->callback([args, &exit_code] { exit_code = run_report(*args); });
}

}  // namespace ocelli::cli
