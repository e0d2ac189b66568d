// SPDX-License-Identifier: MIT
#include "decoded_frame.h"

namespace daedalus::media {

void Nv12Frame::allocate(int w, int h) {
  width = w;
  height = h;
  y.assign(static_cast<size_t>(w) * h, 0);
  uv.assign(static_cast<size_t>(2 * chroma_width(w)) * chroma_height(h), 0);
}

}  // namespace daedalus::media
