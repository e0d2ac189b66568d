// SPDX-License-Identifier: MIT
// libFuzzer target over our H.264 entropy decoder: the input as an Annex B
// byte stream, every slice StreamParser gives through the macroblock layer
// (CAVLC or CABAC, PictureBuilder) into a work description, which the
// H.264 work checks must accept; P slices with their reference lists from
// the DPB rules (dpb.h), each picture marked as the decoder marks it. Any input must end in macroblocks or
// daedalus::Error: never a crash, hang, leak or out-of-bounds access.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "daedalus/error.h"
#include "dpb.h"
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
  daedalus::h264::PictureBuilder picture;
  daedalus::h264::RefMarking marking;
  std::optional<daedalus::h264::ParsedSlice> first;  // of the open picture
  int next_buffer = 0;
  bool open = false;
  for (const auto nal : units) {
    try {
      const auto slice = parser.push(nal);
      if (!slice || slice->redundant) continue;
      // Keep the fuzzer's pictures small: the size costs time, not paths.
      if (slice->sps->width_mbs() * slice->sps->height_mbs() > 4096) continue;
      if (slice->first_in_picture || !open) {
        marking.check_frame_num(*slice->sps, slice->header);
        picture.begin(*slice->sps);
        first = slice;
        open = true;
      }
      std::vector<int> list;
      if (slice->header.type() == daedalus::h264::kSliceP) {
        const auto& refs = marking.refs();
        for (int i : daedalus::h264::build_p_list(refs, slice->header, slice->sps->max_frame_num()))
          list.push_back(i < 0 ? -1 : refs[size_t(i)].buffer);
      }
      picture.add_slice(*slice, list);
      if (picture.complete()) {
        daedalus::dispatch::h264::check_work(picture.work(), "fuzz");
        open = false;
        if (first->header.nal_ref_idc)
          marking.mark(*first->sps, first->header, next_buffer++, first->poc.frame());
      }
    } catch (const daedalus::Error&) {
      open = false;  // as the decoder does: the picture is dropped
    }
  }
  return 0;
}
