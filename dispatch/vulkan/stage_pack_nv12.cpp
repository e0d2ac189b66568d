// SPDX-License-Identifier: MIT
// The pack_nv12 stage's host side: planar 4:2:0 to NV12 with
// shaders/pack_nv12_words.comp (32-bit loads and stores; one module and
// dispatch per plane) when every offset and stride is a multiple of 4,
// else with shaders/pack_nv12.comp.
#include <algorithm>

#include <fmt/format.h>

#include "daedalus/error.h"
#include "vk_backend.h"
#include "vk_surface.h"

namespace daedalus::dispatch::vk {

void VulkanBackend::pack_nv12(const Surface& src_c, Surface& dst_s) {
  require_frame("pack_nv12");
  VkSurface& src = as_vk(const_cast<Surface&>(src_c), "pack_nv12 source");
  VkSurface& dst = as_vk(dst_s, "pack_nv12 destination");
  if (src.format() != SurfaceFormat::kPlanar420 || dst.format() != SurfaceFormat::kNv12)
    throw Error("vulkan backend: pack_nv12 needs a planar source and an NV12 destination");
  dd_pack_push pc{};
  for (int p = 0; p < 3; p++) {
    pc.src_off[p] = static_cast<uint32_t>(src.plane(p).offset);
    pc.src_stride[p] = src.plane(p).stride;
  }
  pc.dst_y_off = static_cast<uint32_t>(dst.plane(0).offset);
  pc.dst_y_stride = dst.plane(0).stride;
  pc.dst_uv_off = static_cast<uint32_t>(dst.plane(1).offset);
  pc.dst_uv_stride = dst.plane(1).stride;
  pc.width = dst.plane(0).width;
  pc.height = dst.plane(0).height;
  pc.chroma_w = dst.plane(1).width;
  pc.chroma_h = dst.plane(1).height;
  if (src.plane(0).width < pc.width || src.plane(0).height < pc.height || src.plane(1).width < pc.chroma_w ||
      src.plane(1).height < pc.chroma_h)
    throw Error(fmt::format("vulkan backend: pack_nv12 source {}x{} is smaller than the NV12 picture {}x{}",
                            src.plane(0).width, src.plane(0).height, pc.width, pc.height));
  stage_begin(Stage::kPackNv12);
  use_as_destination(dst);
  bool aligned = true;
  for (uint32_t v : {pc.src_off[0], pc.src_off[1], pc.src_off[2], pc.src_stride[0], pc.src_stride[1], pc.src_stride[2],
                     pc.dst_y_off, pc.dst_y_stride, pc.dst_uv_off, pc.dst_uv_stride})
    aligned &= (v & 3) == 0;
  if (aligned) {
    // Per invocation two destination words (8 bytes); one dispatch per
    // plane, independent of each other.
    for (const PipelineId id : {kPackNv12WordsY, kPackNv12WordsUv}) {
      const bool chroma = id == kPackNv12WordsUv;
      const uint32_t row_units = div_up(chroma ? 2 * pc.chroma_w : pc.width, 8);
      VkDescriptorSet set = make_set(id, {src.buffer(), dst.buffer()});
      dispatch(id, set, pc, div_up(row_units, DD_PACK_LANES_X), div_up(chroma ? pc.chroma_h : pc.height, DD_PACK_LANES_Y));
    }
  } else {
    // Per invocation one destination byte.
    const uint32_t row_units = std::max(pc.width, 2 * pc.chroma_w);
    VkDescriptorSet set = make_set(kPackNv12, {src.buffer(), dst.buffer()});
    dispatch(kPackNv12, set, pc, div_up(row_units, DD_PACK_LANES_X), div_up(pc.height + pc.chroma_h, DD_PACK_LANES_Y));
  }
  stage_end(Stage::kPackNv12);
}

}  // namespace daedalus::dispatch::vk
