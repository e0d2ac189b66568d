// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>

#include "daedalus/dispatch/dispatch.h"
#include "demuxer.h"
#include "frame_decoder.h"

namespace daedalus::tools {

enum class DecoderKind { kFfmpeg, kDaedalus };

// Builds the decoder for the demuxed stream. kFfmpeg: the libavcodec
// reference path. kDaedalus: our hybrid decoder (CPU entropy decoding +
// dispatch stages on the chosen backend); throws daedalus::Error for
// codecs it does not decode yet. threads: libavcodec's threads (kFfmpeg).
struct DaedalusOptions {
  dispatch::BackendOptions backend;  // e.g. the CPU backend's stage threads
  // Run dispatch::warm_up() on the backend first, as the daemon does before
  // it attaches (lavapipe compiles each shader at its first dispatch:
  // without it the first frames time the compiler, and under emulation may
  // outlast the frame timeout).
  bool warm_up = false;
  // VP9: threads for a frame's tile columns (0: the decoder's default, up
  // to 4 cores).
  unsigned entropy_threads = 0;
};
std::unique_ptr<media::FrameDecoder> make_decoder(DecoderKind kind, dispatch::BackendKind backend,
                                                  const media::Demuxer& demuxer, int threads,
                                                  const DaedalusOptions& options = {});

}  // namespace daedalus::tools
