// SPDX-License-Identifier: MIT
// The H.264 residual stage's host side (shaders/h264_residual.comp): the
// picture's macroblocks packed into the records the H.264 shaders read
// (shader_interface.h, DD_H264_MB_WORDS), its coefficients uploaded, one
// workgroup per macroblock.
#include <cstring>

#include "daedalus/error.h"
#include "h264_work_checks.h"
#include "vk_backend.h"

namespace daedalus::dispatch::vk {
namespace {

uint32_t kind_of(uint8_t type) {
  switch (type) {
    case DD_H264_MB_I4X4: return DD_H264_KIND_I4X4;
    case DD_H264_MB_I8X8: return DD_H264_KIND_I8X8;
    case DD_H264_MB_I16X16: return DD_H264_KIND_I16X16;
    case DD_H264_MB_PCM: return DD_H264_KIND_PCM;
  }
  throw Error("vulkan backend: h264 macroblock of a type the Vulkan stages do not have");
}

uint32_t avail_of(uint8_t flags) {
  return (flags & DD_H264_MB_LEFT ? DD_H264_AVAIL_LEFT : 0) | (flags & DD_H264_MB_TOP ? DD_H264_AVAIL_TOP : 0) |
         (flags & DD_H264_MB_TOP_RIGHT ? DD_H264_AVAIL_TOP_RIGHT : 0) |
         (flags & DD_H264_MB_TOP_LEFT ? DD_H264_AVAIL_TOP_LEFT : 0);
}

// The records, in raster order (check_work has made mbs[i] the
// macroblock at raster address i).
void pack_h264_mbs(const H264FrameWork& work, uint32_t* out) {
  for (const dd_h264_mb& m : work.mbs) {
    // The shaders read rows of coefficients as int16 pairs.
    if (m.coeff_offset % 2) throw Error("vulkan backend: h264 coefficient offsets must be even");
    uint32_t* w = out + (size_t{m.mb_y} * work.params.mb_cols + m.mb_x) * DD_H264_MB_WORDS;
    w[DD_H264_MBW_POS] = m.mb_x | uint32_t{m.mb_y} << 16;
    w[DD_H264_MBW_TYPE] = kind_of(m.type) | avail_of(m.flags) << 8 | uint32_t{m.chroma_pred_mode} << 16 |
                          uint32_t{m.cbp} << 24;
    w[DD_H264_MBW_QP] = m.qp[0] | uint32_t{m.qp[1]} << 8 | uint32_t{m.qp[2]} << 16 | uint32_t{m.deblock_idc} << 24;
    w[DD_H264_MBW_FILTER] = uint8_t(m.filter_offset_a) | uint32_t{uint8_t(m.filter_offset_b)} << 8 |
                            uint32_t{m.slice} << 16;
    w[DD_H264_MBW_MODES] = w[DD_H264_MBW_MODES + 1] = 0;
    for (int k = 0; k < 16; ++k) w[DD_H264_MBW_MODES + k / 8] |= uint32_t(m.pred_modes[k] & 15) << (4 * (k % 8));
    w[DD_H264_MBW_COEFF] = m.coeff_offset;
    for (int i = 0; i < 3; ++i) w[DD_H264_MBW_DC_SCALE + i] = uint32_t(m.dc_scale[i]);
  }
}

}  // namespace

void VulkanBackend::h264_upload(const H264FrameWork& work) {
  if (h264_uploaded_of_ == &work) return;
  h264::check_work(work, "vulkan backend");
  const auto& p = work.params;
  h264_mb_buf_.ensure(*ctx_, size_t{p.num_mbs} * DD_H264_MB_WORDS * 4);
  pack_h264_mbs(work, reinterpret_cast<uint32_t*>(h264_mb_buf_.data()));
  h264_coeff_buf_.ensure(*ctx_, work.coeffs.size() * sizeof(int16_t));
  std::memcpy(h264_coeff_buf_.data(), work.coeffs.data(), work.coeffs.size() * sizeof(int16_t));
  h264_residual_buf_.ensure(*ctx_, size_t{p.num_mbs} * DD_H264_RES_PER_MB * sizeof(int16_t));
  h264_uploaded_of_ = &work;
}

void VulkanBackend::h264_residual(const H264FrameWork& work) {
  require_frame("h264_residual");
  h264_upload(work);
  const auto& p = work.params;
  stage_begin(Stage::kResidual);
  VkDescriptorSet set =
      make_set(kH264Residual, {h264_mb_buf_.buffer(), h264_coeff_buf_.buffer(), h264_residual_buf_.buffer()});
  dd_h264_push pc{};
  pc.num_mbs = p.num_mbs;
  pc.mb_cols = p.mb_cols;
  pc.mb_rows = p.mb_rows;
  dispatch_linear(kH264Residual, set, pc, p.num_mbs);
  h264_residual_of_ = &work;
  h264_residual_mbs_ = p.num_mbs;
  stage_end(Stage::kResidual);
}

std::vector<int16_t> VulkanBackend::h264_residuals() const {
  const auto* r = reinterpret_cast<const int16_t*>(h264_residual_buf_.data());
  return r ? std::vector<int16_t>(r, r + size_t{h264_residual_mbs_} * DD_H264_RES_PER_MB) : std::vector<int16_t>{};
}

}  // namespace daedalus::dispatch::vk
