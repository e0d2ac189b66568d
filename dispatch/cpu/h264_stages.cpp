// SPDX-License-Identifier: MIT
#include "h264_stages.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "cpu_surface.h"
#include "daedalus/dispatch/h264_shared.h"
#include "daedalus/error.h"
#include "h264_dsp.h"
#include "h264_work_checks.h"

namespace daedalus::dispatch::cpu {
namespace {

constexpr int kResidualPerMb = DD_H264_RES_PER_MB;  // the layout of daedalus/dispatch/h264_shared.h

// Decoding order of the 4x4 blocks of a macroblock (6.4.3): the blkIdx of
// the block at raster position (bx, by).
int blk_idx(int bx, int by) { return (by / 2) * 8 + (bx / 2) * 4 + (by % 2) * 2 + (bx % 2); }

void add_block(const PlaneView& v, int x0, int y0, int n, const int16_t* res, int res_stride) {
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      uint8_t& p = v.at(x0 + x, y0 + y);
      p = static_cast<uint8_t>(std::clamp(p + res[y * res_stride + x], 0, 255));
    }
}

// The edge of an n x n block at (x0, y0) of plane v: the row above (2n
// samples when top_right, else n and the last repeated), the column to the
// left, and the corner.
struct EdgeBuffer {
  uint8_t top_buf[1 + 32];
  uint8_t left[16];
  IntraEdge edge;
  void load(const PlaneView& v, int x0, int y0, int n, int top_n, bool has_top, bool has_left, bool has_top_left,
            bool has_top_right) {
    uint8_t* top = top_buf + 1;
    std::memset(top_buf, 0, sizeof(top_buf));
    std::memset(left, 0, sizeof(left));
    if (has_top) {
      for (int i = 0; i < n; ++i) top[i] = v.at(x0 + i, y0 - 1);
      for (int i = n; i < top_n; ++i) top[i] = has_top_right ? v.at(x0 + i, y0 - 1) : top[n - 1];
    }
    if (has_left)
      for (int i = 0; i < n; ++i) left[i] = v.at(x0 - 1, y0 + i);
    if (has_top_left) top[-1] = v.at(x0 - 1, y0 - 1);
    edge = {top, left, has_top, has_left, has_top_left};
  }
};

void predict_into(const PlaneView& v, int x0, int y0, int n, const uint8_t* pred) {
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) v.at(x0 + x, y0 + y) = pred[y * 16 + x];
}

}  // namespace

void H264CpuStages::residual(const H264FrameWork& work) {
  h264::check_work(work, "cpu backend");
  const H264Dsp& dsp = h264_dsp_c();
  residuals_.assign(size_t{work.params.num_mbs} * kResidualPerMb, 0);
  for (size_t i = 0; i < work.mbs.size(); ++i) {
    const dd_h264_mb& m = work.mbs[i];
    if (m.type == DD_H264_MB_PCM) continue;
    const int16_t* c = &work.coeffs[m.coeff_offset];
    int16_t* r = &residuals_[i * kResidualPerMb];
    int16_t block[64], res[64];
    const bool transform8x8 =
        m.type == DD_H264_MB_I8X8 || (m.type == DD_H264_MB_INTER && (m.flags & DD_H264_MB_TRANSFORM_8X8));
    if (transform8x8) {
      for (int b = 0; b < 4; ++b) {
        dsp.itx8(c + 64 * b, res);
        for (int y = 0; y < 8; ++y) std::memcpy(r + (8 * (b / 2) + y) * 16 + 8 * (b % 2), res + 8 * y, 16);
      }
    } else {
      int16_t dc[16];
      if (m.type == DD_H264_MB_I16X16) dsp.luma_dc(c + DD_H264_COEFF_LUMA_DC, m.dc_scale[0], dc);
      for (int b = 0; b < 16; ++b) {
        std::memcpy(block, c + 16 * b, 32);
        if (m.type == DD_H264_MB_I16X16) block[0] = dc[b];
        dsp.itx4(block, res);
        for (int y = 0; y < 4; ++y) std::memcpy(r + (4 * (b / 4) + y) * 16 + 4 * (b % 4), res + 4 * y, 8);
      }
    }
    for (int pl = 0; pl < 2; ++pl) {
      int16_t dc[4];
      dsp.chroma_dc(c + DD_H264_COEFF_CB_DC + 4 * pl, m.dc_scale[1 + pl], dc);
      const int16_t* cc = c + DD_H264_COEFF_CB + 64 * pl;
      int16_t* rc = r + (pl ? DD_H264_RES_CR : DD_H264_RES_CB);
      for (int b = 0; b < 4; ++b) {
        std::memcpy(block, cc + 16 * b, 32);
        block[0] = dc[b];
        dsp.itx4(block, res);
        for (int y = 0; y < 4; ++y) std::memcpy(rc + (4 * (b / 2) + y) * 8 + 4 * (b % 2), res + 4 * y, 8);
      }
    }
  }
  residual_of_ = &work;
}

void H264CpuStages::intra_recon(const H264FrameWork& work, Surface& dst) {
  if (residual_of_ != &work) throw Error("cpu backend: h264_intra_recon called without h264_residual for this work");
  const auto& p = work.params;
  if (dst.format() != SurfaceFormat::kPlanar420 || dst.plane(0).width < p.mb_cols * 16 ||
      dst.plane(0).height < p.mb_rows * 16)
    throw Error(fmt::format("cpu backend: h264 destination must be a planar surface of at least {}x{}",
                            p.mb_cols * 16, p.mb_rows * 16));
  const CpuAccess access(dst, true);
  const PlaneView planes[3] = {plane_view(dst, 0), plane_view(dst, 1), plane_view(dst, 2)};
  const H264Dsp& dsp = h264_dsp_c();
  uint8_t pred[16 * 16];
  EdgeBuffer eb;
  for (size_t i = 0; i < work.mbs.size(); ++i) {
    const dd_h264_mb& m = work.mbs[i];
    const int16_t* r = &residuals_[i * kResidualPerMb];
    const int mx = m.mb_x * 16, my = m.mb_y * 16;
    const bool A = m.flags & DD_H264_MB_LEFT, B = m.flags & DD_H264_MB_TOP, C = m.flags & DD_H264_MB_TOP_RIGHT,
               D = m.flags & DD_H264_MB_TOP_LEFT;
    if (m.type == DD_H264_MB_PCM) {
      const int16_t* s = &work.coeffs[m.coeff_offset];
      for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) planes[0].at(mx + x, my + y) = static_cast<uint8_t>(s[16 * y + x]);
      for (int pl = 0; pl < 2; ++pl)
        for (int y = 0; y < 8; ++y)
          for (int x = 0; x < 8; ++x)
            planes[1 + pl].at(mx / 2 + x, my / 2 + y) = static_cast<uint8_t>(s[256 + 64 * pl + 8 * y + x]);
      continue;
    }
    const PlaneView& Y = planes[0];
    if (m.type == DD_H264_MB_INTER) {  // h264_inter_pred wrote the prediction
      add_block(Y, mx, my, 16, r, 16);
      for (int pl = 0; pl < 2; ++pl) add_block(planes[1 + pl], mx / 2, my / 2, 8, r + 256 + 64 * pl, 8);
      continue;
    }
    if (m.type == DD_H264_MB_I16X16) {
      eb.load(Y, mx, my, 16, 16, B, A, D, false);
      dsp.pred_16x16(pred, 16, m.pred_modes[0], eb.edge);
      predict_into(Y, mx, my, 16, pred);
      add_block(Y, mx, my, 16, r, 16);
    } else if (m.type == DD_H264_MB_I4X4) {
      for (int k = 0; k < 16; ++k) {
        const int bx = ((k / 4) % 2) * 2 + (k % 2), by = (k / 8) * 2 + ((k % 4) / 2);
        const bool left = bx > 0 || A, top = by > 0 || B;
        const bool top_left = bx > 0 && by > 0 ? true : bx > 0 ? B : by > 0 ? A : D;
        bool top_right;
        if (by == 0)
          top_right = bx < 3 ? B : C;
        else
          top_right = bx < 3 && blk_idx(bx + 1, by - 1) < k;
        const int x0 = mx + 4 * bx, y0 = my + 4 * by;
        eb.load(Y, x0, y0, 4, 8, top, left, top_left, top_right);
        dsp.pred_nxn(pred, 16, 4, m.pred_modes[by * 4 + bx], eb.edge);
        predict_into(Y, x0, y0, 4, pred);
        add_block(Y, x0, y0, 4, r + 4 * by * 16 + 4 * bx, 16);
      }
    } else {
      for (int b = 0; b < 4; ++b) {
        const int bx = b % 2, by = b / 2;
        const bool left = bx > 0 || A, top = by > 0 || B;
        const bool top_left = bx > 0 && by > 0 ? true : bx > 0 ? B : by > 0 ? A : D;
        const bool top_right = by == 0 ? (bx == 0 ? B : C) : bx == 0;
        const int x0 = mx + 8 * bx, y0 = my + 8 * by;
        eb.load(Y, x0, y0, 8, 16, top, left, top_left, top_right);
        uint8_t ftop_buf[17], fleft[8];
        std::memset(ftop_buf, 0, sizeof(ftop_buf));
        std::memset(fleft, 0, sizeof(fleft));
        dsp.filter_8x8_edge(eb.edge, ftop_buf + 1, fleft);
        const IntraEdge filtered{ftop_buf + 1, fleft, top, left, top_left};
        dsp.pred_nxn(pred, 16, 8, m.pred_modes[b], filtered);
        predict_into(Y, x0, y0, 8, pred);
        add_block(Y, x0, y0, 8, r + 8 * by * 16 + 8 * bx, 16);
      }
    }
    for (int pl = 0; pl < 2; ++pl) {
      const PlaneView& V = planes[1 + pl];
      eb.load(V, mx / 2, my / 2, 8, 8, B, A, D, false);
      dsp.pred_chroma(pred, 16, m.chroma_pred_mode, eb.edge);
      predict_into(V, mx / 2, my / 2, 8, pred);
      add_block(V, mx / 2, my / 2, 8, r + (pl ? DD_H264_RES_CR : DD_H264_RES_CB), 8);
    }
  }
}

}  // namespace daedalus::dispatch::cpu
