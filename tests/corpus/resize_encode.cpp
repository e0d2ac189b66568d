// SPDX-License-Identifier: MIT
// Makes VP9 streams whose frame size changes on inter frames, so that
// decoders must predict from scaled references. vpxenc cannot be told to do
// this deterministically (its dynamic resize depends on rate control), but
// libvpx's VP9 encoder codes a new size as an inter frame when the
// configuration changes mid-stream, which is what this tool does.
//
//   daedalus-resize-encode OUT.ivf FRAMES W1xH1:IN1.yuv W2xH2:IN2.yuv ...
//
// Each INk.yuv is raw I420 at its size; segment k takes FRAMES frames of it.
#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

void put_le16(std::vector<uint8_t>& b, unsigned v) {
  b.push_back(v & 0xff);
  b.push_back((v >> 8) & 0xff);
}
void put_le32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back((v >> (8 * i)) & 0xff);
}
void put_le64(std::vector<uint8_t>& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back((v >> (8 * i)) & 0xff);
}

struct Segment {
  unsigned w, h;
  std::string path;
};

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "daedalus-resize-encode: %s\n", msg.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) die("usage: OUT.ivf FRAMES WxH:IN.yuv ...");
  const std::string out_path = argv[1];
  const int frames = std::atoi(argv[2]);
  std::vector<Segment> segs;
  for (int i = 3; i < argc; ++i) {
    Segment s{};
    char path[4096];
    if (std::sscanf(argv[i], "%ux%u:%4095s", &s.w, &s.h, path) != 3) die(std::string("bad segment ") + argv[i]);
    s.path = path;
    segs.push_back(s);
  }

  vpx_codec_enc_cfg_t cfg;
  if (vpx_codec_enc_config_default(vpx_codec_vp9_cx(), &cfg, 0)) die("no VP9 encoder");
  cfg.g_w = segs[0].w;
  cfg.g_h = segs[0].h;
  cfg.g_timebase = {1, 30};
  cfg.rc_target_bitrate = 300;
  cfg.g_lag_in_frames = 0;  // a new size must apply to the very next frame
  cfg.g_threads = 1;
  cfg.kf_max_dist = 1000;   // only the first frame is a keyframe
  vpx_codec_ctx_t codec;
  if (vpx_codec_enc_init(&codec, vpx_codec_vp9_cx(), &cfg, 0)) die("encoder init failed");
  vpx_codec_control(&codec, VP8E_SET_CPUUSED, 6);

  std::vector<uint8_t> ivf;
  std::vector<uint8_t> body;
  uint32_t count = 0;
  int64_t pts = 0;
  auto drain = [&]() {
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_codec_cx_pkt_t* pkt = vpx_codec_get_cx_data(&codec, &iter)) {
      if (pkt->kind != VPX_CODEC_CX_FRAME_PKT) continue;
      put_le32(body, static_cast<uint32_t>(pkt->data.frame.sz));
      put_le64(body, static_cast<uint64_t>(pkt->data.frame.pts));
      const auto* d = static_cast<const uint8_t*>(pkt->data.frame.buf);
      body.insert(body.end(), d, d + pkt->data.frame.sz);
      ++count;
    }
  };

  for (size_t k = 0; k < segs.size(); ++k) {
    const Segment& s = segs[k];
    if (k > 0) {
      cfg.g_w = s.w;
      cfg.g_h = s.h;
      if (vpx_codec_enc_config_set(&codec, &cfg)) die("size change refused: " + std::string(vpx_codec_error(&codec)));
    }
    std::ifstream in(s.path, std::ios::binary);
    if (!in) die("cannot read " + s.path);
    vpx_image_t img;
    if (!vpx_img_alloc(&img, VPX_IMG_FMT_I420, s.w, s.h, 1)) die("image alloc failed");
    const size_t frame_bytes = s.w * s.h + 2 * ((s.w + 1) / 2) * ((s.h + 1) / 2);
    std::vector<char> raw(frame_bytes);
    for (int f = 0; f < frames; ++f) {
      if (!in.read(raw.data(), static_cast<std::streamsize>(frame_bytes))) die("short input " + s.path);
      const char* p = raw.data();
      for (int plane = 0; plane < 3; ++plane) {
        const unsigned pw = plane ? (s.w + 1) / 2 : s.w, ph = plane ? (s.h + 1) / 2 : s.h;
        for (unsigned y = 0; y < ph; ++y, p += pw) std::memcpy(img.planes[plane] + y * img.stride[plane], p, pw);
      }
      if (vpx_codec_encode(&codec, &img, pts++, 1, 0, VPX_DL_GOOD_QUALITY)) die("encode failed");
      drain();
    }
    vpx_img_free(&img);
  }
  if (vpx_codec_encode(&codec, nullptr, pts, 1, 0, VPX_DL_GOOD_QUALITY)) die("flush failed");
  drain();
  vpx_codec_destroy(&codec);

  ivf.insert(ivf.end(), {'D', 'K', 'I', 'F'});
  put_le16(ivf, 0);
  put_le16(ivf, 32);
  ivf.insert(ivf.end(), {'V', 'P', '9', '0'});
  put_le16(ivf, segs[0].w);
  put_le16(ivf, segs[0].h);
  put_le32(ivf, 30);
  put_le32(ivf, 1);
  put_le32(ivf, count);
  put_le32(ivf, 0);
  ivf.insert(ivf.end(), body.begin(), body.end());
  std::ofstream out(out_path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(ivf.data()), static_cast<std::streamsize>(ivf.size()));
  return out ? 0 : 1;
}
