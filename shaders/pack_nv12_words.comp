// SPDX-License-Identifier: MIT
// pack_nv12, word variant: the same result as pack_nv12.comp with one
// 32-bit store per invocation (4 luma samples, or 2 CbCr pairs), used when
// every plane offset and stride is a multiple of 4. A row's last word,
// when the row ends inside it, keeps the destination's bytes beyond the row.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 64, local_size_y = 4) in;

layout(std430, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, binding = 1) buffer Dst { uint dst[]; };

layout(push_constant) uniform Params {
  uint src_off[3];
  uint src_stride[3];
  uint dst_y_off, dst_y_stride;
  uint dst_uv_off, dst_uv_stride;
  uint width, height;
  uint chroma_w, chroma_h;
} pc;

// The byte at byte address a, as the low 8 bits.
uint byte_at(uint a) { return (src[a >> 2] >> ((a & 3u) * 8u)) & 0xffu; }

void store(uint word_addr, uint value, uint valid_bytes) {
  if (valid_bytes >= 4u) {
    dst[word_addr] = value;
  } else {
    uint mask = (1u << (valid_bytes * 8u)) - 1u;
    dst[word_addr] = (dst[word_addr] & ~mask) | (value & mask);
  }
}

void main() {
  uint wx = gl_GlobalInvocationID.x;  // word within the row
  uint row = gl_GlobalInvocationID.y;
  if (row < pc.height) {
    uint x = wx * 4u;
    if (x >= pc.width) return;
    uint a = pc.src_off[0] + row * pc.src_stride[0] + x;  // multiple of 4
    store((pc.dst_y_off + row * pc.dst_y_stride) / 4u + wx, src[a >> 2], pc.width - x);
    return;
  }
  row -= pc.height;
  uint x = wx * 4u;  // byte in the CbCr row
  if (row >= pc.chroma_h || x >= 2u * pc.chroma_w) return;
  uint c = wx * 2u;  // chroma sample
  uint au = pc.src_off[1] + row * pc.src_stride[1] + c;
  uint av = pc.src_off[2] + row * pc.src_stride[2] + c;
  uint v = byte_at(au) | (byte_at(av) << 8) | (byte_at(au + 1u) << 16) | (byte_at(av + 1u) << 24);
  store((pc.dst_uv_off + row * pc.dst_uv_stride) / 4u + wx, v, 2u * pc.chroma_w - x);
}
