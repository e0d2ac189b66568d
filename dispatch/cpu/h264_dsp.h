// SPDX-License-Identifier: MIT
// H.264 reconstruction primitives, the H.264 family beside Vp9Dsp (dav1d's
// per-family DSP tables): small functions with a plain C++ reference
// implementation of ITU-T H.264 clause 8 for 8-bit 4:2:0, reached through
// a table so that other backends and a checker can test them one by one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace daedalus::dispatch::cpu {

// Inverse 4x4 / 8x8 integer transform (8.5.12.2, 8.5.13.2) of dequantised
// coefficients in raster order, into residuals after the final (x + 32) >> 6.
using H264ItxFn = void (*)(const int16_t* coeffs, int16_t* residual);

// Luma DC (8.5.10): the 4x4 Hadamard of the Intra16x16 DC levels c (raster,
// c[by][bx]) scaled as (f * scale + 32) >> 6; out[k] is the DC coefficient
// of the 4x4 block k (raster).
void h264_luma_dc(const int16_t* c, int32_t scale, int16_t* out);
// Chroma DC of 4:2:0 (8.5.11): the 2x2 Hadamard scaled as (f * scale) >> 5.
void h264_chroma_dc(const int16_t* c, int32_t scale, int16_t* out);

// The samples around a block that intra prediction reads, with the spec's
// availability: top[-1] is p[-1, -1], top[0 .. 2n-1] the row above (the
// right half already substituted when unavailable), left[0 .. n-1] the
// column to the left.
struct IntraEdge {
  const uint8_t* top;
  const uint8_t* left;
  bool has_top, has_left, has_top_left;
};

// Intra_4x4 (n = 4) and Intra_8x8 (n = 8, edges already filtered by
// h264_filter_8x8_edge) prediction, modes 0..8 of Table 8-2 / 8-3.
void h264_pred_nxn(uint8_t* dst, ptrdiff_t stride, int n, int mode, const IntraEdge& e);
// 8.3.2.2.1: the reference sample filter of Intra_8x8. top_out[-1 .. 15],
// left_out[0 .. 7]; top_right: whether p[8 .. 15, -1] were available (they
// are substituted from p[7, -1] otherwise).
void h264_filter_8x8_edge(const IntraEdge& in, uint8_t* top_out, uint8_t* left_out);
// Intra_16x16 (modes 0..3 of Table 8-4) and chroma 8x8 of 4:2:0 (intra
// chroma pred modes 0..3, Table 8-5).
void h264_pred_16x16(uint8_t* dst, ptrdiff_t stride, int mode, const IntraEdge& e);
void h264_pred_chroma(uint8_t* dst, ptrdiff_t stride, int mode, const IntraEdge& e);

// The deblocking filter of one edge segment (8.7.2.3, 8.7.2.4): `count`
// sample lines across the edge; p0 at dst[-step], q0 at dst[0], lines
// `line` apart. bS < 4: tc0 of the line's bS from Table 8-17; bS 4: the
// strong filter.
void h264_deblock_luma(uint8_t* dst, ptrdiff_t step, ptrdiff_t line, int count, int bs, int alpha, int beta,
                       int tc0);
void h264_deblock_chroma(uint8_t* dst, ptrdiff_t step, ptrdiff_t line, int count, int bs, int alpha, int beta,
                         int tc0);

// Inter prediction of a w x h block (8.4.2.2) whose top-left sample sits
// at integer position (x, y) of a ref_w x ref_h reference plane plus the
// fraction (fx, fy): luma in quarter samples with the 6-tap filter and its
// averages (8.4.2.2.1), chroma in eighth samples, bilinear (8.4.2.2.2).
// Reference samples outside the plane are those of its nearest edge.
struct McRef {
  const uint8_t* data;
  ptrdiff_t stride;
  int width, height;
};
void h264_mc_luma(uint8_t* dst, ptrdiff_t stride, const McRef& ref, int x, int y, int fx, int fy, int w, int h);
void h264_mc_chroma(uint8_t* dst, ptrdiff_t stride, const McRef& ref, int x, int y, int fx, int fy, int w, int h);
// Explicit weighted sample prediction of one list (8-270 / 8-271) in place.
void h264_weight(uint8_t* dst, ptrdiff_t stride, int w, int h, int log2_denom, int weight, int offset);

// The table the stages call through: one entry per primitive above.
struct H264Dsp {
  H264ItxFn itx4, itx8;
  decltype(&h264_luma_dc) luma_dc;
  decltype(&h264_chroma_dc) chroma_dc;
  decltype(&h264_pred_nxn) pred_nxn;
  decltype(&h264_filter_8x8_edge) filter_8x8_edge;
  decltype(&h264_pred_16x16) pred_16x16;
  decltype(&h264_pred_chroma) pred_chroma;
  decltype(&h264_deblock_luma) deblock_luma;
  decltype(&h264_deblock_chroma) deblock_chroma;
  decltype(&h264_mc_luma) mc_luma;
  decltype(&h264_mc_chroma) mc_chroma;
  decltype(&h264_weight) weight;
};
const H264Dsp& h264_dsp_c();

}  // namespace daedalus::dispatch::cpu
