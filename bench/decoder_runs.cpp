// SPDX-License-Identifier: MIT
#include "decoder_runs.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <tuple>
#include <memory>

#include <fmt/format.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>

extern "C" {
#include <libavcodec/avcodec.h>
}

#include "av_error.h"
#include "daedalus/dispatch/thread_cpu.h"
#include "daedalus/error.h"
#include "decoder_factory.h"
#include "nv12_frame.h"
#include "reference_decoder.h"
#include "stateless_client.h"
#include "stateless_decoder.h"
#include "timing_profile.h"

namespace daedalus::bench {

namespace {

using Clock = std::chrono::steady_clock;
DecodeHooks g_hooks;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

struct Lap {
  double wall_ms = 0, thread_cpu_ms = 0, decoder_cpu_ms = 0;
};

// Measures decoder time (wall, this thread's CPU time and the decoder's
// threads' CPU time) while letting the caller pause it for work that is not
// decoding (NV12 conversion, md5) done inside a callback.
class Stopwatch {
 public:
  explicit Stopwatch(double (*decoder_cpu)()) : decoder_cpu_(decoder_cpu) {}
  void start() {
    t0_ = Clock::now();
    c0_ = dispatch::this_thread_cpu_ms();
    d0_ = decoder_cpu_();
    running_ = true;
  }
  void pause() {
    if (!running_) return;
    acc_.wall_ms += ms_since(t0_);
    acc_.thread_cpu_ms += dispatch::this_thread_cpu_ms() - c0_;
    acc_.decoder_cpu_ms += decoder_cpu_() - d0_;
    running_ = false;
    if (g_hooks.pause) g_hooks.pause();
  }
  void resume() {
    if (g_hooks.resume) g_hooks.resume();
    start();
  }
  // Returns the time since start() without the pauses, and resets.
  Lap stop() {
    pause();
    const Lap r = acc_;
    acc_ = {};
    return r;
  }

 private:
  double (*decoder_cpu_)();
  Clock::time_point t0_;
  double c0_ = 0, d0_ = 0;
  Lap acc_;
  bool running_ = false;
};

// One pass over the clip with one decoder instance.
class Pass {
 public:
  virtual ~Pass() = default;
  // Decodes one packet; calls out() for every frame, with the stopwatch paused.
  virtual void decode(const media::Packet& pkt, Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) = 0;
  virtual void flush(Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) = 0;
  virtual std::vector<std::pair<std::string, double>> profile() const { return {}; }
  // The dispatches of the packet's frames, when the pass sees its backend.
  virtual std::vector<dispatch::DispatchRecord> dispatches() const { return {}; }
};

// libavcodec through its own API (not media::ReferenceDecoder) so that the
// AVFrame -> NV12 conversion stays outside the timed region. With frame
// threads a pass either converts its output (the pass that gives the md5s,
// not timed) or drops it at once (the timed passes): pausing the clock to
// convert would hide the decoding that goes on in the background meanwhile.
class AvcodecPass final : public Pass {
 public:
  AvcodecPass(const Clip& clip, const AVCodecParameters* params, int threads, bool drop_output)
      : drop_(drop_output) {
    const AVCodec* dec = avcodec_find_decoder_by_name("vp9");
    if (clip.codec != media::Codec::kVP9 || !dec) throw Error("libavcodec: only VP9 clips are benchmarked");
    ctx_ = avcodec_alloc_context3(dec);
    if (params) avcodec_parameters_to_context(ctx_, params);
    ctx_->thread_count = threads;
    int err = avcodec_open2(ctx_, dec, nullptr);
    if (err < 0) throw Error(fmt::format("libavcodec: cannot open vp9: {}", av_error_text(err)));
    frame_ = av_frame_alloc();
    pkt_ = av_packet_alloc();
  }
  ~AvcodecPass() override {
    av_packet_free(&pkt_);
    av_frame_free(&frame_);
    avcodec_free_context(&ctx_);
  }
  void decode(const media::Packet& p, Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) override {
    if (av_new_packet(pkt_, static_cast<int>(p.data.size())) < 0) throw Error("libavcodec: out of memory");
    sw.pause();
    std::memcpy(pkt_->data, p.data.data(), p.data.size());
    pkt_->pts = p.pts;
    sw.resume();
    int err = avcodec_send_packet(ctx_, pkt_);
    av_packet_unref(pkt_);
    if (err < 0 && err != AVERROR(EAGAIN)) throw Error(fmt::format("libavcodec: {}", av_error_text(err)));
    drain(sw, out);
  }
  void flush(Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) override {
    avcodec_send_packet(ctx_, nullptr);
    drain(sw, out);
  }

 private:
  void drain(Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) {
    while (avcodec_receive_frame(ctx_, frame_) == 0) {
      if (drop_) {
        av_frame_unref(frame_);
        continue;
      }
      sw.pause();
      out(media::to_nv12(*frame_));
      av_frame_unref(frame_);
      sw.resume();
    }
  }
  const bool drop_;
  AVCodecContext* ctx_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* pkt_ = nullptr;
};

class VpxPass final : public Pass {
 public:
  VpxPass(const Clip& clip, int threads) {
    if (clip.codec != media::Codec::kVP9) throw Error("libvpx: only VP9 clips are benchmarked");
    vpx_codec_dec_cfg_t cfg{};
    cfg.threads = static_cast<unsigned>(threads);
    cfg.w = static_cast<unsigned>(clip.width);
    cfg.h = static_cast<unsigned>(clip.height);
    if (vpx_codec_dec_init(&ctx_, vpx_codec_vp9_dx(), &cfg, 0) != VPX_CODEC_OK) {
      throw Error(fmt::format("libvpx: cannot init the VP9 decoder: {}", vpx_codec_error(&ctx_)));
    }
  }
  ~VpxPass() override { vpx_codec_destroy(&ctx_); }
  void decode(const media::Packet& p, Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) override {
    if (vpx_codec_decode(&ctx_, p.data.data(), static_cast<unsigned>(p.data.size()), nullptr, 0) != VPX_CODEC_OK) {
      throw Error(fmt::format("libvpx: {}", vpx_codec_error(&ctx_)));
    }
    drain(sw, out);
  }
  void flush(Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) override {
    vpx_codec_decode(&ctx_, nullptr, 0, nullptr, 0);
    drain(sw, out);
  }

 private:
  void drain(Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) {
    vpx_codec_iter_t iter = nullptr;
    while (vpx_image_t* img = vpx_codec_get_frame(&ctx_, &iter)) {
      sw.pause();
      out(to_nv12(*img));
      sw.resume();
    }
  }
  static media::Nv12Frame to_nv12(const vpx_image_t& img) {
    if (img.fmt != VPX_IMG_FMT_I420) throw Error("libvpx: only 8-bit 4:2:0 output is compared");
    media::Nv12Frame f;
    const int w = static_cast<int>(img.d_w), h = static_cast<int>(img.d_h);
    f.allocate(w, h);
    for (int y = 0; y < h; ++y) std::memcpy(&f.y[size_t(y) * w], img.planes[0] + size_t(y) * img.stride[0], w);
    const int cw = media::Nv12Frame::chroma_width(w), ch = media::Nv12Frame::chroma_height(h);
    for (int y = 0; y < ch; ++y) {
      const uint8_t* u = img.planes[1] + size_t(y) * img.stride[1];
      const uint8_t* v = img.planes[2] + size_t(y) * img.stride[2];
      uint8_t* d = &f.uv[size_t(y) * 2 * cw];
      for (int x = 0; x < cw; ++x) {
        d[2 * x] = u[x];
        d[2 * x + 1] = v[x];
      }
    }
    return f;
  }
  vpx_codec_ctx_t ctx_{};
};

// Our decoder, behind the same media::FrameDecoder the CLI uses.
class FrameDecoderPass final : public Pass {
 public:
  explicit FrameDecoderPass(std::unique_ptr<media::FrameDecoder> d) : dec_(std::move(d)) {}
  void decode(const media::Packet& p, Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) override {
    dec_->decode(p.data.data(), p.data.size(), p.pts, [&](media::Nv12Frame&& f) {
      sw.pause();
      out(std::move(f));
      sw.resume();
    });
  }
  void flush(Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) override {
    dec_->flush([&](media::Nv12Frame&& f) {
      sw.pause();
      out(std::move(f));
      sw.resume();
    });
  }
  std::vector<std::pair<std::string, double>> profile() const override { return dec_->last_profile(); }

 private:
  std::unique_ptr<media::FrameDecoder> dec_;
};

// Our decoder as the daemon runs it for a V4L2 stateless client:
// StatelessDecoder takes the controls a client (GStreamer's v4l2codecs)
// fills from its own header parse and decodes into CAPTURE buffers, which
// are NV12 surfaces of the backend's own memory made once (the daemon
// imports a CAPTURE dmabuf once and keeps the import) and are read back as
// references. The backend reserves its work buffers for the clip's largest
// frame first, as the daemon's prewarm does for its configured size
// (prewarm_vp9_backend). Only StatelessDecoder::decode is timed: the
// client's header parsing is the player's work, not the decoder's.
class StatelessPass final : public Pass {
 public:
  StatelessPass(const Clip& clip, dispatch::BackendKind kind, const dispatch::BackendOptions& options,
                unsigned entropy_threads)
      : backend_(dispatch::create_backend(kind, options)),
        decoder_(*backend_),
        client_(*backend_, decoder_, coded_size(clip), kCaptureBuffers, 0, vp9::test::CaptureMemory::kBackend) {
    if (entropy_threads) decoder_.set_entropy_threads(entropy_threads);
    const vp9::FrameSize largest = coded_size(clip);
    backend_->reserve(largest.width, largest.height);
  }
  void decode(const media::Packet& p, Stopwatch& sw, const std::function<void(media::Nv12Frame&&)>& out) override {
    sw.pause();
    const vp9::DecoderTiming before = decoder_.timing();
    dispatches_.clear();
    client_.around_decode = [&](bool begin) {
      if (begin) return sw.resume();
      sw.pause();
      const auto d = backend_->frame_dispatches();
      dispatches_.insert(dispatches_.end(), d.begin(), d.end());
    };
    const auto shown = client_.decode(std::span<const uint8_t>(p.data.data(), p.data.size()));
    client_.around_decode = nullptr;
    profile_ = vp9::timing_profile(before, decoder_.timing());
    for (const auto& s : shown) out(client_.frame(s));
  }
  // Of every frame of the packet (a superframe's hidden one too).
  std::vector<dispatch::DispatchRecord> dispatches() const override { return dispatches_; }
  void flush(Stopwatch&, const std::function<void(media::Nv12Frame&&)>&) override {}
  std::vector<std::pair<std::string, double>> profile() const override { return profile_; }

 private:
  // 8 reference slots, the frame being decoded and one being shown.
  static constexpr size_t kCaptureBuffers = 10;
  static vp9::FrameSize coded_size(const Clip& clip) {
    std::vector<std::span<const uint8_t>> spans;
    for (const auto& p : clip.packets) spans.emplace_back(p.data.data(), p.data.size());
    return vp9::test::max_frame_size(spans);
  }
  std::unique_ptr<dispatch::Backend> backend_;
  vp9::StatelessDecoder decoder_;
  vp9::test::Client client_;
  media::Profile profile_;
  std::vector<dispatch::DispatchRecord> dispatches_;
};

// Whether a VP9 packet's first frame is a key frame: its uncompressed
// header's first bits (frame_marker, profile, show_existing_frame,
// frame_type; VP9 spec 6.2).
bool vp9_starts_with_key_frame(const media::Packet& p) {
  if (p.data.empty()) return false;
  const unsigned b = p.data[0];
  if ((b >> 6) != 2) return false;
  const unsigned profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
  int bit = profile == 3 ? 2 : 3;  // bits after the marker and profile (and profile 3's reserved bit)
  if ((b >> bit) & 1) return false;  // show_existing_frame
  --bit;
  return ((b >> bit) & 1) == 0;      // frame_type 0: KEY_FRAME
}

void summarize_dispatches(const std::vector<dispatch::DispatchRecord>& records, FrameRecord& rec) {
  rec.dispatches.clear();
  rec.dispatch_levels = 0;
  // A packet's frames one after another: a level lower than the one before
  // starts the next frame, whose levels follow the earlier frame's.
  uint32_t frame_base = 0, last = 0;
  for (const auto& d : records) {
    if (d.level < last) frame_base += last + 1;
    last = d.level;
    auto it = std::find_if(rec.dispatches.begin(), rec.dispatches.end(),
                           [&](const DispatchTotals& t) { return t.pipeline == d.pipeline; });
    if (it == rec.dispatches.end()) it = rec.dispatches.insert(rec.dispatches.end(), DispatchTotals{std::string(d.pipeline)});
    it->dispatches++;
    it->groups += d.groups;
    it->batch_steps += uint64_t(d.groups) * ((d.invocations_per_group + 15) / 16) * d.steps;
    it->loop_trips.resize(std::max<size_t>(it->loop_trips.size(), d.num_loop_trips));
    for (uint32_t l = 0; l < d.num_loop_trips; ++l) it->loop_trips[l] += d.loop_trips[l];
    rec.dispatch_levels = std::max(rec.dispatch_levels, frame_base + d.level + 1);
  }
}

// libavcodec with frame threads: a decode call returns before its frame is
// decoded, so only the whole clip's time means anything.
bool frame_threaded(const DecoderSpec& spec) { return spec.decoder == "libavcodec" && spec.threads > 1; }

std::unique_ptr<Pass> make_pass(const DecoderSpec& spec, const Clip& clip, const media::Demuxer& demuxer,
                                bool drop_output) {
  if (spec.decoder == "libavcodec")
    return std::make_unique<AvcodecPass>(clip, demuxer.codec_parameters(), spec.threads, drop_output);
  if (spec.decoder == "libvpx") return std::make_unique<VpxPass>(clip, spec.threads);
  if (spec.decoder == "daedalus") {
    auto backend = spec.backend == "vulkan" ? dispatch::BackendKind::kVulkan : dispatch::BackendKind::kCpu;
    if (spec.stateless) {
      if (clip.codec != media::Codec::kVP9) throw Error("daedalus stateless: only VP9 clips are benchmarked");
      dispatch::BackendOptions options = spec.settings.backend;
      if (spec.backend == "cpu") options.cpu_threads = unsigned(spec.threads);
      return std::make_unique<StatelessPass>(clip, backend, options, spec.settings.entropy_threads);
    }
    // daedalus-cpu is the 1-thread run, daedalus-cpu-mt uses every core,
    // like libavcodec-1t / -mt.
    tools::DaedalusOptions options{.backend = spec.settings.backend, .entropy_threads = spec.settings.entropy_threads};
    // Entropy decoding of tile columns too: the 1-thread run is one thread.
    if (spec.backend == "cpu") options.backend.cpu_threads = options.entropy_threads = unsigned(spec.threads);
    auto dec = tools::make_decoder(tools::DecoderKind::kDaedalus, backend, demuxer, 1, options);
    return std::make_unique<FrameDecoderPass>(std::move(dec));
  }
  throw Error(fmt::format("bench: unknown decoder {}", spec.decoder));
}

}  // namespace

void set_decode_hooks(DecodeHooks hooks) { g_hooks = std::move(hooks); }

Clip load_clip(const std::string& name, const std::string& path, long max_packets) {
  media::Demuxer demuxer(path);
  Clip clip;
  clip.name = name;
  clip.path = path;
  clip.codec = demuxer.codec();
  clip.width = demuxer.width();
  clip.height = demuxer.height();
  media::Packet pkt;
  while ((max_packets < 0 || static_cast<long>(clip.packets.size()) < max_packets) && demuxer.read(pkt)) {
    clip.packets.push_back(std::move(pkt));
    pkt = {};
  }
  if (clip.packets.empty()) throw Error(fmt::format("{}: no packets", path));
  return clip;
}

std::vector<DecoderSpec> default_decoders(int all_threads) {
  return {
      {"libavcodec-1t", "libavcodec", "1 thread", 1, ""},
      {"libavcodec-mt", "libavcodec", fmt::format("{} threads", all_threads), all_threads, ""},
      {"libvpx-1t", "libvpx", "1 thread", 1, ""},
      {"libvpx-mt", "libvpx", fmt::format("{} threads", all_threads), all_threads, ""},
      {"daedalus-cpu", "daedalus", "CPU backend, 1 thread", 1, "cpu"},
      {"daedalus-cpu-mt", "daedalus", fmt::format("CPU backend, {} threads", all_threads), all_threads, "cpu"},
      {"daedalus-vulkan", "daedalus", "Vulkan backend", 1, "vulkan"},
      {"daedalus-vulkan-stateless", "daedalus", "Vulkan backend, stateless (as the daemon)", 1, "vulkan", -1, true},
      {"daedalus-cpu-stateless", "daedalus", "CPU backend, 1 thread, stateless (as the daemon)", 1, "cpu", -1, true,
       true},
  };
}

RunResult run_decoder(const DecoderSpec& spec, const Clip& clip, int repeat, const StepFn& step) {
  RunResult best;
  best.spec = spec;
  // The demuxer only supplies codec parameters; the packets are in memory.
  media::Demuxer demuxer(clip.path);
  // A frame-threaded run's first pass only gives the md5s (see AvcodecPass).
  const bool whole_clip = frame_threaded(spec);
  std::vector<std::string> md5;
  const int passes = std::max(1, repeat) + (whole_clip ? 1 : 0);
  for (int r = 0; r < passes; ++r) {
    RunResult cur;
    cur.spec = spec;
    cur.end_to_end = whole_clip;
    const bool drop = whole_clip && r > 0;
    std::unique_ptr<Pass> pass;
    try {
      pass = make_pass(spec, clip, demuxer, drop);
    } catch (const std::exception& e) {
      best.available = false;
      best.error = e.what();
      return best;
    }
    // Ours: the calling thread and the workers daedalus registers (its Vulkan
    // driver's threads left out); libavcodec, libvpx: the whole process.
    Stopwatch sw(spec.decoder == "daedalus" ? dispatch::decoder_threads_cpu_ms : dispatch::process_cpu_ms);
    auto out = [&](media::Nv12Frame&& f) {
      cur.md5.push_back(media::md5_hex(f));
      if (!cur.frames.empty()) ++cur.frames.back().shown;
    };
    const size_t npkt = spec.max_packets < 0 ? clip.packets.size()
                                             : std::min(clip.packets.size(), static_cast<size_t>(spec.max_packets));
    auto record = [](FrameRecord& rec, const Lap& lap) {
      rec.wall_ms += lap.wall_ms;
      rec.thread_cpu_ms += lap.thread_cpu_ms;
      rec.decoder_cpu_ms += lap.decoder_cpu_ms;
    };
    for (size_t i = 0; i < npkt; ++i) {
      cur.frames.emplace_back();
      FrameRecord& rec = cur.frames.back();
      rec.bytes = clip.packets[i].data.size();
      rec.key = clip.codec == media::Codec::kVP9 && vp9_starts_with_key_frame(clip.packets[i]);
      if (g_hooks.before) g_hooks.before();
      sw.start();
      try {
        pass->decode(clip.packets[i], sw, out);
      } catch (const std::exception& e) {
        if (cur.failed_packets++ == 0) cur.error = fmt::format("packet {}: {}", i, e.what());
      }
      record(rec, sw.stop());
      if (g_hooks.after) g_hooks.after(fmt::format("{} {} frame {}", clip.name, spec.id, i));
      rec.profile = pass->profile();
      summarize_dispatches(pass->dispatches(), rec);
      if (step) step();
    }
    sw.start();
    try {
      pass->flush(sw, out);
    } catch (const std::exception& e) {
      if (cur.failed_packets++ == 0) cur.error = fmt::format("flush: {}", e.what());
    }
    const Lap flush = sw.stop();
    if (!cur.frames.empty()) record(cur.frames.back(), flush);
    for (const auto& f : cur.frames) {
      cur.total_ms += f.wall_ms;
      cur.total_thread_cpu_ms += f.thread_cpu_ms;
      cur.total_decoder_cpu_ms += f.decoder_cpu_ms;
    }

    if (whole_clip) {
      // The fastest whole timed pass: its frames' times belong together.
      if (r == 0) {
        md5 = std::move(cur.md5);
        best.error = cur.error;
        best.failed_packets = cur.failed_packets;
      } else if (r == 1 || cur.total_ms < best.total_ms) {
        cur.md5 = md5;
        if (!best.error.empty()) cur.error = best.error, cur.failed_packets = best.failed_packets;
        best = std::move(cur);
      }
      continue;
    }
    if (r == 0) {
      best = std::move(cur);
      continue;
    }
    if (cur.md5 != best.md5 && best.error.empty()) best.error = "output differs between repeats (nondeterministic decoder)";
    // Keep the fastest time per frame (and per profile entry) over repeats.
    for (size_t i = 0; i < best.frames.size() && i < cur.frames.size(); ++i) {
      auto& b = best.frames[i];
      const auto& c = cur.frames[i];
      b.wall_ms = std::min(b.wall_ms, c.wall_ms);
      b.thread_cpu_ms = std::min(b.thread_cpu_ms, c.thread_cpu_ms);
      b.decoder_cpu_ms = std::min(b.decoder_cpu_ms, c.decoder_cpu_ms);
      for (size_t k = 0; k < b.profile.size() && k < c.profile.size(); ++k) {
        if (b.profile[k].first == c.profile[k].first) b.profile[k].second = std::min(b.profile[k].second, c.profile[k].second);
      }
    }
  }
  // Totals as the sum of the per-frame bests, so that ratios between runs
  // (and against a prefix of the reference) use one definition.
  best.total_ms = best.total_thread_cpu_ms = best.total_decoder_cpu_ms = 0;
  for (const auto& f : best.frames) {
    best.total_ms += f.wall_ms;
    best.total_thread_cpu_ms += f.thread_cpu_ms;
    best.total_decoder_cpu_ms += f.decoder_cpu_ms;
  }
  return best;
}

}  // namespace daedalus::bench
