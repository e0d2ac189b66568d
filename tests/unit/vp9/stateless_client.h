// SPDX-License-Identifier: MIT
// A V4L2 stateless VP9 client simulated in-process, the way GStreamer's
// v4l2codecs drives a stateless decoder: it parses every frame's headers
// itself (with our parser), fills v4l2_ctrl_vp9_frame /
// v4l2_ctrl_vp9_compressed_hdr, keeps the 8 reference slots as indices of
// its NV12 "CAPTURE buffers" (host memory), names LAST/GOLDEN/ALTREF by
// their timestamps and hands StatelessDecoder the reference buffers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "daedalus/error.h"
#include "frame_header.h"
#include "nv12_frame.h"
#include "stateless_decoder.h"

namespace daedalus::vp9::test {

// The largest frame size of a clip: the CAPTURE buffers' format.
inline FrameSize max_frame_size(const std::vector<std::span<const uint8_t>>& packets) {
  PersistentHeaderState st;
  FrameSize m;
  for (const auto& p : packets)
    for (const auto& [d, n] : split_superframe(p.data(), p.size())) {
      FrameHeader h = parse_uncompressed_header(d, n, st);
      if (h.show_existing_frame) continue;
      for (int i = 0; i < 8; ++i)
        if ((h.refresh_frame_flags >> i) & 1) {
          st.slot_width[i] = h.width;
          st.slot_height[i] = h.height;
          st.slot_subsampling_x[i] = st.slot_subsampling_y[i] = 1;
          st.slot_bit_depth[i] = 8;
        }
      m.width = std::max(m.width, h.width);
      m.height = std::max(m.height, h.height);
    }
  return m;
}

enum class CaptureMemory { kHost, kBackend };

// A CAPTURE buffer shown: which one, and the frame size it holds.
struct Shown {
  int buffer = -1;
  FrameSize size;
};

// A V4L2 stateless VP9 client over a pool of NV12 "CAPTURE buffers".
class Client {
 public:
  Client(dispatch::Backend& backend, StatelessDecoder& dec, FrameSize coded, size_t num_buffers, uint32_t seed,
         CaptureMemory memory = CaptureMemory::kHost)
      : backend_(backend), dec_(dec), rng_(seed), coded_(coded) {
    stride_ = (coded.width + 63) & ~63u;
    rows_ = (coded.height + 1) & ~1u;
    buffer_ts_.assign(num_buffers, 0);
    scramble_ = seed != 0;
    if (memory == CaptureMemory::kHost) {
      buffers_.assign(num_buffers, std::vector<uint8_t>(layout(coded).size_bytes, 0));
    } else {
      for (size_t b = 0; b < num_buffers; ++b) surfaces_.push_back(backend_.wrap_nv12(layout(coded), nullptr, -1));
    }
  }

  // Sends the frames of one packet; returns the md5 of each shown frame.
  std::vector<std::string> send(std::span<const uint8_t> p) {
    std::vector<std::string> md5s;
    for (const Shown& s : decode(p)) md5s.push_back(md5(s));
    return md5s;
  }

  // Sends the frames of one packet; returns the CAPTURE buffers to show.
  std::vector<Shown> decode(std::span<const uint8_t> p) {
    std::vector<Shown> shown;
    for (const auto& [d, n] : split_superframe(p.data(), p.size())) {
      FrameHeader h = parse_uncompressed_header(d, n, persist_);
      if (h.show_existing_frame) {
        // GStreamer shows the earlier CAPTURE buffer again; no request.
        const int b = slots_[h.frame_to_show];
        if (b < 0) throw Error("client: show_existing_frame of an empty slot");
        shown.push_back({b, slot_size_[h.frame_to_show]});
        continue;
      }
      FrameContext deltas;
      parse_compressed_header(d + h.uncompressed_header_size, h.compressed_header_size, h, deltas);
      v4l2_ctrl_vp9_frame f = v4l2_frame_from_header(h);
      v4l2_ctrl_vp9_compressed_hdr c = v4l2_compressed_from_header(h, deltas);
      if (edit_compressed) edit_compressed(c);
      const int b = free_buffer();
      const uint64_t ts = next_ts_ += 1000;
      std::shared_ptr<dispatch::Surface> refs[3];
      dispatch::Surface* ref_ptrs[3] = {nullptr, nullptr, nullptr};
      if (!h.intra_frame()) {
        __u64* ts_field[3] = {&f.last_frame_ts, &f.golden_frame_ts, &f.alt_frame_ts};
        for (int i = 0; i < 3; ++i) {
          const int rb = slots_[h.ref_frame_idx[i]];
          *ts_field[i] = buffer_ts_[rb];
          refs[i] = wrap(rb, dec_.reference_size(*ts_field[i], f));
          ref_ptrs[i] = refs[i].get();
        }
      }
      auto dst = wrap(b, FrameSize{h.width, h.height});
      buffer_ts_[b] = ts;
      if (around_decode) around_decode(true);
      dec_.decode(ts, f, use_compressed_ctrl ? &c : nullptr, std::span<const uint8_t>(d, n), ref_ptrs, *dst);
      if (around_decode) around_decode(false);
      dst.reset();
      for (int i = 0; i < 8; ++i)
        if ((h.refresh_frame_flags >> i) & 1) {
          slots_[i] = b;
          slot_size_[i] = FrameSize{h.width, h.height};
          persist_.slot_width[i] = h.width;
          persist_.slot_height[i] = h.height;
          persist_.slot_subsampling_x[i] = persist_.slot_subsampling_y[i] = 1;
          persist_.slot_bit_depth[i] = 8;
        }
      if (h.show_frame) shown.push_back({b, FrameSize{h.width, h.height}});
      last_refresh = h.refresh_frame_flags;
    }
    return shown;
  }

  // Seeking: the client flushes its slots and resumes at a key frame.
  void flush() {
    std::fill(std::begin(slots_), std::end(slots_), -1);
    persist_ = PersistentHeaderState{};
  }

  // The md5 of a shown CAPTURE buffer's frame (NV12 without padding).
  std::string md5(const Shown& s) const { return media::md5_hex(frame(s)); }

  // A shown CAPTURE buffer's frame, without padding.
  media::Nv12Frame frame(const Shown& s) const {
    const uint8_t* buf = buffer_data(s.buffer);
    media::Nv12Frame f;
    f.allocate(static_cast<int>(s.size.width), static_cast<int>(s.size.height));
    for (uint32_t r = 0; r < s.size.height; ++r)
      std::copy_n(buf + size_t{r} * stride_, s.size.width, f.y.data() + size_t{r} * s.size.width);
    const uint32_t cw = 2 * static_cast<uint32_t>(media::Nv12Frame::chroma_width(static_cast<int>(s.size.width)));
    const uint32_t ch = (s.size.height + 1) / 2;
    for (uint32_t r = 0; r < ch; ++r)
      std::copy_n(buf + size_t{stride_} * rows_ + size_t{r} * stride_, cw, f.uv.data() + size_t{r} * cw);
    return f;
  }

  bool use_compressed_ctrl = true;
  // Changes the compressed header control before it is sent (clients that
  // fill it their own way).
  std::function<void(v4l2_ctrl_vp9_compressed_hdr&)> edit_compressed;
  uint8_t last_refresh = 0;
  // Called with true right before and false right after each
  // StatelessDecoder::decode (the bench times the decoder alone with it).
  std::function<void(bool)> around_decode;

 private:
  int free_buffer() {
    std::vector<int> free;
    for (int b = 0; b < static_cast<int>(buffer_ts_.size()); ++b)
      if (std::find(std::begin(slots_), std::end(slots_), b) == std::end(slots_)) free.push_back(b);
    if (free.empty()) throw Error("client: no free CAPTURE buffer");
    if (!scramble_) {
      // Round robin, like a vb2 queue cycling its buffers.
      for (size_t k = 0; k < buffer_ts_.size(); ++k) {
        const int b = static_cast<int>((rr_ + k) % buffer_ts_.size());
        if (std::find(free.begin(), free.end(), b) != free.end()) {
          rr_ = static_cast<size_t>(b) + 1;
          return b;
        }
      }
    }
    return free[std::uniform_int_distribution<size_t>(0, free.size() - 1)(rng_)];
  }

  dispatch::Nv12Layout layout(FrameSize s) const {
    dispatch::Nv12Layout l;
    l.width = s.width;
    l.height = s.height;
    l.y_offset = 0;
    l.y_stride = stride_;
    l.uv_offset = stride_ * rows_;
    l.uv_stride = stride_;
    l.size_bytes = size_t{stride_} * rows_ * 3 / 2;
    return l;
  }

  std::shared_ptr<dispatch::Surface> wrap(int b, FrameSize s) {
    if (surfaces_.empty()) return backend_.wrap_nv12(layout(s), buffers_[b].data(), -1);
    // A surface of the backend's own memory has the visible size it was
    // made with; making another would lose the reference's pixels.
    if (s != coded_) throw Error("client: backend-owned CAPTURE buffers hold one frame size");
    return surfaces_[b];
  }

  const uint8_t* buffer_data(int b) const {
    return surfaces_.empty() ? buffers_[b].data() : surfaces_[b]->host_data();
  }

  dispatch::Backend& backend_;
  StatelessDecoder& dec_;
  std::mt19937 rng_;
  bool scramble_ = false;
  size_t rr_ = 0;
  FrameSize coded_;
  uint32_t stride_ = 0, rows_ = 0;
  std::vector<std::vector<uint8_t>> buffers_;              // CaptureMemory::kHost
  std::vector<std::shared_ptr<dispatch::Surface>> surfaces_;  // CaptureMemory::kBackend
  std::vector<uint64_t> buffer_ts_;
  uint64_t next_ts_ = 0;
  PersistentHeaderState persist_;
  int slots_[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  FrameSize slot_size_[8];
};

inline std::vector<std::string> run_client(Client& c, const std::vector<std::span<const uint8_t>>& packets,
                                           size_t first = 0) {
  std::vector<std::string> out;
  for (size_t i = first; i < packets.size(); ++i) {
    auto s = c.send(packets[i]);
    out.insert(out.end(), s.begin(), s.end());
  }
  return out;
}

}  // namespace daedalus::vp9::test
