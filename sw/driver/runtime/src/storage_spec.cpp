#include "ocelli/runtime/storage_spec.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "ocelli/dram/remote_dram.hpp"

namespace ocelli::runtime {

std::unique_ptr<dram::Storage> open_storage(const std::string& spec, std::uint64_t bytes_needed) {
  if (spec == "inproc") {
    return std::make_unique<dram::InProcessDram>(std::max(bytes_needed, dram::kDefaultDramBytes));
  }
  const std::string prefix = "tcp://";
  const auto colon = spec.rfind(':');
  if (spec.compare(0, prefix.size(), prefix) != 0 || colon == std::string::npos || colon < prefix.size() + 1 ||
      colon + 1 == spec.size()) {
    throw std::invalid_argument(fmt::format("--dram: '{}' is not inproc or tcp://host:port", spec));
  }
  std::string host = spec.substr(prefix.size(), colon - prefix.size());
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);  // [::1]
  const std::string port_text = spec.substr(colon + 1);
  if (port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5 ||
      std::stoul(port_text) == 0 || std::stoul(port_text) > 65535) {
    throw std::invalid_argument(fmt::format("--dram: '{}': port '{}' must be 1..65535", spec, port_text));
  }
  dram::RemoteOptions options;
  options.host = host;
  options.port = static_cast<std::uint16_t>(std::stoul(port_text));
  if (const char* token = std::getenv("OCELLI_DRAM_TOKEN"); token && *token) options.token = token;
  auto remote = std::make_unique<dram::RemoteDram>(options);
  if (remote->size() < bytes_needed) {
    throw std::runtime_error(fmt::format("--dram {}: the server has {} bytes of memory, the program needs {} (start "
                                         "ocelli-dramd with a larger --size)",
                                         spec, remote->size(), bytes_needed));
  }
  // The run's memory is its own while it runs: another client writing into it is refused by the server instead of
  // making the simulation fail with a misleading RTL error.
  if (bytes_needed > 0) remote->claim(0, bytes_needed);
  return remote;
}

}  // namespace ocelli::runtime
