// ocelli-dramd: serves one shared DRAM image to simulators over TCP (docs/dram-protocol.md).
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <fstream>

#include "ocelli/dram/server.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ocelli-dramd: DRAM server for ocelli simulations (one memory shared by all connections)"};
  std::string listen = "127.0.0.1:0";
  uint64_t size = ocelli::dram::kDefaultDramBytes;
  std::string port_file;
  bool verbose = false;
  app.add_option("--listen", listen, "host:port to listen on (port 0 picks a free port)")->capture_default_str();
  app.add_option("--size", size, "memory size in bytes")->capture_default_str()->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  app.add_option("--port-file", port_file, "write the chosen port number to this file once listening");
  app.add_flag("-v,--verbose", verbose, "log connections and protocol errors to stderr");
  CLI11_PARSE(app, argc, argv);

  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
    fmt::print(stderr, "ocelli-dramd: --listen '{}' must be host:port\n", listen);
    return 2;
  }
  ocelli::dram::ServerOptions options;
  options.host = listen.substr(0, colon);
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
    fmt::print(stderr, "ocelli-dramd: stopped after {} connections, {} requests, {} error replies\n", c.connections,
               c.requests, c.error_replies);
  } catch (const std::exception& e) {
    fmt::print(stderr, "ocelli-dramd: {}\n", e.what());
    return 1;
  }
  return 0;
}
