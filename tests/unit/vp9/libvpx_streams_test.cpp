// SPDX-License-Identifier: MIT
// Streams vpxenc cannot make, encoded here in memory with libvpx's API and
// decoded by our decoder and libavcodec: intra-only frames with scaled
// references (an SVC stream whose base layer is re-synced with an
// intra-only frame), segment features beyond ALT_Q (an ROI map) and
// non-reference frames a stateless client may drop. The stateless front end
// (a simulated V4L2 client, stateless_client.h) decodes them too.
#include <gtest/gtest.h>
#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

#include <cstring>
#include <string>
#include <vector>

#include "daedalus/error.h"
#include "decoder.h"
#include "frame_header.h"
#include "reference_decoder.h"
#include "stateless_client.h"

namespace daedalus::vp9 {
namespace {

std::vector<std::vector<uint8_t>> encode_svc_with_intra_only(int frames) {
  const int w = 352, h = 288;
  vpx_codec_enc_cfg_t cfg;
  EXPECT_EQ(vpx_codec_enc_config_default(vpx_codec_vp9_cx(), &cfg, 0), VPX_CODEC_OK);
  cfg.g_w = w;
  cfg.g_h = h;
  cfg.g_timebase = {1, 30};
  cfg.rc_target_bitrate = 600;
  cfg.g_lag_in_frames = 0;
  cfg.rc_end_usage = VPX_CBR;
  cfg.g_threads = 1;
  cfg.kf_max_dist = 1000;
  cfg.ss_number_layers = 2;
  cfg.ts_number_layers = 1;
  cfg.ss_target_bitrate[0] = 200;
  cfg.ss_target_bitrate[1] = 400;
  cfg.layer_target_bitrate[0] = 200;
  cfg.layer_target_bitrate[1] = 600;
  cfg.rc_min_quantizer = 2;
  cfg.rc_max_quantizer = 56;
  vpx_codec_ctx_t codec;
  if (vpx_codec_enc_init(&codec, vpx_codec_vp9_cx(), &cfg, 0) != VPX_CODEC_OK) return {};
  vpx_svc_extra_cfg_t svc{};
  for (int i = 0; i < 2; ++i) {
    svc.max_quantizers[i] = 56;
    svc.min_quantizers[i] = 2;
    svc.scaling_factor_num[i] = 1;
    svc.scaling_factor_den[i] = i ? 1 : 2;
  }
  vpx_codec_control(&codec, VP9E_SET_SVC, 1);
  vpx_codec_control(&codec, VP9E_SET_SVC_PARAMETERS, &svc);
  vpx_codec_control(&codec, VP8E_SET_CPUUSED, 7);
  vpx_image_t img;
  vpx_img_alloc(&img, VPX_IMG_FMT_I420, w, h, 1);
  std::vector<std::vector<uint8_t>> packets;
  for (int f = 0; f < frames; ++f) {
    // A moving pattern with edges and gradients.
    for (int p = 0; p < 3; ++p) {
      const int pw = p ? w / 2 : w, ph = p ? h / 2 : h;
      for (int y = 0; y < ph; ++y)
        for (int x = 0; x < pw; ++x)
          img.planes[p][y * img.stride[p] + x] =
              static_cast<uint8_t>(p ? 128 + ((x + f) & 31) - 16 : (((x + 3 * f) / 16 + y / 16) & 1) * 160 + ((x * y + f * 7) & 63));
    }
    if (f > 0 && f % 7 == 0) {
      vpx_svc_spatial_layer_sync_t sync{};
      sync.spatial_layer_sync[0] = 1;
      sync.base_layer_intra_only = 1;
      vpx_codec_control(&codec, VP9E_SET_SVC_SPATIAL_LAYER_SYNC, &sync);
    }
    vpx_svc_layer_id_t lid{};
    vpx_codec_control(&codec, VP9E_SET_SVC_LAYER_ID, &lid);
    if (vpx_codec_encode(&codec, &img, f, 1, 0, VPX_DL_REALTIME) != VPX_CODEC_OK) break;
    vpx_codec_iter_t it = nullptr;
    while (const vpx_codec_cx_pkt_t* pk = vpx_codec_get_cx_data(&codec, &it)) {
      if (pk->kind != VPX_CODEC_CX_FRAME_PKT) continue;
      const auto* d = static_cast<const uint8_t*>(pk->data.frame.buf);
      packets.emplace_back(d, d + pk->data.frame.sz);
    }
  }
  vpx_img_free(&img);
  vpx_codec_destroy(&codec);
  return packets;
}

TEST(IntraOnly, SvcStreamWithIntraOnlyFramesIsBitExact) {
  const auto packets = encode_svc_with_intra_only(30);
  ASSERT_FALSE(packets.empty());
  // The stream must really contain intra-only frames.
  int intra_only = 0;
  {
    PersistentHeaderState st;
    for (const auto& p : packets)
      for (const auto& [d, n] : split_superframe(p.data(), p.size())) {
        FrameHeader h = parse_uncompressed_header(d, n, st);
        intra_only += h.intra_only;
        for (int i = 0; i < 8; ++i)
          if ((h.refresh_frame_flags >> i) & 1) {
            st.slot_width[i] = h.width;
            st.slot_height[i] = h.height;
            st.slot_bit_depth[i] = 8;
            st.slot_subsampling_x[i] = st.slot_subsampling_y[i] = 1;
          }
      }
  }
  EXPECT_GE(intra_only, 3);

  std::vector<std::string> expected, got;
  media::ReferenceDecoder ref(media::Codec::kVP9, nullptr);
  for (size_t i = 0; i < packets.size(); ++i)
    ref.decode(packets[i].data(), packets[i].size(), static_cast<int64_t>(i),
               [&](media::Nv12Frame&& f) { expected.push_back(media::md5_hex(f)); });
  ref.flush([&](media::Nv12Frame&& f) { expected.push_back(media::md5_hex(f)); });
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  Decoder dec(*backend);
  for (size_t i = 0; i < packets.size(); ++i)
    dec.decode(packets[i].data(), packets[i].size(), static_cast<int64_t>(i),
               [&](media::Nv12Frame&& f) { got.push_back(media::md5_hex(f)); });
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "frame " << i;
}

// Segment features beyond ALT_Q: libvpx's ROI map sets per-segment q and
// loop filter deltas, SKIP and REF_FRAME.
std::vector<std::vector<uint8_t>> encode_roi(int frames) {
  const int w = 320, h = 240;
  vpx_codec_enc_cfg_t cfg;
  EXPECT_EQ(vpx_codec_enc_config_default(vpx_codec_vp9_cx(), &cfg, 0), VPX_CODEC_OK);
  cfg.g_w = w;
  cfg.g_h = h;
  cfg.g_timebase = {1, 30};
  cfg.rc_target_bitrate = 400;
  cfg.g_lag_in_frames = 0;
  cfg.rc_end_usage = VPX_CBR;
  cfg.g_threads = 1;
  cfg.kf_max_dist = 1000;
  vpx_codec_ctx_t codec;
  if (vpx_codec_enc_init(&codec, vpx_codec_vp9_cx(), &cfg, 0) != VPX_CODEC_OK) return {};
  vpx_codec_control(&codec, VP8E_SET_CPUUSED, 7);
  const unsigned rows = (h + 7) / 8, cols = (w + 7) / 8;
  std::vector<unsigned char> map(rows * cols);
  for (unsigned r = 0; r < rows; ++r)
    for (unsigned c = 0; c < cols; ++c) map[r * cols + c] = static_cast<unsigned char>(((r / 6) * 3 + c / 7) % 5);
  vpx_roi_map_t roi{};
  roi.enabled = 1;
  roi.roi_map = map.data();
  roi.rows = rows;
  roi.cols = cols;
  const int dq[8] = {0, -20, 15, 0, 30, 0, 0, 0}, dlf[8] = {0, 10, -8, 0, 20, 0, 0, 0};
  const int skip[8] = {0, 0, 0, 1, 0, 0, 0, 0}, ref[8] = {-1, -1, -1, -1, 2, -1, -1, -1};
  for (int i = 0; i < 8; ++i) {
    roi.delta_q[i] = dq[i];
    roi.delta_lf[i] = dlf[i];
    roi.skip[i] = skip[i];
    roi.ref_frame[i] = ref[i];
  }
  vpx_image_t img;
  vpx_img_alloc(&img, VPX_IMG_FMT_I420, w, h, 1);
  std::vector<std::vector<uint8_t>> packets;
  for (int f = 0; f < frames; ++f) {
    for (int p = 0; p < 3; ++p) {
      const int pw = p ? w / 2 : w, ph = p ? h / 2 : h;
      for (int y = 0; y < ph; ++y)
        for (int x = 0; x < pw; ++x)
          img.planes[p][y * img.stride[p] + x] =
              static_cast<uint8_t>(p ? 100 + ((x * 3 + y + 2 * f) & 63) : (((x + 5 * f) / 12 + (y + f) / 10) & 1) * 140 + ((x ^ y) & 31));
    }
    if (f == 1) {
      EXPECT_EQ(vpx_codec_control(&codec, VP9E_SET_ROI_MAP, &roi), VPX_CODEC_OK);
    }
    if (vpx_codec_encode(&codec, &img, f, 1, 0, VPX_DL_REALTIME) != VPX_CODEC_OK) break;
    vpx_codec_iter_t it = nullptr;
    while (const vpx_codec_cx_pkt_t* pk = vpx_codec_get_cx_data(&codec, &it)) {
      if (pk->kind != VPX_CODEC_CX_FRAME_PKT) continue;
      const auto* d = static_cast<const uint8_t*>(pk->data.frame.buf);
      packets.emplace_back(d, d + pk->data.frame.sz);
    }
  }
  vpx_img_free(&img);
  vpx_codec_destroy(&codec);
  return packets;
}

TEST(SegmentFeatures, RoiMapWithQLfSkipAndRefFeaturesIsBitExact) {
  const auto packets = encode_roi(32);  // skip applies 20 frames after a key frame
  ASSERT_FALSE(packets.empty());
  // The stream must really use the features.
  bool skip = false, ref = false, lf = false;
  {
    PersistentHeaderState st;
    for (const auto& p : packets)
      for (const auto& [d, n] : split_superframe(p.data(), p.size())) {
        FrameHeader h = parse_uncompressed_header(d, n, st);
        for (int s = 0; s < 8; ++s) {
          skip |= h.seg.active(s, kSegSkip);
          ref |= h.seg.active(s, kSegRefFrame);
          lf |= h.seg.active(s, kSegAltLf);
        }
        for (int i = 0; i < 8; ++i)
          if ((h.refresh_frame_flags >> i) & 1) {
            st.slot_width[i] = h.width;
            st.slot_height[i] = h.height;
            st.slot_bit_depth[i] = 8;
            st.slot_subsampling_x[i] = st.slot_subsampling_y[i] = 1;
          }
      }
  }
  EXPECT_TRUE(skip);
  EXPECT_TRUE(ref);
  EXPECT_TRUE(lf);

  std::vector<std::string> expected, got;
  media::ReferenceDecoder refdec(media::Codec::kVP9, nullptr);
  for (size_t i = 0; i < packets.size(); ++i)
    refdec.decode(packets[i].data(), packets[i].size(), static_cast<int64_t>(i),
                  [&](media::Nv12Frame&& f) { expected.push_back(media::md5_hex(f)); });
  refdec.flush([&](media::Nv12Frame&& f) { expected.push_back(media::md5_hex(f)); });
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  Decoder dec(*backend);
  for (size_t i = 0; i < packets.size(); ++i)
    dec.decode(packets[i].data(), packets[i].size(), static_cast<int64_t>(i),
               [&](media::Nv12Frame&& f) { got.push_back(media::md5_hex(f)); });
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "frame " << i;
}

}  // namespace
}  // namespace daedalus::vp9

namespace daedalus::vp9 {
namespace {

std::vector<std::string> libavcodec_md5s(const std::vector<std::vector<uint8_t>>& packets) {
  std::vector<std::string> md5s;
  media::ReferenceDecoder ref(media::Codec::kVP9, nullptr);
  for (size_t i = 0; i < packets.size(); ++i)
    ref.decode(packets[i].data(), packets[i].size(), static_cast<int64_t>(i),
               [&](media::Nv12Frame&& f) { md5s.push_back(media::md5_hex(f)); });
  ref.flush([&](media::Nv12Frame&& f) { md5s.push_back(media::md5_hex(f)); });
  return md5s;
}

std::vector<std::string> stateless_md5s(const std::vector<std::vector<uint8_t>>& packets, uint32_t seed) {
  std::vector<std::span<const uint8_t>> spans;
  for (const auto& p : packets) spans.emplace_back(p.data(), p.size());
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  StatelessDecoder dec(*backend);
  test::Client client(*backend, dec, test::max_frame_size(spans), 10, seed);
  return test::run_client(client, spans);
}

TEST(Stateless, SvcIntraOnlyAndRoiStreamsAreBitExact) {
  for (const auto& packets : {encode_svc_with_intra_only(30), encode_roi(32)}) {
    ASSERT_FALSE(packets.empty());
    const auto expected = libavcodec_md5s(packets);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(stateless_md5s(packets, 0), expected);
    EXPECT_EQ(stateless_md5s(packets, 5), expected);
  }
}

// Every third frame updates no reference and no probability context
// (VP8_EFLAG_NO_UPD_*): refresh_frame_flags == 0 and refresh_frame_context
// == 0. That alone does not make a VP9 frame droppable: the next frames
// would start from a probability context the dropped frame saved, and the
// next frame predicts MVs from the previous *decoded* frame
// (use_prev_frame_mvs), so it must not depend on it. Error resilient mode
// (what RTC streams with droppable temporal layers use) rules out both.
std::vector<std::vector<uint8_t>> encode_with_non_reference_frames(int frames) {
  const int w = 208, h = 120;
  vpx_codec_enc_cfg_t cfg;
  EXPECT_EQ(vpx_codec_enc_config_default(vpx_codec_vp9_cx(), &cfg, 0), VPX_CODEC_OK);
  cfg.g_w = w;
  cfg.g_h = h;
  cfg.g_timebase = {1, 30};
  cfg.rc_target_bitrate = 300;
  cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
  cfg.g_lag_in_frames = 0;
  cfg.rc_end_usage = VPX_CBR;
  cfg.g_threads = 1;
  cfg.kf_max_dist = 1000;
  vpx_codec_ctx_t codec;
  if (vpx_codec_enc_init(&codec, vpx_codec_vp9_cx(), &cfg, 0) != VPX_CODEC_OK) return {};
  vpx_codec_control(&codec, VP8E_SET_CPUUSED, 6);
  vpx_image_t img;
  vpx_img_alloc(&img, VPX_IMG_FMT_I420, w, h, 1);
  std::vector<std::vector<uint8_t>> packets;
  for (int f = 0; f < frames; ++f) {
    for (int p = 0; p < 3; ++p) {
      const int pw = p ? w / 2 : w, ph = p ? h / 2 : h;
      for (int y = 0; y < ph; ++y)
        for (int x = 0; x < pw; ++x)
          img.planes[p][y * img.stride[p] + x] =
              static_cast<uint8_t>(p ? 120 + ((x + 2 * y + f) & 15) : (((x + 4 * f) / 10 + (y + 2 * f) / 14) & 1) * 150 + ((x * 3 + y) & 63));
    }
    const vpx_enc_frame_flags_t flags =
        f % 3 == 2 ? VP8_EFLAG_NO_UPD_LAST | VP8_EFLAG_NO_UPD_GF | VP8_EFLAG_NO_UPD_ARF | VP8_EFLAG_NO_UPD_ENTROPY : 0;
    if (vpx_codec_encode(&codec, &img, f, 1, flags, VPX_DL_REALTIME) != VPX_CODEC_OK) break;
    vpx_codec_iter_t it = nullptr;
    while (const vpx_codec_cx_pkt_t* pk = vpx_codec_get_cx_data(&codec, &it)) {
      if (pk->kind != VPX_CODEC_CX_FRAME_PKT) continue;
      const auto* d = static_cast<const uint8_t*>(pk->data.frame.buf);
      packets.emplace_back(d, d + pk->data.frame.sz);
    }
  }
  vpx_img_free(&img);
  vpx_codec_destroy(&codec);
  return packets;
}

TEST(Stateless, DroppedNonReferenceFramesLeaveTheRestBitExact) {
  const auto packets = encode_with_non_reference_frames(24);
  ASSERT_FALSE(packets.empty());
  std::vector<size_t> droppable;
  {
    PersistentHeaderState st;
    for (size_t i = 0; i < packets.size(); ++i) {
      const auto frames = split_superframe(packets[i].data(), packets[i].size());
      ASSERT_EQ(frames.size(), 1u);
      FrameHeader h = parse_uncompressed_header(frames[0].first, frames[0].second, st);
      for (int s = 0; s < 8; ++s)
        if ((h.refresh_frame_flags >> s) & 1) {
          st.slot_width[s] = h.width;
          st.slot_height[s] = h.height;
          st.slot_bit_depth[s] = 8;
          st.slot_subsampling_x[s] = st.slot_subsampling_y[s] = 1;
        }
      // The frame after a dropped one must not depend on it.
      if (i > 0 && !droppable.empty() && droppable.back() == i - 1 && !h.error_resilient && !h.intra_frame())
        droppable.pop_back();
      if (h.refresh_frame_flags == 0 && !h.refresh_frame_context && h.show_frame && i + 1 < packets.size())
        droppable.push_back(i);
    }
  }
  ASSERT_GE(droppable.size(), 4u) << "the encoder made no non-reference frames";
  // Drop one, then every second one: what a client under load does.
  std::vector<std::vector<size_t>> drop_sets = {{}, {droppable[1]}, {}};  // none, one, every second
  for (size_t k = 0; k < droppable.size(); k += 2) drop_sets[2].push_back(droppable[k]);
  for (const auto& drop : drop_sets) {
    std::vector<std::vector<uint8_t>> kept;
    for (size_t i = 0; i < packets.size(); ++i)
      if (std::find(drop.begin(), drop.end(), i) == drop.end()) kept.push_back(packets[i]);
    SCOPED_TRACE(drop.size());
    std::vector<std::string> expected;
    ASSERT_NO_THROW(expected = libavcodec_md5s(kept)) << "libavcodec";
    ASSERT_EQ(expected.size(), packets.size() - drop.size());
    EXPECT_EQ(stateless_md5s(kept, 0), expected) << drop.size() << " dropped";
    EXPECT_EQ(stateless_md5s(kept, 11), expected) << drop.size() << " dropped, scrambled buffers";
  }
}

}  // namespace
}  // namespace daedalus::vp9
