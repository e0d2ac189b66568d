// SPDX-License-Identifier: MIT
// StatelessDecoder driven the way a V4L2 stateless client (GStreamer's
// v4l2codecs) drives the daemon: the client parses every frame's headers
// itself, fills v4l2_ctrl_vp9_frame / v4l2_ctrl_vp9_compressed_hdr, keeps
// the 8 reference slots as CAPTURE buffer indices, and hands the decoder
// the LAST/GOLDEN/ALTREF CAPTURE buffers (NV12, host memory) by slot. Every
// shown frame is compared (md5) with libavcodec; plus seeks, dropped
// non-reference frames and scrambled CAPTURE buffer assignment.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "corpus.h"
#include "daedalus/error.h"
#include "demuxer.h"
#include "frame_header.h"
#include "reference_decoder.h"
#include "stateless_decoder.h"

namespace daedalus::vp9 {
namespace {

std::vector<media::Packet> read_all(const std::string& path) {
  media::Demuxer dm(path);
  std::vector<media::Packet> out;
  media::Packet p;
  while (dm.read(p)) out.push_back(p);
  return out;
}

std::vector<std::string> reference_md5s(const std::string& path, const std::vector<media::Packet>& packets) {
  media::Demuxer dm(path);
  media::ReferenceDecoder ref(dm.codec(), dm.codec_parameters());
  std::vector<std::string> md5s;
  auto sink = [&](media::Nv12Frame&& f) { md5s.push_back(media::md5_hex(f)); };
  for (const auto& p : packets) ref.decode(p, sink);
  ref.flush(sink);
  return md5s;
}

// The largest frame size of a clip: the CAPTURE buffers' format.
FrameSize max_frame_size(const std::vector<media::Packet>& packets) {
  PersistentHeaderState st;
  FrameSize m;
  for (const auto& p : packets)
    for (const auto& [d, n] : split_superframe(p.data.data(), p.data.size())) {
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

// A V4L2 stateless VP9 client over a pool of NV12 "CAPTURE buffers".
class Client {
 public:
  Client(dispatch::Backend& backend, StatelessDecoder& dec, FrameSize coded, size_t num_buffers, uint32_t seed)
      : backend_(backend), dec_(dec), rng_(seed) {
    stride_ = (coded.width + 63) & ~63u;
    rows_ = (coded.height + 1) & ~1u;
    buffers_.assign(num_buffers, std::vector<uint8_t>(size_t{stride_} * rows_ * 3 / 2, 0));
    buffer_ts_.assign(num_buffers, 0);
    scramble_ = seed != 0;
  }

  // Sends the frames of one packet; returns the md5 of each shown frame.
  // drop: skip decoding the frame (the client drops it).
  std::vector<std::string> send(const media::Packet& p) {
    std::vector<std::string> shown;
    for (const auto& [d, n] : split_superframe(p.data.data(), p.data.size())) {
      FrameHeader h = parse_uncompressed_header(d, n, persist_);
      if (h.show_existing_frame) {
        // GStreamer shows the earlier CAPTURE buffer again; no request.
        const int b = slots_[h.frame_to_show];
        if (b < 0) throw Error("client: show_existing_frame of an empty slot");
        shown.push_back(md5(b, slot_size_[h.frame_to_show]));
        continue;
      }
      FrameContext deltas;
      parse_compressed_header(d + h.uncompressed_header_size, h.compressed_header_size, h, deltas);
      v4l2_ctrl_vp9_frame f = v4l2_frame_from_header(h);
      const v4l2_ctrl_vp9_compressed_hdr c = v4l2_compressed_from_header(h, deltas);
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
      dec_.decode(ts, f, use_compressed_ctrl ? &c : nullptr, std::span<const uint8_t>(d, n), ref_ptrs, *dst);
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
      if (h.show_frame) shown.push_back(md5(b, FrameSize{h.width, h.height}));
      last_refresh = h.refresh_frame_flags;
    }
    return shown;
  }

  // Seeking: the client flushes its slots and resumes at a key frame.
  void flush() {
    std::fill(std::begin(slots_), std::end(slots_), -1);
    persist_ = PersistentHeaderState{};
  }

  bool use_compressed_ctrl = true;
  uint8_t last_refresh = 0;

 private:
  int free_buffer() {
    std::vector<int> free;
    for (int b = 0; b < static_cast<int>(buffers_.size()); ++b)
      if (std::find(std::begin(slots_), std::end(slots_), b) == std::end(slots_)) free.push_back(b);
    if (free.empty()) throw Error("client: no free CAPTURE buffer");
    if (!scramble_) {
      // Round robin, like a vb2 queue cycling its buffers.
      for (size_t k = 0; k < buffers_.size(); ++k) {
        const int b = static_cast<int>((rr_ + k) % buffers_.size());
        if (std::find(free.begin(), free.end(), b) != free.end()) {
          rr_ = static_cast<size_t>(b) + 1;
          return b;
        }
      }
    }
    return free[std::uniform_int_distribution<size_t>(0, free.size() - 1)(rng_)];
  }

  std::shared_ptr<dispatch::Surface> wrap(int b, FrameSize s) {
    dispatch::Nv12Layout l;
    l.width = s.width;
    l.height = s.height;
    l.y_offset = 0;
    l.y_stride = stride_;
    l.uv_offset = stride_ * rows_;
    l.uv_stride = stride_;
    l.size_bytes = buffers_[b].size();
    return backend_.wrap_nv12(l, buffers_[b].data(), -1);
  }

  std::string md5(int b, FrameSize s) const {
    media::Nv12Frame f;
    f.allocate(static_cast<int>(s.width), static_cast<int>(s.height));
    const auto& buf = buffers_[b];
    for (uint32_t r = 0; r < s.height; ++r)
      std::copy_n(buf.data() + size_t{r} * stride_, s.width, f.y.data() + size_t{r} * s.width);
    const uint32_t cw = 2 * static_cast<uint32_t>(media::Nv12Frame::chroma_width(static_cast<int>(s.width)));
    const uint32_t ch = (s.height + 1) / 2;
    for (uint32_t r = 0; r < ch; ++r)
      std::copy_n(buf.data() + size_t{stride_} * rows_ + size_t{r} * stride_, cw, f.uv.data() + size_t{r} * cw);
    return media::md5_hex(f);
  }

  dispatch::Backend& backend_;
  StatelessDecoder& dec_;
  std::mt19937 rng_;
  bool scramble_ = false;
  size_t rr_ = 0;
  uint32_t stride_ = 0, rows_ = 0;
  std::vector<std::vector<uint8_t>> buffers_;
  std::vector<uint64_t> buffer_ts_;
  uint64_t next_ts_ = 0;
  PersistentHeaderState persist_;
  int slots_[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  FrameSize slot_size_[8];
};

std::vector<std::string> run_client(Client& c, const std::vector<media::Packet>& packets, size_t first = 0) {
  std::vector<std::string> out;
  for (size_t i = first; i < packets.size(); ++i) {
    auto s = c.send(packets[i]);
    out.insert(out.end(), s.begin(), s.end());
  }
  return out;
}

TEST(CorpusStateless, BitExactWithLibavcodec) {
  const auto clips = test::vp9_corpus();
  ASSERT_FALSE(clips.empty()) << "no corpus at " << DAEDALUS_CORPUS_DIR;
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  int n = 0;
  for (const auto& clip : clips) {
    SCOPED_TRACE(clip.name);
    const auto packets = read_all(clip.path);
    const auto expected = reference_md5s(clip.path, packets);
    // Every other clip without the compressed header control (parsed from
    // the bitstream at the control's offset instead).
    for (bool ctrl : {true, false}) {
      if (!ctrl && (n % 3) != 0) continue;
      StatelessDecoder dec(*backend);
      Client client(*backend, dec, max_frame_size(packets), 12, 0);
      client.use_compressed_ctrl = ctrl;
      std::vector<std::string> got;
      try {
        got = run_client(client, packets);
      } catch (const Error& e) {
        ADD_FAILURE() << clip.name << (ctrl ? "" : " (no compressed hdr ctrl)") << ": " << e.what();
        continue;
      }
      EXPECT_EQ(got, expected) << clip.name << (ctrl ? "" : " (no compressed hdr ctrl)");
    }
    ++n;
  }
}

// A clip's packet index of its key frames after the first.
std::vector<size_t> later_key_frames(const std::vector<media::Packet>& packets) {
  std::vector<size_t> keys;
  for (size_t i = 1; i < packets.size(); ++i) {
    PersistentHeaderState st;
    const auto frames = split_superframe(packets[i].data.data(), packets[i].data.size());
    if (frames.size() != 1) continue;
    try {
      if (parse_uncompressed_header(frames[0].first, frames[0].second, st).key_frame) keys.push_back(i);
    } catch (const Error&) {
    }
  }
  return keys;
}

std::string clip_path(const std::string& name) {
  for (const auto& c : test::vp9_corpus())
    if (c.name == name) return c.path;
  return {};
}

TEST(CorpusStateless, SeekToAMidStreamKeyFrame) {
  // kf-max-dist=5: key frames inside the clip.
  const std::string path = clip_path("vp9-352x288");
  ASSERT_FALSE(path.empty());
  const auto packets = read_all(path);
  const auto keys = later_key_frames(packets);
  ASSERT_FALSE(keys.empty()) << "clip has no mid-stream key frame";
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  const FrameSize coded = max_frame_size(packets);
  for (size_t k : keys) {
    SCOPED_TRACE(k);
    const std::vector<media::Packet> tail(packets.begin() + static_cast<long>(k), packets.end());
    const auto expected = reference_md5s(path, tail);
    ASSERT_FALSE(expected.empty());
    {
      // Fresh context, first request is the key frame.
      StatelessDecoder dec(*backend);
      Client client(*backend, dec, coded, 10, 0);
      EXPECT_EQ(run_client(client, tail), expected) << "fresh context";
    }
    {
      // Reused context: decode all of it, then seek back to the key frame
      // (the decoder's probability contexts, MVs and seg map are stale).
      StatelessDecoder dec(*backend);
      Client client(*backend, dec, coded, 10, 7);
      const auto all = run_client(client, packets);
      EXPECT_EQ(all, reference_md5s(path, packets));
      client.flush();
      EXPECT_EQ(run_client(client, tail), expected) << "reused context";
    }
  }
}

TEST(CorpusStateless, DroppedNonReferenceFrame) {
  // Frames with refresh_frame_flags == 0 alone in their packet: a client
  // may drop them (GStreamer's QoS does). Our decoder must then agree with
  // libavcodec fed the same packets without it.
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  int tested = 0;
  for (const auto& clip : test::vp9_corpus()) {
    const auto packets = read_all(clip.path);
    std::vector<size_t> droppable;
    PersistentHeaderState st;
    for (size_t i = 0; i < packets.size(); ++i) {
      const auto frames = split_superframe(packets[i].data.data(), packets[i].data.size());
      for (const auto& [d, n] : frames) {
        FrameHeader h = parse_uncompressed_header(d, n, st);
        if (h.show_existing_frame) continue;
        for (int s = 0; s < 8; ++s)
          if ((h.refresh_frame_flags >> s) & 1) {
            st.slot_width[s] = h.width;
            st.slot_height[s] = h.height;
            st.slot_subsampling_x[s] = st.slot_subsampling_y[s] = 1;
            st.slot_bit_depth[s] = 8;
          }
        if (frames.size() == 1 && h.refresh_frame_flags == 0 && i + 1 < packets.size()) droppable.push_back(i);
      }
    }
    if (droppable.empty()) continue;
    SCOPED_TRACE(clip.name);
    // The first and one in the middle.
    for (size_t drop : {droppable.front(), droppable[droppable.size() / 2]}) {
      std::vector<media::Packet> kept;
      for (size_t i = 0; i < packets.size(); ++i)
        if (i != drop) kept.push_back(packets[i]);
      const auto expected = reference_md5s(clip.path, kept);
      StatelessDecoder dec(*backend);
      Client client(*backend, dec, max_frame_size(packets), 12, 3);
      std::vector<std::string> got;
      ASSERT_NO_THROW(got = run_client(client, kept));
      EXPECT_EQ(got, expected) << clip.name << " without packet " << drop;
      ++tested;
    }
    if (tested >= 6) break;
  }
  EXPECT_GT(tested, 0) << "no VP9 clip of the corpus has a droppable (non-reference) frame";
}

TEST(CorpusStateless, ScrambledCaptureBuffers) {
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  int n = 0;
  for (const char* name : {"vp9-altref-multi", "vp9-resize", "vp9-resize-down-up", "vp9-tiles4", "vp9-aq3",
                           "vp9-error-res", "vp9-352x288"}) {
    const std::string path = clip_path(name);
    if (path.empty()) continue;
    SCOPED_TRACE(name);
    const auto packets = read_all(path);
    const auto expected = reference_md5s(path, packets);
    for (uint32_t seed : {1u, 99u}) {
      StatelessDecoder dec(*backend);
      // Just enough buffers: 8 slots + the one being decoded.
      Client client(*backend, dec, max_frame_size(packets), 9, seed);
      EXPECT_EQ(run_client(client, packets), expected) << name << " seed " << seed;
    }
    ++n;
  }
  EXPECT_GE(n, 3);
}

TEST(Stateless, RejectsBadControls) {
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  StatelessDecoder dec(*backend);
  std::vector<uint8_t> nv12(64 * 64 * 3 / 2);
  dispatch::Nv12Layout l{64, 64, 0, 64, 64 * 64, 64, nv12.size()};
  auto dst = backend->wrap_nv12(l, nv12.data(), -1);
  std::vector<uint8_t> bits(100, 0);
  dispatch::Surface* refs[3] = {nullptr, nullptr, nullptr};
  v4l2_ctrl_vp9_frame f{};
  f.flags = V4L2_VP9_FRAME_FLAG_KEY_FRAME | V4L2_VP9_FRAME_FLAG_SHOW_FRAME;
  f.frame_width_minus_1 = f.frame_height_minus_1 = 63;
  f.bit_depth = 8;
  f.uncompressed_header_size = 10;
  // compressed_header_size 0
  EXPECT_THROW(dec.decode(1, f, nullptr, bits, refs, *dst), Error);
  f.compressed_header_size = 200;  // beyond the bitstream
  EXPECT_THROW(dec.decode(1, f, nullptr, bits, refs, *dst), Error);
  f.compressed_header_size = 5;
  f.bit_depth = 10;
  EXPECT_THROW(dec.decode(1, f, nullptr, bits, refs, *dst), Error);
  f.bit_depth = 8;
  f.flags = V4L2_VP9_FRAME_FLAG_SHOW_FRAME;  // inter frame without references
  EXPECT_THROW(dec.decode(1, f, nullptr, bits, refs, *dst), Error);
  f.flags |= V4L2_VP9_FRAME_FLAG_KEY_FRAME;
  f.frame_width_minus_1 = 127;  // destination of the wrong size
  EXPECT_THROW(dec.decode(1, f, nullptr, bits, refs, *dst), Error);
}

}  // namespace
}  // namespace daedalus::vp9
