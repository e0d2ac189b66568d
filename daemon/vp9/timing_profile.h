// SPDX-License-Identifier: MIT
// What one decode call cost, as named profile entries (daedalus-decode
// --profile, the bench's per-frame records): the difference of a decoder's
// running DecoderTiming after and before the call. One definition for
// every front end of the VP9 decoder (FrameDecoder, StatelessDecoder).
#pragma once

#include "frame_core.h"
#include "frame_decoder.h"

namespace daedalus::vp9 {

media::Profile timing_profile(const DecoderTiming& before, const DecoderTiming& after);

}  // namespace daedalus::vp9
