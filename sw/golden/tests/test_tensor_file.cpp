// Tensor files: round trips and a clear error for each kind of damage.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <zlib.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <iterator>
#include <random>

#include "ocelli/golden/tensor_file.hpp"

namespace ocelli::golden {
namespace {

std::string temp_path(const std::string& name) { return ::testing::TempDir() + "ocelli_golden_" + name; }

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Tensor16 sample(unsigned seed) {
  std::mt19937 rng(seed);
  Tensor16 t({2, 3, 17, 5}, 9);
  std::uniform_int_distribution<int> v(-32768, 32767);
  for (auto& x : t.data) x = static_cast<std::int16_t>(v(rng) % 4 == 0 ? 0 : v(rng));
  t.data[0] = -32768;
  t.data[1] = 32767;
  return t;
}

// Expects read_tensor_file(path) to throw a runtime_error whose message names the file and contains `needle`.
void expect_read_error(const std::string& path, const std::string& needle) {
  try {
    read_tensor_file(path);
    ADD_FAILURE() << "no error; expected: " << needle;
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(needle), std::string::npos) << what;
  }
}

TEST(TensorFile, RoundTrip16) {
  const Tensor16 t = sample(1);
  const std::string path = temp_path("rt16.octf");
  write_tensor_file(path, t);
  const Tensor16 back = read_tensor_file(path);
  EXPECT_EQ(back.shape, t.shape);
  EXPECT_EQ(back.frac, t.frac);
  EXPECT_EQ(back.data, t.data);
}

TEST(TensorFile, RoundTrip32AndDtypeMismatch) {
  Tensor32 t({1, 4, 3, 3}, 21);
  for (std::size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<std::int32_t>(i * 2654435761u);
  const std::string path = temp_path("rt32.octf");
  write_tensor_file(path, t);
  const Tensor32 back = read_tensor_file32(path);
  EXPECT_EQ(back.shape, t.shape);
  EXPECT_EQ(back.frac, 21);
  EXPECT_EQ(back.data, t.data);
  expect_read_error(path, "int32");
}

TEST(TensorFile, HeaderLayout) {
  const Tensor16 t = sample(2);
  const std::string path = temp_path("layout.octf");
  write_tensor_file(path, t);
  const auto b = read_bytes(path);
  ASSERT_GE(b.size(), 48u);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "OCTF");
  EXPECT_EQ(b[4], 1);   // version, little-endian
  EXPECT_EQ(b[6], 16);  // dtype bits
  EXPECT_EQ(b[8], 2);   // n
  EXPECT_EQ(b[12], 3);  // c
  EXPECT_EQ(b[16], 17); // h
  EXPECT_EQ(b[20], 5);  // w
  EXPECT_EQ(b[24], 9);  // frac
  EXPECT_EQ(static_cast<unsigned char>(b[28]), 0xFE);  // element count 510 = 0x1FE
  EXPECT_EQ(b[29], 1);
  std::uint64_t packed = 0;
  for (int i = 0; i < 8; ++i) packed |= static_cast<std::uint64_t>(static_cast<unsigned char>(b[40 + i])) << (8 * i);
  EXPECT_EQ(packed + 48, b.size());
}

TEST(TensorFile, MissingFile) { expect_read_error(temp_path("does_not_exist.octf"), "cannot open"); }

TEST(TensorFile, BadMagic) {
  const std::string path = temp_path("magic.octf");
  write_tensor_file(path, sample(3));
  auto b = read_bytes(path);
  b[0] = 'X';
  write_bytes(path, b);
  expect_read_error(path, "bad magic");
}

TEST(TensorFile, Truncated) {
  const std::string path = temp_path("trunc.octf");
  write_tensor_file(path, sample(4));
  auto b = read_bytes(path);
  const auto full = b;
  b.resize(b.size() - 10);
  write_bytes(path, b);
  expect_read_error(path, "truncated payload");
  b.resize(20);
  write_bytes(path, b);
  expect_read_error(path, "truncated header");
  auto longer = full;
  longer.push_back(0);
  write_bytes(path, longer);
  expect_read_error(path, "unexpected bytes");
}

TEST(TensorFile, EveryFlippedPayloadByteIsCaught) {
  const std::string path = temp_path("flip.octf");
  write_tensor_file(path, sample(5));
  const auto good = read_bytes(path);
  for (std::size_t i = 48; i < good.size(); ++i) {
    auto b = good;
    b[i] = static_cast<char>(b[i] ^ 0x10);
    write_bytes(path, b);
    expect_read_error(path, "checksum");
  }
}

TEST(TensorFile, ChecksumMismatchIsNamed) {
  const std::string path = temp_path("crc.octf");
  write_tensor_file(path, sample(6));
  auto b = read_bytes(path);
  b[36] = static_cast<char>(b[36] ^ 1);  // header CRC field
  write_bytes(path, b);
  expect_read_error(path, "checksum");
}

TEST(TensorFile, CorruptCompressedDataWithMatchingChecksum) {
  const std::string path = temp_path("zlib.octf");
  write_tensor_file(path, sample(8));
  auto b = read_bytes(path);
  for (std::size_t i = 48; i < b.size(); ++i) b[i] = static_cast<char>(i * 37);  // not a zlib stream
  const auto crc = crc32(0L, reinterpret_cast<const Bytef*>(b.data() + 48), static_cast<uInt>(b.size() - 48));
  for (int i = 0; i < 4; ++i) b[36 + i] = static_cast<char>(crc >> (8 * i));
  write_bytes(path, b);
  expect_read_error(path, "corrupt compressed payload");
}

TEST(TensorFile, ShapeVersusElementCount) {
  const std::string path = temp_path("shape.octf");
  write_tensor_file(path, sample(7));
  auto b = read_bytes(path);
  b[20] = 6;  // w 5 -> 6: shape no longer matches the element count
  write_bytes(path, b);
  expect_read_error(path, "element count");
}

void put_le(std::vector<char>& b, std::size_t at, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<char>(v >> (8 * i));
}

// A small file whose header promises a huge tensor is refused from the header, before anything is allocated
// (was: std::bad_alloc, or a 1 GB allocation for 1x1x23170x23170).
TEST(TensorFile, HugeShapeFromSmallFileIsRefusedBeforeAllocating) {
  const std::string path = temp_path("huge.octf");
  write_tensor_file(path, sample(9));
  auto b = read_bytes(path);
  for (auto dims : {std::vector<std::uint64_t>{1024, 1, 65536, 65536}, std::vector<std::uint64_t>{1, 1, 23170, 23170}}) {
    std::uint64_t count = 1;
    for (std::size_t i = 0; i < 4; ++i) {
      put_le(b, 8 + 4 * i, dims[i], 4);
      count *= dims[i];
    }
    put_le(b, 28, count, 8);
    write_bytes(path, b);
    expect_read_error(path, "more than its");
  }
}

// Dimensions whose product overflows 64 bits must not wrap around to match a small element count.
TEST(TensorFile, ShapeProductOverflowIsRefused) {
  const std::string path = temp_path("wrap.octf");
  write_tensor_file(path, sample(10));
  auto b = read_bytes(path);
  // 65536^4 = 2^64 wraps to 0 in 64 bits; the element count says 0.
  for (std::size_t i = 0; i < 4; ++i) put_le(b, 8 + 4 * i, 65536, 4);
  put_le(b, 28, 0, 8);
  write_bytes(path, b);
  expect_read_error(path, "more than 2^64 elements");
}

// A directory, a FIFO without a writer and a device are refused at once, naming the file and its kind.
TEST(TensorFile, NonRegularFilesAreRefusedWithoutBlocking) {
  const std::string fifo = temp_path("fifo.octf");
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto done = std::async(std::launch::async, [&] {
    expect_read_error(fifo, "a FIFO");
    expect_read_error("/dev/zero", "a character device");
    const std::string dir = ::testing::TempDir();
    expect_read_error(dir, "a directory");
  });
  if (done.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "reading a FIFO blocked";
    std::ofstream release(fifo);  // a writer that closes at once ends the blocked read, so the test ends
  }
  done.get();
  ::unlink(fifo.c_str());
}

// Item 13: a stream shorter than the header promises gave "zlib: , 32 of 64 bytes" (zlib's text for Z_OK is empty).
TEST(TensorFile, ShortStreamHasAReason) {
  const std::string path = temp_path("short.octf");
  write_tensor_file(path, Tensor16({1, 1, 4, 4}, 0));
  auto b = read_bytes(path);
  put_le(b, 20, 8, 4);   // w 4 -> 8
  put_le(b, 28, 32, 8);  // 32 elements: the stream holds 16
  write_bytes(path, b);
  expect_read_error(path, "the stream ends early");
}

TEST(TensorFile, ParseFromMemoryNamesTheSource) {
  const Tensor16 t = sample(11);
  const std::string path = temp_path("mem.octf");
  write_tensor_file(path, t);
  const auto b = read_bytes(path);
  const std::vector<unsigned char> bytes(b.begin(), b.end());
  const TensorFileHeader h = read_tensor_file_header(bytes, "memory");
  EXPECT_EQ(h.shape, t.shape);
  EXPECT_EQ(h.bits, 16u);
  EXPECT_EQ(h.data_bytes(), t.data.size() * 2);
  EXPECT_EQ(parse_tensor_file(bytes, "memory").data, t.data);
  try {
    parse_tensor_file32(bytes, "memory");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor file 'memory'"), std::string::npos) << e.what();
  }
}

TEST(TensorFile, WriteRejectsInconsistentTensor) {
  Tensor16 t({1, 1, 2, 2}, 0);
  t.data.pop_back();
  EXPECT_THROW(write_tensor_file(temp_path("bad.octf"), t), std::invalid_argument);
}

}  // namespace
}  // namespace ocelli::golden
