// SPDX-License-Identifier: MIT
// h264_residual: an H.264 macroblock's dequantised coefficients -> its
// residuals (8.5.10 - 8.5.13), bit-exact with dispatch/cpu/h264_itx.cpp and
// H264CpuStages::residual, in the layout of daedalus/dispatch/h264_shared.h.
// One workgroup per macroblock: first the DC Hadamards (Intra16x16 luma,
// chroma) into shared memory, then one row per invocation of a 4x4 or 8x8
// block, stored transposed, then one column per invocation.
// Arithmetic: every intermediate fits in 32 bits except the DC products
// f * scale, whose result the reference keeps as int16 of (f * scale + r)
// >> s: that is bits s .. s + 15 of the product, which 32-bit wrapping
// multiplication gets right.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "daedalus/dispatch/h264_shared.h"

layout(local_size_x = DD_H264_RESIDUAL_LANES) in;

layout(std430, binding = 0) readonly buffer Mbs { uint mbw[]; };  // DD_H264_MB_WORDS per macroblock
// The int16 coefficients as little-endian pairs (every block starts at an
// even index: coeff_offset is a multiple of H264_MB_COEFFS).
layout(std430, binding = 1) readonly buffer Coeffs { uint coeffw[]; };
layout(std430, binding = 2) writeonly buffer Residuals { int16_t res[]; };

layout(push_constant) uniform Params { dd_h264_push pc; };  // daedalus/shader_interface.h

shared int sdc[24];   // DC of each 4x4 block: luma (Intra16x16) 0..15, Cb 16..19, Cr 20..23
shared int tmp[384];  // the row pass's output, each block transposed

int lo16(uint w) { return int(w << 16) >> 16; }
int hi16(uint w) { return int(w) >> 16; }
int coeff(uint i) {
  const uint w = coeffw[i >> 1];
  return (i & 1u) != 0u ? hi16(w) : lo16(w);
}

// The 4-point Hadamard of the DC transforms, row k of the matrix of
// 8.5.10 (+ + + +, + + - -, + - - +, + - + -): the sign of element j.
int hsign(int k, int j) {
  const int natural = k == 0 ? 0 : k == 1 ? 2 : k == 2 ? 3 : 1;  // Walsh index of the row
  return bitCount(natural & j) % 2 == 0 ? 1 : -1;
}

void itx4_1d(inout int d0, inout int d1, inout int d2, inout int d3) {
  const int e = d0 + d2, f = d0 - d2, g = (d1 >> 1) - d3, h = d1 + (d3 >> 1);
  d0 = e + h;
  d1 = f + g;
  d2 = f - g;
  d3 = e - h;
}

void itx8_1d(inout int d0, inout int d1, inout int d2, inout int d3, inout int d4, inout int d5, inout int d6,
             inout int d7) {
  const int a0 = d0 + d4, a4 = d0 - d4, a2 = (d2 >> 1) - d6, a6 = d2 + (d6 >> 1);
  const int b0 = a0 + a6, b2 = a4 + a2, b4 = a4 - a2, b6 = a0 - a6;
  const int a1 = -d3 + d5 - d7 - (d7 >> 1), a3 = d1 + d7 - d3 - (d3 >> 1);
  const int a5 = -d1 + d7 + d5 + (d5 >> 1), a7 = d3 + d5 + d1 + (d1 >> 1);
  const int b1 = a1 + (a7 >> 2), b7 = a7 - (a1 >> 2), b3 = a3 + (a5 >> 2), b5 = (a3 >> 2) - a5;
  d0 = b0 + b7;
  d1 = b2 + b5;
  d2 = b4 + b3;
  d3 = b6 + b1;
  d4 = b6 - b1;
  d5 = b4 - b3;
  d6 = b2 - b5;
  d7 = b0 - b7;
}

int out16(int v) { return w16((v + 32) >> 6); }

void main() {
  const uint mb = linear_group();
  if (mb >= pc.num_mbs) return;  // uniform per workgroup
  const uint rec = mb * DD_H264_MB_WORDS;
  const int kind = int(mbw[rec + DD_H264_MBW_TYPE] & 0xffu);
  if (kind == DD_H264_KIND_PCM || kind > DD_H264_KIND_PCM) return;  // samples as coded: no residual
  const uint cbase = mbw[rec + DD_H264_MBW_COEFF];
  const uint rbase = mb * uint(DD_H264_RES_PER_MB);
  const int id = int(gl_LocalInvocationID.x);

  // DC Hadamards: invocation k < 16 the luma DC of 4x4 block k (raster) of
  // an Intra16x16 macroblock (8.5.10), 16 .. 23 the chroma DCs (8.5.11).
  if (id < 16 && kind == DD_H264_KIND_I16X16) {
    const int R = id >> 2, C = id & 3;
    int f = 0;
    [[unroll]] for (int r = 0; r < 4; r++)
      [[unroll]] for (int j = 0; j < 4; j++)
        f += hsign(R, r) * hsign(C, j) * coeff(cbase + uint(DD_H264_COEFF_LUMA_DC + 4 * r + j));
    sdc[id] = w16((f * int(mbw[rec + DD_H264_MBW_DC_SCALE]) + 32) >> 6);
  } else if (id >= 16 && id < 24) {
    const int pl = (id - 16) >> 2, k = id & 3;
    const uint c = cbase + uint(DD_H264_COEFF_CB_DC + 4 * pl);
    const int c0 = coeff(c), c1 = coeff(c + 1u), c2 = coeff(c + 2u), c3 = coeff(c + 3u);
    // 8.5.11.1: f = A c A for the 2x2 c (c0 c1 / c2 c3), f in raster order.
    const int f = k == 0 ? c0 + c1 + c2 + c3 : k == 1 ? c0 - c1 + c2 - c3 : k == 2 ? c0 + c1 - c2 - c3 : c0 - c1 - c2 + c3;
    sdc[id] = w16((f * int(mbw[rec + DD_H264_MBW_DC_SCALE + 1u + uint(pl)])) >> 5);
  }
  barrier();

  // This invocation's block and line, set for every invocation (nothing
  // computed under a condition before a barrier is used after it: the
  // pattern V3DV's optimiser never finishes on, dispatch/vulkan/README.md).
  // 0 .. 63: luma, a 4x4 block's row (16 blocks) or an 8x8 block's (4
  // blocks, invocations 0 .. 31); 64 .. 95: chroma, a 4x4 block's row, Cb
  // then Cr.
  const bool chroma = id >= 64;
  const bool i8 = !chroma && kind == DD_H264_KIND_I8X8;
  const int cid = id - 64;
  const int pl = chroma ? cid >> 4 : 0;
  const int b = chroma ? (cid >> 2) & 3 : i8 ? id >> 3 : id >> 2;
  const int line = i8 ? id & 7 : id & 3;
  const bool live = !i8 || id < 32;
  const bool dc_from_sdc = chroma || kind == DD_H264_KIND_I16X16;
  const int sdc_index = chroma ? 16 + 4 * pl + (b & 3) : b;
  uint cblock;  // first coefficient of the block
  int tbase, obase, ostride;  // its place in tmp; its first residual and row stride
  if (chroma) {
    cblock = cbase + uint(DD_H264_COEFF_CB + 64 * pl + 16 * (b & 3));
    tbase = 256 + 64 * pl + 16 * (b & 3);
    obase = (pl == 0 ? DD_H264_RES_CB : DD_H264_RES_CR) + 4 * ((b & 3) >> 1) * 8 + 4 * (b & 1);
    ostride = 8;
  } else if (i8) {
    cblock = cbase + uint(DD_H264_COEFF_LUMA + 64 * b);
    tbase = 64 * b;
    obase = DD_H264_RES_LUMA + 8 * (b >> 1) * 16 + 8 * (b & 1);
    ostride = 16;
  } else {
    cblock = cbase + uint(DD_H264_COEFF_LUMA + 16 * b);
    tbase = 16 * b;
    obase = DD_H264_RES_LUMA + 4 * (b >> 2) * 16 + 4 * (b & 3);
    ostride = 16;
  }

  // Rows.
  if (live) {
    if (i8) {
      const uint w = (cblock + uint(8 * line)) >> 1;
      const uint w0 = coeffw[w], w1 = coeffw[w + 1u], w2 = coeffw[w + 2u], w3 = coeffw[w + 3u];
      int d0 = lo16(w0), d1 = hi16(w0), d2 = lo16(w1), d3 = hi16(w1);
      int d4 = lo16(w2), d5 = hi16(w2), d6 = lo16(w3), d7 = hi16(w3);
      itx8_1d(d0, d1, d2, d3, d4, d5, d6, d7);
      tmp[tbase + 0 * 8 + line] = d0;
      tmp[tbase + 1 * 8 + line] = d1;
      tmp[tbase + 2 * 8 + line] = d2;
      tmp[tbase + 3 * 8 + line] = d3;
      tmp[tbase + 4 * 8 + line] = d4;
      tmp[tbase + 5 * 8 + line] = d5;
      tmp[tbase + 6 * 8 + line] = d6;
      tmp[tbase + 7 * 8 + line] = d7;
    } else {
      const uint w = (cblock + uint(4 * line)) >> 1;
      const uint w0 = coeffw[w], w1 = coeffw[w + 1u];
      int d0 = lo16(w0), d1 = hi16(w0), d2 = lo16(w1), d3 = hi16(w1);
      if (line == 0 && dc_from_sdc) d0 = sdc[sdc_index];
      itx4_1d(d0, d1, d2, d3);
      tmp[tbase + 0 * 4 + line] = d0;
      tmp[tbase + 1 * 4 + line] = d1;
      tmp[tbase + 2 * 4 + line] = d2;
      tmp[tbase + 3 * 4 + line] = d3;
    }
  }
  barrier();
  if (!live) return;

  // Columns: column `line` of the block, stored row by row.
  const uint o = rbase + uint(obase + line);
  const uint s = uint(ostride);
  if (i8) {
    const int t = tbase + 8 * line;
    int d0 = tmp[t], d1 = tmp[t + 1], d2 = tmp[t + 2], d3 = tmp[t + 3];
    int d4 = tmp[t + 4], d5 = tmp[t + 5], d6 = tmp[t + 6], d7 = tmp[t + 7];
    itx8_1d(d0, d1, d2, d3, d4, d5, d6, d7);
    res[o] = int16_t(out16(d0));
    res[o + s] = int16_t(out16(d1));
    res[o + 2u * s] = int16_t(out16(d2));
    res[o + 3u * s] = int16_t(out16(d3));
    res[o + 4u * s] = int16_t(out16(d4));
    res[o + 5u * s] = int16_t(out16(d5));
    res[o + 6u * s] = int16_t(out16(d6));
    res[o + 7u * s] = int16_t(out16(d7));
  } else {
    const int t = tbase + 4 * line;
    int d0 = tmp[t], d1 = tmp[t + 1], d2 = tmp[t + 2], d3 = tmp[t + 3];
    itx4_1d(d0, d1, d2, d3);
    res[o] = int16_t(out16(d0));
    res[o + s] = int16_t(out16(d1));
    res[o + 2u * s] = int16_t(out16(d2));
    res[o + 3u * s] = int16_t(out16(d3));
  }
}
