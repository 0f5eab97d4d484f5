// What a person debugging one layer wants to see: which scopes a layer trace holds (the whole design, or everything
// but the PE array plus one chosen PE) and the signal groups of its GTKWave save file (controller state, DMA and
// DRAM port, RLC codecs, GLB banks, the NoC per data type with its row/col tags, one PE's spads and MAC).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ocelli/wave/fst_file.hpp"

namespace ocelli::wave {

struct PeChoice {
  int row = 0, col = 0;
};

// The top's instance scope in a trace of the verilated top (TopSim).
inline constexpr const char* kTopScope = "ocelli.ocelli_top";  // TopSim names the model "ocelli"

// Scope name of one PE in the trace.
std::string pe_scope(const PeChoice& pe);

// Scopes of a focused trace (Verilator dumpvars entries): the blocks whole, the PE array and the pass subsystem only
// at their own level (the array's 168 PEs cost most of a full trace's size), plus the chosen PE and its
// configuration wiring whole.
std::vector<std::pair<int, std::string>> focused_scopes(const PeChoice& pe);
// The blocks a focused trace holds whole, as paths below kTopScope (the RTL's hierarchy; the wave tests check it
// against a full trace) ...
const std::vector<std::string>& top_children();
// ... and the scopes it holds only at their own level: the pass subsystem (its blocks are in top_children) and the
// PE array.
const std::vector<std::string>& shallow_scopes();

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
