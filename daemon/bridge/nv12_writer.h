// SPDX-License-Identifier: MIT
// Writes a decoded 8-bit 4:2:0 picture as NV12 straight into the mapped
// CAPTURE buffer, honouring the per-plane offset and stride (bytesperline)
// the kernel reported, which are wider/taller than the picture whenever
// the client aligned its buffers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

#include "daedalus/daedalus_v4l2_proto.h"

namespace daedalus::bridge {

// Picture does not fit the CAPTURE buffer: the job fails, nothing written.
class SizeMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Planar Y, Cb, Cr (I420 as libavcodec returns it): chroma is
// ceil(width/2) x ceil(height/2).
struct PlanarPicture {
  int width = 0;
  int height = 0;
  std::array<const uint8_t*, 3> data{};
  std::array<ptrdiff_t, 3> stride{};
};

// Semi-planar source (Y plane + interleaved CbCr), e.g. media::Nv12Frame.
struct SemiPlanarPicture {
  int width = 0;
  int height = 0;
  const uint8_t* y = nullptr;
  ptrdiff_t y_stride = 0;
  const uint8_t* uv = nullptr;
  ptrdiff_t uv_stride = 0;
};

// One mapped memory plane of the CAPTURE buffer.
struct MappedPlane {
  uint8_t* data = nullptr;
  size_t length = 0;
};

// Checks the whole layout first, then writes. Returns bytesused per memory
// plane (the plane's sizeimage, as V4L2 decoders report). Throws
// SizeMismatch if the picture or a plane does not fit.
std::array<uint32_t, DAEDALUS_MAX_PLANES> write_nv12(const PlanarPicture& pic, const daedalus_capture_format& fmt,
                                                     std::span<const MappedPlane> planes);
std::array<uint32_t, DAEDALUS_MAX_PLANES> write_nv12(const SemiPlanarPicture& pic, const daedalus_capture_format& fmt,
                                                     std::span<const MappedPlane> planes);

}  // namespace daedalus::bridge
