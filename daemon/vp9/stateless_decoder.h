// SPDX-License-Identifier: MIT
// VP9 as a V4L2 stateless decoder sees it: the client parses the headers
// and sends them as controls (v4l2_ctrl_vp9_frame, optionally
// v4l2_ctrl_vp9_compressed_hdr) with each frame's bitstream, and names the
// references (LAST/GOLDEN/ALTREF) by the timestamps of earlier CAPTURE
// buffers, whose pixels it hands us. Nothing about references is kept
// here, so seeks, dropped frames and reordered/reused CAPTURE buffers work
// as long as the client's controls are right.
//
// What a stateless VP9 decoder must still keep per V4L2 context (as
// hardware drivers do with the kernel's v4l2-vp9 helpers): the 4
// probability contexts with backward adaptation, the segmentation map and
// the previous frame's motion vectors (FrameCore), and - our choice - the
// frame size of every frame decoded in this context by its timestamp:
// v4l2_ctrl_vp9_frame gives the sizes of neither the references nor their
// CAPTURE buffers (all CAPTURE buffers share one format), but scaled
// prediction and edge clamping need each reference's true frame size.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <linux/v4l2-controls.h>

#include "daedalus/dispatch/dispatch.h"
#include "frame_core.h"
#include "frame_header.h"

namespace daedalus::vp9 {

struct FrameSize {
  uint32_t width = 0, height = 0;
  bool operator==(const FrameSize&) const = default;
};

// The uncompressed-header part of FrameHeader from the frame control
// (derived fields filled, compressed-header fields left default). Ref sizes
// (LAST, GOLDEN, ALTREF) decide which references may be used. Throws
// daedalus::Error for values VP9 does not allow or we do not support.
FrameHeader header_from_v4l2(const v4l2_ctrl_vp9_frame& f, const FrameSize ref_sizes[3]);
// Fills tx_mode and the compound reference setup from the controls.
void compressed_fields_from_v4l2(const v4l2_ctrl_vp9_frame& f, const v4l2_ctrl_vp9_compressed_hdr& c,
                                 FrameHeader& h);
// The probability deltas of the compressed header control.
FrameContext deltas_from_v4l2(const v4l2_ctrl_vp9_compressed_hdr& c);

// The other direction, as a V4L2 client (GStreamer's v4l2codecs) fills the
// controls from its parsed headers; for tests and tools. reset_frame_context
// is mapped from the bitstream's 0..3 to V4L2_VP9_RESET_FRAME_CTX_*.
// Timestamps are left 0.
v4l2_ctrl_vp9_frame v4l2_frame_from_header(const FrameHeader& h);
v4l2_ctrl_vp9_compressed_hdr v4l2_compressed_from_header(const FrameHeader& h, const FrameContext& deltas);

class StatelessDecoder {
 public:
  explicit StatelessDecoder(dispatch::Backend& backend);
  // Threads for a frame's tile columns (FrameCore::set_entropy_threads).
  void set_entropy_threads(unsigned n) { core_.set_entropy_threads(n); }

  // Decodes one frame (never a superframe: clients send one frame per
  // request) into dst_nv12, whose visible size must be the frame size.
  // refs[i] (LAST, GOLDEN, ALTREF; ignored for intra frames) are the
  // reference CAPTURE buffers, NV12 or planar, wrapped with their frame size
  // as visible size (reference_size() says which). compressed may be null:
  // the compressed header is then parsed from the bitstream at the offset
  // the frame control gives. `timestamp` is this frame's CAPTURE timestamp.
  // Throws daedalus::Error; the context stays usable (next key frame).
  void decode(uint64_t timestamp, const v4l2_ctrl_vp9_frame& frame, const v4l2_ctrl_vp9_compressed_hdr* compressed,
              std::span<const uint8_t> bitstream, dispatch::Surface* const refs[3], dispatch::Surface& dst_nv12);

  // Frame size of the frame this context decoded with that timestamp, if
  // it remembers one (entries die at the next key frame, which refreshes
  // every slot, and beyond the last kMaxSizes frames).
  std::optional<FrameSize> frame_size(uint64_t timestamp) const;
  // The size to wrap a reference with: frame_size(ts), else (a reference
  // this context never decoded, e.g. after a daemon restart) the frame's.
  FrameSize reference_size(uint64_t timestamp, const v4l2_ctrl_vp9_frame& frame) const;

  const DecoderTiming& timing() const { return core_.timing(); }
  const FrameHeader& last_header() const { return core_.last_header(); }

  static constexpr size_t kMaxSizes = 1024;

 private:
  std::shared_ptr<dispatch::Surface> scratch(uint32_t w, uint32_t h);
  void remember_size(uint64_t timestamp, FrameSize size, bool key_frame);

  dispatch::Backend& backend_;
  FrameCore core_;
  std::shared_ptr<dispatch::Surface> scratch_;
  std::deque<std::pair<uint64_t, FrameSize>> sizes_;
};

}  // namespace daedalus::vp9
