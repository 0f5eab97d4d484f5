// What a person debugging one layer wants to see: which scopes a layer trace holds (the whole design, or everything
// but the PE array plus one chosen PE) and the signal groups of its GTKWave save file (controller state, DMA and
// DRAM port, RLC codecs, GLB banks, the NoC per data type with its row/col tags, one PE's spads and MAC).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "fst_file.hpp"

namespace ocelli::wave {

struct PeChoice {
  int row = 0, col = 0;
};

// The top's instance scope in a trace of the verilated top (TopSim).
inline constexpr const char* kTopScope = "ocelli.ocelli_top";  // TopSim names the model "ocelli"

// Scope name of one PE in the trace.
std::string pe_scope(const PeChoice& pe);

// Verilator dumpvars entries (level, dotted scope) of a focused trace: everything except the PE array's PEs,
// which costs most of a full trace's size, plus the chosen PE whole. `top_children` are the instance names under
// kTopScope (the RTL's list; the wave tests check it against a full trace).
std::vector<std::pair<int, std::string>> focused_scopes(const PeChoice& pe);
const std::vector<std::string>& top_children();

struct SignalGroup {
  std::string name;
  std::vector<const FstSignal*> signals;
};

// The groups for this trace, every signal taken from `fst` (so the save file names only signals that exist).
std::vector<SignalGroup> choose_groups(const FstFile& fst, const PeChoice& pe);

// Writes a GTKWave save file that opens `fst_path` with the groups (throws naming the file on failure).
void write_gtkw(const std::string& gtkw_path, const std::string& fst_path, const std::vector<SignalGroup>& groups,
                std::uint64_t start_time, std::uint64_t end_time);

}  // namespace ocelli::wave
