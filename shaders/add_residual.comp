// SPDX-License-Identifier: MIT
// add_residual: residual of inter tx blocks added to their prediction,
// clipped to 8 bit, only inside the decoded plane area (add_residual in
// dispatch/cpu/cpu_backend.cpp). One workgroup per tx block, or four 4x4
// blocks per workgroup (16 invocations each).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = DD_ADD_RESIDUAL_LANES) in;

layout(std430, binding = 0) readonly buffer TxBlocks { uint txw[]; };
layout(std430, binding = 1) readonly buffer Residuals { int16_t res[]; };
layout(std430, binding = 2) readonly buffer Aux { uint aux[]; };  // residual offsets, then the list
layout(std430, binding = 3) buffer Dst { uint8_t pix[]; };

layout(push_constant) uniform Params { dd_add_residual_push pc; };  // daedalus/shader_interface.h

void main() {
  const int lanes_log2 = 6 - int(pc.per_group_log2);
  const int lanes = 1 << lanes_log2;
  const int tid = int(gl_LocalInvocationID.x);
  const uint item = (linear_group() << pc.per_group_log2) + uint(tid >> lanes_log2);
  if (item >= pc.count) return;
  const uint ti = aux[pc.list_base + item];
  TxBlock t = load_tx(txw, ti);
  const int p = t.plane, n = 4 << t.tx_size, log2n = 2 + t.tx_size;
  const int w = min(n, int(sel3(pc.planes.width[0], pc.planes.width[1], pc.planes.width[2], p)) - t.x);
  const int h = min(n, int(sel3(pc.planes.height[0], pc.planes.height[1], pc.planes.height[2], p)) - t.y);
  const uint off = sel3(pc.planes.off[0], pc.planes.off[1], pc.planes.off[2], p), stride = sel3(pc.planes.stride[0], pc.planes.stride[1], pc.planes.stride[2], p);
  const uint roff = aux[ti];
  for (int i = tid & (lanes - 1); i < n * n; i += lanes) {
    int r = i >> log2n, c = i & (n - 1);
    if (r >= h || c >= w) continue;
    uint a = off + uint(t.y + r) * stride + uint(t.x + c);
    pix[a] = uint8_t(clip_pixel(int(pix[a]) + int(res[roff + uint(i)])));
  }
}
