// SPDX-License-Identifier: MIT
// The md5 of a decoded NV12 picture (Nv12Frame, daemon/frame/decoded_frame.h),
// as `ffmpeg -f framemd5` computes it; libavutil's md5.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

#include "decoded_frame.h"

namespace daedalus::media {

// Lower-case hex md5 over Y rows then interleaved CbCr rows.
std::string md5_hex(const Nv12Frame& frame);
// Lower-case hex md5 over the byte ranges in order (e.g. I420: Y, U, V).
std::string md5_hex(std::initializer_list<std::span<const uint8_t>> parts);

}  // namespace daedalus::media
