// SPDX-License-Identifier: MIT
// The part of VP9 decoding both front ends share: given a frame's header
// (parsed from the bitstream by Decoder, or translated from V4L2 stateless
// controls by StatelessDecoder), its probability deltas and its reference
// pictures, entropy-decode the tiles and reconstruct into a surface.
//
// It owns the cross-frame state that is *not* pixels: the 4 saved
// probability contexts (reset and backward-adapted as the spec says), the
// segmentation maps and the previous frame's motion vectors. Who holds the
// reference pictures is the front end's business (8 slots in Decoder,
// CAPTURE buffers named by timestamp in StatelessDecoder).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "daedalus/dispatch/dispatch.h"
#include "frame_header.h"
#include "probs.h"
#include "tile_decoder.h"

namespace daedalus::vp9 {

// Accumulated per-stage time, for --profile.
struct DecoderTiming {
  uint64_t frames = 0;
  double parse_ms = 0;    // uncompressed + compressed header
  double entropy_ms = 0;  // tile decoding + loop filter units
  // CPU time of every thread the decoder runs (dispatch/thread_cpu.h),
  // not wall time: parse + entropy + the work description; the backend's
  // begin_frame() (planning the work, putting it where the stages read
  // it); the rest of reconstruction on the host (recording, submitting,
  // waiting, the CPU backend's stages).
  double cpu_parse_entropy_ms = 0, cpu_begin_ms = 0, cpu_recon_ms = 0;
  double stage_cpu_ms[static_cast<int>(dispatch::Stage::kCount)] = {};
  double stage_gpu_ms[static_cast<int>(dispatch::Stage::kCount)] = {};
  // Outside the stage calls (dispatch::FrameTiming; 0 where not measured).
  double begin_ms = 0, wait_ms = 0, gpu_span_ms = 0, finish_ms = 0;
  // Decoder::decode: copying shown frames out of the backend into
  // Nv12Frames (the pack_nv12 stage itself is a stage column).
  double nv12_copy_ms = 0;
  // Decoder: finding or allocating the surface a frame is decoded into.
  double surface_ms = 0;
  void add(const dispatch::FrameTiming& f) {
    begin_ms += std::max(f.begin_ms, 0.0);
    wait_ms += std::max(f.wait_ms, 0.0);
    gpu_span_ms += std::max(f.gpu_span_ms, 0.0);
    finish_ms += std::max(f.finish_ms, 0.0);
  }
};

// A reference picture: any surface (planar or NV12) and its frame size.
struct RefPicture {
  dispatch::Surface* surface = nullptr;
  uint32_t width = 0, height = 0;
};

class FrameCore {
 public:
  explicit FrameCore(dispatch::Backend& backend);

  // Decodes one frame (not a superframe, not show_existing_frame) of
  // `size` bytes at `data` into `dst` (a planar surface of at least
  // mi_cols*8 x mi_rows*8). `h` holds the uncompressed header's values with
  // frame_context_idx as signalled; `deltas` the compressed header's
  // probability updates, or null to parse the compressed header from the
  // data (which also fills tx_mode / reference_mode). refs[i] is LAST,
  // GOLDEN, ALTREF (unused for intra frames). When `pack_to` is set the
  // frame is also packed into that NV12 surface in the same backend frame.
  // Throws daedalus::Error; the state then stays usable (next key frame).
  void decode(FrameHeader& h, const FrameContext* deltas, const uint8_t* data, size_t size,
              const RefPicture refs[3], dispatch::Surface& dst, dispatch::Surface* pack_to = nullptr);

  // A fresh stream: default probabilities, no segmentation map, no MVs.
  void reset();
  // How many threads may entropy-decode a frame's tile columns at once
  // (1: only the calling one). Default: dispatch::default_threads(), the
  // machine's hardware threads, at most 4 (a Pi 5's cores; VP9 at 1080p has
  // at most 4 tile columns, at 4K 8).
  void set_entropy_threads(unsigned n) {
    entropy_threads_ = std::max(n, 1u);
    tile_threads_.reset();
  }
  unsigned entropy_threads() const { return entropy_threads_; }
  // The frame after a failed one must not use MVs from before it.
  void forget_prev_mvs() { have_prev_mvs_ = false; }

  const DecoderTiming& timing() const { return timing_; }
  DecoderTiming& timing() { return timing_; }
  const FrameHeader& last_header() const { return hdr_; }
  const dispatch::FrameWork& last_work() const { return work_; }
  const std::vector<size_t>& last_tile_unread_bytes() const { return tile_unread_; }
  // Whether the next frame could use this one's MVs (tests).
  bool has_prev_mvs() const { return have_prev_mvs_; }

 private:
  // decode()'s phases, in order.
  FrameContext init_probabilities(FrameHeader& h, const FrameContext* deltas, const uint8_t* data);
  void decode_entropy(const FrameHeader& h, const FrameContext& fc, const uint8_t* data, size_t size,
                      const RefPicture refs_in[3], dispatch::Surface* refs[3]);
  void set_work_params(const FrameHeader& h, const RefPicture refs_in[3], dispatch::Surface* refs[3]);
  dispatch::ForkJoin* tile_threads(const FrameHeader& h);
  void adapt_probabilities(const FrameHeader& h, const FrameContext& fc);
  void reconstruct(const FrameHeader& h, dispatch::Surface* const refs[3], dispatch::Surface& dst,
                   dispatch::Surface* pack_to);
  void add_timing(double parse_ms, double entropy_ms, bool packed);
  void commit(const FrameHeader& h);
  void resize_state(const FrameHeader& h);

  dispatch::Backend& backend_;
  std::array<FrameContext, 4> saved_ctx_;
  FrameHeader hdr_;
  dispatch::FrameWork work_;
  FrameCounts counts_{};
  std::vector<ModeInfo> blocks_;
  std::vector<int32_t> grid_;
  std::vector<MvRef> mvs_, prev_mvs_;
  std::vector<uint8_t> seg_map_cur_, seg_map_last_;
  std::vector<size_t> tile_unread_;
  unsigned entropy_threads_ = 1;
  // The tile-column threads, started by the first frame with several tile
  // columns and kept (one per column up to entropy_threads_), so that a
  // frame does not pay for starting them.
  std::unique_ptr<dispatch::ForkJoin> tile_threads_;
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
