// SPDX-License-Identifier: MIT
// pack_nv12, word variant: the same result as pack_nv12.comp with 32-bit
// loads and stores, used when every plane offset and stride is a multiple
// of 4. One invocation writes two destination words: 8 luma samples, or 4
// CbCr pairs made from one word of Cb and one of Cr (one load per word
// stored; byte loads would cost one memory operation per sample). A row's
// last word, when the row ends inside it, keeps the destination's bytes
// beyond the row. One module per plane (CHROMA below), each dispatched on
// its own: a 16-lane batch then runs only its own plane's code.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = DD_PACK_LANES_X, local_size_y = DD_PACK_LANES_Y) in;

layout(std430, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, binding = 1) buffer Dst { uint dst[]; };

layout(push_constant) uniform Params { dd_pack_push pc; };  // daedalus/shader_interface.h

// 0: the luma plane, 1: the CbCr plane; frozen per module at build time
// (shaders/CMakeLists.txt).
layout(constant_id = 0) const uint CHROMA = 0u;

void store(uint word_addr, uint value, uint valid_bytes) {
  if (valid_bytes >= 4u) {
    dst[word_addr] = value;
  } else {
    uint mask = (1u << (valid_bytes * 8u)) - 1u;
    dst[word_addr] = (dst[word_addr] & ~mask) | (value & mask);
  }
}

void main() {
  const uint pair = gl_GlobalInvocationID.x;  // destination words 2 pair, 2 pair + 1 of the row
  const uint row = gl_GlobalInvocationID.y;
  if (CHROMA == 0u) {
    if (row >= pc.height) return;
    const uint dst_row = (pc.dst_y_off + row * pc.dst_y_stride) / 4u;
    for (uint k = 0u; k < 2u; k++) {
      const uint wx = 2u * pair + k, x = wx * 4u;
      if (x >= pc.width) return;
      store(dst_row + wx, src[(pc.src_off[0] + row * pc.src_stride[0] + x) >> 2], pc.width - x);
    }
    return;
  }
  const uint c = pair * 4u;  // first of the four chroma samples
  if (row >= pc.chroma_h || c >= pc.chroma_w) return;
  // Offsets and strides are multiples of 4, so c's word holds samples c..c+3.
  const uint u = src[(pc.src_off[1] + row * pc.src_stride[1] + c) >> 2];
  const uint v = src[(pc.src_off[2] + row * pc.src_stride[2] + c) >> 2];
  const uint lo = (u & 0xffu) | (v & 0xffu) << 8 | (u & 0xff00u) << 8 | (v & 0xff00u) << 16;
  const uint hi = (u >> 16 & 0xffu) | (v >> 16 & 0xffu) << 8 | (u >> 24) << 16 | (v >> 24) << 24;
  const uint dst_word = (pc.dst_uv_off + row * pc.dst_uv_stride) / 4u + 2u * pair;
  const uint left = 2u * (pc.chroma_w - c);  // CbCr bytes of the row from this pair on
  store(dst_word, lo, left);
  if (left > 4u) store(dst_word + 1u, hi, left - 4u);
}
