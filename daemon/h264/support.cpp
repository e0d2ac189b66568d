// SPDX-License-Identifier: MIT
#include "support.h"

#include <string>

#include "daedalus/error.h"

namespace daedalus::h264 {
namespace {

const char* chroma_format_name(int idc) {
  switch (idc) {
    case 0: return "4:0:0 (monochrome)";
    case 2: return "4:2:2";
    case 3: return "4:4:4";
    default: return "4:2:0";
  }
}

}  // namespace

void require_supported(const Sps& sps) {
  if (!sps.frame_mbs_only_flag)
    throw Error(std::string("h264: interlaced video (field pictures") +
                (sps.mb_adaptive_frame_field_flag ? " and MBAFF" : "") +
                ", frame_mbs_only_flag = 0) is not supported, only progressive frames");
  if (sps.separate_colour_plane_flag)
    throw Error("h264: separate colour planes (4:4:4, separate_colour_plane_flag = 1) are not supported");
  if (sps.chroma_format_idc != 1)
    throw Error(std::string("h264: chroma format ") + chroma_format_name(sps.chroma_format_idc) +
                " is not supported, only 4:2:0");
  if (sps.bit_depth_luma_minus8 != 0 || sps.bit_depth_chroma_minus8 != 0)
    throw Error("h264: bit depth " + std::to_string(8 + sps.bit_depth_luma_minus8) + " (luma) / " +
                std::to_string(8 + sps.bit_depth_chroma_minus8) +
                " (chroma) is not supported, only 8-bit (High 10 and above are not)");
  if (sps.qpprime_y_zero_transform_bypass_flag)
    throw Error("h264: lossless coding (qpprime_y_zero_transform_bypass_flag = 1) is not supported");
}

void require_supported(const SliceHeader& sh) {
  if (sh.type() == kSliceSP || sh.type() == kSliceSI)
    throw Error(std::string("h264: ") + (sh.type() == kSliceSP ? "SP" : "SI") +
                " slices (Extended profile) are not supported");
}

}  // namespace daedalus::h264
