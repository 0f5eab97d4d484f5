#include "case_runner.hpp"

#include <chrono>
#include <exception>

#include <fmt/core.h>

#include "ocelli/driver/program.hpp"
#include "ocelli/runtime/runner.hpp"
#include "ocelli/runtime/storage_spec.hpp"

namespace ocelli::regress {

void to_json(nlohmann::json& j, const CaseResult& r) {
  j = nlohmann::json{{"name", r.name},       {"kind", r.kind},       {"outcome", r.outcome},
                     {"failure", r.failure}, {"summary", r.summary}, {"cycles", r.cycles},
                     {"estimated_cycles", r.estimated_cycles},       {"wall_seconds", r.wall_seconds}};
}

void from_json(const nlohmann::json& j, CaseResult& r) {
  j.at("name").get_to(r.name);
  j.at("kind").get_to(r.kind);
  j.at("outcome").get_to(r.outcome);
  j.at("failure").get_to(r.failure);
  j.at("summary").get_to(r.summary);
  j.at("cycles").get_to(r.cycles);
  j.at("estimated_cycles").get_to(r.estimated_cycles);
  j.at("wall_seconds").get_to(r.wall_seconds);
}

CaseResult run_case(const RegressCase& c, bool flip_output_bit, sim::TopModelKind model) {
  const auto start = std::chrono::steady_clock::now();
  CaseResult result;
  result.name = c.name;
  result.kind = c.kind;
  try {
    driver::Program program = c.program_path.empty() ? driver::parse_program_text(c.program_text, c.name + ".prog")
                                                     : driver::parse_program_file(c.program_path);
    runtime::RunOptions options;
    options.model = model;
    if (flip_output_bit) options.flip_output_bit_layer = program.network.layers.back().name;
    runtime::ProgramRunner runner(runtime::make_program_data(std::move(program)), options);
    const auto& desc = runner.data().network.desc;
    for (std::size_t i = 0; i < desc.layers.size(); ++i) {
      const auto& l = desc.layers[i];
      result.summary += fmt::format("{}{} {} {}x{}x{}x{}->{}x{}x{}", i ? ", " : "", l.name, golden::to_string(l.kind),
                                    l.in_shape.n, l.in_shape.c, l.in_shape.h, l.in_shape.w, l.out_shape.c,
                                    l.out_shape.h, l.out_shape.w);
      result.estimated_cycles += runner.layout().executor(i).plan().estimated_cycles;
    }
    auto storage = runtime::open_storage("inproc", runner.dram_bytes_needed());
    const runtime::RunResult run = runner.run(*storage);
    result.outcome = runtime::to_string(run.outcome);
    result.failure = run.failure;
    result.cycles = run.total_cycles;
  } catch (const std::exception& e) {
    result.outcome = "error";
    result.failure = e.what();
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace ocelli::regress
