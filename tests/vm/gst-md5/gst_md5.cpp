// SPDX-License-Identifier: MIT
//
// daedalus-gst-md5: per-frame NV12 md5s of GStreamer output, checked against
// libavcodec's (`ffmpeg -pix_fmt nv12 -f framemd5`, made on the host), for
// the QEMU guest tests (tests/vm/daemon/run-daemon-tests.sh).
//
//   daedalus-gst-md5 --decoder v4l2slvp9dec CLIP...
//       decodes each CLIP in turn in this one process (filesrc ! parsebin !
//       DECODER ! NV12 ! fakesink) and compares every frame with
//       CLIP.framemd5. One "PASS|FAIL|SKIP CLIP: reason" line per clip.
//       --retry-deadline: a clip that GStreamer's one-second request
//       deadline ended, with every frame so far bit-exact, is decoded once
//       more (and reported so); for the emulated guest.
//       --deadline-skips: such a clip is a SKIP (with its frame count),
//       not a FAIL; a wrong frame still fails.
//   daedalus-gst-md5 --raw FILE --expect FRAMEMD5 [--prefix]
//       FILE is what `... ! video/x-raw,format=NV12 ! filesink` wrote
//       (GStreamer's default NV12 layout); compares its frames likewise.
//       --prefix: FILE may hold fewer frames than FRAMEMD5 (a stream that
//       ended in an error); each frame it holds must be the reference's
//       frame of the same number.
//
// Frames are hashed as ffmpeg's framemd5 packs them (no padding): each row
// cropped to the visible width, each plane at the offset and stride of the
// buffer's GstVideoMeta (v4l2codecs' buffers carry one), so padding can
// neither hide nor fake a difference.
//
// Why a program and not a shell loop of gst-launch + ffmpeg: in the TCG
// guest (KASAN kernel, emulated CPU) starting ffmpeg or ffprobe takes 15-25
// seconds and any fork about half a second, so the per-clip cost of the
// shell version dwarfed the decoding. Here GStreamer's plugins load once,
// the frames are hashed in memory, and no raw file is written.
//
// Exit status: 0 when every clip passed (or was skipped), 1 otherwise.
#include <gst/gst.h>
#include <gst/video/video.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

// A framemd5 file: per frame its size in bytes and its md5 ('#' lines skipped).
struct FrameMd5s {
  std::vector<std::string> md5s;
  std::vector<long> sizes;
};

std::optional<FrameMd5s> read_framemd5(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  FrameMd5s f;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    // stream, dts, pts, duration, size, md5
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) {
      c.erase(0, c.find_first_not_of(' '));
      c.erase(c.find_last_not_of(" \r") + 1);
      cols.push_back(c);
    }
    if (cols.size() < 2) continue;
    f.md5s.push_back(cols.back());
    f.sizes.push_back(std::atol(cols[cols.size() - 2].c_str()));
  }
  return f;
}

// md5 of an NV12 frame as ffmpeg's rawvideo packs it: w luma bytes per row,
// then 2 * ceil(w / 2) CbCr bytes per chroma row, each plane read with its
// own offset and stride, so padding takes no part in it.
std::string frame_md5(const uint8_t* y, int y_stride, const uint8_t* uv, int uv_stride, int w, int h) {
  GChecksum* sum = g_checksum_new(G_CHECKSUM_MD5);
  for (int r = 0; r < h; r++) g_checksum_update(sum, y + static_cast<ptrdiff_t>(r) * y_stride, w);
  const gssize uv_bytes = 2 * ((w + 1) / 2);
  for (int r = 0; r < (h + 1) / 2; r++) g_checksum_update(sum, uv + static_cast<ptrdiff_t>(r) * uv_stride, uv_bytes);
  std::string md5 = g_checksum_get_string(sum);
  g_checksum_free(sum);
  return md5;
}

// Compares what was decoded with what libavcodec made; "" when equal.
std::string compare(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  size_t n = std::min(want.size(), got.size());
  for (size_t i = 0; i < n; i++)
    if (want[i] != got[i])
      return "frame " + std::to_string(i) + " differs (" + std::to_string(got.size()) + " frames vs libavcodec " +
             std::to_string(want.size()) + ")";
  if (want.size() != got.size())
    return std::to_string(got.size()) + " frames vs libavcodec " + std::to_string(want.size());
  if (want.empty()) return "no frames";
  return "";
}

std::string basename_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// --- one clip through a pipeline ---------------------------------------------

struct Sink {
  std::vector<std::string> md5s;
  std::string error;  // first per-frame problem (caps, layout)
  int width = 0, height = 0;
};

// The frame through GstVideoFrame, which takes each plane's offset and
// stride from the buffer's GstVideoMeta when it has one (v4l2codecs' output
// does) and from the caps' default layout otherwise.
void on_handoff(GstElement*, GstBuffer* buf, GstPad* pad, gpointer data) {
  auto* sink = static_cast<Sink*>(data);
  if (!sink->error.empty()) return;
  GstCaps* caps = gst_pad_get_current_caps(pad);
  GstVideoInfo info;
  const bool have_info = caps && gst_video_info_from_caps(&info, caps);
  if (caps) gst_caps_unref(caps);
  if (!have_info || GST_VIDEO_INFO_FORMAT(&info) != GST_VIDEO_FORMAT_NV12) {
    sink->error = "decoded buffer without NV12 video caps";
    return;
  }
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &info, buf, GST_MAP_READ)) {
    sink->error = "cannot map a decoded buffer as an NV12 frame (layout larger than the buffer?)";
    return;
  }
  // The picture's size is the caps'. A GstVideoMeta may describe the whole
  // CAPTURE buffer (v4l2codecs' zero-copy buffers: 64x48 for a 63x47
  // picture), and gst_video_frame_map() then reports the meta's size.
  sink->width = GST_VIDEO_INFO_WIDTH(&info);
  sink->height = GST_VIDEO_INFO_HEIGHT(&info);
  sink->md5s.push_back(frame_md5(static_cast<const uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                                 GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0),
                                 static_cast<const uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 1)),
                                 GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 1), sink->width, sink->height));
  gst_video_frame_unmap(&frame);
}

// Runs PIPELINE (its fakesink named "sink") to EOS; "" or the error.
std::string run_pipeline(const std::string& description, Sink& sink, int timeout_s) {
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &err);
  if (!pipeline || err) {
    std::string msg = err ? err->message : "gst_parse_launch failed";
    if (err) g_error_free(err);
    if (pipeline) gst_object_unref(pipeline);
    return msg;
  }
  GstElement* fakesink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  g_object_set(fakesink, "signal-handoffs", TRUE, "sync", FALSE, nullptr);
  g_signal_connect(fakesink, "handoff", G_CALLBACK(on_handoff), &sink);
  gst_object_unref(fakesink);

  std::string result;
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) result = "cannot start the pipeline";
  GstBus* bus = gst_element_get_bus(pipeline);
  while (result.empty()) {
    GstMessage* msg = gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(timeout_s) * GST_SECOND,
                                                 static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    if (!msg) {
      result = "no end of stream within " + std::to_string(timeout_s) + " s";
      break;
    }
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      GError* e = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_error(msg, &e, &dbg);
      result = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg))) + ": " + (e ? e->message : "error");
      if (e) g_error_free(e);
      g_free(dbg);
    }
    bool eos = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
    gst_message_unref(msg);
    if (eos) break;
  }
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  if (result.empty() && !sink.error.empty()) result = sink.error;
  return result;
}

// GStreamer's pipeline syntax quotes a location with double quotes.
std::string quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

// v4l2codecs' errors when a request is not done within its one second
// (gst_v4l2_request_set_done() polls the request for GST_SECOND): the
// decoder was slow, not wrong.
bool is_request_deadline(const std::string& err) {
  return err.find("Decoding frame took too long") != std::string::npos ||
         err.find("Not enough memory to decode") != std::string::npos;
}

// Every frame GStreamer output so far is the reference's.
bool prefix_bit_exact(const FrameMd5s& want, const Sink& sink) {
  return sink.md5s.size() <= want.md5s.size() && std::equal(sink.md5s.begin(), sink.md5s.end(), want.md5s.begin());
}

int decode_clips(const std::string& decoder, const std::vector<std::string>& clips, int timeout_s,
                 bool retry_deadline, bool deadline_skips) {
  int failed = 0;
  for (const auto& clip : clips) {
    std::string name = basename_of(clip);
    auto want = read_framemd5(clip + ".framemd5");
    if (!want) {
      std::printf("SKIP %s: no %s.framemd5\n", name.c_str(), name.c_str());
      std::fflush(stdout);
      continue;
    }
    Sink sink;
    gint64 t0 = g_get_monotonic_time();
    const std::string description =
        "filesrc location=" + quoted(clip) + " ! parsebin ! " + decoder + " ! video/x-raw,format=NV12 ! fakesink name=sink";
    std::string err = run_pipeline(description, sink, timeout_s);
    std::string retried;
    // Once more when GStreamer's request deadline ended the clip and every
    // frame it had output was right: under emulation a frame's time varies
    // by up to 2x from run to run. The second attempt must pass on its own.
    if (retry_deadline && is_request_deadline(err) && prefix_bit_exact(*want, sink)) {
      retried = "; second attempt: the first ended at frame " + std::to_string(sink.md5s.size()) + " (" + err +
                "), its frames bit-exact";
      sink = Sink{};
      err = run_pipeline(description, sink, timeout_s);
    }
    long ms = static_cast<long>((g_get_monotonic_time() - t0) / 1000);
    std::string diff = err.empty() ? compare(want->md5s, sink.md5s) : err;
    // Only the deadline ended it, and nothing it output was wrong: the
    // decoder was too slow for GStreamer here, which --deadline-skips
    // reports as such instead of as a failure.
    if (deadline_skips && is_request_deadline(err) && prefix_bit_exact(*want, sink)) {
      std::printf("SKIP %s: GStreamer's one-second request deadline ended it after %zu frames (%s), all of them "
                  "bit-exact (%ld ms%s)\n",
                  name.c_str(), sink.md5s.size(), err.c_str(), ms, retried.c_str());
      std::fflush(stdout);
      continue;
    }
    // GStreamer 1.22's GstVp9Decoder drops every frame after a resolution
    // change on a non-key frame (v4l2slvp9dec does not declare support for
    // it) until the next key frame. A clip that GStreamer stops playing
    // there is not one it plays: skipped, its frames before that checked.
    size_t got = sink.md5s.size();
    if (err.empty() && !diff.empty() && got > 0 && got < want->md5s.size() &&
        want->sizes[got] != want->sizes[got - 1] &&
        std::equal(sink.md5s.begin(), sink.md5s.end(), want->md5s.begin())) {
      std::printf("SKIP %s: GStreamer ends it at frame %zu, a resolution change on a non-key frame "
                  "(GstVp9Decoder drops frames from there to the next key frame); frames 0-%zu bit-exact (%ld ms)\n",
                  name.c_str(), got, got - 1, ms);
      std::fflush(stdout);
      continue;
    }
    if (diff.empty()) {
      std::printf("PASS %s: %zu frames bit-exact (%s %dx%d, %ld ms%s)\n", name.c_str(), sink.md5s.size(),
                  decoder.c_str(), sink.width, sink.height, ms, retried.c_str());
    } else {
      std::printf("FAIL %s: %s (%zu frames decoded, %ld ms%s)\n", name.c_str(), diff.c_str(), sink.md5s.size(), ms,
                  retried.c_str());
      failed++;
    }
    std::fflush(stdout);
  }
  return failed ? 1 : 0;
}

// --- a raw NV12 file that gst-launch wrote -------------------------------------

// "#dimensions 0: WxH" of a framemd5 header.
bool framemd5_dims(const std::string& path, int& w, int& h) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (std::sscanf(line.c_str(), "#dimensions 0: %dx%d", &w, &h) == 2) return true;
  return false;
}

int check_raw(const std::string& file, const std::string& framemd5, bool prefix) {
  auto want = read_framemd5(framemd5);
  int w = 0, h = 0;
  if (!want || !framemd5_dims(framemd5, w, h)) {
    std::printf("cannot read %s (md5s and #dimensions)\n", framemd5.c_str());
    return 1;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::printf("cannot open %s\n", file.c_str());
    return 1;
  }
  // GStreamer's default NV12 layout, what filesink writes (no GstVideoMeta).
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12, static_cast<guint>(w), static_cast<guint>(h));
  std::vector<uint8_t> frame(GST_VIDEO_INFO_SIZE(&info));
  std::vector<std::string> got;
  // Frames of nothing but zero bytes: CAPTURE memory no decode wrote (vb2
  // hands out zeroed buffers), shown by a client as if decoded.
  size_t zero_frames = 0;
  while (in.read(reinterpret_cast<char*>(frame.data()), static_cast<std::streamsize>(frame.size()))) {
    got.push_back(frame_md5(frame.data() + GST_VIDEO_INFO_PLANE_OFFSET(&info, 0), GST_VIDEO_INFO_PLANE_STRIDE(&info, 0),
                            frame.data() + GST_VIDEO_INFO_PLANE_OFFSET(&info, 1), GST_VIDEO_INFO_PLANE_STRIDE(&info, 1),
                            w, h));
    zero_frames += std::all_of(frame.begin(), frame.end(), [](uint8_t b) { return b == 0; });
  }
  const std::string zeros =
      zero_frames ? "; " + std::to_string(zero_frames) + " written frame(s) all zero bytes" : std::string();
  if (in.gcount() != 0) {
    std::printf("%s ends with a partial %dx%d frame (%ld bytes)\n", file.c_str(), w, h, static_cast<long>(in.gcount()));
    return 1;
  }
  if (prefix && got.size() < want->md5s.size()) {
    const auto bad = std::mismatch(got.begin(), got.end(), want->md5s.begin());
    if (bad.first != got.end()) {
      std::printf("frame %ld differs (of the %zu frames written, libavcodec has %zu%s)\n",
                  static_cast<long>(bad.first - got.begin()), got.size(), want->md5s.size(), zeros.c_str());
      return 1;
    }
    std::printf("%zu of %zu frames written, all bit-exact (%dx%d)\n", got.size(), want->md5s.size(), w, h);
    return 0;
  }
  std::string diff = compare(want->md5s, got);
  if (!diff.empty()) {
    std::printf("%s (%dx%d%s)\n", diff.c_str(), w, h, zeros.c_str());
    return 1;
  }
  std::printf("%zu frames bit-exact (%dx%d)\n", got.size(), w, h);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"daedalus-gst-md5: GStreamer's NV12 output, frame by frame, vs a host-made framemd5"};
  std::string decoder = "v4l2slvp9dec", raw, expect;
  int timeout_s = 300;
  std::vector<std::string> clips;
  app.add_option("clips", clips, "clips to decode one after another; each needs CLIP.framemd5 beside it");
  app.add_option("--decoder", decoder, "GStreamer element(s) between parsebin and the NV12 caps")->capture_default_str();
  app.add_option("--timeout", timeout_s, "seconds to wait for a clip's end of stream")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  bool retry_deadline = false;
  app.add_flag("--retry-deadline", retry_deadline,
               "decode a clip once more when GStreamer's one-second request deadline ended it and its frames so far "
               "were bit-exact (slow emulated CPUs)");
  bool deadline_skips = false;
  app.add_flag("--deadline-skips", deadline_skips,
               "report a clip that only GStreamer's request deadline ended, its frames so far bit-exact, as SKIP "
               "rather than FAIL (slow emulated CPUs)");
  app.add_option("--raw", raw, "check this NV12 file (what gst-launch's filesink wrote) instead of decoding");
  app.add_option("--expect", expect, "the framemd5 for --raw")->needs(app.get_option("--raw"));
  bool prefix = false;
  app.add_flag("--prefix", prefix,
               "--raw: the file may end before the reference (a stream that failed); its frames must still match")
      ->needs(app.get_option("--raw"));
  CLI11_PARSE(app, argc, argv);
  if (!raw.empty()) {
    if (expect.empty()) {
      std::fprintf(stderr, "--raw needs --expect FRAMEMD5\n");
      return 2;
    }
    return check_raw(raw, expect, prefix);
  }
  if (clips.empty()) {
    std::fprintf(stderr, "%s", app.help().c_str());
    return 2;
  }
  gst_init(nullptr, nullptr);
  return decode_clips(decoder, clips, timeout_s, retry_deadline, deadline_skips);
}
