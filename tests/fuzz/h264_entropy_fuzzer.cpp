// SPDX-License-Identifier: MIT
// libFuzzer target over our H.264 entropy decoder: the input as an Annex B
// byte stream, every slice StreamParser gives through the macroblock layer
// (CAVLC or CABAC, IntraPictureBuilder) into a work description, which the
// H.264 work checks must accept. Any input must end in macroblocks or
// daedalus::Error: never a crash, hang, leak or out-of-bounds access.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "daedalus/error.h"
#include "h264_work_checks.h"
#include "macroblock_layer.h"
#include "nal_unit.h"
#include "stream_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::span<const uint8_t>> units;
  try {
    units = daedalus::h264::split_annexb({data, size});
  } catch (const daedalus::Error&) {
    return 0;
  }
  daedalus::h264::StreamParser parser;
  daedalus::h264::IntraPictureBuilder picture;
  bool open = false;
  for (const auto nal : units) {
    try {
      const auto slice = parser.push(nal);
      if (!slice || slice->redundant) continue;
      // Keep the fuzzer's pictures small: the size costs time, not paths.
      if (slice->sps->width_mbs() * slice->sps->height_mbs() > 4096) continue;
      if (slice->first_in_picture || !open) {
        picture.begin(*slice->sps);
        open = true;
      }
      picture.add_slice(*slice);
      if (picture.complete()) {
        daedalus::dispatch::h264::check_work(picture.work(), "fuzz");
        open = false;
      }
    } catch (const daedalus::Error&) {
      open = false;  // as the decoder does: the picture is dropped
    }
  }
  return 0;
}
