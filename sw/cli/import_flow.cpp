#include "import_flow.hpp"

#include <stdexcept>

#include <fmt/core.h>

#include "ocelli/driver/program.hpp"
#include "ocelli/runtime/network_layout.hpp"
#include "ocelli/runtime/program_data.hpp"

namespace ocelli::cli {

std::filesystem::path write_checked_import(const import::QuantizedModel& model, const import::ImportInfo& info,
                                           const std::filesystem::path& dir, bool replace) {
  return import::write_import(model, info, dir, replace, [&](const std::filesystem::path& program) {
    const runtime::ProgramData data = runtime::make_program_data(driver::parse_program_file(program.string()));
    try {
      runtime::NetworkLayout layout(data.network, data.program.options, driver::HwConfig{});
    } catch (const std::invalid_argument& e) {
      // "layer '<name>': ..." -> the ONNX nodes of that layer.
      for (const auto& f : model.formats) {
        if (std::string(e.what()).find("'" + f.name + "'") != std::string::npos) {
          throw import::Refused(f.node, f.op_type,
                                fmt::format("the RTL cannot run it (layer from {}): {}", f.origin, e.what()));
        }
      }
      throw import::Refused(model.network.desc.name, "network", fmt::format("the RTL cannot run it: {}", e.what()));
    }
  });
}

void print_formats(const import::QuantizedModel& model) {
  fmt::print("{:<24} {:<7} {:>4} {:>4} {:>4} {:>12} {:>9}  {}\n", "layer", "kind", "in", "w", "out", "max |out|",
             "saturated", "from");
  for (const auto& f : model.formats) {
    fmt::print("{:<24} {:<7} {:>4} {:>4} {:>4} {:>12.5g} {:>9}  {}\n", f.name, f.kind, f.in_frac,
               f.kind == "conv" || f.kind == "fc" ? std::to_string(f.weight_frac) : "-", f.out_frac, f.max_abs_out,
               f.saturated, f.origin);
    if (f.weights_rounded_to_zero > 0) {
      fmt::print("{:<24} warning: {} nonzero weights round to 0 at frac_w {}\n", "", f.weights_rounded_to_zero,
                 f.weight_frac);
    }
  }
}

}  // namespace ocelli::cli
