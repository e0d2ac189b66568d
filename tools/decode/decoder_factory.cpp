// SPDX-License-Identifier: MIT
#include "decoder_factory.h"

#include <fmt/format.h>

#include "daedalus/error.h"
#include "reference_decoder.h"

#ifdef DAEDALUS_HAVE_VP9
#include "vp9_frame_decoder.h"
#endif
#ifdef DAEDALUS_HAVE_H264
#include <libavcodec/avcodec.h>

#include "h264_frame_decoder.h"
#endif

namespace daedalus::tools {

std::unique_ptr<media::FrameDecoder> make_decoder(DecoderKind kind, dispatch::BackendKind backend,
                                                  const media::Demuxer& demuxer, int threads,
                                                  const DaedalusOptions& options) {
  if (kind == DecoderKind::kFfmpeg) {
    return std::make_unique<media::ReferenceDecoder>(demuxer.codec(), demuxer.codec_parameters(), threads);
  }
#ifdef DAEDALUS_HAVE_VP9
  if (demuxer.codec() == media::Codec::kVP9) {
    auto b = dispatch::create_backend(backend, options.backend);
    if (options.warm_up) {
      dispatch::warm_up(*b);
      // As the daemon does at start: the first frame pays no allocations.
      if (demuxer.width() > 0 && demuxer.height() > 0)
        b->reserve(static_cast<uint32_t>(demuxer.width()), static_cast<uint32_t>(demuxer.height()));
    }
    return vp9::create_frame_decoder(std::move(b), options.entropy_threads);
  }
#endif
#ifdef DAEDALUS_HAVE_H264
  if (demuxer.codec() == media::Codec::kH264) {
    const AVCodecParameters* par = demuxer.codec_parameters();
    const std::span<const uint8_t> extradata(par->extradata, par->extradata ? size_t(par->extradata_size) : 0);
    return h264::create_frame_decoder(dispatch::create_backend(backend, options.backend), extradata);
  }
#endif
  (void)backend;
  (void)options;
  throw Error(fmt::format("--decoder daedalus: {} is not implemented yet (use --decoder ffmpeg)",
                          media::codec_name(demuxer.codec())));
}

}  // namespace daedalus::tools
