#include "ocelli/golden/file_bytes.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ocelli::golden {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

const char* file_kind(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    case S_IFLNK: return "a symbolic link";
  }
  return "not a regular file";
}

std::vector<unsigned char> read_regular_fd(int fd, const std::string& path, std::uint64_t max_bytes,
                                           const std::string& what) {
  auto fail = [&](const std::string& why) { throw std::runtime_error(fmt::format("{} '{}': {}", what, path, why)); };
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(fmt::format("cannot stat: {}", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) fail(fmt::format("is {}, not a regular file", file_kind(st.st_mode)));
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > max_bytes) fail(fmt::format("{} bytes is more than the limit of {} bytes", size, max_bytes));
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(fmt::format("read error: {}", std::strerror(errno)));
    if (n == 0) break;  // shrank while reading: keep what is there
    got += static_cast<std::size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

std::vector<unsigned char> read_regular_file(const std::string& path, std::uint64_t max_bytes, const std::string& what) {
  // O_NONBLOCK: opening a FIFO without a writer must not block; the type check below refuses it anyway.
  const Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    throw std::runtime_error(fmt::format("{} '{}': cannot open: {}", what, path, std::strerror(errno)));
  }
  return read_regular_fd(fd.get(), path, max_bytes, what);
}

}  // namespace ocelli::golden
