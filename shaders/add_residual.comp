// SPDX-License-Identifier: MIT
// add_residual: residual of inter tx blocks added to their prediction,
// clipped to 8 bit, only inside the decoded plane area (add_residual in
// dispatch/cpu/cpu_backend.cpp). One workgroup per tx block.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer TxBlocks { uint txw[]; };
layout(std430, binding = 1) readonly buffer Residuals { int16_t res[]; };
layout(std430, binding = 2) readonly buffer Aux { uint aux[]; };  // residual offsets, then the list
layout(std430, binding = 3) buffer Dst { uint8_t pix[]; };

layout(push_constant) uniform Params {
  uint list_base, count;
  uint off[3], stride[3], width[3], height[3];
} pc;

void main() {
  if (linear_group() >= pc.count) return;
  const uint ti = aux[pc.list_base + linear_group()];
  TxBlock t = unpack_tx(txw[4u * ti], txw[4u * ti + 1u], txw[4u * ti + 2u], txw[4u * ti + 3u]);
  const int p = t.plane, n = 4 << t.tx_size, log2n = 2 + t.tx_size;
  const int w = min(n, int(sel3(pc.width[0], pc.width[1], pc.width[2], p)) - t.x), h = min(n, int(sel3(pc.height[0], pc.height[1], pc.height[2], p)) - t.y);
  const uint roff = aux[ti];
  for (int i = int(gl_LocalInvocationID.x); i < n * n; i += 64) {
    int r = i >> log2n, c = i & (n - 1);
    if (r >= h || c >= w) continue;
    uint a = sel3(pc.off[0], pc.off[1], pc.off[2], p) + uint(t.y + r) * sel3(pc.stride[0], pc.stride[1], pc.stride[2], p) + uint(t.x + c);
    pix[a] = uint8_t(clip_pixel(int(pix[a]) + int(res[roff + uint(i)])));
  }
}
