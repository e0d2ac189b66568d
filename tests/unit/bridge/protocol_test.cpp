// SPDX-License-Identifier: MIT
#include <cstring>

#include <gtest/gtest.h>
#include <linux/v4l2-controls.h>
#include <linux/videodev2.h>

#include "protocol.h"

using namespace daedalus::bridge;

namespace {

daedalus_msg_decode sample_decode() {
  daedalus_msg_decode m{};
  m.hdr.cookie = 0x1234567890abcdefull;
  m.ctx_id = 7;
  m.codec = DAEDALUS_CODEC_H264;
  m.output_index = 3;
  m.output_bytesused = 1000;
  m.output_data_offset = 16;
  m.output_length = 4096;
  m.timestamp = 42000;
  m.capture_index = 5;
  m.capture.pixelformat = V4L2_PIX_FMT_NV12;
  m.capture.width = 1920;
  m.capture.height = 1088;
  m.capture.num_mem_planes = 1;
  m.capture.num_comp_planes = 2;
  m.capture.sizeimage[0] = 1920 * 1088 * 3 / 2;
  m.capture.comp[0] = {0, 0, 1920, 1088};
  m.capture.comp[1] = {0, 1920 * 1088, 1920, 544};
  m.num_refs = 2;
  m.refs[0] = {1000, 2, DAEDALUS_REF_VALID | DAEDALUS_REF_FOUND};
  m.refs[1] = {2000, -1, DAEDALUS_REF_VALID};
  return m;
}

std::vector<Control> sample_controls() {
  v4l2_ctrl_h264_sps sps{};
  sps.profile_idc = 100;
  sps.level_idc = 40;
  sps.pic_width_in_mbs_minus1 = 119;
  v4l2_ctrl_h264_pps pps{};
  pps.pic_init_qp_minus26 = -3;
  Control a{V4L2_CID_STATELESS_H264_SPS, 1, DAEDALUS_CTRL_IN_REQUEST, {}};
  a.payload.resize(sizeof(sps));
  std::memcpy(a.payload.data(), &sps, sizeof(sps));
  Control b{V4L2_CID_STATELESS_H264_PPS, 1, 0, {}};
  b.payload.resize(sizeof(pps));
  std::memcpy(b.payload.data(), &pps, sizeof(pps));
  // Odd size, so the next payload needs padding to stay 8-aligned.
  Control c{0x1234, 3, 0, {1, 2, 3}};
  Control d{V4L2_CID_STATELESS_H264_DECODE_PARAMS, 1, 0, std::vector<uint8_t>(sizeof(v4l2_ctrl_h264_decode_params), 9)};
  return {a, b, c, d};
}

void put_u32(std::vector<uint8_t>& msg, size_t offset, uint32_t v) { std::memcpy(msg.data() + offset, &v, 4); }

size_t entry_offset(uint32_t i, size_t field) {
  return sizeof(daedalus_msg_decode) + i * sizeof(daedalus_ctrl_entry) + field;
}

}  // namespace

TEST(Protocol, DecodeRoundTrip) {
  auto fixed = sample_decode();
  auto ctrls = sample_controls();
  auto bytes = encode_decode(fixed, ctrls);
  auto parsed = parse_kernel_message(bytes);
  auto* req = std::get_if<DecodeRequest>(&parsed);
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->cookie(), fixed.hdr.cookie);
  EXPECT_EQ(req->msg.ctx_id, 7u);
  EXPECT_EQ(req->msg.codec, DAEDALUS_CODEC_H264);
  EXPECT_EQ(req->msg.output_data_offset, 16u);
  EXPECT_EQ(req->msg.capture.comp[1].offset, 1920u * 1088u);
  EXPECT_EQ(req->msg.refs[0].capture_index, 2);
  EXPECT_EQ(req->msg.refs[1].capture_index, -1);
  EXPECT_EQ(req->msg.num_ctrls, 4u);
  ASSERT_EQ(req->controls.size(), ctrls.size());
  for (size_t i = 0; i < ctrls.size(); ++i) {
    EXPECT_EQ(req->controls[i].id, ctrls[i].id);
    EXPECT_EQ(req->controls[i].elems, ctrls[i].elems);
    EXPECT_EQ(req->controls[i].flags, ctrls[i].flags);
    EXPECT_EQ(req->controls[i].payload, ctrls[i].payload);
  }
  const auto* sps = req->get<v4l2_ctrl_h264_sps>(V4L2_CID_STATELESS_H264_SPS);
  ASSERT_NE(sps, nullptr);
  EXPECT_EQ(sps->pic_width_in_mbs_minus1, 119);
  EXPECT_EQ(req->get<v4l2_ctrl_h264_pps>(V4L2_CID_STATELESS_H264_PPS)->pic_init_qp_minus26, -3);
  // Shorter than the struct: not handed out.
  EXPECT_EQ(req->get<v4l2_ctrl_h264_sps>(0x1234), nullptr);
  EXPECT_EQ(req->get<v4l2_ctrl_h264_sps>(0x9999), nullptr);
  // Every payload offset is 8-aligned.
  for (uint32_t i = 0; i < 4; ++i) {
    uint32_t off;
    std::memcpy(&off, bytes.data() + entry_offset(i, offsetof(daedalus_ctrl_entry, offset)), 4);
    EXPECT_EQ(off % 8, 0u);
  }
}

TEST(Protocol, FixedMessagesRoundTrip) {
  auto open = std::get<daedalus_msg_ctx_open>(parse_kernel_message(encode_ctx_open(9, DAEDALUS_CODEC_VP9, 352, 288,
                                                                                   V4L2_PIX_FMT_VP9_FRAME)));
  EXPECT_EQ(open.ctx_id, 9u);
  EXPECT_EQ(open.codec, DAEDALUS_CODEC_VP9);
  EXPECT_EQ(open.coded_width, 352u);
  EXPECT_EQ(open.output_pixelformat, V4L2_PIX_FMT_VP9_FRAME);
  EXPECT_EQ(std::get<daedalus_msg_ctx_close>(parse_kernel_message(encode_ctx_close(9))).ctx_id, 9u);
  auto reply = std::get<daedalus_msg_hello_reply>(parse_kernel_message(encode_hello_reply(0, 1, 2000)));
  EXPECT_EQ(reply.status, 0);
  EXPECT_EQ(reply.job_timeout_ms, 2000u);
  // A rejecting reply from a newer kernel still parses: it carries its version.
  auto newer = std::get<daedalus_msg_hello_reply>(parse_kernel_message(encode_hello_reply(-EPROTONOSUPPORT, 2, 0)));
  EXPECT_EQ(newer.proto_version, 2u);

  auto hello = parse_hello(encode_hello(0xe, "daedalus-daemon"));
  EXPECT_EQ(hello.codecs, 0xeu);
  EXPECT_STREQ(hello.name, "daedalus-daemon");
  EXPECT_EQ(hello.hdr.size, sizeof(daedalus_msg_hello));
  EXPECT_EQ(hello.reserved, 0u);
  // Names longer than the field are cut, still terminated.
  auto long_name = parse_hello(encode_hello(1, std::string(100, 'x')));
  EXPECT_EQ(std::strlen(long_name.name), sizeof(long_name.name) - 1);

  uint32_t used[3] = {100, 200, 0};
  auto done = parse_decode_done(encode_decode_done(77, 0, 2, used));
  EXPECT_EQ(done.hdr.cookie, 77u);
  EXPECT_EQ(done.hdr.size, sizeof(daedalus_msg_decode_done));
  EXPECT_EQ(done.num_planes, 2u);
  EXPECT_EQ(done.bytesused[1], 200u);
  // Failures carry no planes (the kernel rejects garbage there).
  auto failed = parse_decode_done(encode_decode_done(78, -EBADMSG, 2, used));
  EXPECT_EQ(failed.status, -EBADMSG);
  EXPECT_EQ(failed.num_planes, 0u);
  EXPECT_EQ(failed.bytesused[0], 0u);
}

TEST(Protocol, RejectsMalformedHeaders) {
  auto good = encode_ctx_close(1);
  EXPECT_THROW(parse_kernel_message(std::span(good.data(), 10)), ProtocolError);  // short
  auto bad_magic = good;
  bad_magic[0] ^= 0xff;
  EXPECT_THROW(parse_kernel_message(bad_magic), ProtocolError);
  auto bad_version = good;
  bad_version[4] = 9;
  EXPECT_THROW(parse_kernel_message(bad_version), ProtocolError);
  auto bad_size = good;
  put_u32(bad_size, 8, static_cast<uint32_t>(good.size() + 8));
  EXPECT_THROW(parse_kernel_message(bad_size), ProtocolError);
  auto longer = good;  // hdr.size matches but CTX_CLOSE has a fixed size
  longer.resize(good.size() + 8);
  put_u32(longer, 8, static_cast<uint32_t>(longer.size()));
  EXPECT_THROW(parse_kernel_message(longer), ProtocolError);
  auto daemon_type = good;  // DECODE_DONE does not travel kernel->daemon
  daemon_type[6] = DAEDALUS_MSG_DECODE_DONE & 0xff;
  daemon_type[7] = DAEDALUS_MSG_DECODE_DONE >> 8;
  EXPECT_THROW(parse_kernel_message(daemon_type), ProtocolError);
  auto bad_codec = encode_ctx_open(1, 42, 16, 16, 0);
  EXPECT_THROW(parse_kernel_message(bad_codec), ProtocolError);
}

TEST(Protocol, RejectsMalformedDecode) {
  auto bytes = encode_decode(sample_decode(), sample_controls());
  ASSERT_NO_THROW(parse_kernel_message(bytes));

  auto truncated = bytes;  // fixed part cut short
  truncated.resize(sizeof(daedalus_msg_decode) - 8);
  put_u32(truncated, 8, static_cast<uint32_t>(truncated.size()));
  EXPECT_THROW(parse_kernel_message(truncated), ProtocolError);

  auto payload_outside = bytes;
  put_u32(payload_outside, entry_offset(3, offsetof(daedalus_ctrl_entry, offset)),
          static_cast<uint32_t>(bytes.size() - 8));
  EXPECT_THROW(parse_kernel_message(payload_outside), ProtocolError);

  auto huge_size = bytes;
  put_u32(huge_size, entry_offset(0, offsetof(daedalus_ctrl_entry, size)), 0xfffffff0u);
  EXPECT_THROW(parse_kernel_message(huge_size), ProtocolError);

  auto misaligned = bytes;
  uint32_t off;
  std::memcpy(&off, bytes.data() + entry_offset(1, offsetof(daedalus_ctrl_entry, offset)), 4);
  put_u32(misaligned, entry_offset(1, offsetof(daedalus_ctrl_entry, offset)), off + 4);
  EXPECT_THROW(parse_kernel_message(misaligned), ProtocolError);

  auto overlapping_entries = bytes;  // payload pointing into the entry table
  put_u32(overlapping_entries, entry_offset(0, offsetof(daedalus_ctrl_entry, offset)),
          sizeof(daedalus_msg_decode));
  EXPECT_THROW(parse_kernel_message(overlapping_entries), ProtocolError);

  auto too_many = bytes;
  put_u32(too_many, offsetof(daedalus_msg_decode, num_ctrls), 1000);
  EXPECT_THROW(parse_kernel_message(too_many), ProtocolError);

  auto more_ctrls_than_bytes = bytes;
  put_u32(more_ctrls_than_bytes, offsetof(daedalus_msg_decode, num_ctrls), DAEDALUS_MAX_CTRLS);
  more_ctrls_than_bytes.resize(sizeof(daedalus_msg_decode) + 2 * sizeof(daedalus_ctrl_entry));
  put_u32(more_ctrls_than_bytes, 8, static_cast<uint32_t>(more_ctrls_than_bytes.size()));
  EXPECT_THROW(parse_kernel_message(more_ctrls_than_bytes), ProtocolError);

  auto fixed = sample_decode();
  fixed.num_refs = DAEDALUS_MAX_REFS + 1;
  EXPECT_THROW(parse_kernel_message(encode_decode(fixed, {})), ProtocolError);
  fixed = sample_decode();
  fixed.capture.num_mem_planes = 0;
  EXPECT_THROW(parse_kernel_message(encode_decode(fixed, {})), ProtocolError);
  fixed = sample_decode();
  fixed.capture.comp[1].mem_plane = 1;  // NV12 has only memory plane 0
  EXPECT_THROW(parse_kernel_message(encode_decode(fixed, {})), ProtocolError);
  fixed = sample_decode();
  fixed.output_bytesused = fixed.output_length;  // + data_offset runs past the plane
  EXPECT_THROW(parse_kernel_message(encode_decode(fixed, {})), ProtocolError);
  fixed = sample_decode();
  fixed.codec = 0;
  EXPECT_THROW(parse_kernel_message(encode_decode(fixed, {})), ProtocolError);
}

TEST(Protocol, DaemonSideRejectsMalformed) {
  auto done = encode_decode_done(1, 0, 1, std::vector<uint32_t>{5});
  done[0] = 0;
  EXPECT_THROW(parse_decode_done(done), ProtocolError);
  EXPECT_THROW(parse_decode_done(encode_hello(1, "x")), ProtocolError);
  EXPECT_THROW(encode_decode_done(1, 0, 4, std::vector<uint32_t>{1, 2, 3, 4}), ProtocolError);
  auto hello = encode_hello(1, "x");
  std::memset(hello.data() + offsetof(daedalus_msg_hello, name), 'a', 32);
  EXPECT_THROW(parse_hello(hello), ProtocolError);
}
