// SPDX-License-Identifier: MIT
// Linked with daedalus_vp9 and daedalus_dispatch only (issue 24, item 5):
// our VP9 decoder builds and runs without libav. The test (CMakeLists.txt)
// also checks that nothing of libav became a dependency of this program.
#include <cstdio>
#include <cstdint>

#include "daedalus/error.h"
#include "vp9_frame_decoder.h"

int main() {
  auto decoder = daedalus::vp9::create_frame_decoder(daedalus::dispatch::BackendKind::kCpu);
  // A key frame header that claims more data than there is: a clean error.
  const uint8_t packet[] = {0x82, 0x49, 0x83, 0x42, 0x00, 0x01, 0xf0, 0x00, 0xf6};
  int frames = 0;
  try {
    decoder->decode(packet, sizeof packet, 0, [&](daedalus::media::Nv12Frame&&) { ++frames; });
  } catch (const daedalus::Error& e) {
    std::printf("rejected as expected: %s\n", e.what());
    return frames == 0 ? 0 : 1;
  }
  std::printf("a truncated key frame decoded to %d frames\n", frames);
  return 1;
}
