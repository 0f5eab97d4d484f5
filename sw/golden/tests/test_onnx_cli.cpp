// `ocelli onnx-node` exit codes on real node tests: 0 match, 1 mismatch, 2 unsupported.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

const fs::path kData = OCELLI_ONNX_TESTDATA;

int exit_code_of(const fs::path& test_dir) {
  const std::string cmd = std::string(OCELLI_CLI) + " onnx-node '" + test_dir.string() + "' --backend golden";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class OnnxNodeMatches : public ::testing::TestWithParam<const char*> {};

TEST_P(OnnxNodeMatches, ExitsZero) { EXPECT_EQ(exit_code_of(kData / GetParam()), 0) << GetParam(); }

INSTANTIATE_TEST_SUITE_P(Required, OnnxNodeMatches,
                         ::testing::Values("node/test_conv_with_strides_padding",
                                           "node/test_conv_with_strides_no_padding", "node/test_maxpool_2d_default",
                                           "node/test_maxpool_2d_strides", "node/test_relu",
                                           "node/test_gemm_default_no_bias", "node/test_lrn_default",
                                           "pytorch-converted/test_Conv2d", "pytorch-converted/test_Conv2d_strided"));

TEST(OnnxNodeCli, DilatedConvIsUnsupported) {
  EXPECT_EQ(exit_code_of(kData / "pytorch-converted/test_Conv2d_dilated"), 2);
}

TEST(OnnxNodeCli, CorruptedExpectedOutputExitsOne) {
  const fs::path src = kData / "node/test_maxpool_2d_default";
  const fs::path dst = fs::temp_directory_path() / ("ocelli-onnx-cli-" + std::to_string(::getpid()));
  fs::remove_all(dst);
  fs::copy(src, dst, fs::copy_options::recursive);
  const fs::path out = dst / "test_data_set_0" / "output_0.pb";
  fs::permissions(out, fs::perms::owner_write, fs::perm_options::add);
  ::onnx::TensorProto t;
  {
    std::ifstream in(out, std::ios::binary);
    ASSERT_TRUE(t.ParseFromIstream(&in));
  }
  ASSERT_EQ(t.data_type(), ::onnx::TensorProto_DataType_FLOAT);
  ASSERT_TRUE(t.has_raw_data());
  std::string raw = t.raw_data();
  float v;
  std::memcpy(&v, raw.data() + 17 * sizeof(float), sizeof(float));
  v += 0.25f;  // far above the quantization tolerance of ~6e-5
  std::memcpy(raw.data() + 17 * sizeof(float), &v, sizeof(float));
  t.set_raw_data(raw);
  {
    std::ofstream o(out, std::ios::binary | std::ios::trunc);
    ASSERT_TRUE(t.SerializeToOstream(&o));
  }
  EXPECT_EQ(exit_code_of(dst), 1);
  // The untouched copy matches, so the 1 comes from the perturbation.
  fs::copy_file(src / "test_data_set_0" / "output_0.pb", out, fs::copy_options::overwrite_existing);
  EXPECT_EQ(exit_code_of(dst), 0);
  fs::remove_all(dst);
}

// Issue 19 items 5 and 13: an empty model.onnx said "unsupported" (2) instead of malformed (3); a stray
// input_7.pb was ignored; a FIFO model.onnx or input_0.pb blocked forever. Each is now exit 3 at once.
TEST(OnnxNodeCli, MalformedTestDirectoriesExitThreeWithoutBlocking) {
  const fs::path src = kData / "node/test_relu";
  const fs::path dst = fs::temp_directory_path() / ("ocelli-onnx-bad-" + std::to_string(::getpid()));
  auto fresh_copy = [&] {
    fs::remove_all(dst);
    fs::copy(src, dst, fs::copy_options::recursive);
    for (const auto& e : fs::recursive_directory_iterator(dst)) {
      fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
    }
  };
  // `timeout` turns a hang into exit 124, so the test ends either way.
  auto code = [&] {
    const std::string cmd = "timeout 20 " + std::string(OCELLI_CLI) + " onnx-node '" + dst.string() + "' 2>/dev/null";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  fresh_copy();
  EXPECT_EQ(code(), 0);
  std::ofstream(dst / "model.onnx", std::ios::trunc).close();
  EXPECT_EQ(code(), 3) << "empty model.onnx";
  fresh_copy();
  fs::copy_file(dst / "test_data_set_0" / "input_0.pb", dst / "test_data_set_0" / "input_7.pb");
  EXPECT_EQ(code(), 3) << "stray input_7.pb";
  fresh_copy();
  fs::remove(dst / "model.onnx");
  ASSERT_EQ(::mkfifo((dst / "model.onnx").c_str(), 0600), 0);
  EXPECT_EQ(code(), 3) << "FIFO model.onnx";
  fresh_copy();
  fs::remove(dst / "test_data_set_0" / "input_0.pb");
  ASSERT_EQ(::mkfifo((dst / "test_data_set_0" / "input_0.pb").c_str(), 0600), 0);
  EXPECT_EQ(code(), 3) << "FIFO input_0.pb";
  fs::remove_all(dst);
}

TEST(OnnxNodeCli, MissingDirectoryIsACommandLineError) {
  const int code = exit_code_of("/nonexistent/ocelli-node-test");
  EXPECT_NE(code, 0);
  EXPECT_NE(code, 1);
  EXPECT_NE(code, 2);
}

}  // namespace
