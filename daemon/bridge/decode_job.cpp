// SPDX-License-Identifier: MIT
#include "decode_job.h"

#include <cerrno>
#include <cstring>
#include <optional>

#include <linux/dma-buf.h>
#include <linux/v4l2-controls.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "av1_headers.h"
#include "dmabuf_mapping.h"
#include "vp9_stateless_job.h"
#include "daedalus/error.h"
#include "h264_headers.h"
#include "nv12_writer.h"


namespace daedalus::bridge {

namespace {

bool frame_is_hidden(const DecodeRequest& req) {
  if (req.msg.codec == DAEDALUS_CODEC_VP9) {
    const auto* f = req.get<v4l2_ctrl_vp9_frame>(V4L2_CID_STATELESS_VP9_FRAME);
    return f && !(f->flags & V4L2_VP9_FRAME_FLAG_SHOW_FRAME);
  }
  if (req.msg.codec == DAEDALUS_CODEC_AV1) {
    const auto* f = req.get<v4l2_ctrl_av1_frame>(V4L2_CID_STATELESS_AV1_FRAME);
    return f && !(f->flags & V4L2_AV1_FRAME_FLAG_SHOW_FRAME);
  }
  return false;
}

std::array<uint32_t, DAEDALUS_MAX_PLANES> whole_planes(const daedalus_capture_format& cap) {
  std::array<uint32_t, DAEDALUS_MAX_PLANES> used{};
  for (uint32_t i = 0; i < cap.num_mem_planes && i < DAEDALUS_MAX_PLANES; ++i) used[i] = cap.sizeimage[i];
  return used;
}

}  // namespace

media::Codec to_media_codec(uint32_t c) {
  switch (c) {
    case DAEDALUS_CODEC_VP9: return media::Codec::kVP9;
    case DAEDALUS_CODEC_H264: return media::Codec::kH264;
    case DAEDALUS_CODEC_AV1: return media::Codec::kAV1;
  }
  return media::Codec::kUnknown;
}

namespace {

// GStreamer's v4l2slav1dec: the OUTPUT buffer holds tile group (or frame)
// OBU payloads, the headers come as controls.
std::vector<uint8_t> av1_from_controls(Av1ReferenceState& state, const DecodeRequest& req,
                                       std::span<const uint8_t> data) {
  const auto* seq = req.get<v4l2_ctrl_av1_sequence>(V4L2_CID_STATELESS_AV1_SEQUENCE);
  const auto* frame = req.get<v4l2_ctrl_av1_frame>(V4L2_CID_STATELESS_AV1_FRAME);
  const Control* tiles = req.find(V4L2_CID_STATELESS_AV1_TILE_GROUP_ENTRY);
  if (!seq || !frame) throw JobError(-EINVAL, "AV1 job with tile group entries but without sequence/frame controls");
  const auto* film_grain = req.get<v4l2_ctrl_av1_film_grain>(V4L2_CID_STATELESS_AV1_FILM_GRAIN);
  const std::span<const v4l2_ctrl_av1_tile_group_entry> entries(
      reinterpret_cast<const v4l2_ctrl_av1_tile_group_entry*>(tiles->payload.data()),
      tiles->payload.size() / sizeof(v4l2_ctrl_av1_tile_group_entry));
  std::vector<uint8_t> out = build_av1_sequence_header_obu(*seq);
  try {
    const std::vector<uint8_t> obus = build_av1_frame_obus(*seq, *frame, film_grain, entries, data, state);
    out.insert(out.end(), obus.begin(), obus.end());
    const std::vector<uint8_t> show = build_av1_show_hidden_obu(*frame);
    out.insert(out.end(), show.begin(), show.end());
  } catch (const Error& e) {
    throw JobError(-EINVAL, e.what());
  }
  return out;
}

bool has_tile_group_entries(const DecodeRequest& req) {
  const Control* c = req.find(V4L2_CID_STATELESS_AV1_TILE_GROUP_ENTRY);
  return c && (c->flags & DAEDALUS_CTRL_IN_REQUEST) && c->payload.size() >= sizeof(v4l2_ctrl_av1_tile_group_entry);
}

}  // namespace

std::vector<uint8_t> assemble_bitstream(StreamAssembly& stream, const DecodeRequest& req,
                                        std::span<const uint8_t> data) {
  auto& held_slices = stream.held_slices;
  switch (req.msg.codec) {
    case DAEDALUS_CODEC_VP9:
      return {data.begin(), data.end()};
    case DAEDALUS_CODEC_H264: {
      // Slice-based clients send one slice per request and hold the
      // CAPTURE buffer until the last; gather them into one access unit.
      static constexpr uint8_t kStart[3] = {0, 0, 1};
      if (!has_start_code(data)) held_slices.insert(held_slices.end(), kStart, kStart + 3);
      held_slices.insert(held_slices.end(), data.begin(), data.end());
      if (req.msg.flags & DAEDALUS_DECODE_HOLD_CAPTURE) return {};
      std::vector<uint8_t> slices = std::move(held_slices);
      held_slices.clear();
      const auto* sps = req.get<v4l2_ctrl_h264_sps>(V4L2_CID_STATELESS_H264_SPS);
      const auto* pps = req.get<v4l2_ctrl_h264_pps>(V4L2_CID_STATELESS_H264_PPS);
      if (!sps || !pps) throw JobError(-EINVAL, "H.264 job without SPS/PPS controls");
      const auto* scaling = req.get<v4l2_ctrl_h264_scaling_matrix>(V4L2_CID_STATELESS_H264_SCALING_MATRIX);
      try {
        return build_h264_access_unit(*sps, *pps, scaling, slices);
      } catch (const Error& e) {
        throw JobError(-EINVAL, e.what());
      }
    }
    case DAEDALUS_CODEC_AV1: {
      // Tile data can look like OBUs by chance, so the controls decide.
      if (has_tile_group_entries(req)) return av1_from_controls(stream.av1, req, data);
      const Av1ObuScan scan = scan_av1_obus(data);
      if (scan == Av1ObuScan::kNotObus) {
        throw JobError(-EINVAL,
                       "AV1 OUTPUT is neither OBUs nor described by V4L2_CID_STATELESS_AV1_TILE_GROUP_ENTRY");
      }
      if (scan == Av1ObuScan::kHasSequenceHeader) return {data.begin(), data.end()};
      const auto* seq = req.get<v4l2_ctrl_av1_sequence>(V4L2_CID_STATELESS_AV1_SEQUENCE);
      if (!seq) throw JobError(-EINVAL, "AV1 job without sequence header OBU or control");
      std::vector<uint8_t> out = build_av1_sequence_header_obu(*seq);
      out.insert(out.end(), data.begin(), data.end());
      return out;
    }
  }
  throw JobError(-EINVAL, fmt::format("unknown codec {}", req.msg.codec));
}

namespace {

// --decoder ffmpeg, and H.264/AV1 under --decoder daedalus: libavcodec (AV1
// via dav1d) decodes what assemble_bitstream rebuilds from the controls,
// keeping its own references.
class ReferenceJobDecoder final : public JobDecoder {
 public:
  explicit ReferenceJobDecoder(media::Codec codec) : decoder_(codec) {}

  JobResult decode(KernelChannel& channel, const DecodeRequest& req) override {
    const auto& m = req.msg;
    JobResult result;
    std::vector<uint8_t> bitstream;
    {
      DmabufMapping output;
      output.map(channel, m.hdr.cookie, DAEDALUS_BUF_OUTPUT, 0, false);
      if (uint64_t{m.output_data_offset} + m.output_bytesused > output.length()) {
        throw JobError(-EINVAL, fmt::format("bitstream [{}, +{}) exceeds the {} byte OUTPUT buffer",
                                            m.output_data_offset, m.output_bytesused, output.length()));
      }
      if (m.output_bytesused == 0) throw JobError(-EINVAL, "empty OUTPUT buffer");
      bitstream = assemble_bitstream(
          stream_, req, std::span<const uint8_t>(output.data() + m.output_data_offset, m.output_bytesused));
    }
    result.num_planes = m.capture.num_mem_planes;
    if (bitstream.empty()) return result;  // HOLD_CAPTURE: slice kept for the access unit's last request
    std::unique_ptr<DecodedPicture> pic;
    try {
      pic = decoder_.decode(bitstream);
    } catch (const Error& e) {
      throw JobError(-EBADMSG, e.what());
    }
    if (!pic) {
      if (frame_is_hidden(req)) {
        // Not shown, only referenced, and the decoder keeps its own
        // references: nothing a client will look at.
        result.bytesused = whole_planes(m.capture);
        return result;
      }
      throw JobError(-ENODATA, "decoder produced no picture for this bitstream");
    }
    PlanarPicture planar;
    try {
      planar = pic->planar();
    } catch (const Error& e) {
      throw JobError(-ENOTSUP, e.what());
    }
    std::array<DmabufMapping, DAEDALUS_MAX_PLANES> capture;
    std::array<MappedPlane, DAEDALUS_MAX_PLANES> planes{};
    for (uint32_t i = 0; i < m.capture.num_mem_planes; ++i) {
      capture[i].map(channel, m.hdr.cookie, DAEDALUS_BUF_CAPTURE, i, true);
      planes[i] = {capture[i].data(), capture[i].length()};
    }
    try {
      const auto mapped = std::span<const MappedPlane>(planes.data(), m.capture.num_mem_planes);
      result.bytesused = write_nv12(planar, m.capture, mapped);
    } catch (const SizeMismatch& e) {
      throw JobError(-E2BIG, e.what());
    }
    return result;
  }

 private:
  PictureDecoder decoder_;
  StreamAssembly stream_;
};

}  // namespace

void ensure_decoder(ContextState& ctx) {
  if (ctx.decoder) return;
  if (ctx.kind == DecoderKind::kDaedalus && ctx.codec == DAEDALUS_CODEC_VP9) {
    ctx.decoder = make_vp9_stateless_decoder(ctx.id, ctx.backend, ctx.backend_options, ctx.entropy_threads);
    return;
  }
  try {
    ctx.decoder = std::make_unique<ReferenceJobDecoder>(to_media_codec(ctx.codec));
  } catch (const Error& e) {
    throw JobError(-ENOSYS, e.what());
  }
}

JobResult run_decode_job(KernelChannel& channel, ContextState& ctx, const DecodeRequest& req) {
  try {
    // Before touching the buffers, so a missing decoder fails fast.
    ensure_decoder(ctx);
    return ctx.decoder->decode(channel, req);
  } catch (const JobError& e) {
    JobResult result;
    result.status = e.status();
    result.error = e.what();
    result.cancelled = e.status() == -ENOENT;
    return result;
  } catch (const std::exception& e) {
    JobResult result;
    result.status = -EIO;
    result.error = e.what();
    return result;
  }
}

}  // namespace daedalus::bridge
