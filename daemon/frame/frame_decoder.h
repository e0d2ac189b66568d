// SPDX-License-Identifier: MIT
// What every decoder behind daedalus-decode and the daemon looks like: the
// libavcodec reference path and our own hybrid decoders alike. No libav
// here (daedalus_frame), so that our own decoders need none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "decoded_frame.h"

namespace daedalus::media {

using FrameSink = std::function<void(Nv12Frame&&)>;

// Named durations of the work done for the last decode() call, in
// milliseconds, e.g. {"entropy", 1.2}, {"residual", 0.4}. Empty when a
// decoder cannot break its time down.
using Profile = std::vector<std::pair<std::string, double>>;

class FrameDecoder {
 public:
  virtual ~FrameDecoder() = default;
  // Decodes one packet (a VP9 superframe counts as one) and hands every
  // frame it completes, in display order, to sink. Throws daedalus::Error on
  // corrupt data; the decoder stays usable for the next packet.
  virtual void decode(const uint8_t* data, size_t size, int64_t pts, const FrameSink& sink) = 0;
  // Drains delayed frames at end of stream.
  virtual void flush(const FrameSink& sink) = 0;
  virtual Profile last_profile() const { return {}; }
};

}  // namespace daedalus::media
