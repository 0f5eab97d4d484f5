// `ocelli golden alexnet`: exit code, printed table and saved tensors agree with the library run.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "ocelli/golden/alexnet.hpp"
#include "ocelli/golden/alexnet_data.hpp"
#include "ocelli/golden/tensor_file.hpp"

namespace ocelli::golden {
namespace {

namespace fs = std::filesystem;

struct Captured {
  int exit_code = -1;
  std::string out;
};

Captured run_cli(const std::string& args) {
  Captured c;
  const std::string cmd = std::string(OCELLI_CLI) + " " + args + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return c;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) c.out.append(buf, n);
  const int status = ::pclose(pipe);
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return c;
}

TEST(AlexNetCli, TableAndSavedTensorsMatchTheLibrary) {
  const fs::path dir = fs::temp_directory_path() / ("ocelli-alexnet-cli-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const Captured c = run_cli(fmt::format("golden alexnet --seed 11 --batch 2 --save-dir {}", dir.string()));
  ASSERT_EQ(c.exit_code, 0) << c.out;

  const CalibratedNetwork cal = make_alexnet(11, 2);
  const auto runs = run_network(cal.net, make_alexnet_input(11, 2));
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& l = cal.net.desc.layers[i];
    // Each layer's row carries the library's checksum.
    EXPECT_NE(c.out.find(fmt::format("{:016x}", fnv1a64(runs[i].output.data))), std::string::npos) << l.name << "\n"
                                                                                                   << c.out;
    const Tensor16 saved = read_tensor_file((dir / (l.name + ".out.octf")).string());
    EXPECT_EQ(saved.shape, runs[i].output.shape) << l.name;
    EXPECT_EQ(saved.frac, runs[i].output.frac) << l.name;
    EXPECT_EQ(saved.data, runs[i].output.data) << l.name;
  }
  const Tensor16& logits = runs.back().output;
  for (int n = 0; n < 2; ++n) {
    int best = 0;
    for (int k = 1; k < logits.shape.c; ++k) {
      if (logits.at(n, k, 0, 0) > logits.at(n, best, 0, 0)) best = k;
    }
    EXPECT_NE(c.out.find(fmt::format("image {}: top-1 class {} ", n, best)), std::string::npos) << c.out;
  }
  std::ifstream js(dir / "alexnet.json");
  const auto doc = nlohmann::json::parse(js);
  EXPECT_EQ(doc.at("seed").get<std::uint64_t>(), 11u);
  EXPECT_EQ(doc.at("layers").size(), runs.size());
  EXPECT_EQ(read_tensor_file((dir / "input.octf").string()).data, make_alexnet_input(11, 2).data);
  fs::remove_all(dir);
}

TEST(AlexNetCli, BadArgumentsFail) {
  EXPECT_NE(run_cli("golden alexnet --seed 1 --batch 0").exit_code, 0);
  EXPECT_NE(run_cli("golden alexnet").exit_code, 0);  // --seed is required
}

}  // namespace
}  // namespace ocelli::golden
