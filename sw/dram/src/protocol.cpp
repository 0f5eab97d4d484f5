#include "ocelli/dram/protocol.hpp"

namespace ocelli::dram::protocol {

const char* status_name(Status s) {
  switch (s) {
    case Status::kOk: return "OK";
    case Status::kBadMagic: return "BAD_MAGIC";
    case Status::kUnsupportedVersion: return "UNSUPPORTED_VERSION";
    case Status::kUnknownOpcode: return "UNKNOWN_OPCODE";
    case Status::kOutOfBounds: return "OUT_OF_BOUNDS";
    case Status::kBadLength: return "BAD_LENGTH";
    case Status::kFileError: return "FILE_ERROR";
    case Status::kBadRequest: return "BAD_REQUEST";
    case Status::kUnauthorized: return "UNAUTHORIZED";
    case Status::kNotOwner: return "NOT_OWNER";
    case Status::kBusy: return "BUSY";
  }
  return "UNKNOWN_STATUS";
}

const char* opcode_name(uint8_t op) {
  switch (static_cast<Opcode>(op)) {
    case Opcode::kRead: return "READ";
    case Opcode::kWrite: return "WRITE";
    case Opcode::kFill: return "FILL";
    case Opcode::kLoadFile: return "LOAD_FILE";
    case Opcode::kSync: return "SYNC";
    case Opcode::kClaim: return "CLAIM";
  }
  return "UNKNOWN_OPCODE";
}

}  // namespace ocelli::dram::protocol
