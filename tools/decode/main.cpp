// SPDX-License-Identifier: MIT
// daedalus-decode: the command-line decoder every stage of daedalus plugs
// into. Decodes any container libavformat reads to NV12, prints per-frame
// md5s comparable with `ffmpeg -pix_fmt nv12 -f framemd5`, per-frame timing,
// and (--verify) a bit-exact verdict against libavcodec in the same run.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "daedalus/error.h"
#include "decoder_factory.h"
#include "demuxer.h"
#include "nv12_frame.h"
#include "reference_decoder.h"
#include "settings.h"

namespace {

using namespace daedalus;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string input;
  std::string decoder = "ffmpeg";
  std::string backend = "cpu";
  std::string output;
  bool md5 = false;
  bool profile = false;
  bool verify = false;
  bool warm_up = false;
  long frames = -1;
  int threads = 1;
  settings::DecoderSettings settings;  // the environment's, then the flags'
};

// Collects the md5s the reference decoder produces for the same packets,
// so --verify compares frame by frame without a second pass over the file.
class Verifier {
 public:
  explicit Verifier(const media::Demuxer& demuxer)
      : ref_(demuxer.codec(), demuxer.codec_parameters(), 1) {}
  void feed(const media::Packet& pkt) {
    try {
      ref_.decode(pkt, [this](media::Nv12Frame&& f) { md5s_.push_back(media::md5_hex(f)); });
    } catch (const Error&) {
      // The reference refusing a packet is itself a data point: frames it
      // does not output are compared as missing.
    }
  }
  void flush() {
    ref_.flush([this](media::Nv12Frame&& f) { md5s_.push_back(media::md5_hex(f)); });
  }
  const std::vector<std::string>& md5s() const { return md5s_; }

 private:
  media::ReferenceDecoder ref_;
  std::vector<std::string> md5s_;
};

int run(const Options& opt) {
  media::Demuxer demuxer(opt.input);
  auto kind = opt.decoder == "daedalus" ? tools::DecoderKind::kDaedalus : tools::DecoderKind::kFfmpeg;
  auto backend = opt.backend == "vulkan" ? dispatch::BackendKind::kVulkan : dispatch::BackendKind::kCpu;
  auto decoder = tools::make_decoder(kind, backend, demuxer, opt.threads,
                                     {.backend = opt.settings.backend,
                                      .warm_up = opt.warm_up,
                                      .entropy_threads = opt.settings.entropy_threads});

  std::ofstream out;
  if (!opt.output.empty()) {
    out.open(opt.output, std::ios::binary);
    if (!out) throw Error(fmt::format("{}: cannot open for writing", opt.output));
  }
  std::optional<Verifier> verifier;
  if (opt.verify) verifier.emplace(demuxer);

  const bool progress = isatty(STDERR_FILENO) && !opt.profile;
  std::vector<std::string> md5s;
  long shown = 0;
  long packets = 0;
  long failed_packets = 0;
  double total_ms = 0;
  double sink_ms = 0;  // in the sink below, this packet
  const auto start = Clock::now();

  auto sink = [&](media::Nv12Frame&& frame) {
    const auto t0 = Clock::now();
    struct Timed {  // sink_ms on every way out
      double& ms;
      Clock::time_point t0;
      ~Timed() { ms += std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }
    } timed{sink_ms, t0};
    if (opt.frames >= 0 && shown >= opt.frames) return;
    if (opt.md5 || opt.verify) {
      std::string sum = media::md5_hex(frame);
      if (opt.md5) fmt::print("{} {}\n", shown, sum);
      md5s.push_back(std::move(sum));
    }
    if (out) {
      out.write(reinterpret_cast<const char*>(frame.y.data()), static_cast<std::streamsize>(frame.y.size()));
      out.write(reinterpret_cast<const char*>(frame.uv.data()), static_cast<std::streamsize>(frame.uv.size()));
    }
    ++shown;
    if (progress) {
      double s = std::chrono::duration<double>(Clock::now() - start).count();
      fmt::print(stderr, "\rdecoded {} frames ({:.1f} fps)", shown, s > 0 ? shown / s : 0.0);
    }
  };

  media::Packet pkt;
  while ((opt.frames < 0 || shown < opt.frames) && demuxer.read(pkt)) {
    if (verifier) verifier->feed(pkt);
    sink_ms = 0;
    const auto t0 = Clock::now();
    try {
      decoder->decode(pkt.data.data(), pkt.data.size(), pkt.pts, sink);
    } catch (const Error& e) {
      ++failed_packets;
      fmt::print(stderr, "{}packet {}: {}\n", progress ? "\n" : "", packets, e.what());
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    total_ms += ms;
    if (opt.profile) {
      std::string line = fmt::format("profile packet {:4} size {:7} total {:8.3f} ms", packets, pkt.data.size(), ms);
      for (const auto& [name, stage_ms] : decoder->last_profile()) line += fmt::format("  {} {:.3f}", name, stage_ms);
      // What the sink did with the packet's frames (md5, -o, progress): part
      // of "total", outside the decoder's own columns.
      line += fmt::format("  sink {:.3f}", sink_ms);
      fmt::print(stderr, "{}\n", line);
    }
    ++packets;
  }
  decoder->flush(sink);
  if (progress) fmt::print(stderr, "\n");
  if (opt.profile) {
    fmt::print(stderr, "profile summary: {} packets, {} frames, {:.3f} ms decode, {:.1f} fps\n", packets, shown,
               total_ms, total_ms > 0 ? shown * 1000.0 / total_ms : 0.0);
  }

  int rc = 0;
  if (verifier) {
    verifier->flush();
    auto ref = verifier->md5s();
    if (opt.frames >= 0 && static_cast<long>(ref.size()) > opt.frames) ref.resize(opt.frames);
    long mismatches = 0;
    for (size_t i = 0; i < std::max(ref.size(), md5s.size()); ++i) {
      const std::string a = i < md5s.size() ? md5s[i] : "(missing)";
      const std::string b = i < ref.size() ? ref[i] : "(missing)";
      if (a != b) {
        if (++mismatches <= 10) fmt::print(stderr, "verify: frame {} differs: {} vs libavcodec {}\n", i, a, b);
      }
    }
    if (mismatches == 0) {
      fmt::print("verdict: bit-exact with libavcodec on all {} frames\n", ref.size());
    } else {
      fmt::print("verdict: MISMATCH on {} of {} frames\n", mismatches, std::max(ref.size(), md5s.size()));
      rc = 3;
    }
  }
  if (failed_packets > 0) {
    fmt::print(stderr, "daedalus-decode: {} of {} packets failed to decode\n", failed_packets, packets);
    rc = rc ? rc : 1;
  }
  if (shown == 0 && rc == 0) {
    fmt::print(stderr, "daedalus-decode: no frame decoded\n");
    rc = 1;
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"daedalus-decode: decode a VP9/H.264/AV1 stream to NV12"};
  app.add_option("input", opt.input, "input file (IVF, WebM, MP4, Annex-B H.264, ...)")->required();
  app.add_option("--decoder", opt.decoder, "ffmpeg (libavcodec reference) or daedalus (hybrid decoder)")
      ->check(CLI::IsMember({"ffmpeg", "daedalus"}));
  app.add_option("--backend", opt.backend, "dispatch backend for --decoder daedalus")
      ->check(CLI::IsMember({"cpu", "vulkan"}));
  app.add_option("-o,--output", opt.output, "write raw NV12 frames (no padding) to this file");
  app.add_flag("--md5", opt.md5, "print '<index> <md5>' per shown frame (md5 over the NV12 bytes)");
  app.add_option("--frames", opt.frames, "stop after N shown frames")->check(CLI::NonNegativeNumber);
  app.add_flag("--profile", opt.profile,
               "print per-packet decode time (and per-stage time, and the sink's: md5, -o) to stderr");
  app.add_flag("--warm-up", opt.warm_up,
               "--decoder daedalus: run every stage once on synthetic work before decoding (as the daemon does), so "
               "--profile times decoding, not shader compiles");
  app.add_flag("--verify", opt.verify, "also decode with libavcodec and print a bit-exact verdict");
  app.add_option("--threads", opt.threads, "libavcodec threads for --decoder ffmpeg")->check(CLI::Range(1, 64));
  try {
    opt.settings = settings::from_environment();
  } catch (const daedalus::Error& e) {
    fmt::print(stderr, "daedalus-decode: {}\n", e.what());
    return 1;
  }
  settings::add_flags(app, opt.settings);
  CLI11_PARSE(app, argc, argv);
  try {
    return run(opt);
  } catch (const daedalus::Error& e) {
    fmt::print(stderr, "daedalus-decode: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "daedalus-decode: internal error: {}\n", e.what());
    return 2;
  }
}
