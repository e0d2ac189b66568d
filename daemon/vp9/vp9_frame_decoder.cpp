// SPDX-License-Identifier: MIT
#include "vp9_frame_decoder.h"

#include "decoder.h"
#include "timing_profile.h"

namespace daedalus::vp9 {
namespace {

class Vp9FrameDecoder : public media::FrameDecoder {
 public:
  Vp9FrameDecoder(std::unique_ptr<dispatch::Backend> owned, dispatch::Backend& backend, unsigned entropy_threads = 0)
      : owned_(std::move(owned)), decoder_(backend) {
    if (entropy_threads) decoder_.set_entropy_threads(entropy_threads);
  }

  void decode(const uint8_t* data, size_t size, int64_t pts, const media::FrameSink& sink) override {
    const DecoderTiming before = decoder_.timing();
    decoder_.decode(data, size, pts, sink);
    const DecoderTiming& after = decoder_.timing();
    profile_ = timing_profile(before, after);
  }
  // VP9 has no reordering delay: every shown frame leaves with its packet.
  void flush(const media::FrameSink&) override {}
  media::Profile last_profile() const override { return profile_; }

 private:
  std::unique_ptr<dispatch::Backend> owned_;
  Decoder decoder_;
  media::Profile profile_;
};

}  // namespace

std::unique_ptr<media::FrameDecoder> create_frame_decoder(dispatch::BackendKind kind) {
  auto backend = dispatch::create_backend(kind);
  dispatch::Backend& ref = *backend;
  return std::make_unique<Vp9FrameDecoder>(std::move(backend), ref);
}

std::unique_ptr<media::FrameDecoder> create_frame_decoder(std::unique_ptr<dispatch::Backend> backend,
                                                          unsigned entropy_threads) {
  dispatch::Backend& ref = *backend;
  return std::make_unique<Vp9FrameDecoder>(std::move(backend), ref, entropy_threads);
}

std::unique_ptr<media::FrameDecoder> create_frame_decoder(dispatch::Backend& backend) {
  return std::make_unique<Vp9FrameDecoder>(nullptr, backend);
}

}  // namespace daedalus::vp9
