// SPDX-License-Identifier: MIT
#include "decoder_factory.h"

#include <fmt/format.h>

#include "daedalus/error.h"
#include "reference_decoder.h"

#ifdef DAEDALUS_HAVE_VP9
#include "vp9_frame_decoder.h"
#endif

namespace daedalus::tools {

namespace {

// A decoder with the backend it runs on (declared first: destroyed last).
class OwningDecoder final : public media::FrameDecoder {
 public:
  OwningDecoder(std::unique_ptr<dispatch::Backend> backend, std::unique_ptr<media::FrameDecoder> decoder)
      : backend_(std::move(backend)), decoder_(std::move(decoder)) {}
  void decode(const uint8_t* data, size_t size, int64_t pts, const media::FrameSink& sink) override {
    decoder_->decode(data, size, pts, sink);
  }
  void flush(const media::FrameSink& sink) override { decoder_->flush(sink); }
  media::Profile last_profile() const override { return decoder_->last_profile(); }

 private:
  std::unique_ptr<dispatch::Backend> backend_;
  std::unique_ptr<media::FrameDecoder> decoder_;
};

}  // namespace

std::unique_ptr<media::FrameDecoder> make_decoder(DecoderKind kind, dispatch::BackendKind backend,
                                                  const media::Demuxer& demuxer, int threads, bool warm_up) {
  if (kind == DecoderKind::kFfmpeg) {
    return std::make_unique<media::ReferenceDecoder>(demuxer.codec(), demuxer.codec_parameters(), threads);
  }
#ifdef DAEDALUS_HAVE_VP9
  if (demuxer.codec() == media::Codec::kVP9) {
    if (!warm_up) return vp9::create_frame_decoder(backend);
    auto b = dispatch::create_backend(backend);
    dispatch::warm_up(*b);
    auto d = vp9::create_frame_decoder(*b);
    return std::make_unique<OwningDecoder>(std::move(b), std::move(d));
  }
#else
  (void)backend;
  (void)warm_up;
#endif
  throw Error(fmt::format("--decoder daedalus: {} is not implemented yet (use --decoder ffmpeg)",
                          media::codec_name(demuxer.codec())));
}

}  // namespace daedalus::tools
