#include "ocelli/wave/fst_file.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "gtkwave/fstapi.h"

namespace ocelli::wave {

FstFile::FstFile(const std::string& path) : ctx_(fstReaderOpen(path.c_str())) {
  if (!ctx_) throw std::runtime_error(fmt::format("'{}' cannot be opened as an FST waveform", path));
  std::vector<std::string> stack;
  while (const fstHier* h = fstReaderIterateHier(ctx_)) {
    switch (h->htyp) {
      case FST_HT_SCOPE:
        stack.emplace_back(h->u.scope.name);
        scopes_.push_back(fmt::format("{}", fmt::join(stack, ".")));
        break;
      case FST_HT_UPSCOPE:
        if (!stack.empty()) stack.pop_back();
        break;
      case FST_HT_VAR: {
        FstSignal s;
        s.scope = fmt::format("{}", fmt::join(stack, "."));
        const std::string full = h->u.var.name;
        const auto space = full.find(' ');  // Verilator writes "name [msb:lsb]"
        s.name = full.substr(0, space);
        if (space != std::string::npos) s.range = full.substr(space + 1);
        s.width = h->u.var.length;
        s.handle = h->u.var.handle;
        signals_.push_back(std::move(s));
        break;
      }
      default:
        break;
    }
  }
}

FstFile::~FstFile() {
  if (ctx_) fstReaderClose(ctx_);
}

const FstSignal* FstFile::find(const std::string& path) const {
  for (const auto& s : signals_) {
    if (s.path() == path) return &s;
  }
  return nullptr;
}

std::uint64_t FstFile::start_time() const { return fstReaderGetStartTime(ctx_); }
std::uint64_t FstFile::end_time() const { return fstReaderGetEndTime(ctx_); }

std::vector<std::pair<std::uint64_t, std::string>> FstFile::changes(const FstSignal& signal, std::size_t limit) {
  struct Sink {
    std::vector<std::pair<std::uint64_t, std::string>> out;
    std::size_t limit;
  } sink{{}, limit};
  fstReaderClrFacProcessMaskAll(ctx_);
  fstReaderSetFacProcessMask(ctx_, signal.handle);
  fstReaderSetUnlimitedTimeRange(ctx_);
  fstReaderIterBlocks(
      ctx_,
      [](void* user, std::uint64_t time, fstHandle, const unsigned char* value) {
        auto* s = static_cast<Sink*>(user);
        if (s->out.size() < s->limit) s->out.emplace_back(time, reinterpret_cast<const char*>(value));
      },
      &sink, nullptr);
  return std::move(sink.out);
}

}  // namespace ocelli::wave
