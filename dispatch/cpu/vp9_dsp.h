// SPDX-License-Identifier: MIT
// VP9 reconstruction primitives, dav1d style: each is a small function with a
// plain C++ reference implementation, reached through a function table so
// that other backends (and a checkasm-style checker) can test one primitive
// at a time against it. Semantics follow the VP9 bitstream specification and
// are bit-exact with libvpx / libavcodec for 8-bit 4:2:0.
#pragma once

#include <cstddef>
#include <cstdint>

namespace daedalus::dispatch::cpu {

// Inverse transform of one n x n block (n = 4 << tx_size). `coeffs` are the
// dequantised coefficients in raster order (row-major); `residual` receives
// the n*n residual samples after the final rounding of that size (4x4: >>4,
// 8x8: >>5, 16x16/32x32: >>6; WHT: none). Rows are transformed first, then
// columns, as libvpx does; intermediates are kept in 16-bit like libvpx's
// non-high-bitdepth build (identical on conformant streams).
using ItxFn = void (*)(const int16_t* coeffs, int16_t* residual);

// Intra predictor of an n x n block. `above` points at above[0]; above[-1]
// (the above-left pixel) and above[0 .. 2n-1] are readable. `left` holds
// left[0 .. n-1], top to bottom.
using IntraPredFn = void (*)(uint8_t* dst, ptrdiff_t stride, const uint8_t* above, const uint8_t* left);

// Intra predictor slots: VP9 modes 0..9 (dd_intra_mode numbering) plus the
// DC variants used when an edge is unavailable.
enum IntraSlot {
  kIntraDcLeft = 10,  // DC from the left column only
  kIntraDcTop = 11,   // DC from the above row only
  kIntraDc128 = 12,   // neither: 128
  kIntraSlots = 13,
};

// Unscaled motion compensation of a w x h block: 8-tap filter (kernel chosen
// by `filter`, dd_interp_filter) at 1/16 position (mx, my) in 0..15,
// horizontal pass first with rounding by 7 and clipping to 8 bit, then the
// vertical pass likewise. `src` points at the full-pel position of the
// block's top-left; columns -3 .. w+3 and rows -3 .. h+3 around it are read.
// put writes the prediction; avg writes (dst + prediction + 1) >> 1.
using McFn = void (*)(uint8_t* dst, ptrdiff_t dst_stride, const uint8_t* src, ptrdiff_t src_stride, int w, int h,
                      int mx, int my, int filter);

// Scaled motion compensation: like McFn, but output pixel c of a row reads
// the source at 1/16 position mx + c * dx (and rows at my + r * dy), with
// dx, dy the 1/16 step of the reference scale (16 = unscaled, at most 32).
// Reads columns -3 .. (((w-1) * dx + mx) >> 4) + 4, rows likewise.
using ScaledMcFn = void (*)(uint8_t* dst, ptrdiff_t dst_stride, const uint8_t* src, ptrdiff_t src_stride, int w,
                            int h, int mx, int my, int dx, int dy, int filter);

// Loop filter across one edge, `count` pixels long. `dst` points at the first
// pixel after the edge (q0). For lpf_h (horizontal edge), p0 is dst[-stride]
// and the edge runs along dst[i]; for lpf_v (vertical edge), p0 is dst[-1]
// and the edge runs along dst[i * stride]. blimit / limit / thresh are VP9's
// per-level thresholds (see lpf_limits()).
using LpfFn = void (*)(uint8_t* dst, ptrdiff_t stride, int count, int blimit, int limit, int thresh);

struct Vp9Dsp {
  ItxFn itx[5][4];                   // [dd_tx_type][dd_tx_size]; WHT only for 4x4
  IntraPredFn intra_pred[kIntraSlots][4];  // [slot][dd_tx_size]
  McFn mc_put, mc_avg;
  ScaledMcFn smc_put, smc_avg;
  LpfFn lpf_h[3], lpf_v[3];          // [0] = 4-wide (filter4), [1] = 8 (flat), [2] = 16 (flat2)
};

// The reference table.
const Vp9Dsp& vp9_dsp_c();

// VP9's 1/16-pel interpolation kernels: [dd_interp_filter][position][tap].
extern const int16_t kSubpelFilters[4][16][8];

// Loop filter thresholds of a filter level (1..63) and frame sharpness (0..7).
struct LpfLimits {
  int blimit, limit, thresh;
};
LpfLimits lpf_limits(int level, int sharpness);

// Fill the table's parts (one per source file).
void init_itx(Vp9Dsp& dsp);
void init_intra(Vp9Dsp& dsp);
void init_mc(Vp9Dsp& dsp);
void init_lpf(Vp9Dsp& dsp);

// One-dimensional transforms, exposed for tests.
void idct4(const int16_t* in, int16_t* out);
void idct8(const int16_t* in, int16_t* out);
void idct16(const int16_t* in, int16_t* out);
void idct32(const int16_t* in, int16_t* out);
void iadst4(const int16_t* in, int16_t* out);
void iadst8(const int16_t* in, int16_t* out);
void iadst16(const int16_t* in, int16_t* out);

}  // namespace daedalus::dispatch::cpu
