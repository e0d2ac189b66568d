// SPDX-License-Identifier: MIT
// h264_intra_recon: H.264 intra prediction + residual of a macroblock
// (8.3.1 - 8.3.4), bit-exact with H264CpuStages::intra_recon and
// dispatch/cpu/h264_intra.cpp. One workgroup per macroblock, one dispatch
// per wavefront level (stage_h264_intra_recon.cpp): every macroblock it
// reads was written by an earlier level. Inside the macroblock the luma is
// built in shared memory with its edges: Intra4x4 blocks in 10 steps of
// the same wavefront (block (bx, by) at step bx + 2 * by, two blocks at
// most per step), Intra8x8 blocks one by one, Intra16x16 and chroma at
// once. A sample the reference's edge buffer holds as unavailable is 0
// here too, so a mode that reads one (no valid stream has it) still
// matches.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "daedalus/dispatch/h264_shared.h"

layout(local_size_x = DD_H264_INTRA_LANES) in;

layout(std430, binding = 0) readonly buffer Mbs { uint mbw[]; };     // DD_H264_MB_WORDS per macroblock
layout(std430, binding = 1) readonly buffer Coeffs { uint coeffw[]; };  // I_PCM samples, int16 pairs
layout(std430, binding = 2) readonly buffer Residuals { uint resw[]; };  // int16 pairs, h264_shared.h's layout
// The planes as 32-bit words (offsets and strides are multiples of 4, and
// macroblocks 16 luma / 8 chroma samples wide): rows stored 4 samples at a time.
layout(std430, binding = 3) buffer Dst { uint pixw[]; };

layout(push_constant) uniform Params { dd_h264_push pc; };  // daedalus/shader_interface.h

// The macroblock's luma, rows -1 .. 15 and columns -1 .. 23 (row -1: the
// row above, with the top-right macroblock's first 8 samples).
shared int sY[17 * 25];
int Yi(int x, int y) { return (y + 1) * 25 + x + 1; }
// Chroma edges per plane p at p * 17: above[-1 .. 7] at 0 .. 8, left at 9 .. 16.
shared int sC[2 * 17];
// Block edges per slot s at s * 64: above[-1 .. 31] at 0 .. 32, left at
// 40 .. 55. Intra8x8: slot 0 as read, slot 1 filtered (8.3.2.2.1).
shared int sE[2 * 64];
int gA, gL;  // this invocation's slot: above[-1] at sE[gA], left[0] at sE[gL]

int T(int x) { return sE[gA + 1 + x]; }
int L(int y) { return y < 0 ? sE[gA] : sE[gL + y]; }

uint load_pixel(uint a) { return (pixw[a >> 2] >> ((a & 3u) * 8u)) & 0xffu; }

// The DC rules of 8.3.1.2.3, 8.3.2.2.4, 8.3.3.3 over the slot's edges.
int dc_value(int n, int log2n, bool has_top, bool has_left) {
  int sum = 0;
  for (int i = 0; i < n; i++) sum += (has_top ? T(i) : 0) + (has_left ? L(i) : 0);
  if (has_top && has_left) return (sum + n) >> (log2n + 1);
  if (has_top || has_left) return (sum + (n >> 1)) >> log2n;
  return 128;
}

// Intra_4x4 / Intra_8x8 (modes of Table 8-2 / 8-3) at (x, y); dc: mode 2's value.
int pred_nxn(int mode, int n, int x, int y, int dc) {
  switch (mode) {
    case 0: return T(x);
    case 1: return L(y);
    case 2: return dc;
    case 3:  // Diagonal_Down_Left
      return (x == n - 1 && y == n - 1) ? (T(2 * n - 2) + 3 * T(2 * n - 1) + 2) >> 2
                                        : (T(x + y) + 2 * T(x + y + 1) + T(x + y + 2) + 2) >> 2;
    case 4:  // Diagonal_Down_Right
      if (x > y) return (T(x - y - 2) + 2 * T(x - y - 1) + T(x - y) + 2) >> 2;
      if (x < y) return (L(y - x - 2) + 2 * L(y - x - 1) + L(y - x) + 2) >> 2;
      return (T(0) + 2 * T(-1) + L(0) + 2) >> 2;
    case 5: {  // Vertical_Right
      const int z = 2 * x - y;
      if (z >= 0 && (z & 1) == 0) return (T(x - (y >> 1) - 1) + T(x - (y >> 1)) + 1) >> 1;
      if (z >= 0) return (T(x - (y >> 1) - 2) + 2 * T(x - (y >> 1) - 1) + T(x - (y >> 1)) + 2) >> 2;
      if (z == -1) return (L(0) + 2 * T(-1) + T(0) + 2) >> 2;
      return (L(y - 2 * x - 1) + 2 * L(y - 2 * x - 2) + L(y - 2 * x - 3) + 2) >> 2;
    }
    case 6: {  // Horizontal_Down
      const int z = 2 * y - x;
      if (z >= 0 && (z & 1) == 0) return (L(y - (x >> 1) - 1) + L(y - (x >> 1)) + 1) >> 1;
      if (z >= 0) return (L(y - (x >> 1) - 2) + 2 * L(y - (x >> 1) - 1) + L(y - (x >> 1)) + 2) >> 2;
      if (z == -1) return (L(0) + 2 * T(-1) + T(0) + 2) >> 2;
      return (T(x - 2 * y - 1) + 2 * T(x - 2 * y - 2) + T(x - 2 * y - 3) + 2) >> 2;
    }
    case 7:  // Vertical_Left
      if ((y & 1) == 0) return (T(x + (y >> 1)) + T(x + (y >> 1) + 1) + 1) >> 1;
      return (T(x + (y >> 1)) + 2 * T(x + (y >> 1) + 1) + T(x + (y >> 1) + 2) + 2) >> 2;
    default: {  // 8: Horizontal_Up
      const int z = x + 2 * y, last = 2 * n - 3;
      if (z < last && (z & 1) == 0) return (L(y + (x >> 1)) + L(y + (x >> 1) + 1) + 1) >> 1;
      if (z < last) return (L(y + (x >> 1)) + 2 * L(y + (x >> 1) + 1) + L(y + (x >> 1) + 2) + 2) >> 2;
      if (z == last) return (L(n - 2) + 3 * L(n - 1) + 2) >> 2;
      return L(n - 1);
    }
  }
}

// Residual sample i of the macroblock whose residuals start at rbase.
int res_at(uint rbase, int i) {
  const uint k = rbase + uint(i);
  const uint w = resw[k >> 1];
  return (k & 1u) != 0u ? int(w) >> 16 : int(w << 16) >> 16;
}

// Intra4x4 / Intra8x8: prediction + residual of 4 samples of a row, luma
// (x0 .. x0 + 3, y), block origin (bx0, by0), into sY.
void predict4_to_shared(uint rbase, int mode, int n, int bx0, int by0, int x0, int y, int dc) {
  for (int i = 0; i < 4; i++) {
    const int x = x0 + i;
    const int p = pred_nxn(mode, n, x - bx0, y - by0, dc);
    sY[Yi(x, y)] = clip_pixel(p + res_at(rbase, DD_H264_RES_LUMA + y * 16 + x));
  }
}

uint pack4(int a, int b, int c, int d) { return uint(a) | uint(b) << 8 | uint(c) << 16 | uint(d) << 24; }

// Neighbour availability of 4x4 / 8x8 block (bx, by) of size n (in units
// of n) inside the macroblock, as H264CpuStages::intra_recon decides it.
bool blk_left(int bx, bool A) { return bx > 0 || A; }
bool blk_top(int by, bool B) { return by > 0 || B; }
bool blk_top_left(int bx, int by, bool A, bool B, bool D) {
  return bx > 0 && by > 0 ? true : bx > 0 ? B : by > 0 ? A : D;
}
int blk_idx(int bx, int by) { return (by >> 1) * 8 + (bx >> 1) * 4 + (by & 1) * 2 + (bx & 1); }

// Fills slot s's edges for an n x n luma block at (x0, y0) from sY: the
// invocation's share t (0 .. 15) of above[t] (t < 2n), left[t] (t < n) and,
// for t == 0, above[-1].
void fill_edge(int s, int t, int n, int x0, int y0, bool top, bool left, bool top_left, bool top_right) {
  const int base = s * 64;
  if (t < 2 * n) {
    const int x = t < n || top_right ? x0 + t : x0 + n - 1;
    sE[base + 1 + t] = top ? sY[Yi(x, y0 - 1)] : 0;
  }
  if (t < n) sE[base + 40 + t] = left ? sY[Yi(x0 - 1, y0 + t)] : 0;
  if (t == 0) sE[base] = top_left ? sY[Yi(x0 - 1, y0 - 1)] : 0;
}

void main() {
  const uint group = linear_group();
  if (group >= pc.count) return;  // uniform per workgroup
  const int mby = int(pc.first_y + group), mbx = int(pc.level) - 2 * mby;
  const uint mb = uint(mby) * pc.mb_cols + uint(mbx);
  const uint rec = mb * DD_H264_MB_WORDS;
  const uint wt = mbw[rec + DD_H264_MBW_TYPE];
  const int kind = int(wt & 0xffu), avail = int((wt >> 8) & 0xffu), chroma_mode = int((wt >> 16) & 0xffu);
  if (kind > DD_H264_KIND_PCM) return;  // not an intra macroblock
  const bool A = (avail & DD_H264_AVAIL_LEFT) != 0, B = (avail & DD_H264_AVAIL_TOP) != 0;
  const bool C = (avail & DD_H264_AVAIL_TOP_RIGHT) != 0, D = (avail & DD_H264_AVAIL_TOP_LEFT) != 0;
  const uint modes0 = mbw[rec + DD_H264_MBW_MODES], modes1 = mbw[rec + DD_H264_MBW_MODES + 1u];
  const int id = int(gl_LocalInvocationID.x);
  const uint rbase = mb * uint(DD_H264_RES_PER_MB);
  const uint yoff = pc.planes.off[0], ystride = pc.planes.stride[0];
  const int mx = mbx * 16, my = mby * 16;
  // Chroma: invocation id is row cy of plane cp.
  const int cp = id >> 3, cy = id & 7;
  const uint coff = cp == 0 ? pc.planes.off[1] : pc.planes.off[2];
  const uint cstride = cp == 0 ? pc.planes.stride[1] : pc.planes.stride[2];
  const int cx0 = mbx * 8, cy0 = mby * 8;
  const uint yrow = (yoff + uint(my + id) * ystride + uint(mx)) >> 2;  // luma row id, in words
  const uint crow = (coff + uint(cy0 + cy) * cstride + uint(cx0)) >> 2;

  if (kind == DD_H264_KIND_PCM) {
    const uint cbase = mbw[rec + DD_H264_MBW_COEFF];
    for (int k = 0; k < 4; k++) {
      const uint s = (cbase + uint(DD_H264_COEFF_LUMA + 16 * id + 4 * k)) >> 1;
      const uint a = coeffw[s], b = coeffw[s + 1u];
      pixw[yrow + uint(k)] = (a & 0xffu) | (a >> 16 & 0xffu) << 8 | (b & 0xffu) << 16 | (b >> 16 & 0xffu) << 24;
    }
    for (int k = 0; k < 2; k++) {
      const uint s = (cbase + uint(DD_H264_COEFF_CB + 64 * cp + 8 * cy + 4 * k)) >> 1;
      const uint a = coeffw[s], b = coeffw[s + 1u];
      pixw[crow + uint(k)] = (a & 0xffu) | (a >> 16 & 0xffu) << 8 | (b & 0xffu) << 16 | (b >> 16 & 0xffu) << 24;
    }
    return;
  }

  // The edges around the macroblock, where they lie inside the picture
  // (whether prediction may use them is the availability's business).
  {
    // Loaded under if, not ?: (an address outside the picture is never
    // formed, let alone read).
    const bool up = mby > 0, lf = mbx > 0, ur = mbx + 1 < int(pc.mb_cols);
    int left = 0, a0 = 0, a1 = 0, ca = 0, cl = 0, cc = 0;
    if (lf) {
      left = int(load_pixel(yoff + uint(my + id) * ystride + uint(mx - 1)));
      cl = int(load_pixel(coff + uint(cy0 + cy) * cstride + uint(cx0 - 1)));
    }
    const int xa = id - 1, xb = 15 + id;  // -1 .. 14; 15 .. 30 (up to 23 kept)
    if (up) {
      const uint above = yoff + uint(my - 1) * ystride, cabove = coff + uint(cy0 - 1) * cstride;
      if (xa >= 0 || lf) a0 = int(load_pixel(above + uint(mx + xa)));
      if (xb < 16 || (ur && xb < 24)) a1 = int(load_pixel(above + uint(mx + xb)));
      ca = int(load_pixel(cabove + uint(cx0 + cy)));
      if (lf && cy == 0) cc = int(load_pixel(cabove + uint(cx0 - 1)));
    }
    sY[Yi(-1, id)] = left;
    sY[Yi(xa, -1)] = a0;
    if (xb < 24) sY[Yi(xb, -1)] = a1;
    sC[cp * 17 + 1 + cy] = ca;
    sC[cp * 17 + 9 + cy] = cl;
    if (cy == 0) sC[cp * 17] = cc;
  }
  barrier();

  // Chroma (8.3.4): row cy of plane cp, from the macroblock's edges.
  {
    const int cb = cp * 17;
    int h = 0, v = 0;
    for (int i = 0; i < 4; i++) {
      const int tl = B ? sC[cb + 1 + 4 + i] : 0, tr = 2 - i < 0 ? (D ? sC[cb] : 0) : (B ? sC[cb + 1 + 2 - i] : 0);
      const int ll = A ? sC[cb + 9 + 4 + i] : 0, lr = 2 - i < 0 ? (D ? sC[cb] : 0) : (A ? sC[cb + 9 + 2 - i] : 0);
      h += (i + 1) * (tl - tr);
      v += (i + 1) * (ll - lr);
    }
    const int pa = 16 * ((A ? sC[cb + 9 + 7] : 0) + (B ? sC[cb + 1 + 7] : 0));
    const int pb = (34 * h + 32) >> 6, pcv = (34 * v + 32) >> 6;
    const int by = cy >> 2;
    const int cres = (cp == 0 ? DD_H264_RES_CB : DD_H264_RES_CR) + 8 * cy;
    uint word = 0u;
    for (int cx = 0; cx < 8; cx++) {
      const int bx = cx >> 2;
      int p;
      if (chroma_mode == 0) {
        // DC per 4x4 block, with the edge it prefers (8.3.4.1 - 8.3.4.3).
        int st = 0, sl = 0;
        for (int i = 0; i < 4; i++) {
          st += B ? sC[cb + 1 + 4 * bx + i] : 0;
          sl += A ? sC[cb + 9 + 4 * by + i] : 0;
        }
        const bool use_t = bx == by ? B : bx > 0 ? B : !A && B;
        const bool use_l = bx == by ? A : bx > 0 ? !B && A : A;
        p = use_t && use_l ? (st + sl + 4) >> 3 : use_t ? (st + 2) >> 2 : use_l ? (sl + 2) >> 2 : 128;
      } else if (chroma_mode == 3) {
        p = clip_pixel((pa + pb * (cx - 3) + pcv * (cy - 3) + 16) >> 5);
      } else if (chroma_mode == 2) {
        p = B ? sC[cb + 1 + cx] : 0;
      } else {
        p = A ? sC[cb + 9 + cy] : 0;
      }
      word |= uint(clip_pixel(p + res_at(rbase, cres + cx))) << (8 * (cx & 3));
      if ((cx & 3) == 3) {
        pixw[crow + uint(bx)] = word;
        word = 0u;
      }
    }
  }

  if (kind == DD_H264_KIND_I16X16) {
    gA = 0;
    gL = 40;
    fill_edge(0, id, 16, 0, 0, B, A, D, false);
    barrier();
    const int mode = int(modes0 & 15u);
    int dc = 0, pa = 0, pb = 0, pcv = 0;
    if (mode == 2) dc = dc_value(16, 4, B, A);
    if (mode == 3) {
      int h = 0, v = 0;
      for (int i = 0; i < 8; i++) {
        h += (i + 1) * (T(8 + i) - T(6 - i));
        v += (i + 1) * (L(8 + i) - L(6 - i));
      }
      pa = 16 * (L(15) + T(15));
      pb = (5 * h + 32) >> 6;
      pcv = (5 * v + 32) >> 6;
    }
    uint word = 0u;
    for (int x = 0; x < 16; x++) {
      const int p = mode == 0 ? T(x) : mode == 1 ? L(id) : mode == 2 ? dc
                  : clip_pixel((pa + pb * (x - 7) + pcv * (id - 7) + 16) >> 5);
      word |= uint(clip_pixel(p + res_at(rbase, DD_H264_RES_LUMA + id * 16 + x))) << (8 * (x & 3));
      if ((x & 3) == 3) {
        pixw[yrow + uint(x >> 2)] = word;
        word = 0u;
      }
    }
    return;
  }

  // Intra4x4 (10 steps, up to two blocks each) and Intra8x8 (4 steps, one
  // block each) in one loop, so that the predictor is compiled once.
  const bool i8 = kind == DD_H264_KIND_I8X8;
  const int n = i8 ? 8 : 4, log2n = i8 ? 3 : 2;
  const int steps = i8 ? 4 : 10;
  for (int step = 0; step < steps; step++) {
    // Edges: for Intra4x4, slot j = id / 8 is block (bx, by) with bx + 2 *
    // by == step; for Intra8x8, slot 0 is block `step`.
    {
      const int j = i8 ? 0 : id >> 3, t = i8 ? id : id & 7;
      const int by = i8 ? step >> 1 : max(0, step - 2) / 2 + j, bx = i8 ? step & 1 : step - 2 * by;
      const int bmax = i8 ? 1 : 3;
      if (bx >= 0 && bx <= bmax && by <= bmax) {
        bool tr;
        if (i8)
          tr = by == 0 ? (bx == 0 ? B : C) : bx == 0;
        else
          tr = by == 0 ? (bx < 3 ? B : C) : bx < 3 && blk_idx(bx + 1, by - 1) < blk_idx(bx, by);
        fill_edge(j, t, n, n * bx, n * by, blk_top(by, B), blk_left(bx, A), blk_top_left(bx, by, A, B, D), tr);
      }
    }
    barrier();
    if (i8) {
      // 8.3.2.2.1: slot 0's edges filtered into slot 1 (0 where the
      // reference's buffer stays 0).
      const int bx = step & 1, by = step >> 1;
      const bool top = blk_top(by, B), left = blk_left(bx, A), top_left = blk_top_left(bx, by, A, B, D);
      gA = 0;
      gL = 40;
      const int t = id;
      int ft = 0;
      if (top) {
        if (t == 0)
          ft = top_left ? (T(-1) + 2 * T(0) + T(1) + 2) >> 2 : (3 * T(0) + T(1) + 2) >> 2;
        else if (t < 15)
          ft = (T(t - 1) + 2 * T(t) + T(t + 1) + 2) >> 2;
        else
          ft = (T(14) + 3 * T(15) + 2) >> 2;
      }
      sE[64 + 1 + t] = ft;
      if (t < 8) {
        int fl = 0;
        if (left) {
          if (t == 0)
            fl = top_left ? (T(-1) + 2 * L(0) + L(1) + 2) >> 2 : (3 * L(0) + L(1) + 2) >> 2;
          else if (t < 7)
            fl = (L(t - 1) + 2 * L(t) + L(t + 1) + 2) >> 2;
          else
            fl = (L(6) + 3 * L(7) + 2) >> 2;
        }
        sE[64 + 40 + t] = fl;
      }
      if (t == 0) {
        int fc = 0;
        if (top_left)
          fc = top && left ? (T(0) + 2 * T(-1) + L(0) + 2) >> 2
               : top       ? (3 * T(-1) + T(0) + 2) >> 2
               : left      ? (3 * T(-1) + L(0) + 2) >> 2
                           : T(-1);
        sE[64] = fc;
      }
      barrier();
    }
    {
      // Prediction + residual, 4 samples of a row each: Intra4x4 slot j =
      // id / 4, row id % 4; Intra8x8 (from the filtered slot 1) row id / 2,
      // half id % 2.
      const int j = i8 ? 0 : id >> 2;
      const int by = i8 ? step >> 1 : max(0, step - 2) / 2 + j, bx = i8 ? step & 1 : step - 2 * by;
      const int bmax = i8 ? 1 : 3;
      if (j < 2 && bx >= 0 && bx <= bmax && by <= bmax) {
        gA = i8 ? 64 : j * 64;
        gL = gA + 40;
        const int r = i8 ? id >> 1 : id & 3, c0 = i8 ? (id & 1) * 4 : 0;
        const int k = i8 ? step : by * 4 + bx;
        const int mode = int(((k < 8 ? modes0 : modes1) >> (4 * (k & 7))) & 15u);
        const int dc = dc_value(n, log2n, blk_top(by, B), blk_left(bx, A));
        predict4_to_shared(rbase, mode, n, n * bx, n * by, n * bx + c0, n * by + r, dc);
      }
    }
    barrier();
  }
  // Luma row id out of shared memory.
  for (int k = 0; k < 4; k++)
    pixw[yrow + uint(k)] = pack4(sY[Yi(4 * k, id)], sY[Yi(4 * k + 1, id)], sY[Yi(4 * k + 2, id)], sY[Yi(4 * k + 3, id)]);
}
