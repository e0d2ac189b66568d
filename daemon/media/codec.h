// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace daedalus::media {

enum class Codec { kUnknown, kVP9, kH264, kAV1 };

std::string_view codec_name(Codec codec);

}  // namespace daedalus::media
