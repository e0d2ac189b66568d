// SPDX-License-Identifier: MIT
#include "nv12_writer.h"

#include <cstring>

#include <fmt/format.h>
#include <linux/videodev2.h>

namespace daedalus::bridge {

namespace {

// Rows [0, rows) of row_bytes each at offset + r * stride must lie inside
// the mapped plane.
void check_fits(const char* what, const daedalus_plane_layout& layout, size_t row_bytes, size_t rows,
                const MappedPlane& plane) {
  if (layout.bytesperline < row_bytes) {
    throw SizeMismatch(fmt::format("{} rows need {} bytes but bytesperline is {}", what, row_bytes,
                                   layout.bytesperline));
  }
  if (layout.height < rows) {
    throw SizeMismatch(fmt::format("{} needs {} rows but the buffer has {}", what, rows, layout.height));
  }
  if (rows == 0) return;
  const uint64_t end = uint64_t{layout.offset} + uint64_t{layout.bytesperline} * (rows - 1) + row_bytes;
  if (plane.data == nullptr || end > plane.length) {
    throw SizeMismatch(fmt::format("{} ends at byte {} but its memory plane {} has {} bytes", what, end,
                                   layout.mem_plane, plane.length));
  }
}

}  // namespace

namespace {

struct Destination {
  uint8_t* y;
  uint32_t y_stride;
  uint8_t* uv;
  uint32_t uv_stride;
};

// Validates the whole layout for a w x h picture before anything is written.
Destination check_layout(int width, int height, const daedalus_capture_format& fmt,
                         std::span<const MappedPlane> planes) {
  if (fmt.pixelformat != V4L2_PIX_FMT_NV12 && fmt.pixelformat != V4L2_PIX_FMT_NV12M) {
    throw SizeMismatch(fmt::format("CAPTURE pixelformat {:#010x} is not NV12/NV12M", fmt.pixelformat));
  }
  if (fmt.num_comp_planes < 2 || fmt.num_mem_planes > planes.size() || fmt.num_mem_planes > DAEDALUS_MAX_PLANES) {
    throw SizeMismatch(fmt::format("CAPTURE layout with {} colour / {} memory planes ({} mapped)",
                                   fmt.num_comp_planes, fmt.num_mem_planes, planes.size()));
  }
  if (width <= 0 || height <= 0) throw SizeMismatch("empty picture");
  if (static_cast<uint32_t>(width) > fmt.width || static_cast<uint32_t>(height) > fmt.height) {
    throw SizeMismatch(fmt::format("decoded {}x{} does not fit the {}x{} CAPTURE buffer", width, height, fmt.width,
                                   fmt.height));
  }
  const size_t w = static_cast<size_t>(width);
  const size_t h = static_cast<size_t>(height);
  const auto& ly = fmt.comp[0];
  const auto& luv = fmt.comp[1];
  if (ly.mem_plane >= fmt.num_mem_planes || luv.mem_plane >= fmt.num_mem_planes) {
    throw SizeMismatch("colour plane in a memory plane that does not exist");
  }
  check_fits("luma", ly, w, h, planes[ly.mem_plane]);
  check_fits("chroma", luv, 2 * ((w + 1) / 2), (h + 1) / 2, planes[luv.mem_plane]);
  return {planes[ly.mem_plane].data + ly.offset, ly.bytesperline, planes[luv.mem_plane].data + luv.offset,
          luv.bytesperline};
}

std::array<uint32_t, DAEDALUS_MAX_PLANES> bytes_used(const daedalus_capture_format& fmt,
                                                     std::span<const MappedPlane> planes) {
  std::array<uint32_t, DAEDALUS_MAX_PLANES> used{};
  for (uint32_t i = 0; i < fmt.num_mem_planes; ++i) {
    used[i] = fmt.sizeimage[i] ? fmt.sizeimage[i] : static_cast<uint32_t>(planes[i].length);
  }
  return used;
}

}  // namespace

std::array<uint32_t, DAEDALUS_MAX_PLANES> write_nv12(const PlanarPicture& pic, const daedalus_capture_format& fmt,
                                                     std::span<const MappedPlane> planes) {
  const Destination d = check_layout(pic.width, pic.height, fmt, planes);
  const size_t w = static_cast<size_t>(pic.width);
  const size_t h = static_cast<size_t>(pic.height);
  const size_t cw = (w + 1) / 2;
  const size_t ch = (h + 1) / 2;
  for (size_t r = 0; r < h; ++r) {
    std::memcpy(d.y + r * d.y_stride, pic.data[0] + static_cast<ptrdiff_t>(r) * pic.stride[0], w);
  }
  for (size_t r = 0; r < ch; ++r) {
    const uint8_t* u = pic.data[1] + static_cast<ptrdiff_t>(r) * pic.stride[1];
    const uint8_t* v = pic.data[2] + static_cast<ptrdiff_t>(r) * pic.stride[2];
    uint8_t* dst = d.uv + r * d.uv_stride;
    for (size_t x = 0; x < cw; ++x) {
      dst[2 * x] = u[x];
      dst[2 * x + 1] = v[x];
    }
  }
  return bytes_used(fmt, planes);
}

std::array<uint32_t, DAEDALUS_MAX_PLANES> write_nv12(const SemiPlanarPicture& pic, const daedalus_capture_format& fmt,
                                                     std::span<const MappedPlane> planes) {
  const Destination d = check_layout(pic.width, pic.height, fmt, planes);
  const size_t w = static_cast<size_t>(pic.width);
  const size_t h = static_cast<size_t>(pic.height);
  for (size_t r = 0; r < h; ++r) std::memcpy(d.y + r * d.y_stride, pic.y + static_cast<ptrdiff_t>(r) * pic.y_stride, w);
  const size_t uv_bytes = 2 * ((w + 1) / 2);
  for (size_t r = 0; r < (h + 1) / 2; ++r) {
    std::memcpy(d.uv + r * d.uv_stride, pic.uv + static_cast<ptrdiff_t>(r) * pic.uv_stride, uv_bytes);
  }
  return bytes_used(fmt, planes);
}

}  // namespace daedalus::bridge
