// SPDX-License-Identifier: MIT
// libFuzzer target over our VP9 parser + entropy decoder + CPU stages.
// Input: a sequence of packets, each prefixed by a 16-bit little-endian
// length, fed to one decoder so inter frames, reference handling and
// probability adaptation are reached, not only keyframe headers. Any input
// must end in frames or daedalus::Error: never a crash, hang, leak or
// unbounded allocation (libFuzzer's -rss_limit_mb / -timeout catch those).
#include <cstddef>
#include <cstdint>

#include "daedalus/error.h"
#include "vp9_frame_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoder = daedalus::vp9::create_frame_decoder(daedalus::dispatch::BackendKind::kCpu);
  auto sink = [](daedalus::media::Nv12Frame&&) {};
  size_t pos = 0;
  while (pos + 2 <= size) {
    size_t len = data[pos] | (static_cast<size_t>(data[pos + 1]) << 8);
    pos += 2;
    if (len > size - pos) len = size - pos;
    try {
      decoder->decode(data + pos, len, 0, sink);
    } catch (const daedalus::Error&) {
      // Expected for corrupt input; the next packet must still be safe.
    }
    pos += len;
  }
  try {
    decoder->flush(sink);
  } catch (const daedalus::Error&) {
  }
  return 0;
}
