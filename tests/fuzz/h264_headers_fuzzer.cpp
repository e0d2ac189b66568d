// SPDX-License-Identifier: MIT
// libFuzzer target over our H.264 header layer: the input as an Annex B
// byte stream through StreamParser (NAL units, SPS / PPS / slice headers,
// picture order count), and as avcC extradata and a length-prefixed sample.
// Any input must end in parsed units or daedalus::Error: never a crash,
// hang, leak or unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "daedalus/error.h"
#include "nal_unit.h"
#include "stream_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  try {
    daedalus::h264::parse_extradata(input);
  } catch (const daedalus::Error&) {
  }
  try {
    daedalus::h264::split_length_prefixed(input, 4);
  } catch (const daedalus::Error&) {
  }
  std::vector<std::span<const uint8_t>> units;
  try {
    units = daedalus::h264::split_annexb(input);
  } catch (const daedalus::Error&) {
    return 0;
  }
  daedalus::h264::StreamParser parser;
  for (const auto nal : units) {
    try {
      parser.push(nal);
    } catch (const daedalus::Error&) {
      // Expected for corrupt input; the next unit must still be safe.
    }
  }
  return 0;
}
