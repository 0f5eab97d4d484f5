// Progress observers shared by the `ocelli` subcommands that run programs through the RTL.
#pragma once

#include <cstdio>

#include <fmt/core.h>

#include "ocelli/runtime/runner.hpp"

namespace ocelli::cli {

// One plain line per finished layer (logs, pipes).
class PlainProgress final : public runtime::RunObserver {
 public:
  void layer_finished(const driver::LayerRecord& r, const runtime::LayerProgress& p) override {
    fmt::print("layer {} ({}/{}): {} cycles, {}, {:.2f} s\n", r.name, p.index + 1, p.count, r.cycles,
               r.matched ? "matched" : "FAILED", r.wall_seconds);
    std::fflush(stdout);
  }
};

}  // namespace ocelli::cli
