// SPDX-License-Identifier: MIT
// libavcodec's own parse of a stream's headers, as the oracle for ours:
// `ffmpeg -i X -c:v copy -bsf:v trace_headers -f null -` prints every
// syntax element of every SPS, PPS and slice header with its bit position
// and value. Tests compare our parsed fields with it, taking each element
// once, so that an element we do not read or read twice shows up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace daedalus::h264::test {

struct TraceElement {
  int64_t position = 0;  // bit position in the NAL unit's RBSP, header byte included
  std::string name;      // as printed, with indices: "luma_weight_l0[1]"
  int length = 0;        // coded bits
  int64_t value = 0;
  bool used = false;
};

struct TraceUnit {
  std::string title;  // "Sequence Parameter Set", "Picture Parameter Set", "Slice Header"
  std::vector<TraceElement> elements;

  bool has(const std::string& name) const;
  // The first element of that name not taken yet; a test failure (and 0)
  // when there is none.
  int64_t take(const std::string& name);
  // Position of the first element of that name, -1 when absent.
  int64_t position_of(const std::string& name) const;
  // Position of the element after the last one named any of `names` (the
  // end of the unit when it is the last), -1 when none is present.
  int64_t end_of_last(const std::vector<std::string>& names) const;
  // The bit after the last element.
  int64_t end_bit() const;
  // Names of the elements nobody took.
  std::vector<std::string> untaken() const;
};

// The SPS, PPS and slice header units of the stream's first video stream
// in the order ffmpeg meets them, of NAL unit types 1, 5, 7 and 8 only:
// the container's extradata first, or for a raw Annex B file (`raw`, read
// as such whatever its probe says) the file's units only. Empty with
// `error` set when ffmpeg fails.
std::vector<TraceUnit> trace_headers(const std::string& path, bool raw, std::string* error);

// libavcodec's output order: the coded_picture_number of every frame
// ffprobe shows, in output order.
std::vector<int> output_order(const std::string& path, bool raw);

}  // namespace daedalus::h264::test
