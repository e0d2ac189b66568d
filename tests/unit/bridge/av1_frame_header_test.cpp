// SPDX-License-Identifier: MIT
// The AV1 frame header the daemon writes back from v4l2_ctrl_av1_frame must
// decode to the very frames of the encoder's own headers (controls filled
// from reference parsers: av1_controls.h).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <linux/v4l2-controls.h>

#include "av1_controls.h"
#include "av1_frame_header.h"
#include "av1_headers.h"
#include "daedalus/error.h"
#include "picture_decoder.h"
#include "test_util.h"

using namespace daedalus;
using namespace daedalus::bridge;
using namespace daedalus::bridge::test;

namespace {

// Writes a value a client may send but the enum does not name, as raw
// bytes: assigning it through the enum type would be undefined.
template <class E>
void set_raw(E& field, uint32_t value) {
  static_assert(sizeof(E) == sizeof(value));
  std::memcpy(&field, &value, sizeof value);
}

// Synthesises every request's OBUs and decodes them (a) with dav1d, every
// frame, and (b) through the daemon's PictureDecoder, the shown frames.
void expect_synthesised_decodes_identically(const Av1Clip& clip) {
  Av1ReferenceState state;
  Dav1d dec;
  PictureDecoder pd(media::Codec::kAV1);
  const auto seq_obu = build_av1_sequence_header_obu(clip.seq);
  std::vector<std::string> shown;
  std::vector<std::string> want_shown;
  for (size_t i = 0; i < clip.requests.size(); ++i) {
    const Av1Request& r = clip.requests[i];
    std::vector<uint8_t> tu = seq_obu;
    const auto obus = build_av1_frame_obus(clip.seq, r.frame, &r.film_grain, r.tiles, r.data, state);
    tu.insert(tu.end(), obus.begin(), obus.end());
    ASSERT_NO_THROW(dec.decode(tu)) << "frame " << i;
    ASSERT_EQ(dec.frames.size(), i + 1) << "frame " << i << " gave no picture";
    EXPECT_EQ(dec.frames[i].md5, clip.want[i]) << "frame " << i;
    const auto pic = pd.decode(tu);
    if (r.frame.flags & V4L2_AV1_FRAME_FLAG_SHOW_FRAME) {
      ASSERT_NE(pic, nullptr) << "frame " << i;
      shown.push_back(cropped_md5(pic->planar(), pic->width(), pic->height()));
      want_shown.push_back(clip.want[i]);
    }
  }
  EXPECT_EQ(shown, want_shown);
}

struct ClipCase {
  const char* name;
  const char* source;  // lavfi filter graph after testsrc2 at 640x480
  int frames;
  const char* encoder;  // "ffmpeg <args>" or "aomenc <args>"
};

int make_case_clip(const ClipCase& c, const std::string& out) {
  const std::string source = fmt::format(
      "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=640x480:rate=25 -frames:v {} -vf '{}' -pix_fmt yuv420p",
      c.frames, c.source);
  const std::string enc = c.encoder;
  std::string cmd;
  if (enc.rfind("aomenc ", 0) == 0)
    cmd = fmt::format("{} -f yuv4mpegpipe - | aomenc -q --passes=1 --limit={} {} --ivf -o '{}' -", source, c.frames,
                      enc.substr(7), out);
  else
    cmd = fmt::format("{} {} '{}'", source, enc.substr(7), out);
  return std::system(cmd.c_str());
}

class Av1FrameHeader : public ::testing::TestWithParam<ClipCase> {};

}  // namespace

TEST_P(Av1FrameHeader, SynthesisedFromControlsDecodesIdentically) {
  const ClipCase& c = GetParam();
  TempDir dir;
  const auto path = dir.file("clip.ivf");
  ASSERT_EQ(make_case_clip(c, path), 0);
  Av1Clip clip;
  ASSERT_NO_THROW(clip = load_av1_clip(path));
  ASSERT_GE(clip.requests.size(), static_cast<size_t>(c.frames));
  expect_synthesised_decodes_identically(clip);
}

// libaom: alt-refs (hidden frames shown again later) and a key frame in
// the middle (-g), uniform and uneven tiles, delta q, a panning and
// rotating picture with adaptive quantisation (segmentation) and film
// grain, superres with a downscaled frame size (frame size override,
// render size) and loop restoration; SVT-AV1 for another encoder's choices.
INSTANTIATE_TEST_SUITE_P(
    Clips, Av1FrameHeader,
    ::testing::Values(
        ClipCase{"aom_tiles", "scale=352:288", 24,
                 "ffmpeg -c:v libaom-av1 -cpu-used 8 -g 12 -tile-columns 1 -tile-rows 1 -b:v 300k"},
        ClipCase{"aom_slow_odd", "scale=208:120", 10, "ffmpeg -c:v libaom-av1 -cpu-used 4 -g 6 -b:v 150k"},
        ClipCase{"aom_uneven_tiles", "scale=720:144", 8,
                 "ffmpeg -c:v libaom-av1 -cpu-used 6 -b:v 200k -aom-params tile-width=3,8:tile-height=1,2"},
        ClipCase{"aom_segments_grain", "crop=352:288:x=t*200:y=t*100,rotate=t*0.2", 8,
                 "ffmpeg -c:v libaom-av1 -cpu-used 5 -b:v 300k -aq-mode 1 -aom-params denoise-noise-level=20"},
        ClipCase{"aom_superres_resize", "crop=352:288:x=t*200:y=t*100,rotate=t*0.2", 8,
                 "aomenc --cpu-used=5 --target-bitrate=300 --enable-restoration=1 --superres-mode=1 "
                 "--superres-denominator=12 --resize-mode=1 --resize-denominator=10"},
        ClipCase{"svt", "scale=352:288", 16, "ffmpeg -c:v libsvtav1 -preset 10 -g 8"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Av1FrameHeaderErrors, MalformedControlsAreRefused) {
  TempDir dir;
  const auto path = dir.file("clip.ivf");
  ASSERT_EQ(make_case_clip({"errors", "scale=352:288", 2, "ffmpeg -c:v libaom-av1 -cpu-used 8 -tile-columns 1 -b:v 300k"},
                           path),
            0);
  const Av1Clip clip = load_av1_clip(path);
  ASSERT_GE(clip.requests.size(), 2u);
  Av1ReferenceState state;
  // The key frame as it is builds; each mutation must fail with "av1: ..."
  const Av1Request& key = clip.requests[0];
  ASSERT_NO_THROW(build_av1_frame_obus(clip.seq, key.frame, nullptr, key.tiles, key.data, state));
  auto refused = [&](const char* what, auto mutate) {
    Av1Request r = clip.requests[1];
    v4l2_ctrl_av1_sequence seq = clip.seq;
    mutate(r, seq);
    Av1ReferenceState s = state;
    try {
      build_av1_frame_obus(seq, r.frame, nullptr, r.tiles, r.data, s);
      ADD_FAILURE() << what << ": accepted";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("av1: ", 0), 0u) << what << ": " << e.what();
      EXPECT_EQ(std::memcmp(&s, &state, sizeof(s)), 0) << what << ": state changed by a refused frame";
    }
  };
  using R = Av1Request&;
  using S = v4l2_ctrl_av1_sequence&;
  refused("no tiles", [](R r, S) { r.tiles.clear(); });
  refused("tile past the data", [](R r, S) { r.tiles.back().tile_size += 1; });
  refused("tile offset past the data", [](R r, S) { r.tiles[0].tile_offset = 0xffffffffu; });
  refused("tile twice", [](R r, S) { r.tiles[1] = r.tiles[0]; });
  refused("tile outside the grid", [](R r, S) { r.tiles[0].tile_col = 64; });
  refused("frame_type", [](R r, S) { set_raw(r.frame.frame_type, 9); });
  refused("ref_frame_idx", [](R r, S) { r.frame.ref_frame_idx[3] = 8; });
  refused("negative ref_frame_idx", [](R r, S) { r.frame.ref_frame_idx[0] = -1; });
  refused("primary_ref_frame", [](R r, S) { r.frame.primary_ref_frame = 9; });
  refused("tile_cols 0", [](R r, S) { r.frame.tile_info.tile_cols = 0; });
  refused("tile_cols 200", [](R r, S) { r.frame.tile_info.tile_cols = 200; });
  refused("tile_size_bytes", [](R r, S) { r.frame.tile_info.tile_size_bytes = 7; });
  refused("interpolation_filter", [](R r, S) { set_raw(r.frame.interpolation_filter, 5); });
  refused("frame wider than the sequence", [](R r, S) { r.frame.frame_width_minus_1 = 4000; });
  refused("size differs without override", [](R r, S) {
    r.frame.flags &= ~V4L2_AV1_FRAME_FLAG_FRAME_SIZE_OVERRIDE;
    r.frame.frame_width_minus_1 -= 16;
  });
  refused("superres not enabled", [](R r, S) { r.frame.flags |= V4L2_AV1_FRAME_FLAG_USE_SUPERRES; });
  refused("order_hint too wide", [](R r, S s) { r.frame.order_hint = 1u << s.order_hint_bits; });
  refused("cdef strength", [](R r, S) { r.frame.cdef.y_sec_strength[0] = 5; });
  refused("loop filter level", [](R r, S) { r.frame.loop_filter.level[0] = 64; });
  refused("gm type", [](R r, S) { set_raw(r.frame.global_motion.type[1], 4); });
  refused("gm param not representable", [](R r, S) {
    r.frame.global_motion.type[1] = V4L2_AV1_WARP_MODEL_TRANSLATION;
    r.frame.global_motion.params[1][0] = 1;  // below the translation precision
  });
  refused("film grain without control", [](R r, S s) {
    s.flags |= V4L2_AV1_SEQUENCE_FLAG_FILM_GRAIN_PARAMS_PRESENT;
    r.frame.flags |= V4L2_AV1_FRAME_FLAG_SHOW_FRAME;
  });
}
