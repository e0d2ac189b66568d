// SPDX-License-Identifier: MIT
// VP9 inverse transforms (spec section "Inverse transform process"): the
// integer DCT/ADST butterflies with 14-bit cosine constants, each product
// rounded with Round2(x, 14) right after the multiplication stage it belongs
// to, as libvpx's reference C code and libavcodec do. Every intermediate is
// stored as int16, which is what libvpx's 8-bit build does; conformant
// streams never leave that range, so the result equals the spec's exact
// arithmetic.
#include <cstring>
#include <initializer_list>

#include "vp9_dsp.h"

namespace daedalus::dispatch::cpu {
namespace {

// cos(k * pi / 64) * 2^14, rounded.
constexpr int64_t kCos[32] = {16384, 16364, 16305, 16207, 16069, 15893, 15679, 15426, 15137, 14811, 14449,
                              14053, 13623, 13160, 12665, 12140, 11585, 11003, 10394, 9760,  9102,  8423,
                              7723,  7005,  6270,  5520,  4756,  3981,  3196,  2404,  1606,  804};
// sin(k * pi / 9) * 2^14 * 2 * sqrt(2) / 3, rounded (k = 1..4).
constexpr int64_t kSinPi9[5] = {0, 5283, 9929, 13377, 15212};

inline int16_t w16(int64_t v) { return static_cast<int16_t>(v); }
// Round2(v, 14), the rounding after every multiplication stage.
inline int16_t r14(int64_t v) { return w16((v + (1 << 13)) >> 14); }

}  // namespace

void idct4(const int16_t* in, int16_t* out) {
  const int16_t s0 = r14((int64_t{in[0]} + in[2]) * kCos[16]);
  const int16_t s1 = r14((int64_t{in[0]} - in[2]) * kCos[16]);
  const int16_t s2 = r14(in[1] * kCos[24] - in[3] * kCos[8]);
  const int16_t s3 = r14(in[1] * kCos[8] + in[3] * kCos[24]);
  out[0] = w16(s0 + s3);
  out[1] = w16(s1 + s2);
  out[2] = w16(s1 - s2);
  out[3] = w16(s0 - s3);
}

// Each DCT of size 2n is the DCT of size n on the even inputs plus an odd
// half; the flow graphs below are the standard VP9 ones.
void idct8(const int16_t* in, int16_t* out) {
  const int16_t even_in[4] = {in[0], in[2], in[4], in[6]};
  int16_t e[4];
  idct4(even_in, e);
  // odd half
  const int16_t a4 = r14(in[1] * kCos[28] - in[7] * kCos[4]);
  const int16_t a7 = r14(in[1] * kCos[4] + in[7] * kCos[28]);
  const int16_t a5 = r14(in[5] * kCos[12] - in[3] * kCos[20]);
  const int16_t a6 = r14(in[5] * kCos[20] + in[3] * kCos[12]);
  const int16_t b4 = w16(a4 + a5);
  const int16_t b5 = w16(a4 - a5);
  const int16_t b6 = w16(-a6 + a7);
  const int16_t b7 = w16(a6 + a7);
  const int16_t c5 = r14((int64_t{b6} - b5) * kCos[16]);
  const int16_t c6 = r14((int64_t{b5} + b6) * kCos[16]);
  const int16_t o[4] = {b4, c5, c6, b7};
  for (int i = 0; i < 4; ++i) {
    out[i] = w16(e[i] + o[3 - i]);
    out[7 - i] = w16(e[i] - o[3 - i]);
  }
}

void idct16(const int16_t* in, int16_t* out) {
  int16_t even_in[8], e[8];
  for (int i = 0; i < 8; ++i) even_in[i] = in[2 * i];
  idct8(even_in, e);
  // stage 2: input rotations (inputs 1,15 / 9,7 / 5,11 / 13,3)
  int16_t s[16];
  s[8] = r14(in[1] * kCos[30] - in[15] * kCos[2]);
  s[15] = r14(in[1] * kCos[2] + in[15] * kCos[30]);
  s[9] = r14(in[9] * kCos[14] - in[7] * kCos[18]);
  s[14] = r14(in[9] * kCos[18] + in[7] * kCos[14]);
  s[10] = r14(in[5] * kCos[22] - in[11] * kCos[10]);
  s[13] = r14(in[5] * kCos[10] + in[11] * kCos[22]);
  s[11] = r14(in[13] * kCos[6] - in[3] * kCos[26]);
  s[12] = r14(in[13] * kCos[26] + in[3] * kCos[6]);
  // stage 3
  int16_t t[16];
  t[8] = w16(s[8] + s[9]);
  t[9] = w16(s[8] - s[9]);
  t[10] = w16(-s[10] + s[11]);
  t[11] = w16(s[10] + s[11]);
  t[12] = w16(s[12] + s[13]);
  t[13] = w16(s[12] - s[13]);
  t[14] = w16(-s[14] + s[15]);
  t[15] = w16(s[14] + s[15]);
  // stage 4
  s[8] = t[8];
  s[15] = t[15];
  s[9] = r14(-t[9] * kCos[8] + t[14] * kCos[24]);
  s[14] = r14(t[9] * kCos[24] + t[14] * kCos[8]);
  s[10] = r14(-t[10] * kCos[24] - t[13] * kCos[8]);
  s[13] = r14(-t[10] * kCos[8] + t[13] * kCos[24]);
  s[11] = t[11];
  s[12] = t[12];
  // stage 5
  t[8] = w16(s[8] + s[11]);
  t[9] = w16(s[9] + s[10]);
  t[10] = w16(s[9] - s[10]);
  t[11] = w16(s[8] - s[11]);
  t[12] = w16(-s[12] + s[15]);
  t[13] = w16(-s[13] + s[14]);
  t[14] = w16(s[13] + s[14]);
  t[15] = w16(s[12] + s[15]);
  // stage 6
  s[8] = t[8];
  s[9] = t[9];
  s[10] = r14((int64_t{-t[10]} + t[13]) * kCos[16]);
  s[13] = r14((int64_t{t[10]} + t[13]) * kCos[16]);
  s[11] = r14((int64_t{-t[11]} + t[12]) * kCos[16]);
  s[12] = r14((int64_t{t[11]} + t[12]) * kCos[16]);
  s[14] = t[14];
  s[15] = t[15];
  for (int i = 0; i < 8; ++i) {
    out[i] = w16(e[i] + s[15 - i]);
    out[15 - i] = w16(e[i] - s[15 - i]);
  }
}

void idct32(const int16_t* in, int16_t* out) {
  int16_t even_in[16], e[16];
  for (int i = 0; i < 16; ++i) even_in[i] = in[2 * i];
  idct16(even_in, e);
  int16_t a[32], b[32];
  // stage 1: input rotations. Output pair (lo, 47 - lo) rotates inputs
  // (32 - k, k) by cos(k * pi / 64).
  static constexpr int kOdd[8] = {31, 15, 23, 7, 27, 11, 19, 3};
  for (int j = 0; j < 8; ++j) {
    const int k = kOdd[j], lo = 16 + j, hi = 47 - lo;
    a[lo] = r14(in[32 - k] * kCos[k] - in[k] * kCos[32 - k]);
    a[hi] = r14(in[32 - k] * kCos[32 - k] + in[k] * kCos[k]);
  }
  // stage 2
  for (int k = 16; k < 32; k += 4) {
    b[k] = w16(a[k] + a[k + 1]);
    b[k + 1] = w16(a[k] - a[k + 1]);
    b[k + 2] = w16(-a[k + 2] + a[k + 3]);
    b[k + 3] = w16(a[k + 2] + a[k + 3]);
  }
  // stage 3
  a[16] = b[16];
  a[31] = b[31];
  a[17] = r14(-b[17] * kCos[4] + b[30] * kCos[28]);
  a[30] = r14(b[17] * kCos[28] + b[30] * kCos[4]);
  a[18] = r14(-b[18] * kCos[28] - b[29] * kCos[4]);
  a[29] = r14(-b[18] * kCos[4] + b[29] * kCos[28]);
  a[19] = b[19];
  a[20] = b[20];
  a[21] = r14(-b[21] * kCos[20] + b[26] * kCos[12]);
  a[26] = r14(b[21] * kCos[12] + b[26] * kCos[20]);
  a[22] = r14(-b[22] * kCos[12] - b[25] * kCos[20]);
  a[25] = r14(-b[22] * kCos[20] + b[25] * kCos[12]);
  a[23] = b[23];
  a[24] = b[24];
  a[27] = b[27];
  a[28] = b[28];
  // stage 4
  for (int k = 16; k < 32; k += 8) {
    b[k] = w16(a[k] + a[k + 3]);
    b[k + 1] = w16(a[k + 1] + a[k + 2]);
    b[k + 2] = w16(a[k + 1] - a[k + 2]);
    b[k + 3] = w16(a[k] - a[k + 3]);
    b[k + 4] = w16(-a[k + 4] + a[k + 7]);
    b[k + 5] = w16(-a[k + 5] + a[k + 6]);
    b[k + 6] = w16(a[k + 5] + a[k + 6]);
    b[k + 7] = w16(a[k + 4] + a[k + 7]);
  }
  // stage 5
  a[16] = b[16];
  a[17] = b[17];
  a[18] = r14(-b[18] * kCos[8] + b[29] * kCos[24]);
  a[29] = r14(b[18] * kCos[24] + b[29] * kCos[8]);
  a[19] = r14(-b[19] * kCos[8] + b[28] * kCos[24]);
  a[28] = r14(b[19] * kCos[24] + b[28] * kCos[8]);
  a[20] = r14(-b[20] * kCos[24] - b[27] * kCos[8]);
  a[27] = r14(-b[20] * kCos[8] + b[27] * kCos[24]);
  a[21] = r14(-b[21] * kCos[24] - b[26] * kCos[8]);
  a[26] = r14(-b[21] * kCos[8] + b[26] * kCos[24]);
  a[22] = b[22];
  a[23] = b[23];
  a[24] = b[24];
  a[25] = b[25];
  a[30] = b[30];
  a[31] = b[31];
  // stage 6
  for (int k = 0; k < 4; ++k) {
    b[16 + k] = w16(a[16 + k] + a[23 - k]);
    b[23 - k] = w16(a[16 + k] - a[23 - k]);
    b[24 + k] = w16(-a[24 + k] + a[31 - k]);
    b[31 - k] = w16(a[24 + k] + a[31 - k]);
  }
  // stage 7
  for (int k = 16; k < 20; ++k) a[k] = b[k];
  for (int k = 20; k < 24; ++k) {
    a[k] = r14((int64_t{-b[k]} + b[47 - k]) * kCos[16]);
    a[47 - k] = r14((int64_t{b[k]} + b[47 - k]) * kCos[16]);
  }
  for (int k = 28; k < 32; ++k) a[k] = b[k];
  for (int i = 0; i < 16; ++i) {
    out[i] = w16(e[i] + a[31 - i]);
    out[31 - i] = w16(e[i] - a[31 - i]);
  }
}

void iadst4(const int16_t* in, int16_t* out) {
  const int64_t x0 = in[0], x1 = in[1], x2 = in[2], x3 = in[3];
  const int64_t s0 = kSinPi9[1] * x0 + kSinPi9[4] * x2 + kSinPi9[2] * x3;
  const int64_t s1 = kSinPi9[2] * x0 - kSinPi9[1] * x2 - kSinPi9[4] * x3;
  const int64_t s3 = kSinPi9[3] * x1;
  const int64_t s2 = kSinPi9[3] * int64_t{w16(x0 - x2 + x3)};
  out[0] = r14(s0 + s3);
  out[1] = r14(s1 + s3);
  out[2] = r14(s2);
  out[3] = r14(s0 + s1 - s3);
}

void iadst8(const int16_t* in, int16_t* out) {
  int64_t x0 = in[7], x1 = in[0], x2 = in[5], x3 = in[2], x4 = in[3], x5 = in[4], x6 = in[1], x7 = in[6];
  // stage 1
  int64_t s0 = kCos[2] * x0 + kCos[30] * x1;
  int64_t s1 = kCos[30] * x0 - kCos[2] * x1;
  int64_t s2 = kCos[10] * x2 + kCos[22] * x3;
  int64_t s3 = kCos[22] * x2 - kCos[10] * x3;
  int64_t s4 = kCos[18] * x4 + kCos[14] * x5;
  int64_t s5 = kCos[14] * x4 - kCos[18] * x5;
  int64_t s6 = kCos[26] * x6 + kCos[6] * x7;
  int64_t s7 = kCos[6] * x6 - kCos[26] * x7;
  x0 = r14(s0 + s4);
  x1 = r14(s1 + s5);
  x2 = r14(s2 + s6);
  x3 = r14(s3 + s7);
  x4 = r14(s0 - s4);
  x5 = r14(s1 - s5);
  x6 = r14(s2 - s6);
  x7 = r14(s3 - s7);
  // stage 2
  s0 = x0;
  s1 = x1;
  s2 = x2;
  s3 = x3;
  s4 = kCos[8] * x4 + kCos[24] * x5;
  s5 = kCos[24] * x4 - kCos[8] * x5;
  s6 = -kCos[24] * x6 + kCos[8] * x7;
  s7 = kCos[8] * x6 + kCos[24] * x7;
  x0 = w16(s0 + s2);
  x1 = w16(s1 + s3);
  x2 = w16(s0 - s2);
  x3 = w16(s1 - s3);
  x4 = r14(s4 + s6);
  x5 = r14(s5 + s7);
  x6 = r14(s4 - s6);
  x7 = r14(s5 - s7);
  // stage 3
  s2 = kCos[16] * (x2 + x3);
  s3 = kCos[16] * (x2 - x3);
  s6 = kCos[16] * (x6 + x7);
  s7 = kCos[16] * (x6 - x7);
  x2 = r14(s2);
  x3 = r14(s3);
  x6 = r14(s6);
  x7 = r14(s7);
  out[0] = w16(x0);
  out[1] = w16(-x4);
  out[2] = w16(x6);
  out[3] = w16(-x2);
  out[4] = w16(x3);
  out[5] = w16(-x7);
  out[6] = w16(x5);
  out[7] = w16(-x1);
}

void iadst16(const int16_t* in, int16_t* out) {
  // input permutation of VP9's ADST16 flow graph
  static constexpr int kPerm[16] = {15, 0, 13, 2, 11, 4, 9, 6, 7, 8, 5, 10, 3, 12, 1, 14};
  int64_t x[16], s[16];
  for (int i = 0; i < 16; ++i) x[i] = in[kPerm[i]];
  // stage 1: rotations by cos(1, 5, 9, ... 29) against their complements
  for (int k = 0; k < 8; ++k) {
    const int c = 1 + 4 * k;
    s[2 * k] = x[2 * k] * kCos[c] + x[2 * k + 1] * kCos[32 - c];
    s[2 * k + 1] = x[2 * k] * kCos[32 - c] - x[2 * k + 1] * kCos[c];
  }
  for (int k = 0; k < 8; ++k) {
    x[k] = r14(s[k] + s[k + 8]);
    x[k + 8] = r14(s[k] - s[k + 8]);
  }
  // stage 2
  for (int k = 0; k < 8; ++k) s[k] = x[k];
  s[8] = x[8] * kCos[4] + x[9] * kCos[28];
  s[9] = x[8] * kCos[28] - x[9] * kCos[4];
  s[10] = x[10] * kCos[20] + x[11] * kCos[12];
  s[11] = x[10] * kCos[12] - x[11] * kCos[20];
  s[12] = -x[12] * kCos[28] + x[13] * kCos[4];
  s[13] = x[12] * kCos[4] + x[13] * kCos[28];
  s[14] = -x[14] * kCos[12] + x[15] * kCos[20];
  s[15] = x[14] * kCos[20] + x[15] * kCos[12];
  for (int k = 0; k < 4; ++k) {
    x[k] = w16(s[k] + s[k + 4]);
    x[k + 4] = w16(s[k] - s[k + 4]);
    x[k + 8] = r14(s[k + 8] + s[k + 12]);
    x[k + 12] = r14(s[k + 8] - s[k + 12]);
  }
  // stage 3
  for (int base = 0; base < 16; base += 8) {
    s[base + 0] = x[base + 0];
    s[base + 1] = x[base + 1];
    s[base + 2] = x[base + 2];
    s[base + 3] = x[base + 3];
    s[base + 4] = x[base + 4] * kCos[8] + x[base + 5] * kCos[24];
    s[base + 5] = x[base + 4] * kCos[24] - x[base + 5] * kCos[8];
    s[base + 6] = -x[base + 6] * kCos[24] + x[base + 7] * kCos[8];
    s[base + 7] = x[base + 6] * kCos[8] + x[base + 7] * kCos[24];
    x[base + 0] = w16(s[base + 0] + s[base + 2]);
    x[base + 1] = w16(s[base + 1] + s[base + 3]);
    x[base + 2] = w16(s[base + 0] - s[base + 2]);
    x[base + 3] = w16(s[base + 1] - s[base + 3]);
    x[base + 4] = r14(s[base + 4] + s[base + 6]);
    x[base + 5] = r14(s[base + 5] + s[base + 7]);
    x[base + 6] = r14(s[base + 4] - s[base + 6]);
    x[base + 7] = r14(s[base + 5] - s[base + 7]);
  }
  // stage 4
  s[2] = -kCos[16] * (x[2] + x[3]);
  s[3] = kCos[16] * (x[2] - x[3]);
  s[6] = kCos[16] * (x[6] + x[7]);
  s[7] = kCos[16] * (-x[6] + x[7]);
  s[10] = kCos[16] * (x[10] + x[11]);
  s[11] = kCos[16] * (-x[10] + x[11]);
  s[14] = -kCos[16] * (x[14] + x[15]);
  s[15] = kCos[16] * (x[14] - x[15]);
  for (int k : {2, 3, 6, 7, 10, 11, 14, 15}) x[k] = r14(s[k]);
  out[0] = w16(x[0]);
  out[1] = w16(-x[8]);
  out[2] = w16(x[12]);
  out[3] = w16(-x[4]);
  out[4] = w16(x[6]);
  out[5] = w16(x[14]);
  out[6] = w16(x[10]);
  out[7] = w16(x[2]);
  out[8] = w16(x[3]);
  out[9] = w16(x[11]);
  out[10] = w16(x[15]);
  out[11] = w16(x[7]);
  out[12] = w16(x[5]);
  out[13] = w16(-x[13]);
  out[14] = w16(x[9]);
  out[15] = w16(-x[1]);
}

namespace {

using Tx1d = void (*)(const int16_t*, int16_t*);

template <int kLog2>
struct Sized;
template <>
struct Sized<2> {
  static constexpr Tx1d dct = idct4, adst = iadst4;
  static constexpr int shift = 4;
};
template <>
struct Sized<3> {
  static constexpr Tx1d dct = idct8, adst = iadst8;
  static constexpr int shift = 5;
};
template <>
struct Sized<4> {
  static constexpr Tx1d dct = idct16, adst = iadst16;
  static constexpr int shift = 6;
};
template <>
struct Sized<5> {
  static constexpr Tx1d dct = idct32, adst = idct32;  // no 32-point ADST in VP9
  static constexpr int shift = 6;
};

// Rows with `row_tx` first, then columns with `col_tx`, then Round2 by the
// size's shift. An all-zero row transforms to zeros, so skipping it (as
// libvpx does) changes nothing.
template <int kLog2, bool kColAdst, bool kRowAdst>
void itx_2d(const int16_t* coeffs, int16_t* residual) {
  constexpr int n = 1 << kLog2;
  constexpr Tx1d row_tx = kRowAdst ? Sized<kLog2>::adst : Sized<kLog2>::dct;
  constexpr Tx1d col_tx = kColAdst ? Sized<kLog2>::adst : Sized<kLog2>::dct;
  constexpr int shift = Sized<kLog2>::shift;
  int16_t tmp[n * n];
  for (int r = 0; r < n; ++r) {
    bool any = false;
    for (int c = 0; c < n; ++c) any |= coeffs[r * n + c] != 0;
    if (any)
      row_tx(coeffs + r * n, tmp + r * n);
    else
      std::memset(tmp + r * n, 0, sizeof(int16_t) * n);
  }
  int16_t col_in[n], col_out[n];
  for (int c = 0; c < n; ++c) {
    for (int r = 0; r < n; ++r) col_in[r] = tmp[r * n + c];
    col_tx(col_in, col_out);
    for (int r = 0; r < n; ++r) residual[r * n + c] = w16((col_out[r] + (1 << (shift - 1))) >> shift);
  }
}

// Lossless 4x4 Walsh-Hadamard (spec "Inverse WHT process"): inputs scaled
// down by 2 bits (UNIT_QUANT_SHIFT), rows then columns, no final rounding.
void iwht_1d(int32_t& a, int32_t& c, int32_t& d, int32_t& b) {
  a += c;
  d -= b;
  const int32_t e = (a - d) >> 1;
  b = e - b;
  c = e - c;
  a -= b;
  d += c;
}

void iwht4x4(const int16_t* coeffs, int16_t* residual) {
  int16_t tmp[16];
  for (int r = 0; r < 4; ++r) {
    const int16_t* ip = coeffs + 4 * r;
    int32_t a = ip[0] >> 2, c = ip[1] >> 2, d = ip[2] >> 2, b = ip[3] >> 2;
    iwht_1d(a, c, d, b);
    tmp[4 * r + 0] = w16(a);
    tmp[4 * r + 1] = w16(b);
    tmp[4 * r + 2] = w16(c);
    tmp[4 * r + 3] = w16(d);
  }
  for (int col = 0; col < 4; ++col) {
    int32_t a = tmp[col], c = tmp[4 + col], d = tmp[8 + col], b = tmp[12 + col];
    iwht_1d(a, c, d, b);
    residual[0 * 4 + col] = w16(a);
    residual[1 * 4 + col] = w16(b);
    residual[2 * 4 + col] = w16(c);
    residual[3 * 4 + col] = w16(d);
  }
}

}  // namespace

void init_itx(Vp9Dsp& dsp) {
  // [tx_type] = (vertical = column transform, horizontal = row transform)
  dsp.itx[0][0] = itx_2d<2, false, false>;
  dsp.itx[1][0] = itx_2d<2, true, false>;
  dsp.itx[2][0] = itx_2d<2, false, true>;
  dsp.itx[3][0] = itx_2d<2, true, true>;
  dsp.itx[0][1] = itx_2d<3, false, false>;
  dsp.itx[1][1] = itx_2d<3, true, false>;
  dsp.itx[2][1] = itx_2d<3, false, true>;
  dsp.itx[3][1] = itx_2d<3, true, true>;
  dsp.itx[0][2] = itx_2d<4, false, false>;
  dsp.itx[1][2] = itx_2d<4, true, false>;
  dsp.itx[2][2] = itx_2d<4, false, true>;
  dsp.itx[3][2] = itx_2d<4, true, true>;
  // 32x32 is always DCT_DCT in VP9; other types map to it.
  for (int t = 0; t < 4; ++t) dsp.itx[t][3] = itx_2d<5, false, false>;
  for (int s = 0; s < 4; ++s) dsp.itx[4][s] = iwht4x4;
}

}  // namespace daedalus::dispatch::cpu
