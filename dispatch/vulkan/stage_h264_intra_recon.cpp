// SPDX-License-Identifier: MIT
// The H.264 intra stage's host side (shaders/h264_intra_recon.comp), and
// the macroblock wavefront it shares with h264_deblock.
//
// The reference (H264CpuStages) predicts macroblocks in raster order;
// macroblock (x, y) reads samples of its left, top-left, top and top-right
// neighbours, (x - 1, y), (x - 1, y - 1), (x, y - 1), (x + 1, y - 1). Give
// (x, y) the level x + 2 * y: each of those neighbours has a lower level
// (x + 2y - 1, - 3, - 2, - 1), and macroblocks of one level are at least
// two columns apart on consecutive rows, so none reads what another of its
// level writes. Running the levels in order, each level's macroblocks in
// parallel, therefore reads exactly what raster order reads.
#include <algorithm>

#include <fmt/format.h>

#include "daedalus/error.h"
#include "vk_backend.h"
#include "vk_surface.h"

namespace daedalus::dispatch::vk {

dd_planes VulkanBackend::h264_planes(const H264FrameWork& work, Surface& dst, const char* what) {
  const auto& p = work.params;
  if (dst.format() != SurfaceFormat::kPlanar420)
    throw Error(fmt::format("vulkan backend: {}: the destination must be a planar surface", what));
  dd_planes pp{};
  for (int pl = 0; pl < 3; pl++) {
    const PlaneLayout& l = dst.plane(pl);
    const uint32_t need_w = p.mb_cols * (pl ? 8 : 16), need_h = p.mb_rows * (pl ? 8 : 16);
    if (l.width < need_w || l.height < need_h)
      throw Error(fmt::format("vulkan backend: {}: destination plane {} is {}x{}, the picture needs {}x{}", what, pl,
                              l.width, l.height, need_w, need_h));
    if (l.offset % 4 || l.stride % 4)
      throw Error(fmt::format("vulkan backend: {}: destination planes must be 4-byte aligned", what));
    pp.off[pl] = uint32_t(l.offset);
    pp.stride[pl] = l.stride;
    pp.width[pl] = need_w;
    pp.height[pl] = need_h;
  }
  return pp;
}

void VulkanBackend::h264_wavefront(PipelineId id, VkDescriptorSet set, const H264FrameWork& work,
                                   const dd_planes& planes) {
  const auto& p = work.params;
  const uint32_t levels = (p.mb_cols - 1) + 2 * (p.mb_rows - 1) + 1;
  for (uint32_t level = 0; level < levels; ++level) {
    // y with 0 <= level - 2y < mb_cols and y < mb_rows.
    const uint32_t first_y = level + 1 > p.mb_cols ? (level + 1 - p.mb_cols + 1) / 2 : 0;
    const uint32_t last_y = std::min(p.mb_rows - 1, level / 2);
    if (first_y > last_y) continue;
    dd_h264_push pc{};
    pc.num_mbs = p.num_mbs;
    pc.mb_cols = p.mb_cols;
    pc.mb_rows = p.mb_rows;
    pc.level = level;
    pc.first_y = first_y;
    pc.count = last_y - first_y + 1;
    pc.planes = planes;
    barrier();
    dispatch_linear(id, set, pc, pc.count);
  }
}

void VulkanBackend::h264_intra_recon(const H264FrameWork& work, Surface& dst_s) {
  require_frame("h264_intra_recon");
  if (h264_residual_of_ != &work)
    throw Error("vulkan backend: h264_intra_recon called without h264_residual for this work");
  VkSurface& dst = as_vk(dst_s, "h264_intra_recon destination");
  const dd_planes planes = h264_planes(work, dst, "h264_intra_recon");
  use_as_destination(dst);
  stage_begin(Stage::kIntraRecon);
  VkDescriptorSet set = make_set(kH264IntraRecon, {h264_mb_buf_.buffer(), h264_coeff_buf_.buffer(),
                                                   h264_residual_buf_.buffer(), dst.buffer()});
  h264_wavefront(kH264IntraRecon, set, work, planes);
  stage_end(Stage::kIntraRecon);
}

}  // namespace daedalus::dispatch::vk
