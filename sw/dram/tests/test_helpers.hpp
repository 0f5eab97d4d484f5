// Shared helpers of the DRAM tests: temporary files, a spawned ocelli-dramd, expected-error matching.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace ocelli::dram::testing {

inline std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "ocelli_dram_" + std::to_string(::getpid()) + "_" + name;
}

inline void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Runs `callable`, expects an exception of type E whose message contains every fragment.
template <class E, class F>
void expect_error(F&& callable, std::initializer_list<std::string> fragments) {
  try {
    callable();
    ADD_FAILURE() << "no exception thrown";
  } catch (const E& e) {
    const std::string message = e.what();
    for (const auto& f : fragments) EXPECT_NE(message.find(f), std::string::npos) << "'" << f << "' not in: " << message;
  }
}

// ocelli-dramd as a child process on 127.0.0.1 port 0; the port is read from --port-file.
class SpawnedServer {
 public:
  explicit SpawnedServer(uint64_t size_bytes, const std::vector<std::string>& extra_args = {})
      : port_file_(temp_path("port_" + std::to_string(counter()++))) {
    std::remove(port_file_.c_str());
    const std::string size = std::to_string(size_bytes);
    std::vector<std::string> args = {OCELLI_DRAMD_PATH, "--size", size, "--port-file", port_file_};
    if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end()) {
      args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, OCELLI_DRAMD_PATH, nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot spawn " OCELLI_DRAMD_PATH);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file_);
      unsigned port = 0;
      if (in >> port && port != 0) {
        port_ = static_cast<uint16_t>(port);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill();
    throw std::runtime_error("ocelli-dramd did not write its port file within 10 s");
  }
  ~SpawnedServer() {
    kill();
    std::remove(port_file_.c_str());
  }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  void signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  void kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string port_file_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace ocelli::dram::testing
