// SPDX-License-Identifier: MIT
// The NV12 layout of one tightly packed buffer (Y rows then CbCr rows), as
// a V4L2 CAPTURE buffer without padding.
#pragma once

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::bench {

inline dispatch::Nv12Layout nv12_layout(uint32_t width, uint32_t height) {
  dispatch::Nv12Layout l;
  l.width = width;
  l.height = height;
  l.y_offset = 0;
  l.y_stride = width;
  l.uv_offset = width * height;
  l.uv_stride = 2 * ((width + 1) / 2);
  l.size_bytes = uint64_t(l.uv_offset) + uint64_t(l.uv_stride) * ((height + 1) / 2);
  return l;
}

}  // namespace daedalus::bench
