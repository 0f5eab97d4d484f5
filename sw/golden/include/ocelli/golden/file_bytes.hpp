// Reading a whole input file safely: only regular files (a FIFO, device or directory is refused at once instead of
// blocking or growing without bound), never more than a stated limit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ocelli::golden {

// Reads all of `path`. Throws std::runtime_error "<what> '<path>': <reason>" when it cannot be opened (with the
// system's reason), is not a regular file (says which kind), or holds more than `max_bytes`.
std::vector<unsigned char> read_regular_file(const std::string& path, std::uint64_t max_bytes, const std::string& what);

// The same for a file already opened by the caller (not closed here); `path` only names it in messages.
std::vector<unsigned char> read_regular_fd(int fd, const std::string& path, std::uint64_t max_bytes,
                                           const std::string& what);

// "a FIFO", "a directory", "a character device", ... for a st_mode; "a regular file" for one.
const char* file_kind(unsigned mode);

}  // namespace ocelli::golden
