// SPDX-License-Identifier: MIT
// pack_nv12: planar 4:2:0 surface -> NV12 (Y plane + interleaved CbCr
// plane). One invocation per destination byte; rows [0, height) are luma,
// rows [height, height + chroma_height) are CbCr.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 64, local_size_y = 4) in;

layout(std430, binding = 0) readonly buffer Src { uint8_t src[]; };
layout(std430, binding = 1) writeonly buffer Dst { uint8_t dst[]; };

layout(push_constant) uniform Params {
  uint src_off[3];
  uint src_stride[3];
  uint dst_y_off, dst_y_stride;
  uint dst_uv_off, dst_uv_stride;
  uint width, height;          // luma samples to copy
  uint chroma_w, chroma_h;     // chroma samples per plane to copy
} pc;

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
