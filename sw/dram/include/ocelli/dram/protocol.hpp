// Wire format of ocelli-dramd (docs/dram-protocol.md). All integers little-endian.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace ocelli::dram::protocol {

constexpr char kHelloMagic[4] = {'O', 'C', 'D', 'M'};
constexpr uint16_t kVersion = 1;
constexpr uint16_t kVersionWithToken = 2;        // hello bytes 6..7 = token length, then the token
constexpr std::size_t kMaxTokenBytes = 256;
constexpr uint16_t kFrameMagic = 0x5244;  // bytes 'D','R' on the wire
constexpr std::size_t kHelloBytes = 8;           // magic[4], u16 version, u16 reserved
constexpr std::size_t kHelloReplyBytes = 24;     // magic[4], u16 version, u16 status, u64 size, u32 max_payload, u32 0
constexpr std::size_t kHeaderBytes = 24;
constexpr uint32_t kMaxPayload = 16u << 20;      // largest WRITE payload / READ length / error message
constexpr uint32_t kMaxPathBytes = 4096;

enum class Opcode : uint8_t {
  kRead = 1,      // length bytes at address -> reply payload = data
  kWrite = 2,     // payload = data written at address
  kFill = 3,      // length bytes at address set to payload[0]
  kLoadFile = 4,  // payload = u8 FileFormat + path; reply value = bytes loaded
  kSync = 5,      // no-op barrier: its reply means every earlier request of the connection is done
  kClaim = 6,     // payload = u64 length: [address, address+length) written only by this connection while it is open
};

enum class Status : uint8_t {
  kOk = 0,
  kBadMagic = 1,         // frame magic wrong: stream cannot be resynchronised, connection closed
  kUnsupportedVersion = 2,
  kUnknownOpcode = 3,
  kOutOfBounds = 4,
  kBadLength = 5,        // length/payload size not allowed for the opcode (too long when > kMaxPayload: closed)
  kFileError = 6,
  kBadRequest = 7,       // other malformed fields (nonzero reserved/flags, bad format code)
  kUnauthorized = 8,     // handshake without the server's token: connection closed
  kNotOwner = 9,         // the bytes are claimed by another connection
  kBusy = 10,            // too many connections (handshake, closed) or no memory for this request (open)
};

const char* status_name(Status s);
const char* opcode_name(uint8_t op);

// Request: u16 magic, u8 opcode, u8 flags(0), u32 id, u64 address, u32 length, u32 payload_bytes, payload.
// Reply:   u16 magic, u8 opcode, u8 status, u32 id, u64 value,   u32 length, u32 payload_bytes, payload.
struct Header {
  uint16_t magic = kFrameMagic;
  uint8_t opcode = 0;
  uint8_t flags_or_status = 0;
  uint32_t id = 0;
  uint64_t address_or_value = 0;
  uint32_t length = 0;
  uint32_t payload_bytes = 0;
};

inline void put16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v); p[1] = uint8_t(v >> 8); }
inline void put32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i)); }
inline void put64(uint8_t* p, uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i)); }
inline uint16_t get16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
inline uint32_t get32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

inline void encode_header(const Header& h, uint8_t* out) {
  put16(out, h.magic);
  out[2] = h.opcode;
  out[3] = h.flags_or_status;
  put32(out + 4, h.id);
  put64(out + 8, h.address_or_value);
  put32(out + 16, h.length);
  put32(out + 20, h.payload_bytes);
}

inline Header decode_header(const uint8_t* in) {
  Header h;
  h.magic = get16(in);
  h.opcode = in[2];
  h.flags_or_status = in[3];
  h.id = get32(in + 4);
  h.address_or_value = get64(in + 8);
  h.length = get32(in + 16);
  h.payload_bytes = get32(in + 20);
  return h;
}

}  // namespace ocelli::dram::protocol
