#include "regress_case.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <sstream>

#include <fmt/core.h>

namespace ocelli::regress {
namespace {

class Dice {
 public:
  explicit Dice(std::uint64_t seed) : rng_(seed) {}
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p; }
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  template <typename T>
  T one_of(const std::vector<T>& v) { return v.at(static_cast<std::size_t>(pick(0, static_cast<int>(v.size()) - 1))); }

 private:
  std::mt19937_64 rng_;
};

struct Chw {
  int c, h, w;
  std::string text() const { return fmt::format("{}x{}x{}", c, h, w); }
};

// Fixed-point formats stay small and explicit: activations carry 8 fraction bits throughout.
constexpr int kFrac = 8;

std::string header(const std::string& name, int batch, std::uint64_t seed, const Chw& in, bool rlc) {
  return fmt::format("network {}\nbatch {}\nseed {}\ninput shape={} frac={} source=synthetic\nrlc {}\n\n", name,
                     batch, seed, in.text(), kFrac, rlc ? "on" : "off");
}

int out_dim(int in, int kernel, int stride, int pad) { return (in + 2 * pad - kernel) / stride + 1; }

// A conv layer line with random shape parameters that fit the hardware (filter <= 12 per dimension); updates `x`.
std::string conv_line(Dice& d, const std::string& name, Chw& x, bool relu) {
  const int kh = d.pick(1, std::min(7, x.h)), kw = d.chance(0.7) ? std::min(kh, x.w) : d.pick(1, std::min(7, x.w));
  // Vertical strides the controller takes: 1, 2, 4 (docs/isa.md); horizontal 1..3 here.
  const int sh = d.one_of(std::vector<int>{1, 1, 2, 2, 4}), sw = d.chance(0.7) && sh < 4 ? sh : d.pick(1, std::min(3, kw));
  const int ph = d.pick(0, kh / 2), pw = d.chance(0.7) && kw / 2 >= ph ? ph : d.pick(0, kw / 2);
  std::vector<int> groups{1};
  for (int g : {2, 3, 4}) {
    if (x.c % g == 0) groups.push_back(g);
  }
  const int g = d.chance(0.4) ? d.one_of(groups) : 1;
  const int m = g * d.pick(1, std::max(1, 24 / g));
  const int frac_w = d.pick(8, 11);
  x = Chw{m, out_dim(x.h, kh, sh, ph), out_dim(x.w, kw, sw, pw)};
  return fmt::format("layer {} conv filters={} kernel={}x{} stride={}x{} pad={}x{} groups={}{} frac_w={} frac_out={} "
                     "out={}\n",
                     name, m, kh, kw, sh, sw, ph, pw, g, relu ? " relu" : "", frac_w, kFrac, x.text());
}

// A 1x1 conv without ReLU in front of a layer: its output is dense and signed (the synthetic input is non-negative
// with about half zeros, like a post-ReLU activation).
std::string densify_line(Dice& d, Chw& x) {
  const int m = d.pick(1, 16);
  x.c = m;
  return fmt::format("layer dense conv filters={} kernel=1 frac_w=10 frac_out={}\n", m, kFrac);
}

std::string pool_line(Dice& d, const std::string& name, Chw& x) {
  const int kh = d.pick(1, std::min(4, x.h)), kw = d.chance(0.7) ? std::min(kh, x.w) : d.pick(1, std::min(4, x.w));
  const int sh = d.one_of(std::vector<int>{1, 2, 2, 4});
  const int sw = d.chance(0.7) ? sh : d.pick(1, 3);
  const int ph = d.pick(0, (kh - 1) / 2), pw = d.pick(0, (kw - 1) / 2);
  x = Chw{x.c, out_dim(x.h, kh, sh, ph), out_dim(x.w, kw, sw, pw)};
  return fmt::format("layer {} maxpool kernel={}x{} stride={}x{} pad={}x{} out={}\n", name, kh, kw, sh, sw, ph, pw,
                     x.text());
}

std::string lrn_line(Dice& d, const std::string& name) {
  return fmt::format("layer {} lrn size={} alpha={:.6f} beta={:.3f} k={:.3f}\n", name, d.one_of(std::vector<int>{1, 3, 5, 7}),
                     d.real(1e-4, 5e-3), d.real(0.5, 0.9), d.real(1.0, 2.0));
}

}  // namespace

std::vector<RegressCase> program_cases(const std::string& dir, const std::string& filter, const std::string& exclude) {
  std::vector<std::string> excluded;
  std::stringstream list(exclude);
  for (std::string item; std::getline(list, item, ',');) {
    if (!item.empty()) excluded.push_back(item);
  }
  std::vector<RegressCase> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".prog") continue;
    const std::string stem = entry.path().stem().string();
    if (!filter.empty() && fnmatch(filter.c_str(), stem.c_str(), 0) != 0) continue;
    if (std::find(excluded.begin(), excluded.end(), stem) != excluded.end()) continue;
    out.push_back(RegressCase{"prog-" + stem, "program", entry.path().string(), ""});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

RegressCase random_case(std::uint64_t seed, int index) {
  Dice d(seed * 0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(index) * 0xbf58476d1ce4e5b9ULL + 1);
  RegressCase c;
  c.name = fmt::format("rand-{:04}", index);
  const std::uint64_t data_seed = seed * 1000003ULL + static_cast<std::uint64_t>(index);
  const bool rlc = d.chance(0.7);
  // conv 50%, fc 15%, pool 15%, lrn 10%, chain 10%.
  const int roll = d.pick(0, 99);
  std::string body;
  int batch = d.pick(1, 3);
  Chw in{d.pick(1, 16), d.pick(3, 20), d.pick(3, 20)};
  Chw x = in;
  if (roll < 50) {
    c.kind = "conv";
    const bool dense = d.chance(0.5);  // sparse: the synthetic (post-ReLU-like) input directly
    if (dense) body += densify_line(d, x);
    body += conv_line(d, "conv", x, d.chance(0.6));
  } else if (roll < 65) {
    c.kind = "fc";
    batch = d.pick(1, 4);
    in = Chw{d.pick(1, 16), d.pick(1, 6), d.pick(1, 6)};
    x = in;
    if (d.chance(0.5)) body += densify_line(d, x);
    body += fmt::format("layer fc fc outputs={}{} frac_w={} frac_out={}\n", d.pick(1, 64), d.chance(0.5) ? " relu" : "",
                        d.pick(8, 11), kFrac);
  } else if (roll < 80) {
    c.kind = "pool";
    if (d.chance(0.5)) body += densify_line(d, x);
    body += pool_line(d, "pool", x);
  } else if (roll < 90) {
    c.kind = "lrn";
    in.c = d.pick(1, 32);
    x = in;
    body += lrn_line(d, "lrn");
  } else {
    c.kind = "chain";  // conv (ReLU) -> LRN or max-pool -> conv: activations cross DRAM between layers
    body += conv_line(d, "c1", x, true);
    body += d.chance(0.5) ? lrn_line(d, "n1") : pool_line(d, "p1", x);
    body += conv_line(d, "c2", x, d.chance(0.5));
  }
  c.program_text = fmt::format("# regression case {} (seed {}): {}\n", c.name, seed, c.kind) +
                   header(fmt::format("regress_{}", index), batch, data_seed, in, rlc) + body;
  return c;
}

}  // namespace ocelli::regress
