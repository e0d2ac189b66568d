// SPDX-License-Identifier: MIT
// The whole daemon (Server: handshake, reader, scheduler, decode jobs,
// dmabuf mapping, NV12 writer) against a fake kernel, with real clips:
// every answered picture must be bit-exact with libavcodec, failures must
// be answered with an error status, and no fd or mapping may leak.
#include <dirent.h>
#include <sys/eventfd.h>

#include <fstream>
#include <map>
#include <string>
#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <linux/v4l2-controls.h>

#include "demuxer.h"
#include "fake_kernel.h"
#include "av1_controls.h"
#include "h264_controls.h"
#include "reference_decoder.h"
#include "server.h"
#include "settings.h"
#include "test_util.h"

#ifdef DAEDALUS_HAVE_VP9
#include "frame_header.h"
#include "stateless_decoder.h"
#endif

using namespace daedalus;
using namespace daedalus::bridge;
using namespace daedalus::bridge::test;

namespace {

int count_open_fds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n - 1;  // the DIR itself
}

int count_memfd_mappings() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int n = 0;
  while (std::getline(maps, line)) n += line.find("memfd:fake-vb2") != std::string::npos;
  return n;
}

// Tight NV12 md5 of the w x h picture in a CAPTURE buffer.
std::string capture_md5(FakeKernel& k, uint64_t cookie, const daedalus_capture_format& f, int w, int h) {
  auto p0 = k.capture(cookie, 0);
  auto p1 = f.num_mem_planes > 1 ? k.capture(cookie, 1) : p0;
  media::Nv12Frame out;
  out.allocate(w, h);
  for (int r = 0; r < h; ++r)
    std::copy_n(&p0[f.comp[0].offset + static_cast<size_t>(r) * f.comp[0].bytesperline], w, &out.y[r * w]);
  const int cw2 = 2 * media::Nv12Frame::chroma_width(w);
  for (int r = 0; r < media::Nv12Frame::chroma_height(h); ++r)
    std::copy_n(&p1[f.comp[1].offset + static_cast<size_t>(r) * f.comp[1].bytesperline], cw2, &out.uv[r * cw2]);
  return media::md5_hex(out);
}

// VP9 superframe -> frames, as GStreamer's vp9 parser hands them to the
// stateless decoder one request each (Annex B of the VP9 spec).
std::vector<std::vector<uint8_t>> split_superframe(const std::vector<uint8_t>& d) {
  const uint8_t marker = d.back();
  if ((marker & 0xe0) == 0xc0) {
    const int frames = (marker & 7) + 1;
    const int mag = ((marker >> 3) & 3) + 1;
    const size_t index = 2 + static_cast<size_t>(mag) * frames;
    if (d.size() >= index && d[d.size() - index] == marker) {
      std::vector<std::vector<uint8_t>> out;
      size_t pos = 0, p = d.size() - index + 1;
      for (int i = 0; i < frames; ++i) {
        size_t size = 0;
        for (int b = 0; b < mag; ++b) size |= static_cast<size_t>(d[p++]) << (8 * b);
        out.emplace_back(d.begin() + pos, d.begin() + pos + size);
        pos += size;
      }
      return out;
    }
  }
  return {d};
}

// The vp9 frame control GStreamer would send; only show_frame matters to
// the reference path (profile 0 header: marker, profile, show_existing,
// frame_type, show_frame).
Control vp9_frame_control(const std::vector<uint8_t>& frame) {
  v4l2_ctrl_vp9_frame f{};
  if ((frame[0] >> 1) & 1) f.flags |= V4L2_VP9_FRAME_FLAG_SHOW_FRAME;
  Control c{V4L2_CID_STATELESS_VP9_FRAME, 1, DAEDALUS_CTRL_IN_REQUEST, {}};
  c.payload.resize(sizeof(f));
  std::memcpy(c.payload.data(), &f, sizeof(f));
  return c;
}

template <typename T>
Control make_control(uint32_t id, const T& v) {
  Control c{id, 1, 0, std::vector<uint8_t>(sizeof(T))};
  std::memcpy(c.payload.data(), &v, sizeof(T));
  return c;
}

struct Vp9Clip {
  std::vector<std::vector<uint8_t>> frames;  // decode order, superframes split
  std::vector<std::string> shown_md5;        // libavcodec display order
  int w = 0, h = 0;
};

Vp9Clip load_vp9(const std::string& path) {
  Vp9Clip clip;
  media::Demuxer dm(path);
  clip.w = dm.width();
  clip.h = dm.height();
  media::ReferenceDecoder ref(media::Codec::kVP9, nullptr, 1);
  media::FrameSink sink = [&](media::Nv12Frame&& f) { clip.shown_md5.push_back(media::md5_hex(f)); };
  media::Packet pkt;
  while (dm.read(pkt)) {
    ref.decode(pkt, sink);
    for (auto& f : split_superframe(pkt.data)) clip.frames.push_back(std::move(f));
  }
  ref.flush(sink);
  return clip;
}

struct H264Clip {
  std::vector<std::vector<uint8_t>> slices;   // per access unit, Annex-B
  std::vector<std::vector<Control>> controls;  // per access unit
  std::map<int64_t, std::string> md5_by_decode_index;
  int w = 0, h = 0;
};

H264Clip load_h264(const std::string& path) {
  H264Clip clip;
  media::Demuxer dm(path);
  clip.w = dm.width();
  clip.h = dm.height();
  media::ReferenceDecoder ref(media::Codec::kH264, nullptr, 1);
  media::FrameSink sink = [&](media::Nv12Frame&& f) { clip.md5_by_decode_index[f.pts] = media::md5_hex(f); };
  media::Packet pkt;
  h264::StreamParser parser;
  int64_t index = 0;
  while (dm.read(pkt)) {
    ref.decode(pkt.data.data(), pkt.data.size(), index++, sink);
    StatelessAccessUnit au = to_stateless(parser, pkt.data);
    clip.slices.push_back(std::move(au.slices));
    clip.controls.push_back({make_control(V4L2_CID_STATELESS_H264_SPS, au.controls.sps),
                             make_control(V4L2_CID_STATELESS_H264_PPS, au.controls.pps),
                             make_control(V4L2_CID_STATELESS_H264_SCALING_MATRIX, au.controls.scaling)});
  }
  ref.flush(sink);
  return clip;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    opts_.workers = 3;
    stop_fd_ = eventfd(0, EFD_CLOEXEC);
  }
  void TearDown() override {
    stop();
    server_.reset();
    ::close(stop_fd_);
  }
  void start() {
    server_ = std::make_unique<Server>(kernel_, opts_);
    server_->handshake(1000);
    thread_ = std::thread([this] { reason_ = server_->serve(stop_fd_); });
  }
  void stop() {
    if (!thread_.joinable()) return;
    uint64_t one = 1;
    ::write(stop_fd_, &one, sizeof(one));
    thread_.join();
  }

  FakeKernel kernel_;
  ServerOptions opts_;
  std::unique_ptr<Server> server_;
  int stop_fd_ = -1;
  std::thread thread_;
  StopReason reason_ = StopReason::kKernelGone;
};

}  // namespace

TEST_F(ServerTest, HandshakeAdvertisesCodecs) {
  start();
  EXPECT_EQ(kernel_.hello_codecs(), DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_VP9) | DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_H264) |
                                        DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_AV1));
  stop();
  EXPECT_EQ(reason_, StopReason::kStopRequested);
}

TEST(ServerHandshake, VersionMismatchIsAClearError) {
  FakeKernel kernel(DAEDALUS_PROTO_VERSION + 1);
  Server server(kernel, {});
  try {
    server.handshake(1000);
    FAIL() << "handshake accepted a kernel of another version";
  } catch (const HandshakeError& e) {
    EXPECT_EQ(e.exit_code(), kExitProtocol);
    EXPECT_NE(std::string(e.what()).find("version mismatch"), std::string::npos) << e.what();
  }
}

// Two-pass vpxenc clip with hidden alt-ref frames in superframes.
std::string make_vp9_altref_clip(const TempDir& dir) {
  const auto path = dir.file("clip.ivf");
  if (make_clip(dir.file("src.y4m"), "352x288", 20, "-f yuv4mpegpipe") != 0) return "";
  const auto vpxenc = fmt::format("vpxenc -q --codec=vp9 --good --cpu-used=8 --target-bitrate=300 "
                                  "--auto-alt-ref=1 --lag-in-frames=16 -o '{}' '{}'", path, dir.file("src.y4m"));
  return std::system(vpxenc.c_str()) == 0 ? path : "";
}

TEST_F(ServerTest, Vp9BitExactIntoPaddedBuffersWithoutLeaks) {
  TempDir dir;
  const auto path = make_vp9_altref_clip(dir);
  ASSERT_FALSE(path.empty()) << "ffmpeg/vpxenc failed";
  Vp9Clip clip = load_vp9(path);
  ASSERT_GT(clip.frames.size(), clip.shown_md5.size()) << "clip has no hidden frames to exercise";
  start();
  const int fds_before = count_open_fds();
  kernel_.push(encode_ctx_open(1, DAEDALUS_CODEC_VP9, clip.w, clip.h, V4L2_PIX_FMT_VP9_FRAME));
  std::vector<std::string> shown;
  for (size_t i = 0; i < clip.frames.size(); ++i) {
    // Alternate single- and two-plane layouts: both must be honoured.
    const auto layout = nv12_layout(clip.w, clip.h, i % 2);
    auto cookie = kernel_.decode(1, DAEDALUS_CODEC_VP9, clip.frames[i], layout, {vp9_frame_control(clip.frames[i])});
    auto done = kernel_.wait_done(cookie);
    ASSERT_TRUE(done) << "no DECODE_DONE for frame " << i;
    ASSERT_EQ(done->status, 0) << "frame " << i;
    EXPECT_EQ(done->num_planes, layout.num_mem_planes);
    if ((clip.frames[i][0] >> 1) & 1) shown.push_back(capture_md5(kernel_, cookie, layout, clip.w, clip.h));
    kernel_.release(cookie);
  }
  EXPECT_EQ(shown, clip.shown_md5);
  kernel_.push(encode_ctx_close(1));
  EXPECT_EQ(count_open_fds(), fds_before) << "dmabuf fds leaked";
  EXPECT_EQ(count_memfd_mappings(), 0) << "dmabuf mappings leaked";
}

class ServerDaedalusDecoderTest : public ServerTest {};

#ifdef DAEDALUS_HAVE_VP9
// A V4L2 stateless VP9 client against the fake kernel: parses the headers
// itself (daemon/vp9's parser), sends v4l2_ctrl_vp9_frame (+ the
// compressed header control on every other frame; a stale one not "in
// request" on the others, which must be ignored), keeps 8 slots of its own
// CAPTURE memfd pool, assigned in a scrambled order, and names references
// as the kernel resolves them (read-only REF fds).
class Vp9StatelessClient {
 public:
  Vp9StatelessClient(FakeKernel& k, uint32_t ctx, const daedalus_capture_format& cap, size_t buffers)
      : k_(k), ctx_(ctx), cap_(cap) {
    for (size_t b = 0; b < buffers; ++b) {
      std::vector<int> planes;
      for (uint32_t p = 0; p < cap.num_mem_planes; ++p) {
        int fd = memfd_create("client-capture", MFD_CLOEXEC);
        EXPECT_EQ(ftruncate(fd, cap.sizeimage[p]), 0);
        planes.push_back(fd);
      }
      bufs_.push_back(planes);
    }
    buf_ts_.assign(buffers, 0);
  }
  ~Vp9StatelessClient() {
    for (auto& b : bufs_)
      for (int fd : b) ::close(fd);
  }

  // Decodes one frame (superframes already split); returns its md5 if shown.
  std::optional<std::string> send(const std::vector<uint8_t>& data, int* status) {
    using namespace daedalus::vp9;
    *status = 0;
    FrameHeader h = parse_uncompressed_header(data.data(), data.size(), persist_);
    if (h.show_existing_frame) return md5(slots_[h.frame_to_show], slot_size_[h.frame_to_show]);
    FrameContext deltas;
    parse_compressed_header(data.data() + h.uncompressed_header_size, h.compressed_header_size, h, deltas);
    v4l2_ctrl_vp9_frame f = v4l2_frame_from_header(h);
    v4l2_ctrl_vp9_compressed_hdr c = v4l2_compressed_from_header(h, deltas);
    const bool send_compressed = (frames_++ % 2) == 0;
    if (!send_compressed) std::memset(&c, 0x11, sizeof(c));  // stale garbage
    std::vector<FakeKernel::RefBuffer> refs(3);
    if (!h.intra_frame()) {
      __u64* ts[3] = {&f.last_frame_ts, &f.golden_frame_ts, &f.alt_frame_ts};
      for (int i = 0; i < 3; ++i) {
        const int b = slots_[h.ref_frame_idx[i]];
        *ts[i] = buf_ts_[b];
        refs[i].ref = {buf_ts_[b], b, DAEDALUS_REF_VALID | DAEDALUS_REF_FOUND};
        refs[i].fds = bufs_[b];
      }
    }
    const int b = free_buffer();
    const uint64_t ts = next_ts_ += 33333;
    buf_ts_[b] = ts;
    Control fc{V4L2_CID_STATELESS_VP9_FRAME, 1, DAEDALUS_CTRL_IN_REQUEST, std::vector<uint8_t>(sizeof(f))};
    std::memcpy(fc.payload.data(), &f, sizeof(f));
    Control cc{V4L2_CID_STATELESS_VP9_COMPRESSED_HDR, 1, send_compressed ? DAEDALUS_CTRL_IN_REQUEST : 0u,
               std::vector<uint8_t>(sizeof(c))};
    std::memcpy(cc.payload.data(), &c, sizeof(c));
    const auto cookie = k_.decode_into(ctx_, DAEDALUS_CODEC_VP9, data, cap_, bufs_[b], ts, refs, {fc, cc});
    auto done = k_.wait_done(cookie);
    k_.release(cookie);
    if (!done) {
      *status = -ETIMEDOUT;
      return std::nullopt;
    }
    *status = done->status;
    for (int i = 0; i < 8; ++i)
      if ((h.refresh_frame_flags >> i) & 1) {
        slots_[i] = b;
        slot_size_[i] = {h.width, h.height};
        persist_.slot_width[i] = h.width;
        persist_.slot_height[i] = h.height;
        persist_.slot_subsampling_x[i] = persist_.slot_subsampling_y[i] = 1;
        persist_.slot_bit_depth[i] = 8;
      }
    if (!h.show_frame) return std::nullopt;
    return md5(b, {h.width, h.height});
  }

 private:
  int free_buffer() {
    for (size_t k = 0; k < bufs_.size(); ++k) {
      next_ = (next_ * 5 + 3) % bufs_.size();
      if (std::find(std::begin(slots_), std::end(slots_), static_cast<int>(next_)) == std::end(slots_))
        return static_cast<int>(next_);
    }
    for (size_t b = 0; b < bufs_.size(); ++b)
      if (std::find(std::begin(slots_), std::end(slots_), static_cast<int>(b)) == std::end(slots_))
        return static_cast<int>(b);
    throw std::runtime_error("no free CAPTURE buffer");
  }

  std::string md5(int b, std::pair<uint32_t, uint32_t> size) {
    const int w = static_cast<int>(size.first), h = static_cast<int>(size.second);
    std::vector<std::vector<uint8_t>> planes;
    for (uint32_t p = 0; p < cap_.num_mem_planes; ++p) {
      planes.emplace_back(cap_.sizeimage[p]);
      EXPECT_EQ(::pread(bufs_[b][p], planes.back().data(), planes.back().size(), 0),
                static_cast<ssize_t>(planes.back().size()));
    }
    media::Nv12Frame out;
    out.allocate(w, h);
    const auto& y = planes[cap_.comp[0].mem_plane];
    const auto& uv = planes[cap_.comp[1].mem_plane];
    for (int r = 0; r < h; ++r)
      std::copy_n(&y[cap_.comp[0].offset + static_cast<size_t>(r) * cap_.comp[0].bytesperline], w, &out.y[r * w]);
    const int cw2 = 2 * media::Nv12Frame::chroma_width(w);
    for (int r = 0; r < media::Nv12Frame::chroma_height(h); ++r)
      std::copy_n(&uv[cap_.comp[1].offset + static_cast<size_t>(r) * cap_.comp[1].bytesperline], cw2,
                  &out.uv[r * cw2]);
    return media::md5_hex(out);
  }

  FakeKernel& k_;
  uint32_t ctx_;
  daedalus_capture_format cap_;
  std::vector<std::vector<int>> bufs_;
  std::vector<uint64_t> buf_ts_;
  size_t next_ = 0;
  uint64_t next_ts_ = 0;
  size_t frames_ = 0;
  daedalus::vp9::PersistentHeaderState persist_;
  int slots_[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  std::pair<uint32_t, uint32_t> slot_size_[8];
};

// --decoder daedalus: VP9 jobs through daemon/vp9's stateless decoder (CPU
// backend), references by slot, into NV12 and NV12M CAPTURE buffers.
void run_vp9_stateless_client(FakeKernel& kernel, const Vp9Clip& clip) {
  for (bool nv12m : {false, true}) {
    SCOPED_TRACE(nv12m ? "NV12M" : "NV12");
    const uint32_t ctx = nv12m ? 2 : 1;
    kernel.push(encode_ctx_open(ctx, DAEDALUS_CODEC_VP9, clip.w, clip.h, V4L2_PIX_FMT_VP9_FRAME));
    const auto layout = nv12_layout(clip.w, clip.h, nv12m);
    Vp9StatelessClient client(kernel, ctx, layout, 10);
    std::vector<std::string> shown;
    for (size_t i = 0; i < clip.frames.size(); ++i) {
      int status = 0;
      auto md5 = client.send(clip.frames[i], &status);
      ASSERT_EQ(status, 0) << "frame " << i;
      if (md5) shown.push_back(*md5);
    }
    EXPECT_EQ(shown, clip.shown_md5);
  }
}

// The same on the Vulkan backend (memfds are no dmabufs: the backend's
// copy fallback; the QEMU test covers the real import).
TEST_F(ServerDaedalusDecoderTest, Vp9StatelessBitExactOnVulkan) {
  try {
    dispatch::create_backend(dispatch::BackendKind::kVulkan);
  } catch (const std::exception& e) {
    GTEST_SKIP() << "no Vulkan device: " << e.what();
  }
  opts_.decoder = DecoderKind::kDaedalus;
  opts_.backend = daedalus::dispatch::BackendKind::kVulkan;
  opts_.backend_options = daedalus::settings::backend_options_from_environment();  // CI: validation
  TempDir dir;
  const auto path = make_vp9_altref_clip(dir);
  ASSERT_FALSE(path.empty());
  Vp9Clip clip = load_vp9(path);
  start();
  run_vp9_stateless_client(kernel_, clip);
  // It asked which memory each buffer is (memfds import nowhere, so nothing
  // is kept here; the QEMU test checks references read through kept imports).
  EXPECT_GT(kernel_.ids_handed_out(), 0u);
}

TEST_F(ServerDaedalusDecoderTest, Vp9StatelessBitExactWithClientReferences) {
  opts_.decoder = DecoderKind::kDaedalus;
  TempDir dir;
  const auto path = make_vp9_altref_clip(dir);
  ASSERT_FALSE(path.empty());
  Vp9Clip clip = load_vp9(path);
  ASSERT_GT(clip.frames.size(), clip.shown_md5.size()) << "clip has no hidden frames to exercise";
  start();
  run_vp9_stateless_client(kernel_, clip);
}

TEST_F(ServerDaedalusDecoderTest, Vp9StatelessRejectsMissingControlsAndReferences) {
  opts_.decoder = DecoderKind::kDaedalus;
  TempDir dir;
  const auto path = make_vp9_altref_clip(dir);
  ASSERT_FALSE(path.empty());
  Vp9Clip clip = load_vp9(path);
  start();
  kernel_.push(encode_ctx_open(1, DAEDALUS_CODEC_VP9, clip.w, clip.h, V4L2_PIX_FMT_VP9_FRAME));
  const auto layout = nv12_layout(clip.w, clip.h, false);
  // No frame control at all.
  auto cookie = kernel_.decode(1, DAEDALUS_CODEC_VP9, clip.frames[0], layout);
  auto done = kernel_.wait_done(cookie);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, -EINVAL);
  kernel_.release(cookie);
  // An inter frame whose references the kernel could not resolve.
  daedalus::vp9::PersistentHeaderState st;
  auto h0 = daedalus::vp9::parse_uncompressed_header(clip.frames[0].data(), clip.frames[0].size(), st);
  ASSERT_TRUE(h0.key_frame);
  for (int i = 0; i < 8; ++i) {
    st.slot_width[i] = h0.width;
    st.slot_height[i] = h0.height;
    st.slot_subsampling_x[i] = st.slot_subsampling_y[i] = 1;
    st.slot_bit_depth[i] = 8;
  }
  auto h1 = daedalus::vp9::parse_uncompressed_header(clip.frames[1].data(), clip.frames[1].size(), st);
  ASSERT_FALSE(h1.intra_frame());
  auto f = daedalus::vp9::v4l2_frame_from_header(h1);
  cookie = kernel_.decode(1, DAEDALUS_CODEC_VP9, clip.frames[1], layout,
                          {make_control(V4L2_CID_STATELESS_VP9_FRAME, f)});
  done = kernel_.wait_done(cookie);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, -EINVAL);
  kernel_.release(cookie);
}
#else
TEST_F(ServerDaedalusDecoderTest, Vp9FailsClearlyWithoutOwnDecoder) {
  opts_.decoder = DecoderKind::kDaedalus;
  start();
  std::vector<uint8_t> frame(100, 0x82);
  auto cookie = kernel_.decode(1, DAEDALUS_CODEC_VP9, frame, nv12_layout(64, 64, false));
  auto done = kernel_.wait_done(cookie);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, -ENOSYS);
}
#endif

TEST_F(ServerTest, H264BFramesAnsweredInDecodeOrderBitExact) {
  TempDir dir;
  const auto path = dir.file("clip.h264");
  ASSERT_EQ(make_clip(path, "320x240", 25, "-c:v libx264 -x264-params bframes=3:b-pyramid=normal:keyint=12 -f h264"),
            0);
  H264Clip clip = load_h264(path);
  start();
  kernel_.push(encode_ctx_open(4, DAEDALUS_CODEC_H264, 320, 240, V4L2_PIX_FMT_H264_SLICE));
  const auto layout = nv12_layout(320, 240, false);
  for (size_t i = 0; i < clip.slices.size(); ++i) {
    auto cookie = kernel_.decode(4, DAEDALUS_CODEC_H264, clip.slices[i], layout, clip.controls[i]);
    auto done = kernel_.wait_done(cookie);
    ASSERT_TRUE(done);
    ASSERT_EQ(done->status, 0) << "access unit " << i;
    EXPECT_EQ(capture_md5(kernel_, cookie, layout, 320, 240), clip.md5_by_decode_index[static_cast<int64_t>(i)])
        << "access unit " << i;
    kernel_.release(cookie);
  }
}

// What GStreamer's v4l2slav1dec sends: tile group OBU payloads, the
// headers as controls; the daemon rebuilds the OBUs (av1_frame_header.*).
TEST_F(ServerTest, Av1FromClientControlsBitExactHiddenFramesIncluded) {
  TempDir dir;
  const auto path = dir.file("clip.ivf");
  ASSERT_EQ(make_clip(path, "352x288", 16, "-c:v libaom-av1 -cpu-used 8 -g 8 -tile-columns 1 -tile-rows 1 -b:v 300k"),
            0);
  const Av1Clip clip = load_av1_clip(path);
  start();
  kernel_.push(encode_ctx_open(5, DAEDALUS_CODEC_AV1, 352, 288, V4L2_PIX_FMT_AV1_FRAME));
  const auto layout = nv12_layout(352, 288, false);
  auto in_request = [](Control c) {
    c.flags |= DAEDALUS_CTRL_IN_REQUEST;
    return c;
  };
  auto controls = [&](const Av1Request& r, const std::vector<v4l2_ctrl_av1_tile_group_entry>& tiles) {
    Control t{V4L2_CID_STATELESS_AV1_TILE_GROUP_ENTRY, static_cast<uint32_t>(tiles.size()), DAEDALUS_CTRL_IN_REQUEST,
              std::vector<uint8_t>(tiles.size() * sizeof(tiles[0]))};
    std::memcpy(t.payload.data(), tiles.data(), t.payload.size());
    return std::vector<Control>{in_request(make_control(V4L2_CID_STATELESS_AV1_SEQUENCE, clip.seq)),
                                in_request(make_control(V4L2_CID_STATELESS_AV1_FRAME, r.frame)),
                                in_request(make_control(V4L2_CID_STATELESS_AV1_FILM_GRAIN, r.film_grain)), t};
  };
  int hidden = 0;
  for (size_t i = 0; i < clip.requests.size(); ++i) {
    const Av1Request& r = clip.requests[i];
    auto cookie = kernel_.decode(5, DAEDALUS_CODEC_AV1, r.data, layout, controls(r, r.tiles));
    auto done = kernel_.wait_done(cookie);
    ASSERT_TRUE(done);
    ASSERT_EQ(done->status, 0) << "frame " << i;
    // Hidden frames too: a client shows them later from this buffer.
    EXPECT_EQ(capture_md5(kernel_, cookie, layout, 352, 288), clip.want[i]) << "frame " << i;
    if (!(r.frame.flags & V4L2_AV1_FRAME_FLAG_SHOW_FRAME)) ++hidden;
    kernel_.release(cookie);
  }
  EXPECT_GT(hidden, 0) << "the clip was meant to have alt-refs";
  // A tile past the OUTPUT data: -EINVAL with the rebuild's reason.
  Av1Request bad = clip.requests.back();
  bad.tiles.back().tile_size += 1;
  auto cookie = kernel_.decode(5, DAEDALUS_CODEC_AV1, bad.data, layout, controls(bad, bad.tiles));
  auto done = kernel_.wait_done(cookie);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, -EINVAL);
  kernel_.release(cookie);
}

TEST_F(ServerTest, ContextsDecodeConcurrentlyAndIndependently) {
  TempDir dir;
  ASSERT_EQ(make_clip(dir.file("a.webm"), "176x144", 12, "-c:v libvpx-vp9 -b:v 200k"), 0);
  ASSERT_EQ(make_clip(dir.file("b.h264"), "320x240", 12, "-c:v libx264 -x264-params bframes=2 -f h264"), 0);
  ASSERT_EQ(make_clip(dir.file("c.webm"), "320x240", 12, "-c:v libvpx-vp9 -b:v 200k -cpu-used 8"), 0);
  Vp9Clip a = load_vp9(dir.file("a.webm"));
  H264Clip b = load_h264(dir.file("b.h264"));
  Vp9Clip c = load_vp9(dir.file("c.webm"));
  start();
  // No CTX_OPEN for 3: the daemon creates contexts lazily too.
  kernel_.push(encode_ctx_open(1, DAEDALUS_CODEC_VP9, a.w, a.h, V4L2_PIX_FMT_VP9_FRAME));
  kernel_.push(encode_ctx_open(2, DAEDALUS_CODEC_H264, b.w, b.h, V4L2_PIX_FMT_H264_SLICE));
  // All jobs of all contexts queued at once, interleaved.
  std::vector<std::pair<uint64_t, size_t>> ca, cb, cc;
  const auto la = nv12_layout(a.w, a.h, false), lb = nv12_layout(b.w, b.h, true), lc = nv12_layout(c.w, c.h, false);
  for (size_t i = 0; i < 12; ++i) {
    if (i < a.frames.size())
      ca.emplace_back(kernel_.decode(1, DAEDALUS_CODEC_VP9, a.frames[i], la, {vp9_frame_control(a.frames[i])}), i);
    if (i < b.slices.size()) cb.emplace_back(kernel_.decode(2, DAEDALUS_CODEC_H264, b.slices[i], lb, b.controls[i]), i);
    if (i < c.frames.size())
      cc.emplace_back(kernel_.decode(3, DAEDALUS_CODEC_VP9, c.frames[i], lc, {vp9_frame_control(c.frames[i])}), i);
  }
  auto check_vp9 = [&](Vp9Clip& clip, auto& cookies, const daedalus_capture_format& l) {
    std::vector<std::string> shown;
    for (auto [cookie, i] : cookies) {
      auto done = kernel_.wait_done(cookie);
      ASSERT_TRUE(done);
      ASSERT_EQ(done->status, 0);
      if ((clip.frames[i][0] >> 1) & 1) shown.push_back(capture_md5(kernel_, cookie, l, clip.w, clip.h));
    }
    EXPECT_EQ(shown, clip.shown_md5);
  };
  check_vp9(a, ca, la);
  check_vp9(c, cc, lc);
  for (auto [cookie, i] : cb) {
    auto done = kernel_.wait_done(cookie);
    ASSERT_TRUE(done);
    ASSERT_EQ(done->status, 0);
    EXPECT_EQ(capture_md5(kernel_, cookie, lb, b.w, b.h), b.md5_by_decode_index[static_cast<int64_t>(i)]);
  }
}

TEST_F(ServerTest, BadJobsGetErrorStatusAndTheDaemonStaysUp) {
  TempDir dir;
  ASSERT_EQ(make_clip(dir.file("a.webm"), "176x144", 3, "-c:v libvpx-vp9 -b:v 200k"), 0);
  Vp9Clip clip = load_vp9(dir.file("a.webm"));
  start();
  const auto layout = nv12_layout(clip.w, clip.h, false);
  // Garbage bitstream.
  std::vector<uint8_t> garbage(500);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 7919 >> 3);
  auto c1 = kernel_.decode(1, DAEDALUS_CODEC_VP9, garbage, layout, {vp9_frame_control(garbage)});
  auto d1 = kernel_.wait_done(c1);
  ASSERT_TRUE(d1);
  EXPECT_LT(d1->status, 0);
  // CAPTURE buffer too small for the picture.
  auto small = nv12_layout(clip.w / 2, clip.h / 2, false);
  auto c2 = kernel_.decode(1, DAEDALUS_CODEC_VP9, clip.frames[0], small, {vp9_frame_control(clip.frames[0])});
  auto d2 = kernel_.wait_done(c2);
  ASSERT_TRUE(d2);
  EXPECT_EQ(d2->status, -E2BIG);
  // H.264 without SPS/PPS controls.
  auto c3 = kernel_.decode(2, DAEDALUS_CODEC_H264, garbage, layout, {});
  auto d3 = kernel_.wait_done(c3);
  ASSERT_TRUE(d3);
  EXPECT_EQ(d3->status, -EINVAL);
  // A malformed DECODE (control payload outside the message): answered
  // with an error, not dropped.
  daedalus_msg_decode m{};
  m.hdr.cookie = 999;
  m.codec = DAEDALUS_CODEC_VP9;
  m.capture = layout;
  auto bad = encode_decode(m, std::vector<Control>{Control{1, 1, 0, {1, 2, 3, 4}}});
  uint32_t off = 60000;
  std::memcpy(bad.data() + sizeof(daedalus_msg_decode) + offsetof(daedalus_ctrl_entry, offset), &off, 4);
  kernel_.push(bad);
  // And the context still decodes a good keyframe afterwards.
  auto c4 = kernel_.decode(1, DAEDALUS_CODEC_VP9, clip.frames[0], layout, {vp9_frame_control(clip.frames[0])});
  auto d4 = kernel_.wait_done(c4);
  ASSERT_TRUE(d4);
  EXPECT_EQ(d4->status, 0);
  EXPECT_EQ(capture_md5(kernel_, c4, layout, clip.w, clip.h), clip.shown_md5[0]);
  EXPECT_EQ(server_->stats().jobs_failed.load(), 4u);  // three bad jobs + the malformed message
}

TEST_F(ServerTest, CancelledJobIsNotAnsweredAndLeaksNothing) {
  TempDir dir;
  ASSERT_EQ(make_clip(dir.file("a.webm"), "176x144", 2, "-c:v libvpx-vp9 -b:v 200k"), 0);
  Vp9Clip clip = load_vp9(dir.file("a.webm"));
  start();
  const int fds_before = count_open_fds();
  const auto layout = nv12_layout(clip.w, clip.h, false);
  auto c1 = kernel_.decode(1, DAEDALUS_CODEC_VP9, clip.frames[0], layout, {vp9_frame_control(clip.frames[0])});
  kernel_.cancel(c1);  // the kernel's watchdog fired before the daemon got to it
  auto c2 = kernel_.decode(1, DAEDALUS_CODEC_VP9, clip.frames[0], layout, {vp9_frame_control(clip.frames[0])});
  ASSERT_TRUE(kernel_.wait_done(c2));  // same context, so c1 has been processed
  EXPECT_FALSE(kernel_.answered(c1));
  EXPECT_EQ(server_->stats().jobs_cancelled.load(), 1u);
  kernel_.release(c1);
  kernel_.release(c2);
  EXPECT_EQ(count_open_fds(), fds_before);
}

// The systemd watchdog's feed: serve() reports alive while jobs run, and
// stops once one has been stuck past stall_limit, so that the supervisor
// restarts a hung daemon; it reports again once the job is unstuck.
TEST_F(ServerTest, AliveUntilAJobIsStuckPastTheStallLimit) {
  using namespace std::chrono_literals;
  TempDir dir;
  ASSERT_EQ(make_clip(dir.file("a.webm"), "176x144", 1, "-c:v libvpx-vp9 -b:v 200k"), 0);
  Vp9Clip clip = load_vp9(dir.file("a.webm"));
  std::atomic<int> alive{0};
  opts_.alive = [&] { alive++; };
  opts_.alive_every = 10ms;
  opts_.stall_limit = 200ms;
  start();
  const auto wait_alive = [&](int more) {
    const int target = alive.load() + more;
    for (int i = 0; i < 500 && alive.load() < target; ++i) std::this_thread::sleep_for(10ms);
    return alive.load() >= target;
  };
  ASSERT_TRUE(wait_alive(3)) << "no alive reports while idle";
  const auto layout = nv12_layout(clip.w, clip.h, false);
  kernel_.block_buffers(true);
  const auto cookie = kernel_.decode(1, DAEDALUS_CODEC_VP9, clip.frames[0], layout, {vp9_frame_control(clip.frames[0])});
  // Past the stall limit the reports stop: none in 300 ms (30 intervals).
  std::this_thread::sleep_for(400ms);
  const int before = alive.load();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(alive.load(), before) << "alive reported with a job stuck for over " << opts_.stall_limit.count() << " ms";
  kernel_.block_buffers(false);
  auto done = kernel_.wait_done(cookie);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 0);
  EXPECT_TRUE(wait_alive(3)) << "alive reports did not come back after the job finished";
}

TEST_F(ServerTest, KernelGoingAwayEndsServe) {
  start();
  kernel_.go_away();
  thread_.join();
  EXPECT_EQ(reason_, StopReason::kKernelGone);
}
