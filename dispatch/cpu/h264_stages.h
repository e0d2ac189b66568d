// SPDX-License-Identifier: MIT
// The CPU backend's H.264 stages over a picture's H264FrameWork, built on
// the H264Dsp primitives (h264_dsp.h). CpuBackend owns one and forwards its
// Backend::h264_* calls to it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::dispatch::cpu {

class H264CpuStages {
 public:
  // Residuals of every macroblock (384 samples each: 16x16 luma, 8x8 Cb,
  // 8x8 Cr, raster), kept for intra_recon.
  void residual(const H264FrameWork& work);
  // P pictures: every inter block's prediction into dst (h264_inter.cpp).
  void inter_pred(const H264FrameWork& work, Surface& dst, std::span<Surface* const> refs);
  // Prediction + residual in macroblock raster order (every macroblock's
  // left, top and top-right neighbours come before it); inter macroblocks
  // get their residual added to inter_pred's prediction.
  void intra_recon(const H264FrameWork& work, Surface& dst);
  void deblock(const H264FrameWork& work, Surface& dst);
  const std::vector<int16_t>& residuals() const { return residuals_; }

 private:
  std::vector<int16_t> residuals_;
  const H264FrameWork* residual_of_ = nullptr;
};

}  // namespace daedalus::dispatch::cpu
