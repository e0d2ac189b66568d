// SPDX-License-Identifier: MIT
// The H.264 deblocking stage's host side (shaders/h264_deblock.comp): the
// macroblock wavefront of h264_intra_recon (stage_h264_intra_recon.cpp).
//
// The reference (H264CpuStages::deblock) filters macroblocks in raster
// order. Filtering macroblock (x, y) reads and writes its own samples and
// the 3 (reads: 4) nearest columns of its left neighbour and rows of its
// top neighbour, so two macroblocks touch common samples only when they
// are adjacent (8-connected). For each adjacent pair the one later in
// raster order, (x + 1, y), (x - 1, y + 1), (x, y + 1) or (x + 1, y + 1)
// after (x, y), has a higher level x + 2 * y (+1, +1, +2, +3), and
// macroblocks of one level are never adjacent. So running the levels in
// order gives every shared sample the same sequence of filters as raster
// order: the result is the reference's.
#include "daedalus/error.h"
#include "vk_backend.h"
#include "vk_surface.h"

namespace daedalus::dispatch::vk {

void VulkanBackend::h264_deblock(const H264FrameWork& work, Surface& dst_s) {
  require_frame("h264_deblock");
  h264_upload(work);
  VkSurface& dst = as_vk(dst_s, "h264_deblock destination");
  const dd_planes planes = h264_planes(work, dst, "h264_deblock");
  use_as_destination(dst);
  stage_begin(Stage::kLoopFilter);
  VkDescriptorSet set = make_set(kH264Deblock, {h264_mb_buf_.buffer(), dst.buffer(), h264_tables_buf_.buffer()});
  h264_wavefront(kH264Deblock, set, work, planes);
  stage_end(Stage::kLoopFilter);
}

}  // namespace daedalus::dispatch::vk
