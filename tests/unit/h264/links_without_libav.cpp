// SPDX-License-Identifier: MIT
// Linked with daedalus_h264 only: our H.264 parser builds and runs without
// libav. The test (CMakeLists.txt) also checks that nothing of libav became
// a dependency of this program.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "daedalus/error.h"
#include "stream_parser.h"

int main() {
  // An Annex B SPS cut short inside seq_parameter_set_id: a clean error.
  const std::vector<uint8_t> stream = {0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1e, 0x00};
  daedalus::h264::StreamParser parser;
  try {
    for (const auto nal : daedalus::h264::split_annexb(stream)) parser.push(nal);
  } catch (const daedalus::Error& e) {
    std::printf("rejected as expected: %s\n", e.what());
    return 0;
  }
  std::printf("a truncated SPS parsed\n");
  return 1;
}
