// SPDX-License-Identifier: MIT
// Typed view of the daedalus_v4l2 wire protocol: every kernel->daemon
// message is validated here once, so the rest of the daemon works on
// structs it can trust (sizes, offsets, counts already checked).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "daedalus/daedalus_v4l2_proto.h"

namespace daedalus::bridge {

// A malformed message: wrong magic/version/size, out-of-range offsets.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One stateless control of a DECODE, payload copied out of the message.
struct Control {
  uint32_t id = 0;
  uint32_t elems = 0;
  uint32_t flags = 0;
  std::vector<uint8_t> payload;
};

struct DecodeRequest {
  daedalus_msg_decode msg{};
  std::vector<Control> controls;

  uint64_t cookie() const { return msg.hdr.cookie; }
  const Control* find(uint32_t id) const;
  // The control's payload as its uAPI struct, or nullptr when absent or
  // shorter than T (a kernel built against older headers).
  template <typename T>
  const T* get(uint32_t id) const {
    const Control* c = find(id);
    if (!c || c->payload.size() < sizeof(T)) return nullptr;
    return reinterpret_cast<const T*>(c->payload.data());
  }
};

using KernelMessage = std::variant<daedalus_msg_hello_reply, daedalus_msg_ctx_open,
                                   daedalus_msg_ctx_close, DecodeRequest>;

// Parses one kernel->daemon message as returned by one read(). Throws
// ProtocolError with a message naming what is wrong.
KernelMessage parse_kernel_message(std::span<const uint8_t> bytes);

// Daemon->kernel messages, ready for one write().
std::vector<uint8_t> encode_hello(uint32_t codec_mask, const std::string& name,
                                  uint16_t version = DAEDALUS_PROTO_VERSION);
std::vector<uint8_t> encode_decode_done(uint64_t cookie, int32_t status, uint32_t num_planes,
                                        std::span<const uint32_t> bytesused);

// The other direction, for tests and for the fake kernel of the integration
// test; they produce exactly what the kernel module writes.
std::vector<uint8_t> encode_hello_reply(int32_t status, uint32_t kernel_version,
                                        uint32_t job_timeout_ms);
std::vector<uint8_t> encode_ctx_open(uint32_t ctx_id, uint32_t codec, uint32_t width,
                                     uint32_t height, uint32_t pixelformat);
std::vector<uint8_t> encode_ctx_close(uint32_t ctx_id);
std::vector<uint8_t> encode_decode(const daedalus_msg_decode& fixed,
                                   std::span<const Control> controls);

// Daemon->kernel parsing, the kernel's half of validation (tests only).
daedalus_msg_decode_done parse_decode_done(std::span<const uint8_t> bytes);
daedalus_msg_hello parse_hello(std::span<const uint8_t> bytes);

const char* message_type_name(uint16_t type);

}  // namespace daedalus::bridge
