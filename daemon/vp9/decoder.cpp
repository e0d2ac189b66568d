// SPDX-License-Identifier: MIT
#include "decoder.h"

#include <chrono>
#include <cstring>
#include <string>

#include "daedalus/error.h"
#include "tables.h"

namespace daedalus::vp9 {
Decoder::Decoder(dispatch::Backend& backend) : backend_(backend), core_(backend) {}

void Decoder::decode(const uint8_t* data, size_t size, int64_t pts, const media::FrameSink& sink) {
  using Clock = std::chrono::steady_clock;
  const auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  struct PackScope {  // pack_shown_ only for this call, on every way out
    bool& flag;
    explicit PackScope(bool& f) : flag(f) { flag = true; }
    ~PackScope() { flag = false; }
  } scope(pack_shown_);
  decode_shown(data, size, pts, [&](const ShownFrame& f) {
    dispatch::Surface* nv12 = f.packed;
    if (!nv12) {  // show_existing_frame: packed on its own
      nv12 = &nv12_output(f.width, f.height);
      pack(f, *nv12);
    }
    const auto t0 = Clock::now();
    media::Nv12Frame out;
    out.allocate(static_cast<int>(f.width), static_cast<int>(f.height));
    out.pts = f.pts;
    // nv12_output()'s layout is Nv12Frame's: two plain copies.
    const uint8_t* bytes = nv12->host_data();
    std::memcpy(out.y.data(), bytes + nv12->plane(0).offset, out.y.size());
    std::memcpy(out.uv.data(), bytes + nv12->plane(1).offset, out.uv.size());
    core_.timing().nv12_copy_ms += ms(t0, Clock::now());
    sink(std::move(out));
  });
}

dispatch::Surface& Decoder::nv12_output(uint32_t w, uint32_t h) {
  if (!nv12_out_ || nv12_out_->plane(0).width != w || nv12_out_->plane(0).height != h)
    nv12_out_ = backend_.wrap_nv12(dispatch::Nv12Layout::tight(w, h), nullptr, -1);
  return *nv12_out_;
}

void Decoder::pack(const ShownFrame& frame, dispatch::Surface& nv12) {
  // pack_nv12 is a stage, so it runs inside a (work-free) frame.
  dispatch::FrameWork empty;
  empty.params.width = frame.width;
  empty.params.height = frame.height;
  empty.params.bit_depth = 8;
  empty.params.ss_x = empty.params.ss_y = 1;
  empty.params.mi_cols = (frame.width + 7) / 8;
  empty.params.mi_rows = (frame.height + 7) / 8;
  backend_.begin_frame(empty);
  daedalus_dispatch_pack_nv12(backend_, *frame.surface, nv12);
  backend_.end_frame();
  const int k = static_cast<int>(dispatch::Stage::kPackNv12);
  DecoderTiming& t = core_.timing();
  t.stage_cpu_ms[k] += backend_.timing(dispatch::Stage::kPackNv12).cpu_ms;
  const double g = backend_.timing(dispatch::Stage::kPackNv12).gpu_ms;
  if (g >= 0) t.stage_gpu_ms[k] += g;
  t.add(backend_.frame_timing());
}

void Decoder::decode_shown(const uint8_t* data, size_t size, int64_t pts,
                           const std::function<void(const ShownFrame&)>& on_shown) {
  for (const auto& [p, n] : split_superframe(data, size)) decode_frame(p, n, pts, on_shown);
}

std::shared_ptr<dispatch::Surface> Decoder::acquire_surface(uint32_t w, uint32_t h) {
  for (auto& s : pool_) {
    // Only this pool holds it: no reference slot, no caller.
    if (s.use_count() == 1 && s->plane(0).width == w && s->plane(0).height == h) return s;
  }
  auto s = backend_.create_surface(w, h);
  // Keep the pool bounded: drop surfaces nobody uses any more.
  std::erase_if(pool_, [](const auto& p) { return p.use_count() == 1; });
  pool_.push_back(s);
  return s;
}

void Decoder::decode_frame(const uint8_t* data, size_t size, int64_t pts,
                           const std::function<void(const ShownFrame&)>& on_shown) {
  FrameHeader h;
  try {
    h = parse_uncompressed_header(data, size, persist_);
  } catch (...) {
    core_.forget_prev_mvs();
    throw;
  }
  if (h.show_existing_frame) {
    const Slot& s = slots_[h.frame_to_show];
    if (!s.surface) throw Error("vp9: show_existing_frame of an empty slot");
    hdr_ = h;
    tile_unread_.clear();
    on_shown(ShownFrame{s.surface, s.width, s.height, pts});
    return;
  }
  RefPicture refs[3];
  if (!h.intra_frame()) {
    for (int i = 0; i < 3; ++i) {
      const Slot& s = slots_[h.ref_frame_idx[i]];
      if (!s.surface) throw Error("vp9: reference slot is empty");
      refs[i] = RefPicture{s.surface.get(), s.width, s.height};
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto dst = acquire_surface(h.mi_cols * 8, h.mi_rows * 8);
  core_.timing().surface_ms +=
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  dispatch::Surface* packed = pack_shown_ && h.show_frame ? &nv12_output(h.width, h.height) : nullptr;
  core_.decode(h, nullptr, data, size, refs, *dst, packed);
  hdr_ = core_.last_header();
  tile_unread_ = core_.last_tile_unread_bytes();

  // Reference slots for the next frame.
  for (int i = 0; i < 8; ++i) {
    if (!((h.refresh_frame_flags >> i) & 1)) continue;
    slots_[i].surface = dst;
    slots_[i].width = h.width;
    slots_[i].height = h.height;
    persist_.slot_width[i] = h.width;
    persist_.slot_height[i] = h.height;
    persist_.slot_subsampling_x[i] = static_cast<uint32_t>(h.ss_x);
    persist_.slot_subsampling_y[i] = static_cast<uint32_t>(h.ss_y);
    persist_.slot_bit_depth[i] = static_cast<uint32_t>(h.bit_depth);
  }
  if (h.show_frame) on_shown(ShownFrame{dst, h.width, h.height, pts, packed});
}

}  // namespace daedalus::vp9
