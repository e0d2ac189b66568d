// SPDX-License-Identifier: MIT
#include "h264_frame_decoder.h"

#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "daedalus/error.h"
#include "dpb.h"
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
        start_picture(*slice);
        pts_ = pts;
      } else if (!open_) {
        throw Error("h264: slice without the first slice of its picture");
      }
      try {
        std::vector<int> list;
        if (slice->header.type() == kSliceP) {
          const std::vector<RefFrame>& refs = marking_.refs();
          for (int i : build_p_list(refs, slice->header, slice->sps->max_frame_num()))
            list.push_back(i < 0 ? -1 : refs[size_t(i)].buffer);
        }
        builder_.add_slice(*slice, list);
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
    for (int id : output_.flush()) emit(id, sink);
  }
  media::Profile last_profile() const override { return profile_; }

 private:
  void start_picture(const ParsedSlice& slice) {
    const Sps& sps = *slice.sps;
    if (slice.header.idr() && (sps.width_mbs() != mb_cols_ || sps.height_mbs() != mb_rows_)) {
      surfaces_.clear();  // references never cross an IDR picture
      mb_cols_ = sps.width_mbs();
      mb_rows_ = sps.height_mbs();
    }
    if (!slice.header.idr() && (sps.width_mbs() != mb_cols_ || sps.height_mbs() != mb_rows_))
      throw Error("h264: picture size changes without an IDR picture");
    marking_.check_frame_num(sps, slice.header);
    // A buffer no reference holds.
    buffer_ = -1;
    for (size_t i = 0; i < surfaces_.size() && buffer_ < 0; ++i)
      if (!marking_.holds(int(i))) buffer_ = int(i);
    if (buffer_ < 0) {
      buffer_ = int(surfaces_.size());
      surfaces_.push_back(backend_->create_surface(mb_cols_ * 16, mb_rows_ * 16));
    }
    first_ = slice.header;
    sps_ = slice.sps;
    poc_ = slice.poc;
    builder_.begin(sps);
    open_ = true;
  }

  void emit(int id, const media::FrameSink& sink) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    media::Nv12Frame out = std::move(it->second);
    pending_.erase(it);
    sink(std::move(out));
  }

  void finish(const media::FrameSink& sink) {
    open_ = false;
    const dispatch::H264FrameWork& work = builder_.work();
    const auto& p = work.params;
    dispatch::Surface& surface = *surfaces_[size_t(buffer_)];
    std::vector<dispatch::Surface*> refs;
    for (int b : builder_.ref_buffers()) refs.push_back(surfaces_[size_t(b)].get());
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
    if (!work.inter.empty()) backend_->h264_inter_pred(work, surface, refs);
    backend_->h264_residual(work);
    backend_->h264_intra_recon(work, surface);
    backend_->h264_deblock(work, surface);
    daedalus_dispatch_pack_nv12(*backend_, surface, *nv12_);
    backend_->end_frame();
    for (auto stage : {dispatch::Stage::kResidual, dispatch::Stage::kInterPred, dispatch::Stage::kIntraRecon,
                       dispatch::Stage::kLoopFilter, dispatch::Stage::kPackNv12})
      profile_.emplace_back(std::string(dispatch::stage_name(stage)), backend_->timing(stage).cpu_ms);
    media::Nv12Frame out;
    out.allocate(int(p.width), int(p.height));
    out.pts = pts_;
    const uint8_t* bytes = nv12_->host_data();
    std::memcpy(out.y.data(), bytes + nv12_->plane(0).offset, out.y.size());
    std::memcpy(out.uv.data(), bytes + nv12_->plane(1).offset, out.uv.size());

    // 8.2.5: the picture's marking, then libavcodec's output order.
    const bool mmco5 = first_.has_mmco5();
    const int32_t poc = mmco5 ? poc_.after_mmco5().frame() : poc_.frame();
    if (first_.nal_ref_idc) marking_.mark(*sps_, first_, buffer_, poc);
    const int id = next_id_++;
    pending_.emplace(id, std::move(out));
    std::vector<int> dropped;
    const std::optional<int> ready = output_.push(*sps_, {id, poc, first_.idr() || mmco5, false}, dropped);
    for (int d : dropped) pending_.erase(d);
    if (ready) emit(*ready, sink);
  }

  std::unique_ptr<dispatch::Backend> backend_;
  StreamParser parser_;
  int nal_length_size_ = 0;
  PictureBuilder builder_;
  bool open_ = false;
  int64_t pts_ = 0;
  // The picture being decoded: its first slice's header, SPS, POC and
  // picture buffer (an index of surfaces_).
  SliceHeader first_;
  std::shared_ptr<const Sps> sps_;
  PictureOrderCount poc_;
  int buffer_ = -1;
  uint32_t mb_cols_ = 0, mb_rows_ = 0;
  // The picture buffers: references (marking_) and the current picture.
  std::vector<std::shared_ptr<dispatch::Surface>> surfaces_;
  RefMarking marking_;
  OutputOrder output_;
  std::map<int, media::Nv12Frame> pending_;  // decoded, waiting for output_
  int next_id_ = 0;
  std::shared_ptr<dispatch::Surface> nv12_;
  media::Profile profile_;
  double entropy_ms_ = 0;
};

}  // namespace

std::unique_ptr<media::FrameDecoder> create_frame_decoder(std::unique_ptr<dispatch::Backend> backend,
                                                          std::span<const uint8_t> extradata) {
  return std::make_unique<H264FrameDecoder>(std::move(backend), extradata);
}

}  // namespace daedalus::h264
