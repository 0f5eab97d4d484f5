// Command-line checks shared by the subcommands: values are refused with a message naming them, never wrapped,
// silently ignored or found wrong only after a long simulation.
#pragma once

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "ocelli/golden/file_bytes.hpp"
#include "ocelli/runtime/runner.hpp"

namespace ocelli::cli {

// 0..2^64-1 in decimal digits: "-1" and "99999999999999999999999" are refused (CLI11 alone wraps them).
inline CLI::Validator decimal_u64() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        return runtime::parse_decimal_u64(s) ? std::string()
                                             : fmt::format("'{}' is not a decimal number in 0..18446744073709551615", s);
      },
      "UINT64");
}

inline CLI::Validator non_empty(const char* what) {
  return CLI::Validator(
      [what](std::string& s) -> std::string { return s.empty() ? fmt::format("must name {}", what) : std::string(); },
      "");
}

// A regular file that can be opened for reading; the message gives the system's reason (a FIFO or device is
// refused instead of blocking the parser).
inline CLI::Validator readable_regular_file() {
  return CLI::Validator(
      [](std::string& path) -> std::string {
        const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) return fmt::format("cannot open '{}': {}", path, std::strerror(errno));
        struct stat st {};
        const bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        ::close(fd);
        return ok ? std::string() : fmt::format("'{}' is {}, not a regular file", path, golden::file_kind(st.st_mode));
      },
      "FILE");
}

// Where a report file will be written must exist and be writable: checked before a long run, not after it.
inline void check_output_file(const std::string& option, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw std::invalid_argument(fmt::format("{} '{}' is a directory", option, path));
  const fs::path parent = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  if (!fs::is_directory(parent, ec)) {
    throw std::invalid_argument(fmt::format("{} '{}': directory '{}' does not exist", option, path, parent.string()));
  }
  if (::access(parent.c_str(), W_OK) != 0) {
    throw std::invalid_argument(
        fmt::format("{} '{}': cannot write in '{}': {}", option, path, parent.string(), std::strerror(errno)));
  }
}

}  // namespace ocelli::cli
