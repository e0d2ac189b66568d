// SPDX-License-Identifier: MIT
// residual: dequantised coefficients -> residual samples (VP9 inverse
// DCT/ADST/WHT), bit-exact with dispatch/cpu/vp9_itx.cpp: every int16
// intermediate of the reference is wrapped to 16 bits here too, and every
// product fits in 32 bits (|coeff| <= 2^15, constants < 2^14). One dispatch
// per transform size; a workgroup of 64 invocations handles 64 / n blocks,
// one row then one column per invocation, through shared memory.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(local_size_x = DD_RESIDUAL_LANES) in;

layout(std430, binding = 0) readonly buffer TxBlocks { uint txw[]; };
// The int16 coefficients, read as little-endian pairs (lo16 / hi16): V3D
// makes a TMU lookup of every 16-bit load, and merges consecutive 32-bit
// loads into vector loads.
layout(std430, binding = 1) readonly buffer Coeffs { uint coeffw[]; };
layout(std430, binding = 2) writeonly buffer Residuals { int16_t res[]; };
// aux: [0, num_tx) residual offset per tx block; from list_base: tx block
// indices of this dispatch's size.
layout(std430, binding = 3) readonly buffer Aux { uint aux[]; };

// The transform size is a specialization constant, frozen at build time:
// shaders/CMakeLists.txt makes one module per size (residual_4x4 ..
// residual_32x32) with spirv-opt, which unrolls every [[unroll]] loop and
// turns the arrays into plain values. No private array may be indexed in a
// loop that survives into the driver: V3DV lowers such arrays to scratch
// memory (a TMU access per element) before it unrolls anything.
layout(constant_id = 0) const int kTxSize = 0;  // log2(n) - 2

layout(push_constant) uniform Params { dd_residual_push pc; };  // daedalus/shader_interface.h

shared int tmp[2048];

const int kCos[32] = int[32](16384, 16364, 16305, 16207, 16069, 15893, 15679, 15426, 15137, 14811, 14449,
                             14053, 13623, 13160, 12665, 12140, 11585, 11003, 10394, 9760, 9102, 8423,
                             7723, 7005, 6270, 5520, 4756, 3981, 3196, 2404, 1606, 804);
const int kSinPi9[5] = int[5](0, 5283, 9929, 13377, 15212);

int r14(int v) { return w16((v + (1 << 13)) >> 14); }
int lo16(uint w) { return int(w << 16) >> 16; }
int hi16(uint w) { return int(w) >> 16; }

void idct4(inout int v[32]) {
  int s0 = r14((v[0] + v[2]) * kCos[16]);
  int s1 = r14((v[0] - v[2]) * kCos[16]);
  int s2 = r14(v[1] * kCos[24] - v[3] * kCos[8]);
  int s3 = r14(v[1] * kCos[8] + v[3] * kCos[24]);
  v[0] = w16(s0 + s3);
  v[1] = w16(s1 + s2);
  v[2] = w16(s1 - s2);
  v[3] = w16(s0 - s3);
}

void idct8(inout int v[32]) {
  int in_[8];
  [[unroll]] for (int i = 0; i < 8; i++) in_[i] = v[i];
  int e[32];
  [[unroll]] for (int i = 0; i < 4; i++) e[i] = in_[2 * i];
  idct4(e);
  int a4 = r14(in_[1] * kCos[28] - in_[7] * kCos[4]);
  int a7 = r14(in_[1] * kCos[4] + in_[7] * kCos[28]);
  int a5 = r14(in_[5] * kCos[12] - in_[3] * kCos[20]);
  int a6 = r14(in_[5] * kCos[20] + in_[3] * kCos[12]);
  int b4 = w16(a4 + a5);
  int b5 = w16(a4 - a5);
  int b6 = w16(-a6 + a7);
  int b7 = w16(a6 + a7);
  int c5 = r14((b6 - b5) * kCos[16]);
  int c6 = r14((b5 + b6) * kCos[16]);
  int o[4] = int[4](b4, c5, c6, b7);
  [[unroll]] for (int i = 0; i < 4; i++) {
    v[i] = w16(e[i] + o[3 - i]);
    v[7 - i] = w16(e[i] - o[3 - i]);
  }
}

void idct16(inout int v[32]) {
  int in_[16];
  [[unroll]] for (int i = 0; i < 16; i++) in_[i] = v[i];
  int e[32];
  [[unroll]] for (int i = 0; i < 8; i++) e[i] = in_[2 * i];
  idct8(e);
  int s[16], t[16];
  s[8] = r14(in_[1] * kCos[30] - in_[15] * kCos[2]);
  s[15] = r14(in_[1] * kCos[2] + in_[15] * kCos[30]);
  s[9] = r14(in_[9] * kCos[14] - in_[7] * kCos[18]);
  s[14] = r14(in_[9] * kCos[18] + in_[7] * kCos[14]);
  s[10] = r14(in_[5] * kCos[22] - in_[11] * kCos[10]);
  s[13] = r14(in_[5] * kCos[10] + in_[11] * kCos[22]);
  s[11] = r14(in_[13] * kCos[6] - in_[3] * kCos[26]);
  s[12] = r14(in_[13] * kCos[26] + in_[3] * kCos[6]);
  t[8] = w16(s[8] + s[9]);
  t[9] = w16(s[8] - s[9]);
  t[10] = w16(-s[10] + s[11]);
  t[11] = w16(s[10] + s[11]);
  t[12] = w16(s[12] + s[13]);
  t[13] = w16(s[12] - s[13]);
  t[14] = w16(-s[14] + s[15]);
  t[15] = w16(s[14] + s[15]);
  s[8] = t[8];
  s[15] = t[15];
  s[9] = r14(-t[9] * kCos[8] + t[14] * kCos[24]);
  s[14] = r14(t[9] * kCos[24] + t[14] * kCos[8]);
  s[10] = r14(-t[10] * kCos[24] - t[13] * kCos[8]);
  s[13] = r14(-t[10] * kCos[8] + t[13] * kCos[24]);
  s[11] = t[11];
  s[12] = t[12];
  t[8] = w16(s[8] + s[11]);
  t[9] = w16(s[9] + s[10]);
  t[10] = w16(s[9] - s[10]);
  t[11] = w16(s[8] - s[11]);
  t[12] = w16(-s[12] + s[15]);
  t[13] = w16(-s[13] + s[14]);
  t[14] = w16(s[13] + s[14]);
  t[15] = w16(s[12] + s[15]);
  s[8] = t[8];
  s[9] = t[9];
  s[10] = r14((-t[10] + t[13]) * kCos[16]);
  s[13] = r14((t[10] + t[13]) * kCos[16]);
  s[11] = r14((-t[11] + t[12]) * kCos[16]);
  s[12] = r14((t[11] + t[12]) * kCos[16]);
  s[14] = t[14];
  s[15] = t[15];
  [[unroll]] for (int i = 0; i < 8; i++) {
    v[i] = w16(e[i] + s[15 - i]);
    v[15 - i] = w16(e[i] - s[15 - i]);
  }
}

// The odd half of the 32-point IDCT: v[k] = input 2k + 1 (k < 16) in,
// v[k] = a[16 + k] out; the even half is idct16 of the even inputs, and
// output i is e[i] + a[31 - i], output 31 - i is e[i] - a[31 - i] (i < 16).
// residual_32x32 runs the two halves in different invocations (main32).
void idct32_odd(inout int v[32]) {
  int in_[32];
  [[unroll]] for (int k = 0; k < 16; k++) in_[2 * k + 1] = v[k];
  int a[32], b[32];
  const int kOdd[8] = int[8](31, 15, 23, 7, 27, 11, 19, 3);
  [[unroll]] for (int j = 0; j < 8; j++) {
    int k = kOdd[j], lo = 16 + j, hi = 47 - lo;
    a[lo] = r14(in_[32 - k] * kCos[k] - in_[k] * kCos[32 - k]);
    a[hi] = r14(in_[32 - k] * kCos[32 - k] + in_[k] * kCos[k]);
  }
  [[unroll]] for (int k = 16; k < 32; k += 4) {
    b[k] = w16(a[k] + a[k + 1]);
    b[k + 1] = w16(a[k] - a[k + 1]);
    b[k + 2] = w16(-a[k + 2] + a[k + 3]);
    b[k + 3] = w16(a[k + 2] + a[k + 3]);
  }
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
  [[unroll]] for (int k = 16; k < 32; k += 8) {
    b[k] = w16(a[k] + a[k + 3]);
    b[k + 1] = w16(a[k + 1] + a[k + 2]);
    b[k + 2] = w16(a[k + 1] - a[k + 2]);
    b[k + 3] = w16(a[k] - a[k + 3]);
    b[k + 4] = w16(-a[k + 4] + a[k + 7]);
    b[k + 5] = w16(-a[k + 5] + a[k + 6]);
    b[k + 6] = w16(a[k + 5] + a[k + 6]);
    b[k + 7] = w16(a[k + 4] + a[k + 7]);
  }
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
  [[unroll]] for (int k = 0; k < 4; k++) {
    b[16 + k] = w16(a[16 + k] + a[23 - k]);
    b[23 - k] = w16(a[16 + k] - a[23 - k]);
    b[24 + k] = w16(-a[24 + k] + a[31 - k]);
    b[31 - k] = w16(a[24 + k] + a[31 - k]);
  }
  [[unroll]] for (int k = 16; k < 20; k++) a[k] = b[k];
  [[unroll]] for (int k = 20; k < 24; k++) {
    a[k] = r14((-b[k] + b[47 - k]) * kCos[16]);
    a[47 - k] = r14((b[k] + b[47 - k]) * kCos[16]);
  }
  [[unroll]] for (int k = 28; k < 32; k++) a[k] = b[k];
  [[unroll]] for (int i = 0; i < 16; i++) v[i] = a[16 + i];
}

void iadst4(inout int v[32]) {
  int x0 = v[0], x1 = v[1], x2 = v[2], x3 = v[3];
  int s0 = kSinPi9[1] * x0 + kSinPi9[4] * x2 + kSinPi9[2] * x3;
  int s1 = kSinPi9[2] * x0 - kSinPi9[1] * x2 - kSinPi9[4] * x3;
  int s3 = kSinPi9[3] * x1;
  int s2 = kSinPi9[3] * w16(x0 - x2 + x3);
  v[0] = r14(s0 + s3);
  v[1] = r14(s1 + s3);
  v[2] = r14(s2);
  v[3] = r14(s0 + s1 - s3);
}

void iadst8(inout int v[32]) {
  int x0 = v[7], x1 = v[0], x2 = v[5], x3 = v[2], x4 = v[3], x5 = v[4], x6 = v[1], x7 = v[6];
  int s0 = kCos[2] * x0 + kCos[30] * x1;
  int s1 = kCos[30] * x0 - kCos[2] * x1;
  int s2 = kCos[10] * x2 + kCos[22] * x3;
  int s3 = kCos[22] * x2 - kCos[10] * x3;
  int s4 = kCos[18] * x4 + kCos[14] * x5;
  int s5 = kCos[14] * x4 - kCos[18] * x5;
  int s6 = kCos[26] * x6 + kCos[6] * x7;
  int s7 = kCos[6] * x6 - kCos[26] * x7;
  x0 = r14(s0 + s4);
  x1 = r14(s1 + s5);
  x2 = r14(s2 + s6);
  x3 = r14(s3 + s7);
  x4 = r14(s0 - s4);
  x5 = r14(s1 - s5);
  x6 = r14(s2 - s6);
  x7 = r14(s3 - s7);
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
  s2 = kCos[16] * (x2 + x3);
  s3 = kCos[16] * (x2 - x3);
  s6 = kCos[16] * (x6 + x7);
  s7 = kCos[16] * (x6 - x7);
  x2 = r14(s2);
  x3 = r14(s3);
  x6 = r14(s6);
  x7 = r14(s7);
  v[0] = w16(x0);
  v[1] = w16(-x4);
  v[2] = w16(x6);
  v[3] = w16(-x2);
  v[4] = w16(x3);
  v[5] = w16(-x7);
  v[6] = w16(x5);
  v[7] = w16(-x1);
}

void iadst16(inout int v[32]) {
  const int kPerm[16] = int[16](15, 0, 13, 2, 11, 4, 9, 6, 7, 8, 5, 10, 3, 12, 1, 14);
  int x[16], s[16];
  [[unroll]] for (int i = 0; i < 16; i++) x[i] = v[kPerm[i]];
  [[unroll]] for (int k = 0; k < 8; k++) {
    int c = 1 + 4 * k;
    s[2 * k] = x[2 * k] * kCos[c] + x[2 * k + 1] * kCos[32 - c];
    s[2 * k + 1] = x[2 * k] * kCos[32 - c] - x[2 * k + 1] * kCos[c];
  }
  [[unroll]] for (int k = 0; k < 8; k++) {
    x[k] = r14(s[k] + s[k + 8]);
    x[k + 8] = r14(s[k] - s[k + 8]);
  }
  [[unroll]] for (int k = 0; k < 8; k++) s[k] = x[k];
  s[8] = x[8] * kCos[4] + x[9] * kCos[28];
  s[9] = x[8] * kCos[28] - x[9] * kCos[4];
  s[10] = x[10] * kCos[20] + x[11] * kCos[12];
  s[11] = x[10] * kCos[12] - x[11] * kCos[20];
  s[12] = -x[12] * kCos[28] + x[13] * kCos[4];
  s[13] = x[12] * kCos[4] + x[13] * kCos[28];
  s[14] = -x[14] * kCos[12] + x[15] * kCos[20];
  s[15] = x[14] * kCos[20] + x[15] * kCos[12];
  [[unroll]] for (int k = 0; k < 4; k++) {
    x[k] = w16(s[k] + s[k + 4]);
    x[k + 4] = w16(s[k] - s[k + 4]);
    x[k + 8] = r14(s[k + 8] + s[k + 12]);
    x[k + 12] = r14(s[k + 8] - s[k + 12]);
  }
  [[unroll]] for (int base = 0; base < 16; base += 8) {
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
  s[2] = -kCos[16] * (x[2] + x[3]);
  s[3] = kCos[16] * (x[2] - x[3]);
  s[6] = kCos[16] * (x[6] + x[7]);
  s[7] = kCos[16] * (-x[6] + x[7]);
  s[10] = kCos[16] * (x[10] + x[11]);
  s[11] = kCos[16] * (-x[10] + x[11]);
  s[14] = -kCos[16] * (x[14] + x[15]);
  s[15] = kCos[16] * (x[14] - x[15]);
  x[2] = r14(s[2]);
  x[3] = r14(s[3]);
  x[6] = r14(s[6]);
  x[7] = r14(s[7]);
  x[10] = r14(s[10]);
  x[11] = r14(s[11]);
  x[14] = r14(s[14]);
  x[15] = r14(s[15]);
  v[0] = w16(x[0]);
  v[1] = w16(-x[8]);
  v[2] = w16(x[12]);
  v[3] = w16(-x[4]);
  v[4] = w16(x[6]);
  v[5] = w16(x[14]);
  v[6] = w16(x[10]);
  v[7] = w16(x[2]);
  v[8] = w16(x[3]);
  v[9] = w16(x[11]);
  v[10] = w16(x[15]);
  v[11] = w16(x[7]);
  v[12] = w16(x[5]);
  v[13] = w16(-x[13]);
  v[14] = w16(x[9]);
  v[15] = w16(-x[1]);
}

// Lossless 4x4 Walsh-Hadamard, one dimension (a, c, d, b order as the
// reference).
void iwht_1d(inout int a, inout int c, inout int d, inout int b) {
  a += c;
  d -= b;
  int e = (a - d) >> 1;
  b = e - b;
  c = e - c;
  a -= b;
  d += c;
}

// 1-D transform of size 4 << sz (up to 16: main32 does 32); kind 0 = DCT,
// 1 = ADST.
void tx1d(int sz, int kind, inout int v[32]) {
  if (sz == 0) {
    if (kind == 1) iadst4(v); else idct4(v);
  } else if (sz == 1) {
    if (kind == 1) iadst8(v); else idct8(v);
  } else {
    if (kind == 1) iadst16(v); else idct16(v);
  }
}

// residual_32x32 (DCT only): one block per workgroup, each 32-point
// transform split over two invocations, the even half (idct16 of the even
// inputs) and the odd half (idct32_odd), their results through shared
// memory. One invocation holding a whole 32-point transform needed more
// than V3D's 64 registers at 2 threads (21:41 spills:fills).
// Invocation i: line i & 31 (row, then column), half hf = i >> 5 (0 even, 1
// odd). The halves are stored half-major, value k of invocation i at
// k * 64 + i (scalar stores 64 words apart, not merged into vector stores),
// and added up (e + o, e - o) by whoever reads them.
int combined(int base, int line, int i) {
  // Output i (0..31) of line `line` from its halves at tmp[base ..]
  const int e = i < 16 ? i : 31 - i, o = i < 16 ? 15 - i : i - 16;
  const int ev = tmp[base + e * 64 + line], ov = tmp[base + o * 64 + 32 + line];
  return w16(i < 16 ? ev + ov : ev - ov);
}

void main32() {
  const uint item = linear_group();
  // Uniform per workgroup: no invocation goes on past a barrier alone.
  if (item >= pc.count) return;
  const uint tx_index = aux[pc.list_base + item];
  const TxBlock t = load_tx(txw, tx_index);
  const uint out_off = aux[tx_index];
  const int id = int(gl_LocalInvocationID.x), line = id & 31, hf = id >> 5;
  int v[32];
  {
    // Row `line`'s coefficients of parity `hf`, from 17 words whatever
    // the parity of its first index (as in main).
    const uint i0 = t.coeff_offset + uint(line * 32);
    const bool odd = (i0 & 1u) != 0u;
    uint w[17];
    [[unroll]] for (int k = 0; k <= 16; k++) w[k] = coeffw[(i0 >> 1) + uint(k)];
    int any = 0;
    [[unroll]] for (int k = 0; k < 16; k++) {
      v[k] = hf == 0 ? (odd ? hi16(w[k]) : lo16(w[k])) : (odd ? lo16(w[k + 1]) : hi16(w[k]));
      any |= v[k];
    }
    // A zero half maps to zeros (most rows of a large block are zero).
    if (any != 0) {
      if (hf == 0) idct16(v); else idct32_odd(v);
    }
    [[unroll]] for (int k = 0; k < 16; k++) tmp[k * 64 + id] = v[k];
  }
  barrier();
  // Column `line`: its rows of parity `hf`.
  [[unroll]] for (int k = 0; k < 16; k++) v[k] = combined(0, 2 * k + hf, line);
  if (hf == 0) idct16(v); else idct32_odd(v);
  [[unroll]] for (int k = 0; k < 16; k++) tmp[1024 + k * 64 + id] = v[k];
  barrier();
  // Rows 16 * hf .. 16 * hf + 15 of column `line`.
  [[unroll]] for (int k = 0; k < 16; k++) {
    const int r = 16 * hf + k;
    res[out_off + uint(r * 32 + line)] = int16_t(w16((combined(1024, line, r) + 32) >> 6));
  }
}

void main() {
  if (kTxSize == 3) {
    main32();
    return;
  }
  const int sz = kTxSize;
  const int n = 4 << sz;
  const int slot = int(gl_LocalInvocationID.x) >> (2 + sz);  // block within the workgroup
  const int lane = int(gl_LocalInvocationID.x) & (n - 1);
  const uint item = linear_group() * uint(64 >> (2 + sz)) + uint(slot);
  const bool live = item < pc.count;
  // Loaded by every lane, not under if (live): a lane past the list reads
  // its last entry (count >= 1 whenever this dispatches), so no lane forms
  // a wild address, and nothing set under if (live) is used under the
  // if (live) after barrier(): that pattern never finishes compiling on
  // V3DV (dispatch/vulkan/README.md, tests/v3d/repro/).
  const uint tx_index = aux[pc.list_base + min(item, pc.count - 1u)];
  const TxBlock t = load_tx(txw, tx_index);
  const uint out_off = aux[tx_index];
  const int type = (pc.lossless != 0u && sz == DD_TX_4X4) ? DD_TX_WHT_WHT : t.tx_type;
  const int tbase = slot * n * n;
  int v[32];
  // Rows (horizontal transform: DCT for DCT_DCT / ADST_DCT).
  if (live) {
    // The row's n coefficients from n / 2 + 1 words, whatever the parity
    // of its first index (the same for every row of the block); the extra
    // word may lie past the coefficients, in every buffer's over-read slack
    // (vk_context.h).
    const uint i0 = t.coeff_offset + uint(lane * n);
    const bool odd = (i0 & 1u) != 0u;
    uint w[17];
    [[unroll]] for (int k = 0; k <= n / 2; k++) w[k] = coeffw[(i0 >> 1) + uint(k)];
    int any = 0;
    [[unroll]] for (int c = 0; c < n; c += 2) {
      v[c] = odd ? hi16(w[c / 2]) : lo16(w[c / 2]);
      v[c + 1] = odd ? lo16(w[c / 2 + 1]) : hi16(w[c / 2]);
      any |= v[c] | v[c + 1];
    }
    // Every 1-D transform maps a zero row to a zero row: most rows of a
    // large block hold no coefficient (scans start at the top left), and
    // a SIMD group of them skips the transform.
    if (any == 0) {
    } else if (type == DD_TX_WHT_WHT) {
      int a = v[0] >> 2, c = v[1] >> 2, d = v[2] >> 2, b = v[3] >> 2;
      iwht_1d(a, c, d, b);
      v[0] = w16(a);
      v[1] = w16(b);
      v[2] = w16(c);
      v[3] = w16(d);
    } else {
      tx1d(sz, (type == DD_TX_DCT_ADST || type == DD_TX_ADST_ADST) ? 1 : 0, v);  // horizontal
    }
    // Stored transposed (column-major): one invocation's row is n scalar
    // stores n apart, read back as its column's n consecutive words. V3D's
    // compiler merges consecutive stores into vector stores, and a store of
    // 4 words needs 5 TMU writes, more than a 4-thread program may queue
    // (16 / threads): it would halve the thread count. Loads take one
    // write whatever their width.
    [[unroll]] for (int c = 0; c < n; c++) tmp[tbase + c * n + lane] = v[c];
  }
  barrier();
  if (!live) return;
  [[unroll]] for (int r = 0; r < n; r++) v[r] = tmp[tbase + lane * n + r];
  if (type == DD_TX_WHT_WHT) {
    int a = v[0], c = v[1], d = v[2], b = v[3];
    iwht_1d(a, c, d, b);
    res[out_off + uint(0 * 4 + lane)] = int16_t(w16(a));
    res[out_off + uint(1 * 4 + lane)] = int16_t(w16(b));
    res[out_off + uint(2 * 4 + lane)] = int16_t(w16(c));
    res[out_off + uint(3 * 4 + lane)] = int16_t(w16(d));
    return;
  }
  tx1d(sz, (type == DD_TX_ADST_DCT || type == DD_TX_ADST_ADST) ? 1 : 0, v);  // vertical
  const int shift = sz == 0 ? 4 : sz == 1 ? 5 : 6;
  [[unroll]] for (int r = 0; r < n; r++) res[out_off + uint(r * n + lane)] = int16_t(w16((v[r] + (1 << (shift - 1))) >> shift));
}
