// SPDX-License-Identifier: MIT
#include "codec.h"

namespace daedalus::media {

std::string_view codec_name(Codec codec) {
  switch (codec) {
    case Codec::kVP9: return "vp9";
    case Codec::kH264: return "h264";
    case Codec::kAV1: return "av1";
    case Codec::kUnknown: break;
  }
  return "unknown";
}

}  // namespace daedalus::media
