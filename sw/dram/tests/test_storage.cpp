// InProcessDram: reads/writes/fill, bounds errors, loading raw, .npy and ocelli tensor files.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "ocelli/dram/storage.hpp"
#include "ocelli/golden/tensor_file.hpp"
#include "test_helpers.hpp"

namespace ocelli::dram {
namespace {

using testing::expect_error;
using testing::temp_path;
using testing::write_bytes;

TEST(InProcessDram, StartsZeroedAndReadsBackWhatWasWritten) {
  InProcessDram dram(1 << 20);
  EXPECT_EQ(dram.size(), 1u << 20);
  std::vector<uint8_t> zeros(4096, 0xAA);
  dram.read(12345, zeros.data(), zeros.size());
  for (uint8_t b : zeros) ASSERT_EQ(b, 0);
  std::mt19937 rng(5);
  std::vector<uint8_t> data(10000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  dram.write(777, data.data(), data.size());
  std::vector<uint8_t> back(data.size());
  dram.read(777, back.data(), back.size());
  EXPECT_EQ(back, data);
  dram.fill(1000, 50, 0x5C);
  uint8_t b[52];
  dram.read(999, b, sizeof b);
  EXPECT_EQ(b[0], data[999 - 777]);
  for (int i = 1; i <= 50; ++i) EXPECT_EQ(b[i], 0x5C) << i;
  EXPECT_EQ(b[51], data[1050 - 777]);
}

TEST(InProcessDram, OutOfBoundsAccessesNameAddressAndSize) {
  InProcessDram dram(4096);
  uint8_t buf[16] = {};
  dram.read(4096 - 16, buf, 16);  // the last bytes are fine
  expect_error<StorageError>([&] { dram.read(4090, buf, 16); }, {"read", "0xffa", "0x1000"});
  expect_error<StorageError>([&] { dram.write(UINT64_MAX - 3, buf, 16); }, {"write", "out of bounds"});
  expect_error<StorageError>([&] { dram.fill(0, 4097, 0); }, {"fill", "4097"});
}

TEST(InProcessDram, LoadsRawFilesByteForByte) {
  const std::string path = temp_path("raw.bin");
  std::vector<char> bytes(3000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + 1);
  write_bytes(path, bytes);
  InProcessDram dram(1 << 16);
  EXPECT_EQ(dram.load_file(path, 100), bytes.size());
  std::vector<char> back(bytes.size());
  dram.read(100, back.data(), back.size());
  EXPECT_EQ(back, bytes);
  expect_error<StorageError>([&] { dram.load_file(path, (1 << 16) - 100); }, {"raw.bin", "out of bounds"});
  expect_error<StorageError>([&] { dram.load_file(path + ".missing", 0); }, {"No such file", ".missing"});
  expect_error<StorageError>([&] { dram.load_file("/dev/zero", 0); }, {"/dev/zero", "not a regular file"});
  expect_error<StorageError>([&] { dram.load_file(::testing::TempDir(), 0); }, {"not a regular file", "directory"});
}

TEST(InProcessDram, LoadsNpyDataBytes) {
  // A v1 .npy of 5 little-endian int16 values, header padded to a multiple of 64 bytes as NumPy does.
  std::string header = "{'descr': '<i2', 'fortran_order': False, 'shape': (5,), }";
  header.append(128 - 10 - header.size() - 1, ' ');
  header += '\n';
  std::vector<char> file = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<char>(header.size()), 0};
  file.insert(file.end(), header.begin(), header.end());
  const int16_t values[5] = {1, -2, 300, -32768, 32767};
  const char* raw = reinterpret_cast<const char*>(values);
  file.insert(file.end(), raw, raw + sizeof values);
  const std::string path = temp_path("t.npy");
  write_bytes(path, file);
  InProcessDram dram(4096);
  EXPECT_EQ(dram.load_file(path, 8), sizeof values);
  int16_t back[5];
  dram.read(8, back, sizeof back);
  EXPECT_EQ(std::memcmp(back, values, sizeof values), 0);

  std::string big_endian = std::string(file.begin(), file.end());
  big_endian.replace(big_endian.find("<i2"), 3, ">i2");
  write_bytes(path, std::vector<char>(big_endian.begin(), big_endian.end()));
  expect_error<StorageError>([&] { dram.load_file(path, 0); }, {"t.npy", ">i2", "little-endian"});
}

TEST(InProcessDram, LoadsOcelliTensorFilesAsLittleEndianElements) {
  golden::Tensor16 t16(golden::Shape{1, 2, 3, 5}, 7);
  golden::Tensor32 t32(golden::Shape{1, 1, 4, 4}, 3);
  std::mt19937 rng(9);
  for (auto& v : t16.data) v = static_cast<int16_t>(rng());
  for (auto& v : t32.data) v = static_cast<int32_t>(rng());
  const std::string p16 = temp_path("t16.octf");
  const std::string p32 = temp_path("t32.octf");
  golden::write_tensor_file(p16, t16);
  golden::write_tensor_file(p32, t32);
  InProcessDram dram(4096);
  ASSERT_EQ(dram.load_file(p16, 0), t16.data.size() * 2);
  ASSERT_EQ(dram.load_file(p32, 1024, FileFormat::kTensor), t32.data.size() * 4);
  for (std::size_t i = 0; i < t16.data.size(); ++i) {
    uint8_t b[2];
    dram.read(2 * i, b, 2);
    EXPECT_EQ(static_cast<int16_t>(b[0] | b[1] << 8), t16.data[i]) << i;
  }
  for (std::size_t i = 0; i < t32.data.size(); ++i) {
    uint8_t b[4];
    dram.read(1024 + 4 * i, b, 4);
    EXPECT_EQ(static_cast<int32_t>(b[0] | b[1] << 8 | b[2] << 16 | uint32_t{b[3]} << 24), t32.data[i]) << i;
  }
  write_bytes(p16, {'O', 'C', 'T', 'F', 1, 0, 16, 0, 1, 2});
  expect_error<StorageError>([&] { dram.load_file(p16, 0); }, {"t16.octf"});
}

}  // namespace
}  // namespace ocelli::dram

#include "ocelli/dram/dram_port.hpp"

namespace ocelli::dram {
namespace {

TEST(DramPort, RequestsOutsideTheMemoryThrowBeforeTheyAreAccepted) {
  InProcessDram dram(4096);
  DramPort port(TimingConfig::preset("default"), dram);
  const uint64_t words[2] = {1, 2};
  expect_error<StorageError>([&] { port.submit_read(4096 - 8, 2, 0); }, {"read request", "0xff8"});
  expect_error<StorageError>([&] { port.submit_write(4096, words, 1, 0); }, {"write request", "0x1000"});
  EXPECT_TRUE(port.idle());
  EXPECT_TRUE(port.submit_write(4096 - 16, words, 2, 5));
  port.tick();
  ASSERT_TRUE(port.submit_read(4096 - 16, 2, 6));
  ReadBeat beat;
  std::vector<uint64_t> got;
  for (int i = 0; i < 200 && got.size() < 2; ++i, port.tick()) {
    if (port.pop_read_beat(beat)) {
      EXPECT_EQ(beat.tag, 6u);
      got.push_back(beat.data);
    }
  }
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2}));
}

}  // namespace
}  // namespace ocelli::dram
