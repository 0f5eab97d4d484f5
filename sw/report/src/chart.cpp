// write_chart: cycles per layer against Eyeriss's, drawn by gnuplot from a script and a data file kept next to the
// PNG (so the chart can be restyled and redrawn by hand).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/core.h>

#include "ocelli/report/report.hpp"

namespace ocelli::report {
namespace {

namespace fs = std::filesystem;

// True when `program` names an executable file, directly or through PATH.
bool executable_found(const std::string& program) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
  const char* path_env = std::getenv("PATH");
  std::string paths = path_env ? path_env : "";
  std::size_t start = 0;
  while (start <= paths.size()) {
    const std::size_t end = std::min(paths.find(':', start), paths.size());
    const std::string dir = paths.substr(start, end - start);
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

// Single-quoted for the shell: close the quote, escape the quote, reopen.
std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// gnuplot single-quoted strings have no escapes, so a path with a quote cannot be written into the script.
std::string gnuplot_quote(const fs::path& p) {
  const std::string s = p.string();
  if (s.find('\'') != std::string::npos)
    throw std::runtime_error(fmt::format("{}: chart paths must not contain a single quote", s));
  return "'" + s + "'";
}

// Free text for a gnuplot double-quoted string: drop the characters that would end or escape it.
std::string gnuplot_text(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '"' || c == '\\' || c == '\n'; }), s.end());
  return s;
}

void write_data(const driver::RunRecord& run, const fs::path& dat, bool& any_eyeriss) {
  std::ofstream out(dat);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot open for writing", dat.string()));
  out << "# layer\tocelli_mcycles\teyeriss_mcycles (batch-" << kEyerissBatch << " cycles x " << run.batch << "/"
      << kEyerissBatch << ")\n";
  any_eyeriss = false;
  const double scale = static_cast<double>(run.batch) / kEyerissBatch;
  for (const auto& l : run.layers) {
    const EyerissConvResult* e = eyeriss_result(l.name);
    any_eyeriss = any_eyeriss || e != nullptr;
    out << fmt::format("{}\t{:.6f}\t{}\n", l.name, static_cast<double>(l.cycles) / 1e6,
                       e ? fmt::format("{:.6f}", e->core_cycles() * scale / 1e6) : std::string("NaN"));
  }
  if (!out) throw std::runtime_error(fmt::format("{}: write failed", dat.string()));
}

void write_script(const driver::RunRecord& run, const fs::path& script, const fs::path& dat, const fs::path& png,
                  bool with_eyeriss) {
  std::ofstream out(script);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot open for writing", script.string()));
  const std::string eyeriss_title =
      run.batch == kEyerissBatch
          ? std::string("Eyeriss v1 measured (ISSCC 2016, batch 4)")
          : fmt::format("Eyeriss v1 measured (ISSCC 2016, batch-4 cycles x {}/4)", run.batch);
  out << "# Written by ocelli report (sw/report/src/chart.cpp); run: gnuplot " << script.filename().string() << "\n"
      << "set terminal pngcairo size 1100,650 font 'sans,10'\n"
      << "set output " << gnuplot_quote(png) << "\n"
      << "set title \"" << gnuplot_text(run.network) << ": cycles per layer, batch " << run.batch << " ("
      << gnuplot_text(run.timing.empty() ? "?" : run.timing) << " DRAM timing)\"\n"
      << "set ylabel 'core cycles (millions)'\n"
      << "set datafile separator '\\t'\n"
      << "set datafile missing 'NaN'\n"
      << "set style data histograms\n"
      << "set style histogram clustered gap 1\n"
      << "set style fill solid 0.85 border -1\n"
      << "set boxwidth 0.9\n"
      << "set grid ytics\n"
      << "set key top right\n"
      << "set yrange [0:*]\n"
      << "set xtics rotate by -30\n"
      << "plot " << gnuplot_quote(dat) << " using 2:xtic(1) title 'ocelli RTL (measured)' lc rgb '#1f77b4'";
  if (with_eyeriss) out << ", '' using 3 title '" << eyeriss_title << "' lc rgb '#ff7f0e'";
  out << "\n";
  if (!out) throw std::runtime_error(fmt::format("{}: write failed", script.string()));
}

}  // namespace

void write_chart(const driver::RunRecord& run, const std::string& png_path, const std::string& gnuplot) {
  if (run.layers.empty()) throw std::runtime_error(fmt::format("{}: the run has no layers to chart", png_path));
  const fs::path png = fs::absolute(png_path);
  fs::path script = png, dat = png;
  script.replace_extension(".gp");
  dat.replace_extension(".dat");
  bool with_eyeriss = false;
  write_data(run, dat, with_eyeriss);
  write_script(run, script, dat, png, with_eyeriss);

  if (!executable_found(gnuplot)) {
    throw std::runtime_error(fmt::format(
        "cannot draw {}: '{}' not found (install the Debian package gnuplot-nox, see scripts/install-deps.sh); "
        "the script {} is written",
        png.string(), gnuplot, script.string()));
  }
  std::error_code ec;
  fs::remove(png, ec);  // a stale chart must not pass the check below
  const std::string command = shell_quote(gnuplot) + " " + shell_quote(script.string()) + " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error(fmt::format("cannot run {}", command));
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);
  if (status != 0) {
    throw std::runtime_error(fmt::format("{} failed (exit status {}) on {}:\n{}", gnuplot,
                                         WIFEXITED(status) ? WEXITSTATUS(status) : status, script.string(), output));
  }
  if (!fs::exists(png, ec) || fs::file_size(png, ec) == 0) {
    throw std::runtime_error(
        fmt::format("{} wrote no chart: {} is missing or empty; gnuplot said:\n{}", gnuplot, png.string(), output));
  }
}

}  // namespace ocelli::report
