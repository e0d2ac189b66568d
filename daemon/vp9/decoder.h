// SPDX-License-Identifier: MIT
// daedalus's VP9 decoder: parses and entropy-decodes each frame on the CPU
// into a dispatch::FrameWork and has a dispatch::Backend reconstruct it.
// Owns the 8 reference slots; the rest of the cross-frame state lives in
// its FrameCore (shared with the V4L2 stateless front end).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "daedalus/dispatch/dispatch.h"
#include "frame_core.h"
#include "frame_decoder.h"
#include "frame_header.h"
#include "probs.h"
#include "tile_decoder.h"

namespace daedalus::vp9 {

// A decoded picture ready for display: a planar surface of the decoded
// size (mi_cols*8 x mi_rows*8) and the visible size within it.
struct ShownFrame {
  std::shared_ptr<dispatch::Surface> surface;
  uint32_t width = 0, height = 0;
  int64_t pts = 0;
  // Set when the frame was also packed into this NV12 surface in its own
  // backend frame (decode() asks for that).
  dispatch::Surface* packed = nullptr;
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
  // Same, converting each shown frame to an Nv12Frame: a newly decoded
  // frame is packed to NV12 in the same backend frame as its stages (as
  // the V4L2 path packs into its CAPTURE buffer), into the decoder's own
  // NV12 surface, whose bytes are then copied into the Nv12Frame.
  void decode(const uint8_t* data, size_t size, int64_t pts, const media::FrameSink& sink);
  // Packs a shown frame into an NV12 surface (e.g. a V4L2 CAPTURE buffer).
  void pack(const ShownFrame& frame, dispatch::Surface& nv12);

  const DecoderTiming& timing() const { return core_.timing(); }
  // The last decoded frame's header and work (tests, tools).
  const FrameHeader& last_header() const { return hdr_; }
  const dispatch::FrameWork& last_work() const { return core_.last_work(); }
  // Threads for a frame's tile columns (FrameCore::set_entropy_threads).
  void set_entropy_threads(unsigned n) { core_.set_entropy_threads(n); }
  // Unread bytes at the end of each tile of the last frame.
  const std::vector<size_t>& last_tile_unread_bytes() const { return tile_unread_; }

 private:
  void decode_frame(const uint8_t* data, size_t size, int64_t pts,
                    const std::function<void(const ShownFrame&)>& on_shown);
  std::shared_ptr<dispatch::Surface> acquire_surface(uint32_t w, uint32_t h);
  // The NV12 surface decode() packs shown frames of this size into.
  dispatch::Surface& nv12_output(uint32_t w, uint32_t h);

  dispatch::Backend& backend_;
  FrameCore core_;
  PersistentHeaderState persist_;
  struct Slot {
    std::shared_ptr<dispatch::Surface> surface;
    uint32_t width = 0, height = 0;
  };
  std::array<Slot, 8> slots_;
  std::vector<std::shared_ptr<dispatch::Surface>> pool_;
  std::shared_ptr<dispatch::Surface> nv12_out_;
  bool pack_shown_ = false;  // inside decode(): pack shown frames to nv12_out_
  FrameHeader hdr_;
  std::vector<size_t> tile_unread_;
};

}  // namespace daedalus::vp9
