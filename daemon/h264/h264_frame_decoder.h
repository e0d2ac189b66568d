// SPDX-License-Identifier: MIT
// Our H.264 decoder behind the common media::FrameDecoder interface
// (daedalus-decode --decoder daedalus): headers and entropy decoding here,
// reconstruction in the backend's H.264 stages. Intra pictures only so far:
// P / B slices and CABAC are refused by name.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "daedalus/dispatch/dispatch.h"
#include "frame_decoder.h"

namespace daedalus::h264 {

// extradata: the demuxer's codec extradata (avcC or Annex B parameter
// sets; empty for raw Annex B streams). The decoder keeps the backend.
std::unique_ptr<media::FrameDecoder> create_frame_decoder(std::unique_ptr<dispatch::Backend> backend,
                                                          std::span<const uint8_t> extradata);

}  // namespace daedalus::h264
