// `ocelli report <run.json> [--out-dir reports] [--name NAME] [--pes N] [--no-chart]`: a run record (written by
// `ocelli run --report` / report::write_json) as the table on stdout and <out-dir>/<name>.{txt,json,csv,png}.
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

int run_report(const ReportArgs& args) {
  const driver::RunRecord run = report::read_json(args.run_json);
  report::ReportOptions options;
  options.pes = args.pes;
  const std::string table = report::format_table(run, options);
  fmt::print("{}", table);

  const std::string name = !args.name.empty() ? args.name : (!run.network.empty() ? run.network : "run");
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
