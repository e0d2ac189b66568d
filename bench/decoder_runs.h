// SPDX-License-Identifier: MIT
// Timed decodes of one clip by every decoder the bench compares: libavcodec
// (1 thread, all threads), libvpx (1 thread, all threads) and daedalus (CPU
// and Vulkan dispatch backends). Packets are demuxed into memory first so
// no I/O is timed; md5s and NV12 conversion happen outside the timed region.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "demuxer.h"
#include "settings.h"

namespace daedalus::bench {

struct Clip {
  std::string name;
  std::string path;
  media::Codec codec = media::Codec::kUnknown;
  int width = 0, height = 0;
  std::vector<media::Packet> packets;
};

// Demuxes the whole file; throws daedalus::Error on unreadable input.
Clip load_clip(const std::string& name, const std::string& path, long max_packets);

// A packet's compute dispatches of one pipeline on a GPU backend, summed
// (dispatch::DispatchRecord): what bench/pi5_model.py projects from.
struct DispatchTotals {
  std::string pipeline;
  uint32_t dispatches = 0;
  uint64_t groups = 0;
  // Sum over the dispatches of workgroups x 16-lane batches per workgroup
  // (V3D's SIMD width) x the steps each workgroup walks: how many times
  // the pipeline's code runs for 16 invocations.
  uint64_t batch_steps = 0;
  // DispatchRecord::loop_trips summed, per loop (empty: not counted).
  std::vector<uint64_t> loop_trips;
};

// One decode call (one packet; a VP9 superframe is one packet).
struct FrameRecord {
  size_t bytes = 0;
  double wall_ms = 0;   // time inside the decoder, sink time excluded
  double thread_cpu_ms = 0;  // CPU time of the calling thread over the same span
                             // (load-independent for 1-thread decoders)
  // CPU time of every thread the decoder runs over the same span: the
  // calling thread plus daedalus's own workers (dispatch/thread_cpu.h, not
  // a Vulkan driver's threads), or the whole process for libavcodec and
  // libvpx (their threads are the only others at work).
  double decoder_cpu_ms = 0;
  bool key = false;     // the packet starts with a key frame
  int shown = 0;        // frames this call output
  std::vector<std::pair<std::string, double>> profile;  // FrameDecoder::last_profile()
  // GPU backends, runs that see their backend (the stateless ones): the
  // packet's dispatches per pipeline, and the dependent levels (barriers + 1).
  std::vector<DispatchTotals> dispatches;
  uint32_t dispatch_levels = 0;
};

struct DecoderSpec {
  std::string id;       // stable key, e.g. "libavcodec-1t", "daedalus-vulkan"
  std::string decoder;  // "libavcodec" | "libvpx" | "daedalus"
  std::string variant;  // "1 thread", "vulkan backend", ...
  int threads = 1;
  std::string backend;  // daedalus only: "cpu" | "vulkan"
  long max_packets = -1;  // decode only the first N packets (slow backends)
  // daedalus only: through StatelessDecoder, as the daemon serves a V4L2
  // client (controls in, CAPTURE buffers as destination and references).
  bool stateless = false;
  bool on_request = false;  // runs only when --decoders names it
  // daedalus only: the settings it starts from (the environment's and the
  // flags'); the cpu runs set their thread counts over them.
  settings::DecoderSettings settings;
};

struct RunResult {
  DecoderSpec spec;
  bool available = true;
  std::string error;       // why unavailable, or the first decode error
  long failed_packets = 0;
  double total_ms = 0;             // sum of wall_ms (per-frame best over repeats)
  double total_thread_cpu_ms = 0;  // sum of thread_cpu_ms (likewise)
  double total_decoder_cpu_ms = 0;  // sum of decoder_cpu_ms (likewise)
  // Frame-threaded decoders return from a call before its frame is done:
  // their output is converted after the clip, so that the sum of the calls
  // is the time from the first packet to the last frame, and their totals
  // are those of the fastest whole repeat, not per-frame bests.
  bool end_to_end = false;
  std::vector<FrameRecord> frames;
  std::vector<std::string> md5;  // per shown frame, display order
};

std::vector<DecoderSpec> default_decoders(int all_threads);

// Called after every decode call (for the progress bar).
using StepFn = std::function<void()>;

// Runs spec on clip `repeat` times; per frame keeps the fastest repeat
// (the least disturbed by other load on the machine), total_ms likewise.
RunResult run_decoder(const DecoderSpec& spec, const Clip& clip, int repeat, const StepFn& step);

// Hooks the callgrind mode sets: called right before and right after each
// timed decode call with a label.
struct DecodeHooks {
  std::function<void()> before;
  std::function<void(const std::string& label)> after;
  std::function<void()> pause, resume;  // around sink work inside a call
};
void set_decode_hooks(DecodeHooks hooks);

}  // namespace daedalus::bench
