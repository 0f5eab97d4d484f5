#include "ocelli/wave/wave_view.hpp"

#include <cctype>
#include <fstream>
#include <regex>
#include <stdexcept>

#include <fmt/core.h>

namespace ocelli::wave {
namespace {

struct GroupRule {
  std::string name;
  std::string scope;         // exact scope (dotted)
  std::string signal_regex;  // ECMAScript, matched against the whole signal name (without range)
  std::size_t cap;          // at most this many signals (memories would otherwise flood the view)
};

std::string top(const std::string& child) { return std::string(kTopScope) + (child.empty() ? "" : "." + child); }

}  // namespace

std::string pe_scope(const PeChoice& pe) {
  return top(fmt::format("u_pass.u_array.g_row[{}].g_col[{}].u_pe", pe.row, pe.col));
}

const std::vector<std::string>& top_children() {
  // Instances of rtl/ocelli_top.sv and its subsystems (rtl/subsys); the pass subsystem's array is traced as one
  // chosen PE in a focused trace.
  static const std::vector<std::string> children{
      "u_ctrl",           "u_glb",                 "u_csr",           "u_mem",
      "u_out",            "u_pass.u_filter_feeder", "u_pass.u_ifmap_feeder", "u_pass.u_psum_feeder",
      "u_pass.u_gin_filter", "u_pass.u_gin_ifmap", "u_pass.u_gin_psum", "u_pass.u_psum_unpacker",
      "u_pass.u_psum_packer", "u_pass.u_gon", "u_pass.u_collector"};
  return children;
}

const std::vector<std::string>& shallow_scopes() {
  static const std::vector<std::string> scopes{"u_pass", "u_pass.u_array"};
  return scopes;
}

std::vector<std::pair<int, std::string>> focused_scopes(const PeChoice& pe) {
  constexpr int kAll = 99;  // levels below a scope: everything
  std::vector<std::pair<int, std::string>> out{
      {1, "ocelli"},
      {1, kTopScope},
      {kAll, pe_scope(pe)}};
  for (const auto& scope : shallow_scopes()) out.emplace_back(1, top(scope));
  for (const auto& child : top_children()) out.emplace_back(kAll, top(child));
  return out;
}

std::vector<SignalGroup> choose_groups(const FstFile& fst, const PeChoice& pe) {
  const std::string handshake = "|.*_valid.*|.*_ready.*";
  const std::vector<GroupRule> rules{
      {"controller", top("u_ctrl"),
       "state_q|.*_state_q|opcode.*|err.*|.*error.*|busy_o|done_o|.*start_o|.*_done_i|.*busy_i|desc.*_q|tile.*_q|"
       "pass.*_q|cblk_q|groups_q|layer.*",
       40},
      {"top: start, status, memory port", top(""), ".*", 40},
      {"memory subsystem: read owner, DMA channels, DRAM bytes", top("u_mem"),
       "rd_owner_i|rd_req_i.*|rd_rsp_o.*|wr_req_i|wr_rsp_o|dram_bytes_o.*|progress_o" + handshake, 32},
      {"DMA", top("u_mem.u_dma"), "state_q|.*_state_q|.*addr.*_q|.*len.*_q|.*beats.*|err.*|.*timeout.*" + handshake, 32},
      {"RLC decoder (ifmap from DRAM)", top("u_mem.u_mover.u_decoder"), ".*", 32},
      {"RLC encoder (ofmap to DRAM)", top("u_out.u_output.u_encoder"), ".*", 32},
      {"GLB ports", top("u_glb"),
       "req.*|port_.*|gnt.*|.*we.*|.*addr.*|.*rdata.*|.*wdata.*|rsp.*|.*rvalid.*|conflict.*|rr_q.*", 40},
      {"NoC filter (GIN, tags row/col)", top("u_pass.u_gin_filter"), ".*", 24},
      {"NoC ifmap (GIN, tags row/col)", top("u_pass.u_gin_ifmap"), ".*", 24},
      {"NoC psum in (GIN, tags row/col)", top("u_pass.u_gin_psum"), ".*", 24},
      {"psum pairs to PEs (unpacker)", top("u_pass.u_psum_unpacker"), ".*", 24},
      {"psum pairs from columns (packer)", top("u_pass.u_psum_packer"), ".*", 24},
      {"NoC psum out (GON)", top("u_pass.u_gon"), ".*", 24},
      {"post-processing (pool/LRN)", top("u_out.u_ppu"),
       "state_q|.*_state_q|.*cnt.*_q|.*sum.*_q|start_i|busy_o|rd_req_o|rd_rsp_i" + handshake, 24},
      {"output stage", top("u_out.u_output"),
       "state_q|.*_state_q|.*cnt.*_q|busy_o|start_i|rd_req_o|rd_rsp_i|wr_req_o|wr_rsp_i" + handshake, 24},
      {fmt::format("PE row {} col {}: control and MAC", pe.row, pe.col), pe_scope(pe),
       "run_q|accum_q|.*_len_q|s[12]_.*|.*acc.*|.*mac.*|start|busy_o|en_i|start_i" + handshake, 48},
      {fmt::format("PE row {} col {}: spads", pe.row, pe.col), pe_scope(pe),
       "ifmap_spad_q.*|ifmap_zero_q|psum_spad_q.*|wr_ptr_q|rd_ptr_q|occ_q|faddr_q|filt_cnt_q|filt_spad_q.*", 300},
  };
  std::vector<SignalGroup> groups;
  for (const auto& rule : rules) {
    const std::regex pattern(rule.signal_regex);
    SignalGroup g{rule.name, {}};
    for (const auto& s : fst.signals()) {
      if (s.scope != rule.scope || g.signals.size() >= rule.cap) continue;
      if (std::isupper(static_cast<unsigned char>(s.name[0]))) continue;  // parameters: constant
      if (std::regex_match(s.name, pattern)) g.signals.push_back(&s);
    }
    if (!g.signals.empty()) groups.push_back(std::move(g));
  }
  return groups;
}

void write_gtkw(const std::string& gtkw_path, const std::string& fst_path, const std::vector<SignalGroup>& groups,
                std::uint64_t start_time, std::uint64_t end_time) {
  std::ofstream out(gtkw_path);
  if (!out) throw std::runtime_error(fmt::format("cannot write GTKWave save file '{}'", gtkw_path));
  out << "[*] ocelli wave: signal groups of one layer (docs/debugging.md)\n";
  out << fmt::format("[dumpfile] \"{}\"\n", fst_path);
  out << fmt::format("[timestart] {}\n", start_time);
  out << "[size] 1600 900\n[pos] -1 -1\n";
  // Show the first 200 cycles (time unit = half a clock period in TopSim's trace).
  out << fmt::format("*-{} {} -1\n", 8, std::min(end_time, start_time + 400));
  out << "[sst_width] 300\n[signals_width] 360\n[sst_expanded] 1\n[sst_vpaned_height] 300\n";
  for (const auto& g : groups) {
    out << "@800200\n-" << g.name << "\n";  // group begin (expanded)
    for (const auto* s : g.signals) {
      out << (s->width > 1 ? "@22\n" : "@28\n");  // hex for vectors, binary for single bits
      out << s->gtkw_name() << "\n";
    }
    out << "@1000200\n-" << g.name << "\n";  // group end
  }
  out << "[pattern_trace] 1\n[pattern_trace] 0\n";
  if (!out) throw std::runtime_error(fmt::format("error writing GTKWave save file '{}'", gtkw_path));
}

}  // namespace ocelli::wave
