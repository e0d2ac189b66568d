// SPDX-License-Identifier: MIT
#include "stream_parser.h"

#include <string>

#include "daedalus/error.h"
#include "support.h"

namespace daedalus::h264 {

std::optional<ParsedSlice> StreamParser::push(std::span<const uint8_t> data) {
  const NalUnit nal = parse_nal_unit(data);
  switch (nal.type) {
    case kNalSps: {
      auto sps = std::make_shared<const Sps>(parse_sps(unescape_rbsp(nal.payload)));
      sps_[sps->seq_parameter_set_id] = std::move(sps);
      return std::nullopt;
    }
    case kNalPps: {
      const std::vector<uint8_t> rbsp = unescape_rbsp(nal.payload);
      const uint8_t sps_id = pps_sps_id(rbsp);
      if (!sps_[sps_id]) throw Error("h264: PPS refers to SPS " + std::to_string(sps_id) + ", which has not been sent");
      auto pps = std::make_shared<const Pps>(parse_pps(rbsp, *sps_[sps_id]));
      pps_[pps->pic_parameter_set_id] = std::move(pps);
      return std::nullopt;
    }
    case kNalSliceDataA:
    case kNalSliceDataB:
    case kNalSliceDataC:
      throw Error("h264: data partitioning (Extended profile, NAL unit type " + std::to_string(nal.type) +
                  ") is not supported");
    case kNalEndOfSequence:
      last_primary_.reset();  // an IDR picture follows
      return std::nullopt;
    case kNalSlice:
    case kNalIdrSlice:
      break;
    default:
      return std::nullopt;
  }

  ParsedSlice out;
  out.rbsp = unescape_rbsp(nal.payload);
  const uint8_t pps_id = slice_pps_id(out.rbsp);
  out.pps = pps_[pps_id];
  if (!out.pps) throw Error("h264: slice refers to PPS " + std::to_string(pps_id) + ", which has not been sent");
  out.sps = sps_[out.pps->seq_parameter_set_id];
  if (!out.sps) throw Error("h264: PPS " + std::to_string(pps_id) + " refers to a missing SPS");
  require_supported(*out.sps);
  out.header = parse_slice_header(nal, out.rbsp, *out.sps, *out.pps);
  require_supported(out.header);

  out.redundant = out.header.redundant_pic_cnt > 0;
  if (!out.redundant) {
    out.first_in_picture = starts_picture(out.header, *out.sps);
    if (out.first_in_picture) current_poc_ = poc_.next(*out.sps, out.header);
    last_primary_ = out.header;
  }
  out.poc = current_poc_;
  return out;
}

// 7.4.1.2.4: what makes a slice the first of a new primary coded picture.
bool StreamParser::starts_picture(const SliceHeader& sh, const Sps& sps) const {
  if (!last_primary_) return true;
  const SliceHeader& p = *last_primary_;
  if (sh.frame_num != p.frame_num || sh.pic_parameter_set_id != p.pic_parameter_set_id ||
      sh.field_pic_flag != p.field_pic_flag || sh.bottom_field_flag != p.bottom_field_flag)
    return true;
  if ((sh.nal_ref_idc == 0) != (p.nal_ref_idc == 0)) return true;
  if (sps.pic_order_cnt_type == 0 &&
      (sh.pic_order_cnt_lsb != p.pic_order_cnt_lsb || sh.delta_pic_order_cnt_bottom != p.delta_pic_order_cnt_bottom))
    return true;
  if (sps.pic_order_cnt_type == 1 && sh.delta_pic_order_cnt != p.delta_pic_order_cnt) return true;
  if (sh.idr() != p.idr()) return true;
  return sh.idr() && sh.idr_pic_id != p.idr_pic_id;
}

}  // namespace daedalus::h264
