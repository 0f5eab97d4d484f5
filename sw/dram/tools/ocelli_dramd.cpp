// ocelli-dramd: serves one shared DRAM image to simulators over TCP (docs/dram-protocol.md).
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "ocelli/dram/server.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ocelli-dramd: DRAM server for ocelli simulations (one memory shared by all connections)"};
  std::string listen = "127.0.0.1:0";
  uint64_t size = ocelli::dram::kDefaultDramBytes;
  std::string port_file;
  std::string token_file;
  double idle_s = 600;
  ocelli::dram::ServerOptions options;
  bool verbose = false;
  app.add_option("--listen", listen, "host:port to listen on (port 0 picks a free port)")->capture_default_str();
  app.add_option("--size", size, "memory size in bytes")->capture_default_str()->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  app.add_option("--port-file", port_file, "write the chosen port number to this file once listening");
  app.add_flag("-v,--verbose", verbose, "log connections and protocol errors to stderr");
  app.add_option("--data-dir", options.data_dir,
                 "LOAD_FILE reads only files inside this directory (without it, LOAD_FILE is refused)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--token-file", token_file,
                 "shared secret (first line of FILE) clients must send; required unless listening on loopback "
                 "(default: $OCELLI_DRAM_TOKEN if set)")
      ->check(CLI::ExistingFile);
  app.add_option("--max-connections", options.max_connections, "connections served at once; more get BUSY")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  app.add_option("--max-connection-bytes", options.max_connection_bytes,
                 "buffered requests + unsent replies of one connection")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{33} << 20, uint64_t{1} << 40));
  app.add_option("--max-buffered-bytes", options.max_buffered_bytes, "the same over all connections")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{33} << 20, uint64_t{1} << 40));
  app.add_option("--idle-timeout", idle_s, "seconds without traffic after which a connection is closed (0: never)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  CLI11_PARSE(app, argc, argv);
  options.idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(idle_s * 1000));
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    std::getline(in, options.token);
    while (!options.token.empty() && std::isspace(static_cast<unsigned char>(options.token.back()))) {
      options.token.pop_back();
    }
    const auto start = options.token.find_first_not_of(" \t");
    options.token.erase(0, start == std::string::npos ? options.token.size() : start);
    if (!in && !in.eof()) {
      fmt::print(stderr, "ocelli-dramd: --token-file '{}': cannot read it\n", token_file);
      return 2;
    }
    if (options.token.empty()) {
      fmt::print(stderr, "ocelli-dramd: --token-file '{}': the first line is empty\n", token_file);
      return 2;
    }
  } else if (const char* env = std::getenv("OCELLI_DRAM_TOKEN"); env && *env) {
    options.token = env;
  }

  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
    fmt::print(stderr, "ocelli-dramd: --listen '{}' must be host:port\n", listen);
    return 2;
  }
  options.host = listen.substr(0, colon);
  if (options.host.size() > 2 && options.host.front() == '[' && options.host.back() == ']') {
    options.host = options.host.substr(1, options.host.size() - 2);  // [::1]:7000
  }
  options.size_bytes = size;
  options.log_connections = verbose;
  try {
    const unsigned long port = std::stoul(listen.substr(colon + 1));
    if (port > 65535) throw std::out_of_range("port");
    options.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    fmt::print(stderr, "ocelli-dramd: --listen '{}': port '{}' is not a number in 0..65535\n", listen,
               listen.substr(colon + 1));
    return 2;
  }
  try {
    ocelli::dram::DramServer server(options);
    server.stop_on_signals();
    fmt::print("listening on {}\n", server.address());
    std::fflush(stdout);
    if (!port_file.empty()) {
      // Write to a temporary name first so a reader never sees a partial number.
      const std::string tmp = port_file + ".tmp";
      {
        std::ofstream out(tmp);
        out << server.port() << "\n";
        if (!out) throw std::runtime_error(fmt::format("cannot write port file '{}'", tmp));
      }
      if (std::rename(tmp.c_str(), port_file.c_str()) != 0) {
        throw std::runtime_error(fmt::format("cannot rename '{}' to '{}'", tmp, port_file));
      }
    }
    server.run();
    const auto c = server.counters();
    fmt::print(stderr,
               "ocelli-dramd: stopped after {} connections, {} requests, {} error replies, {} refused, {} timed out; "
               "peak buffered {} bytes\n",
               c.connections, c.requests, c.error_replies, c.refused_connections, c.timed_out, c.peak_buffered_bytes);
  } catch (const std::exception& e) {
    fmt::print(stderr, "ocelli-dramd: {}\n", e.what());
    return 1;
  }
  return 0;
}
