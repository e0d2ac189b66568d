// SPDX-License-Identifier: MIT
// daedalus's VP9 decoder: parses and entropy-decodes each frame on the CPU
// into a dispatch::FrameWork and has a dispatch::Backend reconstruct it.
// Owns the 8 reference slots, the saved probability contexts, the
// segmentation maps and the previous frame's motion vectors.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "daedalus/dispatch/dispatch.h"
#include "frame_header.h"
#include "nv12_frame.h"
#include "probs.h"
#include "reference_decoder.h"
#include "tile_decoder.h"

namespace daedalus::vp9 {

// A decoded picture ready for display: a planar surface of the decoded
// size (mi_cols*8 x mi_rows*8) and the visible size within it.
struct ShownFrame {
  std::shared_ptr<dispatch::Surface> surface;
  uint32_t width = 0, height = 0;
  int64_t pts = 0;
};

// Accumulated per-stage time, for --profile.
struct DecoderTiming {
  uint64_t frames = 0;
  double parse_ms = 0;    // uncompressed + compressed header
  double entropy_ms = 0;  // tile decoding + loop filter units
  double stage_cpu_ms[static_cast<int>(dispatch::Stage::kCount)] = {};
  double stage_gpu_ms[static_cast<int>(dispatch::Stage::kCount)] = {};
};

class Decoder {
 public:
  explicit Decoder(dispatch::Backend& backend);

  // Decodes one packet (a frame or a superframe) and hands each shown frame
  // to `on_shown`; the surface may be packed with pack() inside the
  // callback (the backend is between frames then). Throws daedalus::Error
  // for corrupt data; the decoder stays usable (resume at a key frame).
  void decode_shown(const uint8_t* data, size_t size, int64_t pts,
                    const std::function<void(const ShownFrame&)>& on_shown);
  // Same, converting each shown frame to an Nv12Frame.
  void decode(const uint8_t* data, size_t size, int64_t pts, const media::FrameSink& sink);
  // Packs a shown frame into an NV12 surface (e.g. a V4L2 CAPTURE buffer).
  void pack(const ShownFrame& frame, dispatch::Surface& nv12);

  const DecoderTiming& timing() const { return timing_; }
  // The last decoded frame's header and work (tests, tools).
  const FrameHeader& last_header() const { return hdr_; }
  const dispatch::FrameWork& last_work() const { return work_; }
  // Unread bytes at the end of each tile of the last frame.
  const std::vector<size_t>& last_tile_unread_bytes() const { return tile_unread_; }

 private:
  void decode_frame(const uint8_t* data, size_t size, int64_t pts,
                    const std::function<void(const ShownFrame&)>& on_shown);
  std::shared_ptr<dispatch::Surface> acquire_surface(uint32_t w, uint32_t h);
  void resize_state(const FrameHeader& h);

  dispatch::Backend& backend_;
  PersistentHeaderState persist_;
  std::array<FrameContext, 4> saved_ctx_;
  struct Slot {
    std::shared_ptr<dispatch::Surface> surface;
    uint32_t width = 0, height = 0;
  };
  std::array<Slot, 8> slots_;
  std::vector<std::shared_ptr<dispatch::Surface>> pool_;

  FrameHeader hdr_;
  dispatch::FrameWork work_;
  FrameCounts counts_{};
  std::vector<ModeInfo> blocks_;
  std::vector<int32_t> grid_;
  std::vector<MvRef> mvs_, prev_mvs_;
  std::vector<uint8_t> seg_map_cur_, seg_map_last_;
  std::vector<size_t> tile_unread_;
  uint32_t state_mi_cols_ = 0, state_mi_rows_ = 0;

  // What the previous decoded frame left for this one.
  bool have_prev_mvs_ = false;
  uint32_t last_width_ = 0, last_height_ = 0;
  bool last_show_frame_ = false;
  bool last_intra_only_ = false;
  bool last_key_frame_ = false;

  DecoderTiming timing_;
};

}  // namespace daedalus::vp9
