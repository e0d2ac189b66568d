// SPDX-License-Identifier: MIT
#include "h264_frame_decoder.h"

#include <chrono>
#include <cstring>
#include <optional>
#include <vector>

#include "daedalus/error.h"
#include "macroblock_layer.h"
#include "nal_unit.h"
#include "stream_parser.h"

namespace daedalus::h264 {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

class H264FrameDecoder : public media::FrameDecoder {
 public:
  H264FrameDecoder(std::unique_ptr<dispatch::Backend> backend, std::span<const uint8_t> extradata)
      : backend_(std::move(backend)) {
    if (!extradata.empty()) {
      const Extradata x = parse_extradata(extradata);
      nal_length_size_ = x.nal_length_size;
      for (const auto& nal : x.nal_units) parser_.push(nal);
    }
  }

  void decode(const uint8_t* data, size_t size, int64_t pts, const media::FrameSink& sink) override {
    profile_.clear();
    entropy_ms_ = 0;
    for (const auto& nal : split_sample({data, size}, nal_length_size_)) {
      const auto t0 = Clock::now();
      std::optional<ParsedSlice> slice = parser_.push(nal);
      if (!slice || slice->redundant) {
        entropy_ms_ += ms_since(t0);
        continue;
      }
      if (slice->first_in_picture) {
        if (open_) finish(sink);
        if (slice->sps->crop_left() || slice->sps->crop_top())
          throw Error("h264: cropping from the left or top is not supported yet");
        builder_.begin(*slice->sps);
        open_ = true;
        pts_ = pts;
      } else if (!open_) {
        throw Error("h264: slice without the first slice of its picture");
      }
      try {
        builder_.add_slice(*slice);
      } catch (...) {
        open_ = false;  // the picture is lost; the next one starts afresh
        throw;
      }
      entropy_ms_ += ms_since(t0);
    }
    // A packet is an access unit: its picture is shown as soon as complete.
    if (open_ && builder_.complete()) finish(sink);
    profile_.insert(profile_.begin(), {"entropy", entropy_ms_});
  }

  void flush(const media::FrameSink& sink) override {
    if (open_) finish(sink);
  }
  media::Profile last_profile() const override { return profile_; }

 private:
  void finish(const media::FrameSink& sink) {
    open_ = false;
    const dispatch::H264FrameWork& work = builder_.work();
    const auto& p = work.params;
    if (!surface_ || surface_->plane(0).width != p.mb_cols * 16 || surface_->plane(0).height != p.mb_rows * 16)
      surface_ = backend_->create_surface(p.mb_cols * 16, p.mb_rows * 16);
    if (!nv12_ || nv12_->plane(0).width != p.width || nv12_->plane(0).height != p.height)
      nv12_ = backend_->wrap_nv12(dispatch::Nv12Layout::tight(p.width, p.height), nullptr, -1);
    // The frame brackets (timing, the Vulkan command buffer) are VP9's: a
    // work-free one around the H.264 stages.
    dispatch::FrameWork frame;
    frame.params.width = p.width;
    frame.params.height = p.height;
    frame.params.bit_depth = 8;
    frame.params.ss_x = frame.params.ss_y = 1;
    frame.params.mi_cols = p.mb_cols * 2;
    frame.params.mi_rows = p.mb_rows * 2;
    backend_->begin_frame(frame);
    backend_->h264_residual(work);
    backend_->h264_intra_recon(work, *surface_);
    backend_->h264_deblock(work, *surface_);
    daedalus_dispatch_pack_nv12(*backend_, *surface_, *nv12_);
    backend_->end_frame();
    for (auto stage : {dispatch::Stage::kResidual, dispatch::Stage::kIntraRecon, dispatch::Stage::kLoopFilter,
                       dispatch::Stage::kPackNv12})
      profile_.emplace_back(std::string(dispatch::stage_name(stage)), backend_->timing(stage).cpu_ms);
    media::Nv12Frame out;
    out.allocate(int(p.width), int(p.height));
    out.pts = pts_;
    const uint8_t* bytes = nv12_->host_data();
    std::memcpy(out.y.data(), bytes + nv12_->plane(0).offset, out.y.size());
    std::memcpy(out.uv.data(), bytes + nv12_->plane(1).offset, out.uv.size());
    sink(std::move(out));
  }

  std::unique_ptr<dispatch::Backend> backend_;
  StreamParser parser_;
  int nal_length_size_ = 0;
  IntraPictureBuilder builder_;
  bool open_ = false;
  int64_t pts_ = 0;
  std::shared_ptr<dispatch::Surface> surface_, nv12_;
  media::Profile profile_;
  double entropy_ms_ = 0;
};

}  // namespace

std::unique_ptr<media::FrameDecoder> create_frame_decoder(std::unique_ptr<dispatch::Backend> backend,
                                                          std::span<const uint8_t> extradata) {
  return std::make_unique<H264FrameDecoder>(std::move(backend), extradata);
}

}  // namespace daedalus::h264
