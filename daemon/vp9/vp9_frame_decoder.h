// SPDX-License-Identifier: MIT
// The VP9 decoder behind the common media::FrameDecoder interface
// (daedalus-decode --decoder daedalus, the daemon, the fuzzer).
#pragma once

#include <memory>

#include "daedalus/dispatch/dispatch.h"
#include "frame_decoder.h"

namespace daedalus::vp9 {

// Creates the backend of the given kind and a decoder using it. Throws
// daedalus::Error when the backend is unavailable.
std::unique_ptr<media::FrameDecoder> create_frame_decoder(dispatch::BackendKind backend);
// Same on the given backend, which the decoder keeps; entropy_threads:
// threads for a frame's tile columns (0: FrameCore's default).
std::unique_ptr<media::FrameDecoder> create_frame_decoder(std::unique_ptr<dispatch::Backend> backend,
                                                          unsigned entropy_threads = 0);
// Same over a backend the caller owns (it must outlive the decoder).
std::unique_ptr<media::FrameDecoder> create_frame_decoder(dispatch::Backend& backend);

}  // namespace daedalus::vp9
