#include "junit.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::regress {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 has no place for other control characters.
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t') {
          out += '?';
        } else {
          out += ch;
        }
    }
  }
  return out;
}

}  // namespace

void write_junit(const std::string& path, const std::vector<JunitCase>& cases, double wall_seconds) {
  int failures = 0, errors = 0;
  for (const auto& c : cases) {
    if (c.result.outcome == "mismatch") ++failures;
    else if (!c.result.passed()) ++errors;
  }
  std::ofstream out(path);
  if (!out) throw std::runtime_error(fmt::format("cannot write JUnit XML to '{}'", path));
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n", cases.size(),
                     failures, errors, wall_seconds);
  out << fmt::format("  <testsuite name=\"ocelli-regress\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n",
                     cases.size(), failures, errors, wall_seconds);
  for (const auto& c : cases) {
    const auto& r = c.result;
    out << fmt::format("    <testcase classname=\"regress.{}\" name=\"{}\" time=\"{:.3f}\">\n", xml_escape(r.kind),
                       xml_escape(r.name), r.wall_seconds);
    if (!c.slurm_job_id.empty()) {
      out << fmt::format("      <properties><property name=\"slurm_job_id\" value=\"{}\"/></properties>\n",
                         xml_escape(c.slurm_job_id));
    }
    if (!r.passed()) {
      const char* tag = r.outcome == "mismatch" ? "failure" : "error";
      out << fmt::format("      <{} type=\"{}\" message=\"{}\">reproduce: {}</{}>\n", tag, xml_escape(r.outcome),
                         xml_escape(r.failure), xml_escape(c.reproduce), tag);
    }
    out << fmt::format("      <system-out>{}; {} cycles (estimate {})</system-out>\n", xml_escape(r.summary),
                       r.cycles, r.estimated_cycles);
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  if (!out) throw std::runtime_error(fmt::format("error writing JUnit XML to '{}'", path));
}

}  // namespace ocelli::regress
