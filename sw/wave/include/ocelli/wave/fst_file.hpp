// Read access to an FST waveform (Verilator's bundled fstapi reader): the signal list and one signal's value
// changes. The wave tool picks the .gtkw signals from what the trace really holds; the wave tests look inside.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ocelli::wave {

struct FstSignal {
  std::string scope;   // dotted, e.g. "TOP.ocelli_top.u_ctrl"
  std::string name;    // without the bit range, e.g. "state_q"
  std::string range;   // e.g. "[3:0]", empty for one bit
  std::uint32_t width = 1;
  std::uint32_t handle = 0;
  std::string path() const { return scope + "." + name; }
  std::string gtkw_name() const { return path() + range; }  // how a .gtkw save file names it
};

class FstFile {
 public:
  // Throws std::runtime_error naming the file when it cannot be opened as FST.
  explicit FstFile(const std::string& path);
  ~FstFile();
  FstFile(const FstFile&) = delete;
  FstFile& operator=(const FstFile&) = delete;

  const std::vector<FstSignal>& signals() const { return signals_; }
  const std::vector<std::string>& scopes() const { return scopes_; }  // every scope, dotted, in file order
  const FstSignal* find(const std::string& path) const;                // by path(); nullptr if absent
  std::uint64_t start_time() const;
  std::uint64_t end_time() const;

  // The first `limit` value changes of a signal: (time, value as a binary string, MSB first).
  std::vector<std::pair<std::uint64_t, std::string>> changes(const FstSignal& signal, std::size_t limit);

 private:
  void* ctx_ = nullptr;
  std::vector<FstSignal> signals_;
  std::vector<std::string> scopes_;
};

}  // namespace ocelli::wave
