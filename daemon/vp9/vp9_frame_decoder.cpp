// SPDX-License-Identifier: MIT
#include "vp9_frame_decoder.h"

#include "decoder.h"

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
    profile_.clear();
    profile_.emplace_back("parse", after.parse_ms - before.parse_ms);
    profile_.emplace_back("entropy", after.entropy_ms - before.entropy_ms);
    for (int s = 0; s < static_cast<int>(dispatch::Stage::kCount); ++s) {
      const auto name = std::string(dispatch::stage_name(static_cast<dispatch::Stage>(s)));
      profile_.emplace_back(name, after.stage_cpu_ms[s] - before.stage_cpu_ms[s]);
      const double gpu = after.stage_gpu_ms[s] - before.stage_gpu_ms[s];
      if (gpu > 0) profile_.emplace_back(name + ".gpu", gpu);
    }
    // Outside the stages: what the stage columns leave out of "total".
    const std::pair<const char*, double> frame[] = {{"frame.begin", after.begin_ms - before.begin_ms},
                                                    {"frame.wait", after.wait_ms - before.wait_ms},
                                                    {"frame.gpu_span", after.gpu_span_ms - before.gpu_span_ms},
                                                    {"frame.finish", after.finish_ms - before.finish_ms},
                                                    {"frame.nv12_copy", after.nv12_copy_ms - before.nv12_copy_ms},
                                                    {"frame.surface", after.surface_ms - before.surface_ms}};
    for (const auto& [name, ms] : frame)
      if (ms > 0) profile_.emplace_back(name, ms);
    // CPU time, every decoder thread (FrameCore's cpu_* fields).
    profile_.emplace_back("cpu.parse_entropy", after.cpu_parse_entropy_ms - before.cpu_parse_entropy_ms);
    profile_.emplace_back("cpu.begin", after.cpu_begin_ms - before.cpu_begin_ms);
    profile_.emplace_back("cpu.recon", after.cpu_recon_ms - before.cpu_recon_ms);
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
