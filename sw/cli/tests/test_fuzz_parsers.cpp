// Seeded mutation fuzzing of every parser of untrusted input (issue 19): program text, tensor files, DRAM protocol
// frames (against a live server), run-record JSON and ONNX tensors. Valid inputs are mutated (bit flips, bytes set
// to boundary values, cut, duplicated or spliced ranges, numbers replaced by extreme ones) and parsed; a parser may
// refuse an input with an exception naming the problem, but must not crash, hang, run out of memory or throw
// anything but a std::exception with text. Bounded: OCELLI_FUZZ_ITERATIONS inputs per parser (default 10000),
// seed OCELLI_FUZZ_SEED (default 1; printed, so a failure replays).
#include <gtest/gtest.h>
#include <unistd.h>

#include <poll.h>
#include <sys/socket.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ocelli/dram/protocol.hpp"
#include "ocelli/dram/server.hpp"
#include "ocelli/driver/program.hpp"
#include "ocelli/golden/tensor_file.hpp"
#include "ocelli/onnx/node_runner.hpp"
#include "ocelli/onnx/numeric_tensor.hpp"
#include "ocelli/report/report.hpp"
#include "raw_client.hpp"  // sw/dram/tests

namespace {

using Bytes = std::string;
using Clock = std::chrono::steady_clock;

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

const uint64_t kSeed = env_or("OCELLI_FUZZ_SEED", 1);
const uint64_t kIterations = env_or("OCELLI_FUZZ_ITERATIONS", 10000);

std::string temp(const std::string& name) {
  return ::testing::TempDir() + "ocelli_fuzz_" + std::to_string(::getpid()) + "_" + name;
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const Bytes& b) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(b.data(), static_cast<std::streamsize>(b.size()));
}

// A parser that takes a path: each input goes to a new file, removed afterwards (rewriting one file in place makes
// some file systems flush on every close).
std::function<void(const Bytes&)> via_file(const std::string& stem, std::function<void(const std::string&)> parse) {
  return [stem, parse, n = std::make_shared<uint64_t>(0)](const Bytes& b) {
    const std::string path = temp(stem + std::to_string((*n)++));
    write_file(path, b);
    struct Remove {
      std::string p;
      ~Remove() { std::remove(p.c_str()); }
    } remove{path};
    parse(path);
  };
}

// One mutation step on `b` (the corpus entries supply the structure; mutations break it in the ways that matter:
// sizes, counts, nesting, truncation).
void mutate(Bytes& b, std::mt19937_64& rng, const std::vector<Bytes>& corpus) {
  auto pick = [&](std::size_t n) { return n ? static_cast<std::size_t>(rng() % n) : 0; };
  static const char* const kNumbers[] = {"0", "-1", "2147483647", "2147483648", "4294967295", "65536", "-2147483648",
                                         "18446744073709551615", "18446744073709551616",
                                         "99999999999999999999999999", "1e309", "NaN", "0x7fffffff", ""};
  static const uint8_t kBytes[] = {0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, '[', '{', '"', '\n', '='};
  switch (rng() % 9) {
    case 0:  // flip a bit
      if (!b.empty()) b[pick(b.size())] ^= static_cast<char>(1u << (rng() % 8));
      break;
    case 1:  // a boundary byte
      if (!b.empty()) b[pick(b.size())] = static_cast<char>(kBytes[rng() % sizeof kBytes]);
      break;
    case 2:  // a boundary 32- or 64-bit little-endian value (header fields)
      if (b.size() >= 8) {
        const uint64_t v = rng() % 2 ? ~uint64_t{0} >> (rng() % 64) : uint64_t{1} << (rng() % 64);
        const std::size_t at = pick(b.size() - 7);
        for (int i = 0; i < (rng() % 2 ? 4 : 8); ++i) b[at + i] = static_cast<char>(v >> (8 * i));
      }
      break;
    case 3:  // cut
      b.resize(pick(b.size() + 1));
      break;
    case 4: {  // duplicate a range (repetition, nesting)
      if (b.empty()) break;
      const std::size_t from = pick(b.size()), len = 1 + pick(std::min<std::size_t>(b.size() - from, 64));
      const Bytes piece = b.substr(from, len);
      const std::size_t times = 1 + rng() % (rng() % 8 == 0 ? 4000 : 4);
      Bytes rep;
      for (std::size_t i = 0; i < times; ++i) rep += piece;
      b.insert(pick(b.size() + 1), rep);
      break;
    }
    case 5: {  // erase a range
      if (b.empty()) break;
      const std::size_t from = pick(b.size());
      b.erase(from, 1 + pick(std::min<std::size_t>(b.size() - from, 64)));
      break;
    }
    case 6: {  // replace a decimal number by an extreme one
      std::vector<std::size_t> starts;
      for (std::size_t i = 0; i < b.size(); ++i) {
        if (std::isdigit(static_cast<unsigned char>(b[i])) && (i == 0 || !std::isdigit(static_cast<unsigned char>(b[i - 1]))))
          starts.push_back(i);
      }
      if (starts.empty()) break;
      const std::size_t at = starts[pick(starts.size())];
      std::size_t end = at;
      while (end < b.size() && std::isdigit(static_cast<unsigned char>(b[end]))) ++end;
      b.replace(at, end - at, kNumbers[rng() % (sizeof kNumbers / sizeof *kNumbers)]);
      break;
    }
    case 7: {  // splice in a piece of another corpus entry
      const Bytes& other = corpus[pick(corpus.size())];
      if (other.empty()) break;
      const std::size_t from = pick(other.size());
      b.insert(pick(b.size() + 1), other.substr(from, 1 + pick(std::min<std::size_t>(other.size() - from, 128))));
      break;
    }
    default:  // random bytes
      for (int i = 0, n = 1 + static_cast<int>(rng() % 8); i < n && !b.empty(); ++i) b[pick(b.size())] = static_cast<char>(rng());
  }
}

struct FuzzStats {
  uint64_t inputs = 0, accepted = 0, refused = 0;
  double slowest_seconds = 0;
};

// Feeds mutated inputs to `parse`; returns counts. Fails the test on a non-std exception, bad_alloc, an empty
// message or an input taking over 10 s (a hang).
FuzzStats fuzz(const std::string& name, const std::vector<Bytes>& corpus, const std::function<void(const Bytes&)>& parse) {
  std::mt19937_64 rng(kSeed ^ std::hash<std::string>{}(name));
  FuzzStats s;
  for (uint64_t i = 0; i < kIterations; ++i) {
    Bytes input = corpus[rng() % corpus.size()];
    for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k) mutate(input, rng, corpus);
    const auto start = Clock::now();
    try {
      parse(input);
      ++s.accepted;
    } catch (const std::bad_alloc&) {
      ADD_FAILURE() << name << ": std::bad_alloc on input " << i << " (seed " << kSeed << ")";
    } catch (const std::exception& e) {
      ++s.refused;
      if (std::string(e.what()).empty()) ADD_FAILURE() << name << ": empty error message on input " << i;
    } catch (...) {
      ADD_FAILURE() << name << ": non-std exception on input " << i << " (seed " << kSeed << ")";
    }
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    s.slowest_seconds = std::max(s.slowest_seconds, took);
    EXPECT_LT(took, 10.0) << name << ": input " << i << " took " << took << " s (seed " << kSeed << ")";
    ++s.inputs;
  }
  std::printf("%s: %llu inputs (seed %llu), %llu accepted, %llu refused with a message, slowest %.3f s\n",
              name.c_str(), static_cast<unsigned long long>(s.inputs), static_cast<unsigned long long>(kSeed),
              static_cast<unsigned long long>(s.accepted), static_cast<unsigned long long>(s.refused),
              s.slowest_seconds);
  return s;
}

std::vector<Bytes> program_corpus() {
  std::vector<Bytes> c;
  for (const char* name : {"small_conv", "small_net", "small_fc", "small_pool", "alexnet"}) {
    c.push_back(read_file(std::string(OCELLI_PROGRAMS_DIR) + "/" + name + ".prog"));
  }
  return c;
}

TEST(FuzzParsers, ProgramText) {
  const auto s = fuzz("program", program_corpus(), [](const Bytes& text) { ocelli::driver::parse_program_text(text, "fuzz.prog"); });
  EXPECT_GT(s.refused, 0u);
}

TEST(FuzzParsers, TensorFiles) {
  std::vector<Bytes> corpus;
  ocelli::golden::Tensor16 t({2, 3, 5, 7}, 8);
  for (std::size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<int16_t>(i * 37 % 500 - 250);
  const std::string path = temp("t.octf");
  ocelli::golden::write_tensor_file(path, t);
  corpus.push_back(read_file(path));
  ocelli::golden::Tensor32 t32({1, 4, 3, 3}, 20);
  ocelli::golden::write_tensor_file(path, t32);
  corpus.push_back(read_file(path));
  fuzz("tensor-file", corpus, [](const Bytes& b) {
    const std::vector<unsigned char> bytes(b.begin(), b.end());
    if (b.size() > 6 && b[6] == 32) {
      ocelli::golden::parse_tensor_file32(bytes, "fuzz.octf");
    } else {
      ocelli::golden::parse_tensor_file(bytes, "fuzz.octf");
    }
  });
}

TEST(FuzzParsers, RunRecordJson) {
  // A record as `ocelli run --report` writes it.
  ocelli::driver::RunRecord rec;
  rec.program = "p.prog";
  rec.network = "net";
  rec.hw_config = "12x14 PEs";
  rec.dram = "inproc";
  rec.timing = "default";
  rec.batch = 1;
  rec.seed = 7;
  rec.top1_golden = {3};
  rec.top1_rtl = {3};
  ocelli::driver::LayerRecord l;
  l.name = "conv";
  l.kind = "conv";
  l.cycles = 1000;
  l.estimated_cycles = 900;
  l.matched = true;
  rec.layers = {l, l};
  const std::string path = temp("rec.json");
  ocelli::report::write_json(rec, path);
  fuzz("run-record", {read_file(path)}, via_file("rec", [](const std::string& p) { ocelli::report::read_json(p); }));
}

TEST(FuzzParsers, OnnxTensors) {
  // Tensors of real backend node tests (float inputs, int64 shapes, expected outputs).
  const std::string data = OCELLI_ONNX_TESTDATA;
  std::vector<Bytes> corpus;
  for (const char* f : {"/node/test_relu/test_data_set_0/input_0.pb", "/node/test_relu/test_data_set_0/output_0.pb",
                        "/node/test_reshape_extended_dims/test_data_set_0/input_1.pb",
                        "/node/test_maxpool_2d_default/test_data_set_0/input_0.pb"}) {
    Bytes b = read_file(data + f);
    if (!b.empty()) corpus.push_back(b);
  }
  ASSERT_FALSE(corpus.empty()) << "no ONNX test data under " << data;
  fuzz("onnx-tensor", corpus, via_file("pb", [](const std::string& p) { ocelli::onnx::load_tensor_file(p); }));
}

// Mutated model.onnx files of real node tests, run with their data sets (a model may be unsupported: verdict 2).
TEST(FuzzParsers, OnnxModels) {
  namespace fs = std::filesystem;
  const std::string data = OCELLI_ONNX_TESTDATA;
  const fs::path dir = temp("onnx_model_dir");
  fs::remove_all(dir);
  fs::copy(data + "/node/test_relu", dir, fs::copy_options::recursive);
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  }
  std::vector<Bytes> corpus;
  for (const char* t : {"test_relu", "test_conv_with_strides_padding", "test_maxpool_2d_default", "test_lrn_default"}) {
    const Bytes b = read_file(data + "/node/" + t + "/model.onnx");
    if (!b.empty()) corpus.push_back(b);
  }
  ASSERT_FALSE(corpus.empty());
  std::ostringstream log;
  fuzz("onnx-model", corpus, [&](const Bytes& b) {
    fs::remove(dir / "model.onnx");  // a new file each time: rewriting one in place makes ext4 flush on close
    write_file((dir / "model.onnx").string(), b);
    log.str("");
    ocelli::onnx::run_node_test(dir.string(), {}, log);
  });
  fs::remove_all(dir);
}

// Mutated request streams against a live in-process server: every connection may be refused or closed, but the
// server must keep serving (checked at the end by a fresh client).
TEST(FuzzParsers, DramProtocolFrames) {
  namespace proto = ocelli::dram::protocol;
  ocelli::dram::ServerOptions o;
  o.size_bytes = 1 << 20;
  o.data_dir = ::testing::TempDir();
  ocelli::dram::DramServer server(o);
  server.start_background();
  auto frame = [](uint8_t op, uint64_t addr, uint32_t len, const Bytes& payload) {
    proto::Header h;
    h.opcode = op;
    h.id = 1;
    h.address_or_value = addr;
    h.length = len;
    h.payload_bytes = static_cast<uint32_t>(payload.size());
    uint8_t hdr[proto::kHeaderBytes];
    proto::encode_header(h, hdr);
    return Bytes(reinterpret_cast<char*>(hdr), sizeof hdr) + payload;
  };
  Bytes hello(proto::kHelloBytes, '\0');
  std::memcpy(hello.data(), proto::kHelloMagic, 4);
  hello[4] = 1;
  const std::vector<Bytes> corpus = {
      hello + frame(1, 64, 16, "") + frame(2, 0, 4, "abcd") + frame(5, 0, 0, ""),
      hello + frame(3, 100, 4000, "x") + frame(4, 0, 0, Bytes("\0t.octf", 7)) + frame(6, 0, 0, Bytes(8, '\x10')),
  };
  const auto stats = fuzz("dram-frames", corpus, [&](const Bytes& b) {
    ocelli::dram::testing::RawClient c(server.port());
    c.send(b.data(), b.size());
    ::shutdown(c.fd(), SHUT_WR);
    char sink[4096];
    // Take the replies (or the close) with a deadline: the server must answer or close, never stall.
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < deadline) {
      pollfd pfd{c.fd(), POLLIN, 0};
      if (::poll(&pfd, 1, 100) <= 0) continue;
      if (::recv(c.fd(), sink, sizeof sink, 0) <= 0) return;
    }
    throw std::logic_error("the server neither answered nor closed within 5 s");
  });
  EXPECT_EQ(stats.refused, 0u) << "a connection stalled";
  ocelli::dram::testing::RawClient c(server.port());
  c.hello();
  EXPECT_EQ(c.hello_status(), 0);
}

}  // namespace
