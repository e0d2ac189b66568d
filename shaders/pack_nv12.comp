// SPDX-License-Identifier: MIT
// pack_nv12: planar 4:2:0 surface -> NV12 (Y plane + interleaved CbCr
// plane). One invocation per destination byte; rows [0, height) are luma,
// rows [height, height + chroma_height) are CbCr.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = DD_PACK_LANES_X, local_size_y = DD_PACK_LANES_Y) in;

layout(std430, binding = 0) readonly buffer Src { uint8_t src[]; };
layout(std430, binding = 1) writeonly buffer Dst { uint8_t dst[]; };

layout(push_constant) uniform Params { dd_pack_push pc; };  // daedalus/shader_interface.h

void main() {
  uint x = gl_GlobalInvocationID.x;
  uint row = gl_GlobalInvocationID.y;
  if (row < pc.height) {
    if (x >= pc.width) return;
    dst[pc.dst_y_off + row * pc.dst_y_stride + x] = src[pc.src_off[0] + row * pc.src_stride[0] + x];
    return;
  }
  row -= pc.height;
  if (row >= pc.chroma_h || x >= 2u * pc.chroma_w) return;
  uint p = 1u + (x & 1u);
  dst[pc.dst_uv_off + row * pc.dst_uv_stride + x] = src[sel3(pc.src_off[0], pc.src_off[1], pc.src_off[2], p) + row * sel3(pc.src_stride[0], pc.src_stride[1], pc.src_stride[2], p) + (x >> 1)];
}
