// The DRAM backend a run uses, from its command-line spelling: "inproc" or "tcp://host:port" (ocelli-dramd).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ocelli/dram/storage.hpp"

namespace ocelli::runtime {

// inproc: an InProcessDram of max(bytes_needed, 512 MiB) (pages are touched only when used).
// tcp://host:port: a RemoteDram connected to ocelli-dramd; throws dram::StorageError when it cannot connect and
// std::runtime_error when the server's memory is smaller than bytes_needed. host may be a name (localhost) or an
// IPv6 address in brackets (tcp://[::1]:7000). The token in $OCELLI_DRAM_TOKEN, if set, is sent in the handshake.
// [0, bytes_needed) is claimed for this connection (another client's write there is refused by the server); a
// range already claimed by another client (another run on the same server) is a dram::StorageError.
// Any other spelling: std::invalid_argument naming the value.
std::unique_ptr<dram::Storage> open_storage(const std::string& spec, std::uint64_t bytes_needed);

}  // namespace ocelli::runtime
