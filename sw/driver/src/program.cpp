#include "ocelli/driver/program.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/core.h>

namespace ocelli::driver {

using golden::LayerDesc;
using golden::LayerKind;
using golden::Shape;

ProgramError::ProgramError(const std::string& file, int line, const std::string& problem)
    : std::runtime_error(fmt::format("{}:{}: {}", file, line, problem)), file_(file), line_(line), problem_(problem) {}

namespace {

std::string chw(const Shape& s) { return fmt::format("{}x{}x{}", s.c, s.h, s.w); }

struct Field {
  std::string key;
  std::string value;
};

// One statement: keyword, positional words (layer name and kind) and key=value fields in source order.
struct Statement {
  int line = 0;
  std::string keyword;
  std::vector<std::string> words;
  std::vector<Field> fields;
};

// Values of one statement, taken out by key; whatever is left at the end is an unknown key.
class Fields {
 public:
  Fields(const std::string& file, const Statement& st, const std::string& owner) : file_(file), st_(st), owner_(owner) {
    for (const auto& f : st.fields) {
      if (!values_.emplace(f.key, f.value).second) fail(f.key, f.value, "is given twice");
    }
  }

  bool has(const std::string& key) const { return values_.count(key) != 0; }
  const std::string& raw(const std::string& key) const { return values_.at(key); }

  [[noreturn]] void fail(const std::string& key, const std::string& value, const std::string& why) const {
    throw ProgramError(file_, st_.line, fmt::format("{}field '{}': value '{}' {}", owner_, key, value, why));
  }
  [[noreturn]] void fail_line(const std::string& why) const {
    throw ProgramError(file_, st_.line, fmt::format("{}{}", owner_, why));
  }

  std::string take_string(const std::string& key) {
    used_.insert(key);
    return values_.at(key);
  }

  int to_int(const std::string& key, const std::string& text, int lo, int hi) const {
    errno = 0;
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE) fail(key, text, "is not an integer");
    if (v < lo || v > hi) fail(key, text, fmt::format("must be {}..{}", lo, hi));
    return static_cast<int>(v);
  }

  int take_int(const std::string& key, int lo, int hi) {
    used_.insert(key);
    return to_int(key, values_.at(key), lo, hi);
  }
  int take_int_or(const std::string& key, int lo, int hi, int fallback) {
    return has(key) ? take_int(key, lo, hi) : fallback;
  }
  int require_int(const std::string& key, int lo, int hi) {
    if (!has(key)) fail_line(fmt::format("missing required field '{}'", key));
    return take_int(key, lo, hi);
  }

  double take_double_or(const std::string& key, double fallback, bool allow_zero) {
    if (!has(key)) return fallback;
    used_.insert(key);
    const std::string& text = values_.at(key);
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno == ERANGE) fail(key, text, "is not a number");
    if (allow_zero ? !(v >= 0.0) : !(v > 0.0)) fail(key, text, allow_zero ? "must be >= 0" : "must be > 0");
    return v;
  }

  bool take_switch_or(const std::string& key, bool fallback) {
    if (!has(key)) return fallback;
    used_.insert(key);
    const std::string& text = values_.at(key);
    if (text == "on") return true;
    if (text == "off") return false;
    fail(key, text, "must be on or off");
  }

  // "N" (both dimensions) or "AxB".
  std::pair<int, int> take_pair_or(const std::string& key, int lo, int hi, std::pair<int, int> fallback) {
    if (!has(key)) return fallback;
    used_.insert(key);
    const std::string& text = values_.at(key);
    const auto x = text.find('x');
    if (x == std::string::npos) {
      const int v = to_int(key, text, lo, hi);
      return {v, v};
    }
    return {to_int(key, text.substr(0, x), lo, hi), to_int(key, text.substr(x + 1), lo, hi)};
  }

  // "CxHxW"; each dimension 1..65536.
  Shape take_shape(const std::string& key) {
    used_.insert(key);
    const std::string& text = values_.at(key);
    std::vector<std::string> parts;
    std::stringstream ss(text);
    for (std::string p; std::getline(ss, p, 'x');) parts.push_back(p);
    if (parts.size() != 3 || text.back() == 'x') fail(key, text, "must be a shape CxHxW, e.g. 3x227x227");
    Shape s;
    s.c = to_int(key, parts[0], 1, 65536);
    s.h = to_int(key, parts[1], 1, 65536);
    s.w = to_int(key, parts[2], 1, 65536);
    return s;
  }

  // Every key must have been taken; `known` lists what this statement accepts.
  void reject_unknown(const std::vector<std::string>& known) const {
    for (const auto& f : st_.fields) {
      if (used_.count(f.key) == 0 && std::find(known.begin(), known.end(), f.key) == known.end()) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        fail(f.key, f.value, fmt::format("is not a known key here (known: {})", list));
      }
    }
  }

 private:
  const std::string& file_;
  const Statement& st_;
  std::string owner_;
  std::map<std::string, std::string> values_;
  std::set<std::string> used_;
};

bool valid_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  });
}

Statement tokenize(const std::string& raw_line, int line_no) {
  Statement st;
  st.line = line_no;
  const std::string text = raw_line.substr(0, raw_line.find('#'));
  std::istringstream in(text);
  std::string word;
  bool first = true;
  while (in >> word) {
    if (first) {
      st.keyword = word;
      first = false;
      continue;
    }
    const auto eq = word.find('=');
    if (eq == std::string::npos) {
      st.words.push_back(word);
    } else {
      st.fields.push_back(Field{word.substr(0, eq), word.substr(eq + 1)});
    }
  }
  return st;
}

// Mismatch between a program layer and the reference layer of the same name ("" when they agree).
std::string layer_difference(const LayerDesc& a, const LayerDesc& b) {
  if (a.kind != b.kind) return fmt::format("kind {} vs {}", golden::to_string(a.kind), golden::to_string(b.kind));
  if (a.in_shape != b.in_shape) {
    return fmt::format("input {} (batch {}) vs {} (batch {})", chw(a.in_shape), a.in_shape.n, chw(b.in_shape),
                       b.in_shape.n);
  }
  if (a.out_shape != b.out_shape) return fmt::format("output {} vs {}", chw(a.out_shape), chw(b.out_shape));
  if (a.has_weights() && a.weight_shape != b.weight_shape) {
    return fmt::format("weights {}x{} vs {}x{}", a.weight_shape.n, chw(a.weight_shape), b.weight_shape.n,
                       chw(b.weight_shape));
  }
  if (a.kind == LayerKind::Conv && a.conv.groups != b.conv.groups) {
    return fmt::format("groups {} vs {}", a.conv.groups, b.conv.groups);
  }
  return "";
}

class Parser {
 public:
  explicit Parser(const std::string& file) : file_(file) {
    program_.file = file;
    program_.network.input_shape = Shape{};
  }

  Program parse(const std::string& text) {
    std::istringstream in(text);
    int line_no = 0;
    for (std::string raw; std::getline(in, raw);) {
      ++line_no;
      const Statement st = tokenize(raw, line_no);
      if (st.keyword.empty()) continue;
      statement(st);
    }
    if (program_.network.layers.empty()) {
      throw ProgramError(file_, line_no, "the program has no 'layer' lines");
    }
    return std::move(program_);
  }

 private:
  void statement(const Statement& st) {
    if (st.keyword == "layer") {
      layer(st);
      return;
    }
    static const std::vector<std::string> kHeaders = {"network", "batch", "seed", "input", "formats", "rlc"};
    if (std::find(kHeaders.begin(), kHeaders.end(), st.keyword) == kHeaders.end()) {
      throw ProgramError(file_, st.line,
                         fmt::format("unknown statement '{}' (expected network, batch, seed, input, formats, rlc or "
                                     "layer)",
                                     st.keyword));
    }
    if (!program_.network.layers.empty()) {
      throw ProgramError(file_, st.line, fmt::format("header '{}' must come before the first layer", st.keyword));
    }
    if (!headers_seen_.emplace(st.keyword, st.line).second) {
      throw ProgramError(file_, st.line, fmt::format("header '{}' is given twice (first on line {})", st.keyword,
                                                     headers_seen_.at(st.keyword)));
    }
    if (st.keyword == "input") {
      input(st);
      return;
    }
    // The other headers are "<keyword> <value>".
    if (st.words.size() != 1 || !st.fields.empty()) {
      throw ProgramError(file_, st.line, fmt::format("header '{}' takes exactly one value", st.keyword));
    }
    const std::string& v = st.words[0];
    auto bad = [&](const std::string& why) {
      throw ProgramError(file_, st.line, fmt::format("field '{}': value '{}' {}", st.keyword, v, why));
    };
    if (st.keyword == "network") {
      if (!valid_name(v)) bad("is not a name (letters, digits, _ - .)");
      program_.network.name = v;
    } else if (st.keyword == "batch") {
      char* end = nullptr;
      errno = 0;
      const long b = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || errno == ERANGE) bad("is not an integer");
      if (b < 1 || b > 1024) bad("must be 1..1024");
      batch_ = static_cast<int>(b);
    } else if (st.keyword == "seed") {
      char* end = nullptr;
      errno = 0;
      // Decimal, or hex with 0x (not C's octal: a leading zero stays decimal).
      const bool hex = v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
      const unsigned long long s = std::strtoull(v.c_str() + (hex ? 2 : 0), &end, hex ? 16 : 10);
      if (v.empty() || v[0] == '-' || *end != '\0' || errno == ERANGE) bad("is not an unsigned 64-bit integer");
      program_.seed = s;
    } else if (st.keyword == "formats") {
      if (v == "calibrate") {
        program_.calibrate = true;
      } else if (v != "explicit") {
        bad("must be explicit or calibrate");
      }
    } else if (st.keyword == "rlc") {
      if (v != "on" && v != "off") bad("must be on or off");
      rlc_default_ = v == "on";
    }
  }

  void input(const Statement& st) {
    if (!st.words.empty()) {
      throw ProgramError(file_, st.line, fmt::format("header 'input': '{}' is not a key=value field", st.words[0]));
    }
    Fields f(file_, st, "input: ");
    if (!f.has("shape")) f.fail_line("missing required field 'shape'");
    input_chw_ = f.take_shape("shape");
    input_frac_ = f.take_int_or("frac", 0, 31, 0);
    input_frac_given_ = f.has("frac");
    const std::string source = f.has("source") ? f.take_string("source") : "synthetic";
    if (source == "synthetic") {
      program_.input.source = InputSource::Synthetic;
      if (f.has("path")) f.fail("path", f.raw("path"), "needs source=file");
    } else if (source == "file") {
      program_.input.source = InputSource::File;
      if (!f.has("path")) f.fail_line("missing required field 'path' (source=file)");
      program_.input.path = resolve_path(f.take_string("path"));
    } else {
      f.fail("source", source, "must be synthetic or file");
    }
    f.reject_unknown({"shape", "frac", "source", "path"});
    input_seen_ = true;
  }

  void layer(const Statement& line_statement) {
    // A bare `relu` is short for relu=on.
    Statement st = line_statement;
    st.words.clear();
    for (const auto& w : line_statement.words) {
      if (w == "relu" && st.words.size() >= 2) {
        st.fields.push_back(Field{"relu", "on"});
      } else {
        st.words.push_back(w);
      }
    }
    if (!input_seen_) throw ProgramError(file_, st.line, "header 'input' must come before the first layer");
    if (program_.network.name.empty()) {
      throw ProgramError(file_, st.line, "header 'network' must come before the first layer");
    }
    if (program_.network.layers.empty()) {
      program_.network.input_shape = Shape{batch_, input_chw_.c, input_chw_.h, input_chw_.w};
      program_.network.input_frac = program_.calibrate ? 0 : input_frac_;
      if (program_.calibrate && input_frac_given_) {
        throw ProgramError(file_, headers_seen_.at("input"),
                           "input: field 'frac': not allowed with 'formats calibrate' (calibration sets it)");
      }
    }
    if (st.words.size() != 2) {
      throw ProgramError(file_, st.line, "a layer line is 'layer <name> <kind> key=value ...' (kind conv, fc, "
                                         "maxpool or lrn)");
    }
    LayerDesc l;
    l.name = st.words[0];
    if (!valid_name(l.name)) {
      throw ProgramError(file_, st.line,
                         fmt::format("field 'name': value '{}' is not a name (letters, digits, _ - .)", l.name));
    }
    if (auto it = layer_lines_.find(l.name); it != layer_lines_.end()) {
      throw ProgramError(file_, st.line,
                         fmt::format("field 'name': value '{}' duplicates the layer on line {}", l.name, it->second));
    }
    const std::string& kind = st.words[1];
    Fields f(file_, st, fmt::format("layer '{}': ", l.name));
    const Shape in = previous_shape();
    l.in_shape = in;
    l.in_frac = previous_frac();
    check_chain(f, "in", in);
    if (f.has("frac_in")) {
      if (program_.calibrate) f.fail("frac_in", f.raw("frac_in"), "is not allowed with 'formats calibrate'");
      const int given = f.take_int("frac_in", 0, 31);
      if (given != l.in_frac) {
        f.fail("frac_in", std::to_string(given),
               fmt::format("does not chain: {} gives frac {}", previous_what(), l.in_frac));
      }
    }
    l.out_frac = l.in_frac;
    LayerOptions opt;
    opt.line = st.line;
    opt.rlc = f.take_switch_or("rlc", rlc_default_);

    if (kind == "conv") {
      l.kind = LayerKind::Conv;
      conv(f, l);
      formats(f, l);
      parameter_files(f, opt);
      f.reject_unknown({"filters", "kernel", "stride", "pad", "pads", "groups", "relu", "frac_in", "frac_w",
                        "frac_out", "shift", "rlc", "in", "out", "weights", "bias"});
    } else if (kind == "fc") {
      l.kind = LayerKind::FullyConnected;
      const int outputs = f.require_int("outputs", 1, 65536);
      l.weight_shape = Shape{outputs, in.c * in.h * in.w, 1, 1};
      l.out_shape = Shape{in.n, outputs, 1, 1};
      l.relu = take_relu(f);
      formats(f, l);
      parameter_files(f, opt);
      f.reject_unknown({"outputs", "relu", "frac_in", "frac_w", "frac_out", "shift", "rlc", "in", "out", "weights",
                        "bias"});
    } else if (kind == "maxpool") {
      l.kind = LayerKind::MaxPool;
      const auto k = f.take_pair_or("kernel", 1, 64, {3, 3});
      const auto s = f.take_pair_or("stride", 1, 64, {2, 2});
      const SidePads p = take_pads(f);
      l.pool = golden::PoolParams{k.first, k.second, s.first, s.second, p.top, p.bottom, p.left, p.right};
      check_window(f, in, k, p);
      try {
        l.out_shape = golden::max_pool_output_shape(in, l.pool);
      } catch (const std::invalid_argument& e) {  // padding that makes a window all padding
        const char* key = f.has("pads") ? "pads" : "pad";
        f.fail(key, f.has(key) ? f.raw(key) : "0", fmt::format("does not fit: {}", e.what()));
      }
      f.reject_unknown({"kernel", "stride", "pad", "pads", "frac_in", "rlc", "in", "out"});
    } else if (kind == "lrn") {
      l.kind = LayerKind::Lrn;
      l.lrn.size = f.take_int_or("size", 1, 31, 5);
      if (l.lrn.size % 2 == 0) f.fail("size", f.raw("size"), "must be odd");
      l.lrn.alpha = f.take_double_or("alpha", 1e-4, false);
      l.lrn.beta = f.take_double_or("beta", 0.75, true);
      l.lrn.k = f.take_double_or("k", 1.0, false);
      l.out_shape = in;
      f.reject_unknown({"size", "alpha", "beta", "k", "frac_in", "rlc", "in", "out"});
    } else {
      throw ProgramError(file_, st.line,
                         fmt::format("layer '{}': field 'kind': value '{}' must be conv, fc, maxpool or lrn", l.name,
                                     kind));
    }
    if (f.has("out")) {
      const std::string text = f.raw("out");
      const Shape want = f.take_shape("out");
      if (Shape{l.out_shape.n, want.c, want.h, want.w} != l.out_shape) {
        f.fail("out", text, fmt::format("differs from the computed output {}", chw(l.out_shape)));
      }
    }
    if (program_.calibrate) check_alexnet_layer(f, l);
    layer_lines_.emplace(l.name, st.line);
    program_.network.layers.push_back(l);
    program_.options.push_back(opt);
  }

  // A relative path is taken from the program's directory.
  std::string resolve_path(std::string path) const {
    const auto slash = file_.rfind('/');
    if (!path.empty() && path[0] != '/' && slash != std::string::npos) path = file_.substr(0, slash + 1) + path;
    return path;
  }

  // `weights=` and `bias=` (conv, fc): parameter tensor files instead of seeded synthetic ones.
  void parameter_files(Fields& f, LayerOptions& opt) {
    if (f.has("weights")) {
      if (program_.calibrate) f.fail("weights", f.raw("weights"), "is not allowed with 'formats calibrate'");
      opt.weights_path = resolve_path(f.take_string("weights"));
    }
    if (f.has("bias")) {
      if (opt.weights_path.empty()) f.fail("bias", f.raw("bias"), "needs weights= (a bias file goes with weight files)");
      opt.bias_path = resolve_path(f.take_string("bias"));
    }
  }

  // `pad=` (pair: vertical x horizontal, both sides alike) or `pads=top,left,bottom,right` (each side its own).
  struct SidePads {
    int top = 0, left = 0, bottom = 0, right = 0;
  };
  static SidePads take_pads(Fields& f) {
    if (f.has("pad") && f.has("pads")) f.fail("pads", f.raw("pads"), "is given together with pad (give one of them)");
    if (!f.has("pads")) {
      const auto p = f.take_pair_or("pad", 0, 64, {0, 0});
      return SidePads{p.first, p.second, p.first, p.second};
    }
    const std::string text = f.take_string("pads");
    std::vector<std::string> parts;
    std::stringstream ss(text);
    for (std::string part; std::getline(ss, part, ',');) parts.push_back(part);
    if (parts.size() != 4 || text.back() == ',') f.fail("pads", text, "must be top,left,bottom,right, e.g. 0,0,1,1");
    return SidePads{f.to_int("pads", parts[0], 0, 64), f.to_int("pads", parts[1], 0, 64),
                    f.to_int("pads", parts[2], 0, 64), f.to_int("pads", parts[3], 0, 64)};
  }

  Shape previous_shape() const {
    return program_.network.layers.empty() ? program_.network.input_shape : program_.network.layers.back().out_shape;
  }
  int previous_frac() const {
    return program_.network.layers.empty() ? program_.network.input_frac : program_.network.layers.back().out_frac;
  }
  std::string previous_what() const {
    if (program_.network.layers.empty()) return fmt::format("the input (line {})", headers_seen_.at("input"));
    const std::string& prev = program_.network.layers.back().name;
    return fmt::format("layer '{}' (line {})", prev, layer_lines_.at(prev));
  }

  // Optional `in=CxHxW`: what the author expects; it must be what the previous layer gives.
  void check_chain(Fields& f, const std::string& key, const Shape& actual) {
    if (!f.has(key)) return;
    const std::string text = f.raw(key);
    const Shape want = f.take_shape(key);
    const char* dims[] = {"C", "H", "W"};
    const int w[] = {want.c, want.h, want.w};
    const int a[] = {actual.c, actual.h, actual.w};
    for (int i = 0; i < 3; ++i) {
      if (w[i] != a[i]) {
        f.fail(key, text, fmt::format("does not chain: {} gives {} (dimension {}: {} vs {})", previous_what(),
                                      chw(actual), dims[i], w[i], a[i]));
      }
    }
  }

  // The (padded) input must hold at least one window.
  static void check_window(Fields& f, const Shape& in, std::pair<int, int> kernel, const SidePads& p) {
    const std::string k = f.has("kernel") ? f.raw("kernel") : "3";
    if (kernel.first > in.h + p.top + p.bottom) {
      f.fail("kernel", k, fmt::format("is taller than the padded input (height {} + pads {} + {})", in.h, p.top,
                                      p.bottom));
    }
    if (kernel.second > in.w + p.left + p.right) {
      f.fail("kernel", k, fmt::format("is wider than the padded input (width {} + pads {} + {})", in.w, p.left,
                                      p.right));
    }
  }

  static bool take_relu(Fields& f) { return f.take_switch_or("relu", false); }

  void conv(Fields& f, LayerDesc& l) {
    const Shape& in = l.in_shape;
    const int filters = f.require_int("filters", 1, 65536);
    if (!f.has("kernel")) f.fail_line("missing required field 'kernel'");
    const auto k = f.take_pair_or("kernel", 1, 64, {1, 1});
    const auto s = f.take_pair_or("stride", 1, 12, {1, 1});
    const SidePads p = take_pads(f);
    const int groups = f.take_int_or("groups", 1, 65536, 1);
    if (in.c % groups != 0) {
      f.fail("groups", f.raw("groups"), fmt::format("does not divide the {} input channels", in.c));
    }
    if (filters % groups != 0) {
      f.fail("groups", f.raw("groups"), fmt::format("does not divide the {} filters", filters));
    }
    check_window(f, in, k, p);
    l.conv = golden::ConvParams{s.first, s.second, p.top, p.bottom, p.left, p.right, groups};
    l.weight_shape = Shape{filters, in.c / groups, k.first, k.second};
    try {
      l.out_shape = golden::conv2d_output_shape(in, l.weight_shape, l.conv);
    } catch (const std::invalid_argument& e) {  // the checks above should have caught it; keep file:line anyway
      f.fail_line(e.what());
    }
    l.relu = take_relu(f);
  }

  // frac_w plus frac_out or shift (explicit formats), or nothing (calibrate).
  void formats(Fields& f, LayerDesc& l) {
    if (program_.calibrate) {
      for (const char* key : {"frac_w", "frac_out", "shift"}) {
        if (f.has(key)) f.fail(key, f.raw(key), "is not allowed with 'formats calibrate'");
      }
      l.out_frac = l.in_frac = 0;
      return;
    }
    l.weight_frac = f.require_int("frac_w", 0, 31);
    if (f.has("frac_out") && f.has("shift")) {
      f.fail("shift", f.raw("shift"), "is given together with frac_out (give one of them)");
    }
    if (f.has("shift")) {
      const int shift = f.take_int("shift", 0, 31);
      l.out_frac = l.in_frac + l.weight_frac - shift;
      if (l.out_frac < 0) {
        f.fail("shift", std::to_string(shift),
               fmt::format("gives frac_out {} (frac_in {} + frac_w {} - shift), must be >= 0", l.out_frac, l.in_frac,
                           l.weight_frac));
      }
    } else if (f.has("frac_out")) {
      l.out_frac = f.take_int("frac_out", 0, 31);
      const int shift = l.in_frac + l.weight_frac - l.out_frac;
      if (shift < 0 || shift > 31) {
        f.fail("frac_out", std::to_string(l.out_frac),
               fmt::format("gives shift {} (frac_in {} + frac_w {} - frac_out), must be 0..31", shift, l.in_frac,
                           l.weight_frac));
      }
    } else {
      f.fail_line("missing required field 'frac_out' or 'shift' (or use 'formats calibrate')");
    }
  }

  // `formats calibrate` takes the formats of golden::make_alexnet, so every layer must be that AlexNet layer.
  void check_alexnet_layer(Fields& f, const LayerDesc& l) {
    const golden::NetworkDesc ref = golden::alexnet_description(batch_);
    const auto it = std::find_if(ref.layers.begin(), ref.layers.end(),
                                 [&](const LayerDesc& r) { return r.name == l.name; });
    if (it == ref.layers.end()) {
      f.fail_line(fmt::format("field 'formats': value 'calibrate' needs AlexNet layer names; '{}' is not one",
                              l.name));
    }
    const std::string diff = layer_difference(l, *it);
    if (!diff.empty()) {
      f.fail_line(fmt::format("field 'formats': value 'calibrate' needs the AlexNet layer '{}' as it is: {}", l.name,
                              diff));
    }
  }

  const std::string& file_;
  Program program_;
  std::map<std::string, int> headers_seen_;
  std::map<std::string, int> layer_lines_;
  Shape input_chw_;
  int input_frac_ = 0;
  bool input_frac_given_ = false;
  bool input_seen_ = false;
  int batch_ = 1;
  bool rlc_default_ = true;
};

}  // namespace

Program parse_program_text(const std::string& text, const std::string& file) { return Parser(file).parse(text); }

Program parse_program_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ProgramError(path, 0, "cannot open the program file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_program_text(text.str(), path);
}

void apply_calibration(Program& program, const golden::NetworkDesc& calibrated) {
  if (!program.calibrate) {
    throw ProgramError(program.file, 0, "apply_calibration: the program does not say 'formats calibrate'");
  }
  for (std::size_t i = 0; i < program.network.layers.size(); ++i) {
    LayerDesc& l = program.network.layers[i];
    const int line = program.options.at(i).line;
    const auto it = std::find_if(calibrated.layers.begin(), calibrated.layers.end(),
                                 [&](const LayerDesc& r) { return r.name == l.name; });
    if (it == calibrated.layers.end()) {
      throw ProgramError(program.file, line,
                         fmt::format("layer '{}': not in the calibrated network '{}'", l.name, calibrated.name));
    }
    const std::string diff = layer_difference(l, *it);
    if (!diff.empty()) {
      throw ProgramError(program.file, line,
                         fmt::format("layer '{}': differs from the calibrated layer: {}", l.name, diff));
    }
    l.in_frac = it->in_frac;
    l.weight_frac = it->weight_frac;
    l.out_frac = it->out_frac;
  }
  program.network.input_frac = program.network.layers.front().in_frac;
}

}  // namespace ocelli::driver
