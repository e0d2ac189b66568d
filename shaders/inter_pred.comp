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

layout(local_size_x = 64) in;

// Job buffer: words [0, 27): reference plane layouts, [slot][plane] =
// (offset, stride, step); from word 32: 16-word jobs (see vk_inter.cpp).
layout(std430, binding = 0) readonly buffer Jobs { uint jw[]; };
layout(std430, binding = 1) readonly buffer Ref0 { uint8_t ref0[]; };
layout(std430, binding = 2) readonly buffer Ref1 { uint8_t ref1[]; };
layout(std430, binding = 3) readonly buffer Ref2 { uint8_t ref2[]; };
layout(std430, binding = 4) writeonly buffer Dst { uint8_t pix[]; };
layout(std430, binding = 5) readonly buffer Filters { int kern[]; };  // [filt][pos][tap]

layout(push_constant) uniform Params {
  uint count;
  uint off[3], stride[3];  // destination planes
} pc;

int ref_pixel(int slot, uint a) {
  return slot == 0 ? int(ref0[a]) : slot == 1 ? int(ref1[a]) : int(ref2[a]);
}

int predict(uint job, int plane, int filt, int r, int c, int i) {
  uint b = 32u + job * 16u + 3u + uint(i) * 5u;
  int slot = int(jw[b]);
  int pos_x = int(jw[b + 1u]), pos_y = int(jw[b + 2u]);
  int dx = int(jw[b + 3u] & 0xffffu), dy = int(jw[b + 3u] >> 16);
  int rw = int(jw[b + 4u] & 0xffffu), rh = int(jw[b + 4u] >> 16);
  uint lb = uint(slot * 9 + plane * 3);
  uint roff = jw[lb], rstride = jw[lb + 1u], rstep = jw[lb + 2u];
  int ix = pos_x >> 4, iy = pos_y >> 4, mx = pos_x & 15, my = pos_y & 15;
  int hp = mx + c * dx;
  int hcol = ix + (hp >> 4) - 3;
  int hk = (filt * 16 + (hp & 15)) * 8;
  int vp = my + r * dy;
  int vrow = iy + (vp >> 4) - 3;
  int vk = (filt * 16 + (vp & 15)) * 8;
  int sum = 0;
  for (int k = 0; k < 8; k++) {
    uint row = roff + uint(clamp(vrow + k, 0, rh - 1)) * rstride;
    int hs = 0;
    for (int t = 0; t < 8; t++) hs += kern[hk + t] * ref_pixel(slot, row + uint(clamp(hcol + t, 0, rw - 1)) * rstep);
    sum += kern[vk + k] * clip_pixel((hs + 64) >> 7);
  }
  return clip_pixel((sum + 64) >> 7);
}

void main() {
  if (gl_WorkGroupID.x >= pc.count) return;
  const uint job = gl_WorkGroupID.x;
  const uint j0 = jw[32u + job * 16u];
  const int plane = int(j0 & 0xffu), filt = int((j0 >> 8) & 0xffu), nrefs = int(j0 >> 16);
  const int x = int(jw[33u + job * 16u] & 0xffffu), y = int(jw[33u + job * 16u] >> 16);
  const int w = int(jw[34u + job * 16u] & 0xffffu), h = int(jw[34u + job * 16u] >> 16);
  for (int i = int(gl_LocalInvocationID.x); i < w * h; i += 64) {
    int r = i / w, c = i - r * w;
    int v = predict(job, plane, filt, r, c, 0);
    if (nrefs == 2) v = (v + predict(job, plane, filt, r, c, 1) + 1) >> 1;
    pix[pc.off[plane] + uint(y + r) * pc.stride[plane] + uint(x + c)] = uint8_t(v);
  }
}
