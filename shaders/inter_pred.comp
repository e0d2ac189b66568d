// SPDX-License-Identifier: MIT
// inter_pred: VP9 motion-compensated prediction, bit-exact with dispatch/cpu
// (predict / predict_block in cpu_backend.cpp + vp9_mc.cpp). The host turns
// each inter block into jobs (one per plane and sub-block) whose reference
// positions it computes exactly as the reference does (the scaled-MV math
// needs 64-bit products, which V3DV's shaders lack); the shader does the
// filtering: per output pixel, eight horizontal 8-tap filters (rounded by
// 7, clipped) feeding one vertical 8-tap filt, reference reads clamped to
// the reference's visible plane (edge extension), compound = rounded
// average of the two predictions. One workgroup per job.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 128) in;

// Job buffer: words [0, 27): reference plane layouts, [slot][plane] =
// (offset, stride, step); from word 32: 16-word jobs (see vk_work.h).
layout(std430, binding = 0) readonly buffer Jobs { uint jw[]; };
// References are read as 32-bit words: one load brings 4 samples (fewer
// TMU lookups on V3D); samples are extracted with shifts.
layout(std430, binding = 1) readonly buffer Ref0 { uint ref0[]; };
layout(std430, binding = 2) readonly buffer Ref1 { uint ref1[]; };
layout(std430, binding = 3) readonly buffer Ref2 { uint ref2[]; };
layout(std430, binding = 4) buffer Dst { uint8_t pix[]; };
layout(std430, binding = 5) readonly buffer Filters { int kern[]; };  // [filter][pos][tap]

layout(push_constant) uniform Params {
  uint count;
  uint off[3], stride[3];  // destination planes
} pc;

// Horizontally filtered rows of the current strip, 64 columns each: at
// most 39 rows (32 output rows unscaled, 16 when scaled by up to 2).
shared int tmp[39 * 64];

shared int taps[128];  // the job's filter kernels, [position][tap]

// Horizontal pass of one strip from reference buffer REF into tmp. Where
// the 8 taps lie inside the reference row of a planar reference, the 8
// samples come from 2 or 3 word loads; else sample by sample, clamped.
#define HPASS(REF)                                                                          \
  for (int k = tid; k < rows * w; k += 128) {                                               \
    const int tr = div_w(k), c = k - tr * w;                                                \
    const uint row = roff + uint(clamp(iy + base_row - 3 + tr, 0, rh - 1)) * rstride;       \
    const int hp = mx + c * dx;                                                             \
    const int col = ix + (hp >> 4) - 3;                                                     \
    const int hk = (hp & 15) * 8;                                                           \
    int sum = 0;                                                                            \
    if (rstep == 1u && col >= 0 && col + 7 < rw) {                                          \
      const uint a0 = row + uint(col);                                                      \
      const uint sh = (a0 & 3u) * 8u;                                                       \
      const uint w0 = REF[a0 >> 2], w1 = REF[(a0 >> 2) + 1u];                               \
      uint lo = w0, hi = w1;                                                                \
      if (sh != 0u) {                                                                       \
        const uint w2 = REF[(a0 >> 2) + 2u];                                                \
        lo = (w0 >> sh) | (w1 << (32u - sh));                                               \
        hi = (w1 >> sh) | (w2 << (32u - sh));                                               \
      }                                                                                     \
      for (int t = 0; t < 4; t++) sum += taps[hk + t] * int((lo >> (8 * t)) & 0xffu);       \
      for (int t = 0; t < 4; t++) sum += taps[hk + 4 + t] * int((hi >> (8 * t)) & 0xffu);   \
    } else {                                                                                \
      for (int t = 0; t < 8; t++) {                                                         \
        const uint a = row + uint(clamp(col + t, 0, rw - 1)) * rstep;                       \
        sum += taps[hk + t] * int((REF[a >> 2] >> ((a & 3u) * 8u)) & 0xffu);                \
      }                                                                                     \
    }                                                                                       \
    tmp[tr * 64 + c] = clip_pixel((sum + 64) >> 7);                                         \
  }

// k / w for the small k and w used here (k < 2^16, 1 <= w <= 64): V3D has
// no integer divider, so a float reciprocal plus one exact correction.
int g_w;
float g_rcp_w;
int div_w(int k) {
  int q = int(float(k) * g_rcp_w);
  if (q * g_w > k) q--;
  else if ((q + 1) * g_w <= k) q++;
  return q;
}

void main() {
  if (linear_group() >= pc.count) return;
  const uint jb = 32u + linear_group() * 16u;
  const uint j0 = jw[jb];
  const int plane = int(j0 & 0xffu), filt = int((j0 >> 8) & 0xffu), nrefs = int(j0 >> 16);
  const int x = int(jw[jb + 1u] & 0xffffu), y = int(jw[jb + 1u] >> 16);
  const int w = int(jw[jb + 2u] & 0xffffu), h = int(jw[jb + 2u] >> 16);
  g_w = w;
  g_rcp_w = 1.0 / float(w);
  const int tid = int(gl_LocalInvocationID.x);
  const uint doff = sel3(pc.off[0], pc.off[1], pc.off[2], plane), dstride = sel3(pc.stride[0], pc.stride[1], pc.stride[2], plane);
  taps[tid] = kern[filt * 128 + tid];  // published by the first strip's barrier

  for (int i = 0; i < nrefs; i++) {
    const uint b = jb + 3u + uint(i) * 5u;
    const int slot = int(jw[b]);
    const int pos_x = int(jw[b + 1u]), pos_y = int(jw[b + 2u]);
    const int dx = int(jw[b + 3u] & 0xffffu), dy = int(jw[b + 3u] >> 16);
    const int rw = int(jw[b + 4u] & 0xffffu), rh = int(jw[b + 4u] >> 16);
    const uint lb = uint(slot * 9 + plane * 3);
    const uint roff = jw[lb], rstride = jw[lb + 1u], rstep = jw[lb + 2u];
    const int ix = pos_x >> 4, iy = pos_y >> 4, mx = pos_x & 15, my = pos_y & 15;
    const int strip = dy > 16 ? 16 : 32;
    for (int r0 = 0; r0 < h; r0 += strip) {
      const int sh = min(strip, h - r0);
      const int p0 = my + r0 * dy;
      const int base_row = p0 >> 4;  // source row (relative to iy) of tmp row 3
      const int rows = ((((sh - 1) * dy) + (p0 & 15)) >> 4) + 8;
      barrier();  // the previous strip's vertical pass is done with tmp
      // One branch on the reference slot per strip, not per tap.
      if (slot == 0) HPASS(ref0)
      else if (slot == 1) HPASS(ref1)
      else HPASS(ref2)
      barrier();
      for (int k = tid; k < sh * w; k += 128) {
        const int rr = div_w(k), c = k - rr * w;
        const int vp = my + (r0 + rr) * dy;
        const int tr0 = (vp >> 4) - base_row;
        const int vk = (vp & 15) * 8;
        int sum = 0;
        for (int t = 0; t < 8; t++) sum += taps[vk + t] * tmp[(tr0 + t) * 64 + c];
        int v = clip_pixel((sum + 64) >> 7);
        const uint a = doff + uint(y + r0 + rr) * dstride + uint(x + c);
        // The second prediction is averaged with the first, which this
        // same invocation wrote (identical pixel-to-invocation mapping).
        if (i == 1) v = (int(pix[a]) + v + 1) >> 1;
        pix[a] = uint8_t(v);
      }
    }
  }
}
