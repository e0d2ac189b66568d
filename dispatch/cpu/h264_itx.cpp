// SPDX-License-Identifier: MIT
// H.264 inverse transforms (8.5.10 - 8.5.13): rows first, then columns, as
// the spec orders them (the >> 1 and >> 2 terms make the order matter).
#include <cstdint>

#include "h264_dsp.h"

namespace daedalus::dispatch::cpu {
namespace {

int16_t to_int16(int64_t v) { return static_cast<int16_t>(v); }  // as libavcodec's int16_t coefficient storage

void itx4_1d(const int32_t* in, int32_t* out, int stride) {
  const int32_t d0 = in[0], d1 = in[stride], d2 = in[2 * stride], d3 = in[3 * stride];
  const int32_t e = d0 + d2, f = d0 - d2, g = (d1 >> 1) - d3, h = d1 + (d3 >> 1);
  out[0] = e + h;
  out[stride] = f + g;
  out[2 * stride] = f - g;
  out[3 * stride] = e - h;
}

void itx4(const int16_t* coeffs, int16_t* residual) {
  int32_t t[16];
  for (int i = 0; i < 16; ++i) t[i] = coeffs[i];
  for (int r = 0; r < 4; ++r) itx4_1d(t + 4 * r, t + 4 * r, 1);
  for (int c = 0; c < 4; ++c) itx4_1d(t + c, t + c, 4);
  for (int i = 0; i < 16; ++i) residual[i] = to_int16((int64_t{t[i]} + 32) >> 6);
}

void itx8_1d(const int32_t* in, int32_t* out, int s) {
  const int32_t d0 = in[0], d1 = in[s], d2 = in[2 * s], d3 = in[3 * s], d4 = in[4 * s], d5 = in[5 * s],
                d6 = in[6 * s], d7 = in[7 * s];
  const int32_t a0 = d0 + d4, a4 = d0 - d4, a2 = (d2 >> 1) - d6, a6 = d2 + (d6 >> 1);
  const int32_t b0 = a0 + a6, b2 = a4 + a2, b4 = a4 - a2, b6 = a0 - a6;
  const int32_t a1 = -d3 + d5 - d7 - (d7 >> 1), a3 = d1 + d7 - d3 - (d3 >> 1);
  const int32_t a5 = -d1 + d7 + d5 + (d5 >> 1), a7 = d3 + d5 + d1 + (d1 >> 1);
  const int32_t b1 = a1 + (a7 >> 2), b7 = a7 - (a1 >> 2), b3 = a3 + (a5 >> 2), b5 = (a3 >> 2) - a5;
  out[0] = b0 + b7;
  out[s] = b2 + b5;
  out[2 * s] = b4 + b3;
  out[3 * s] = b6 + b1;
  out[4 * s] = b6 - b1;
  out[5 * s] = b4 - b3;
  out[6 * s] = b2 - b5;
  out[7 * s] = b0 - b7;
}

void itx8(const int16_t* coeffs, int16_t* residual) {
  int32_t t[64];
  for (int i = 0; i < 64; ++i) t[i] = coeffs[i];
  for (int r = 0; r < 8; ++r) itx8_1d(t + 8 * r, t + 8 * r, 1);
  for (int c = 0; c < 8; ++c) itx8_1d(t + c, t + c, 8);
  for (int i = 0; i < 64; ++i) residual[i] = to_int16((int64_t{t[i]} + 32) >> 6);
}

}  // namespace

void h264_luma_dc(const int16_t* c, int32_t scale, int16_t* out) {
  int32_t t[16];
  for (int r = 0; r < 4; ++r) {  // each row of c times the Hadamard matrix
    const int32_t c0 = c[4 * r], c1 = c[4 * r + 1], c2 = c[4 * r + 2], c3 = c[4 * r + 3];
    t[4 * r + 0] = c0 + c1 + c2 + c3;
    t[4 * r + 1] = c0 + c1 - c2 - c3;
    t[4 * r + 2] = c0 - c1 - c2 + c3;
    t[4 * r + 3] = c0 - c1 + c2 - c3;
  }
  for (int col = 0; col < 4; ++col) {
    const int32_t t0 = t[col], t1 = t[4 + col], t2 = t[8 + col], t3 = t[12 + col];
    const int32_t f[4] = {t0 + t1 + t2 + t3, t0 + t1 - t2 - t3, t0 - t1 - t2 + t3, t0 - t1 + t2 - t3};
    for (int r = 0; r < 4; ++r) out[4 * r + col] = to_int16((int64_t{f[r]} * scale + 32) >> 6);
  }
}

void h264_chroma_dc(const int16_t* c, int32_t scale, int16_t* out) {
  const int32_t c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
  const int32_t f[4] = {c0 + c1 + c2 + c3, c0 - c1 + c2 - c3, c0 + c1 - c2 - c3, c0 - c1 - c2 + c3};
  for (int i = 0; i < 4; ++i) out[i] = to_int16((int64_t{f[i]} * scale) >> 5);
}

const H264Dsp& h264_dsp_c() {
  static const H264Dsp dsp{itx4,
                           itx8,
                           h264_luma_dc,
                           h264_chroma_dc,
                           h264_pred_nxn,
                           h264_filter_8x8_edge,
                           h264_pred_16x16,
                           h264_pred_chroma,
                           h264_deblock_luma,
                           h264_deblock_chroma,
                           h264_mc_luma,
                           h264_mc_chroma,
                           h264_weight};
  return dsp;
}

}  // namespace daedalus::dispatch::cpu
