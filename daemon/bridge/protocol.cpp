// SPDX-License-Identifier: MIT
#include "protocol.h"

#include <cstring>

#include <fmt/format.h>

namespace daedalus::bridge {

namespace {

template <typename T>
T load(std::span<const uint8_t> bytes, size_t offset = 0) {
  T out;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return out;
}

template <typename T>
std::vector<uint8_t> store(const T& msg) {
  std::vector<uint8_t> out(sizeof(T));
  std::memcpy(out.data(), &msg, sizeof(T));
  return out;
}

daedalus_msg_hdr make_hdr(uint16_t type, size_t size, uint64_t cookie = 0,
                          uint16_t version = DAEDALUS_PROTO_VERSION) {
  daedalus_msg_hdr hdr{};
  hdr.magic = DAEDALUS_PROTO_MAGIC;
  hdr.version = version;
  hdr.type = type;
  hdr.size = static_cast<uint32_t>(size);
  hdr.cookie = cookie;
  return hdr;
}

// Checks shared by both directions; returns the header.
daedalus_msg_hdr check_header(std::span<const uint8_t> bytes, bool allow_any_version = false) {
  if (bytes.size() < sizeof(daedalus_msg_hdr)) {
    throw ProtocolError(fmt::format("message of {} bytes is shorter than its header", bytes.size()));
  }
  if (bytes.size() > DAEDALUS_MSG_MAX_SIZE) {
    throw ProtocolError(fmt::format("message of {} bytes exceeds {}", bytes.size(), DAEDALUS_MSG_MAX_SIZE));
  }
  auto hdr = load<daedalus_msg_hdr>(bytes);
  if (hdr.magic != DAEDALUS_PROTO_MAGIC) {
    throw ProtocolError(fmt::format("bad magic {:#010x}", hdr.magic));
  }
  if (!allow_any_version && hdr.version != DAEDALUS_PROTO_VERSION) {
    throw ProtocolError(fmt::format("protocol version {} (expected {})", hdr.version, DAEDALUS_PROTO_VERSION));
  }
  if (hdr.size != bytes.size()) {
    throw ProtocolError(fmt::format("{} says {} bytes but {} arrived", message_type_name(hdr.type), hdr.size,
                                    bytes.size()));
  }
  return hdr;
}

template <typename T>
T load_exact(std::span<const uint8_t> bytes, const daedalus_msg_hdr& hdr) {
  if (bytes.size() != sizeof(T)) {
    throw ProtocolError(fmt::format("{} of {} bytes, expected {}", message_type_name(hdr.type), bytes.size(),
                                    sizeof(T)));
  }
  return load<T>(bytes);
}

bool valid_codec(uint32_t codec) {
  return codec == DAEDALUS_CODEC_VP9 || codec == DAEDALUS_CODEC_H264 || codec == DAEDALUS_CODEC_AV1;
}

void check_capture_format(const daedalus_capture_format& cap) {
  if (cap.num_mem_planes < 1 || cap.num_mem_planes > DAEDALUS_MAX_PLANES) {
    throw ProtocolError(fmt::format("DECODE with {} capture memory planes", cap.num_mem_planes));
  }
  if (cap.num_comp_planes < 1 || cap.num_comp_planes > DAEDALUS_MAX_PLANES) {
    throw ProtocolError(fmt::format("DECODE with {} capture colour planes", cap.num_comp_planes));
  }
  for (uint32_t i = 0; i < cap.num_comp_planes; ++i) {
    if (cap.comp[i].mem_plane >= cap.num_mem_planes) {
      throw ProtocolError(fmt::format("colour plane {} lives in memory plane {} of {}", i, cap.comp[i].mem_plane,
                                      cap.num_mem_planes));
    }
  }
}

DecodeRequest parse_decode(std::span<const uint8_t> bytes) {
  if (bytes.size() < sizeof(daedalus_msg_decode)) {
    throw ProtocolError(fmt::format("DECODE of {} bytes is shorter than its fixed part ({})", bytes.size(),
                                    sizeof(daedalus_msg_decode)));
  }
  DecodeRequest req;
  req.msg = load<daedalus_msg_decode>(bytes);
  const auto& m = req.msg;
  if (!valid_codec(m.codec)) throw ProtocolError(fmt::format("DECODE with unknown codec {}", m.codec));
  if (m.num_refs > DAEDALUS_MAX_REFS) throw ProtocolError(fmt::format("DECODE with {} refs", m.num_refs));
  if (m.num_ctrls > DAEDALUS_MAX_CTRLS) throw ProtocolError(fmt::format("DECODE with {} controls", m.num_ctrls));
  check_capture_format(m.capture);
  if (static_cast<uint64_t>(m.output_data_offset) + m.output_bytesused > m.output_length) {
    throw ProtocolError(fmt::format("DECODE bitstream [{}, +{}) outside the OUTPUT plane of {} bytes",
                                    m.output_data_offset, m.output_bytesused, m.output_length));
  }
  const size_t entries_end = sizeof(daedalus_msg_decode) + size_t{m.num_ctrls} * sizeof(daedalus_ctrl_entry);
  if (entries_end > bytes.size()) {
    throw ProtocolError(fmt::format("DECODE announces {} controls but is only {} bytes", m.num_ctrls, bytes.size()));
  }
  for (uint32_t i = 0; i < m.num_ctrls; ++i) {
    auto e = load<daedalus_ctrl_entry>(bytes, sizeof(daedalus_msg_decode) + i * sizeof(daedalus_ctrl_entry));
    if (e.offset % 8 != 0 || e.offset < entries_end ||
        static_cast<uint64_t>(e.offset) + e.size > bytes.size()) {
      throw ProtocolError(fmt::format("control {:#x}: payload [{}, +{}) outside the message or misaligned", e.id,
                                      e.offset, e.size));
    }
    Control c;
    c.id = e.id;
    c.elems = e.elems;
    c.flags = e.flags;
    c.payload.assign(bytes.begin() + e.offset, bytes.begin() + e.offset + e.size);
    req.controls.push_back(std::move(c));
  }
  return req;
}

}  // namespace

const Control* DecodeRequest::find(uint32_t id) const {
  for (const auto& c : controls) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const char* message_type_name(uint16_t type) {
  switch (type) {
    case DAEDALUS_MSG_HELLO: return "HELLO";
    case DAEDALUS_MSG_DECODE_DONE: return "DECODE_DONE";
    case DAEDALUS_MSG_HELLO_REPLY: return "HELLO_REPLY";
    case DAEDALUS_MSG_CTX_OPEN: return "CTX_OPEN";
    case DAEDALUS_MSG_CTX_CLOSE: return "CTX_CLOSE";
    case DAEDALUS_MSG_DECODE: return "DECODE";
  }
  return "unknown message";
}

KernelMessage parse_kernel_message(std::span<const uint8_t> bytes) {
  // A HELLO_REPLY rejecting our version carries the kernel's own version in
  // its header, so the version check is left to the caller for that type.
  bool is_reply = bytes.size() >= sizeof(daedalus_msg_hdr) &&
                  load<daedalus_msg_hdr>(bytes).type == DAEDALUS_MSG_HELLO_REPLY;
  auto hdr = check_header(bytes, is_reply);
  switch (hdr.type) {
    case DAEDALUS_MSG_HELLO_REPLY: return load_exact<daedalus_msg_hello_reply>(bytes, hdr);
    case DAEDALUS_MSG_CTX_OPEN: {
      auto m = load_exact<daedalus_msg_ctx_open>(bytes, hdr);
      if (!valid_codec(m.codec)) throw ProtocolError(fmt::format("CTX_OPEN with unknown codec {}", m.codec));
      return m;
    }
    case DAEDALUS_MSG_CTX_CLOSE: return load_exact<daedalus_msg_ctx_close>(bytes, hdr);
    case DAEDALUS_MSG_DECODE: return parse_decode(bytes);
  }
  throw ProtocolError(fmt::format("unexpected message type {:#06x} from the kernel", hdr.type));
}

std::vector<uint8_t> encode_hello(uint32_t codec_mask, const std::string& name, uint16_t version) {
  daedalus_msg_hello m{};
  m.hdr = make_hdr(DAEDALUS_MSG_HELLO, sizeof(m), 0, version);
  m.codecs = codec_mask;
  std::strncpy(m.name, name.c_str(), sizeof(m.name) - 1);
  return store(m);
}

std::vector<uint8_t> encode_decode_done(uint64_t cookie, int32_t status, uint32_t num_planes,
                                        std::span<const uint32_t> bytesused) {
  daedalus_msg_decode_done m{};
  m.hdr = make_hdr(DAEDALUS_MSG_DECODE_DONE, sizeof(m), cookie);
  m.status = status;
  if (status == 0) {
    if (num_planes > DAEDALUS_MAX_PLANES || bytesused.size() < num_planes) {
      throw ProtocolError(fmt::format("DECODE_DONE with {} planes", num_planes));
    }
    m.num_planes = num_planes;
    for (uint32_t i = 0; i < num_planes; ++i) m.bytesused[i] = bytesused[i];
  }
  return store(m);
}

std::vector<uint8_t> encode_hello_reply(int32_t status, uint32_t kernel_version, uint32_t job_timeout_ms) {
  daedalus_msg_hello_reply m{};
  m.hdr = make_hdr(DAEDALUS_MSG_HELLO_REPLY, sizeof(m), 0, static_cast<uint16_t>(kernel_version));
  m.status = status;
  m.proto_version = kernel_version;
  m.max_msg_size = DAEDALUS_MSG_MAX_SIZE;
  m.job_timeout_ms = job_timeout_ms;
  return store(m);
}

std::vector<uint8_t> encode_ctx_open(uint32_t ctx_id, uint32_t codec, uint32_t width, uint32_t height,
                                     uint32_t pixelformat) {
  daedalus_msg_ctx_open m{};
  m.hdr = make_hdr(DAEDALUS_MSG_CTX_OPEN, sizeof(m));
  m.ctx_id = ctx_id;
  m.codec = codec;
  m.coded_width = width;
  m.coded_height = height;
  m.output_pixelformat = pixelformat;
  return store(m);
}

std::vector<uint8_t> encode_ctx_close(uint32_t ctx_id) {
  daedalus_msg_ctx_close m{};
  m.hdr = make_hdr(DAEDALUS_MSG_CTX_CLOSE, sizeof(m));
  m.ctx_id = ctx_id;
  return store(m);
}

std::vector<uint8_t> encode_decode(const daedalus_msg_decode& fixed, std::span<const Control> controls) {
  if (controls.size() > DAEDALUS_MAX_CTRLS) throw ProtocolError("too many controls");
  size_t size = sizeof(daedalus_msg_decode) + controls.size() * sizeof(daedalus_ctrl_entry);
  std::vector<daedalus_ctrl_entry> entries;
  for (const auto& c : controls) {
    size = (size + 7) & ~size_t{7};
    daedalus_ctrl_entry e{};
    e.id = c.id;
    e.size = static_cast<uint32_t>(c.payload.size());
    e.elems = c.elems;
    e.offset = static_cast<uint32_t>(size);
    e.flags = c.flags;
    entries.push_back(e);
    size += c.payload.size();
  }
  if (size > DAEDALUS_MSG_MAX_SIZE) throw ProtocolError("DECODE larger than DAEDALUS_MSG_MAX_SIZE");
  std::vector<uint8_t> out(size, 0);
  daedalus_msg_decode m = fixed;
  m.hdr = make_hdr(DAEDALUS_MSG_DECODE, size, fixed.hdr.cookie);
  m.num_ctrls = static_cast<uint32_t>(controls.size());
  std::memcpy(out.data(), &m, sizeof(m));
  for (size_t i = 0; i < entries.size(); ++i) {
    std::memcpy(out.data() + sizeof(m) + i * sizeof(daedalus_ctrl_entry), &entries[i], sizeof(entries[i]));
    if (!controls[i].payload.empty()) {
      std::memcpy(out.data() + entries[i].offset, controls[i].payload.data(), controls[i].payload.size());
    }
  }
  return out;
}

daedalus_msg_decode_done parse_decode_done(std::span<const uint8_t> bytes) {
  auto hdr = check_header(bytes);
  if (hdr.type != DAEDALUS_MSG_DECODE_DONE) throw ProtocolError("not a DECODE_DONE");
  auto m = load_exact<daedalus_msg_decode_done>(bytes, hdr);
  if (m.num_planes > DAEDALUS_MAX_PLANES || m.flags != 0 || hdr.flags != 0) {
    throw ProtocolError("DECODE_DONE with bad num_planes or flags");
  }
  return m;
}

daedalus_msg_hello parse_hello(std::span<const uint8_t> bytes) {
  auto hdr = check_header(bytes, true);
  if (hdr.type != DAEDALUS_MSG_HELLO) throw ProtocolError("not a HELLO");
  auto m = load_exact<daedalus_msg_hello>(bytes, hdr);
  if (std::memchr(m.name, 0, sizeof(m.name)) == nullptr) throw ProtocolError("HELLO name not terminated");
  return m;
}

}  // namespace daedalus::bridge
