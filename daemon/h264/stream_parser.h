// SPDX-License-Identifier: MIT
// The header layer of a stream: NAL units in decoding order in; parameter
// sets kept by id; each slice out with its header, the SPS and PPS it
// activates, whether it begins a new picture (7.4.1.2.4) and the picture's
// order count. What the entropy decoder and the DPB will build on.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "nal_unit.h"
#include "poc.h"
#include "pps.h"
#include "slice_header.h"
#include "sps.h"

namespace daedalus::h264 {

struct ParsedSlice {
  SliceHeader header;
  std::shared_ptr<const Sps> sps;  // kept alive if a later SPS / PPS replaces them
  std::shared_ptr<const Pps> pps;
  // First slice of a primary coded picture: the picture before is complete.
  bool first_in_picture = false;
  // A redundant coded picture's slice (redundant_pic_cnt > 0); libavcodec
  // decodes none, so the decoder will skip them. It does not start a picture.
  bool redundant = false;
  PictureOrderCount poc;  // of the picture this slice belongs to
  std::vector<uint8_t> rbsp;  // after the NAL header; slice data from header.header_bit_size
};

class StreamParser {
 public:
  // One NAL unit without start code or length prefix. Returns the slice of
  // a slice NAL unit (types 1 and 5); stores SPS and PPS; skips the rest
  // (SEI, delimiters, filler, the NAL units of SVC / MVC layers beyond the
  // base). Throws daedalus::Error on malformed units, a reference to a
  // missing parameter set, and features we do not decode (support.h, slice
  // groups, data partitioning); the parser stays usable for later units.
  std::optional<ParsedSlice> push(std::span<const uint8_t> nal);

  const Sps* sps(int id) const { return sps_[id].get(); }
  const Pps* pps(int id) const { return pps_[id].get(); }

 private:
  bool starts_picture(const SliceHeader& sh, const Sps& sps) const;

  std::array<std::shared_ptr<const Sps>, kMaxSpsCount> sps_;
  std::array<std::shared_ptr<const Pps>, kMaxPpsCount> pps_;
  std::optional<SliceHeader> last_primary_;  // previous primary slice
  PictureOrderCount current_poc_;
  PocCalculator poc_;
};

}  // namespace daedalus::h264
