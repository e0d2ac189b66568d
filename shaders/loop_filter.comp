// SPDX-License-Identifier: MIT
// loop_filter: VP9 deblocking, bit-exact with dispatch/cpu (loop_filter in
// cpu_backend.cpp + vp9_lpf.cpp). The reference order is superblock raster,
// per superblock per plane all vertical edges then all horizontal edges. A
// superblock touches pixels up to 8 above / left of itself, so superblocks
// with equal sbx + 2 * sby never touch the same pixel and may run together:
// the host dispatches those levels in order, one workgroup per superblock.
// Inside it, the vertical pass has one invocation per pixel row (edges left
// to right) and the horizontal pass one per pixel column (top to bottom),
// which is exactly the reference order for every pixel: VP9 decides every
// row of a vertical edge and every column of a horizontal one on its own.
//
// loop_filter_masks.comp lists, per superblock, which units have an edge
// to filter (bit masks per unit row for the vertical pass, per unit column
// for the horizontal one, dispatch/vulkan/stage_loop_filter.h LfPlan): each
// invocation walks the set bits of its mask, not every unit of its row or
// column. Loading a unit is a gather, one memory operation per lane on SIMD
// CPU drivers (lavapipe) and a TMU lookup on V3D; walking 16 units to find
// the 4 with an edge was most of the vertical pass's time under lavapipe.
//
// The vertical pass loads and stores its row's pixels as 32-bit words
// (plane offsets and strides are multiples of 4, checked on the host; edges
// sit on 4-pixel unit boundaries): 4 words of its row per edge, where bytes
// would cost one memory operation per pixel (TMU lookups on V3D, scalarised
// gathers and scatters on lavapipe). The horizontal pass reads and writes
// bytes: the other three pixels of each word are other invocations'.
//
// Every loop over pixels is unrolled ([[unroll]]): V3D's compiler moves a
// private array to scratch memory when a loop that indexes it is still
// rolled at that point: px[], v[] and w[] went there before
// (docs/performance.md, issue 19).
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(local_size_x = DD_LOOP_FILTER_LANES) in;

layout(std430, binding = 0) buffer Dst { uint pixw[]; };  // planes as words
layout(std430, binding = 0) buffer DstBytes { uint8_t pixb[]; };  // the same planes as bytes
// The three planes' dd_lf_unit arrays one after another (plane p from word
// lf_base[p]): one load per unit, where a buffer per plane would make a
// lane of a group that mixes planes load from all three.
layout(std430, binding = 1) readonly buffer Lf { uint lf[]; };
// From 0: sbx | sby << 16 per superblock; from edges_base: its
// kLfEdgeWords words of edge masks.
layout(std430, binding = 2) readonly buffer Aux { uint aux[]; };

layout(push_constant) uniform Params { dd_loop_filter_push pc; };  // daedalus/shader_interface.h

uint lf_unit(int p, uint i) { return lf[sel3(pc.lf_base[0], pc.lf_base[1], pc.lf_base[2], p) + i]; }

// The mask of unit row or column i (0..15 luma, 0..7 chroma) of plane p:
// 16 bits per luma row, 8 per chroma row, from word `first` of the
// superblock's masks (0: vertical edges, 12: horizontal).
uint edge_mask(uint masks, int first, int p, int i) {
  if (p == 0) return (aux[masks + uint(first + (i >> 1))] >> (16 * (i & 1))) & 0xffffu;
  return (aux[masks + uint(first + 6 + 2 * p + (i >> 2))] >> (8 * (i & 3))) & 0xffu;
}

int px[16];  // px[8 + i] = pixel i across the edge (0 = q0, -1 = p0)

void filter4(bool hev) {
  int ps1 = px[6] - 128, ps0 = px[7] - 128, qs0 = px[8] - 128, qs1 = px[9] - 128;
  int f = hev ? clamp(ps1 - qs1, -128, 127) : 0;
  f = clamp(f + 3 * (qs0 - ps0), -128, 127);
  int f1 = clamp(f + 4, -128, 127) >> 3;
  int f2 = clamp(f + 3, -128, 127) >> 3;
  px[8] = clamp(qs0 - f1, -128, 127) + 128;
  px[7] = clamp(ps0 + f2, -128, 127) + 128;
  if (!hev) {
    int f3 = (f1 + 1) >> 1;
    px[9] = clamp(qs1 - f3, -128, 127) + 128;
    px[6] = clamp(ps1 + f3, -128, 127) + 128;
  }
}

// Smoothing over 2k pixels (k = 4 or 8), as flat_filter<k>: output i is
// (v[i] + sum of v[clamp(j)] over |j - i| < k + k) / 2k, a box of 2k - 1
// taps plus the centre again. The box is a running sum, two ops per output
// instead of 2k - 1 adds (SIMD drivers run this path for every lane when
// any lane of the group needs it). Two copies with constant bounds: every
// px[] / v[] index is a constant once the loops are unrolled, so the arrays
// stay in registers (a runtime index sends a local array to scratch memory:
// LLVM on lavapipe, the TMU on V3D).
void flat_filter4() {
  int v[8];
  [[unroll]] for (int i = 0; i < 8; i++) v[i] = px[4 + i];
  int box = 0;  // sum of v[clamp(j, 0, 7)] for j in [i - 3, i + 3], i = 1
  [[unroll]] for (int j = -2; j <= 4; j++) box += v[clamp(j, 0, 7)];
  [[unroll]] for (int i = 1; i < 7; i++) {
    px[4 + i] = (box + v[i] + 4) >> 3;
    box += v[clamp(i + 4, 0, 7)] - v[clamp(i - 3, 0, 7)];
  }
}

void flat_filter8() {
  int v[16];
  [[unroll]] for (int i = 0; i < 16; i++) v[i] = px[i];
  int box = 0;  // sum of v[clamp(j, 0, 15)] for j in [i - 7, i + 7], i = 1
  [[unroll]] for (int j = -6; j <= 8; j++) box += v[clamp(j, 0, 15)];
  [[unroll]] for (int i = 1; i < 15; i++) {
    px[i] = (box + v[i] + 8) >> 4;
    box += v[clamp(i + 8, 0, 15)] - v[clamp(i - 7, 0, 15)];
  }
}

// Returns the number of pixels on each side that changed (0: none).
int filter_line(int size, int blimit, int limit, int thresh) {
  int p3 = px[4], p2 = px[5], p1 = px[6], p0 = px[7], q0 = px[8], q1 = px[9], q2 = px[10], q3 = px[11];
  bool mask = abs(p3 - p2) <= limit && abs(p2 - p1) <= limit && abs(p1 - p0) <= limit && abs(q1 - q0) <= limit &&
              abs(q2 - q1) <= limit && abs(q3 - q2) <= limit && abs(p0 - q0) * 2 + (abs(p1 - q1) >> 1) <= blimit;
  if (!mask) return 0;
  bool hev = abs(p1 - p0) > thresh || abs(q1 - q0) > thresh;
  if (size >= 8) {
    bool is_flat = abs(p1 - p0) <= 1 && abs(q1 - q0) <= 1 && abs(p2 - p0) <= 1 && abs(q2 - q0) <= 1 &&
                abs(p3 - p0) <= 1 && abs(q3 - q0) <= 1;
    if (is_flat) {
      if (size == 16) {
        bool is_flat2 = true;
        [[unroll]] for (int i = 4; i < 8; i++) is_flat2 = is_flat2 && abs(px[7 - i] - p0) <= 1 && abs(px[8 + i] - q0) <= 1;
        if (is_flat2) {
          flat_filter8();
          return 7;
        }
      }
      flat_filter4();
      return 3;
    }
  }
  filter4(hev);
  return 2;
}

void limits(int level, out int blimit, out int limit, out int thresh) {
  // lpf_limits(level, sharpness)
  int sharp = int(pc.sharpness & 7u);
  limit = level >> ((sharp > 0 ? 1 : 0) + (sharp > 4 ? 1 : 0));
  if (sharp > 0) limit = min(limit, 9 - sharp);
  limit = max(limit, 1);
  blimit = 2 * (level + 2) + limit;
  thresh = level >> 4;
}

uint byte_of(uint w, int k) { return (w >> (8 * k)) & 0xffu; }

// A vertical edge in one pixel row; w0 = word index of the 4 pixels left of
// the edge's first 4 (pixels x - 8 .. x - 5). Constant-bound loops with a
// condition, not loops to reach / changed: px[] / w[] indices stay constants
// (see flat_filter4).
void vertical_edge(int w0, int size, int level) {
  int blimit, limit, thresh;
  limits(level, blimit, limit, thresh);
  const bool wide = size == 16;
  uint w[4];
  [[unroll]] for (int k = 0; k < 4; k++) w[k] = (wide || k == 1 || k == 2) ? pixw[w0 + k] : 0u;
  [[unroll]] for (int i = 0; i < 16; i++) px[i] = int(byte_of(w[i >> 2], i & 3));
  int changed = filter_line(size, blimit, limit, thresh);
  if (changed == 0) return;
  // Words 1 and 2 (x - 4 .. x + 3) hold every changed pixel but the 16-wide
  // filter's; a stored word's unchanged bytes are rewritten as they were
  // (this invocation owns the row in this pass).
  [[unroll]] for (int k = 0; k < 4; k++)
    if (k == 1 || k == 2 || changed == 7)
      pixw[w0 + k] = uint(px[4 * k]) | uint(px[4 * k + 1]) << 8 | uint(px[4 * k + 2]) << 16 | uint(px[4 * k + 3]) << 24;
}

// A horizontal edge in one pixel column; b8 = byte index of the column's
// pixel in the edge's first row (y), bstride = row stride in bytes. The
// column's neighbours in the same words belong to other invocations, so the
// changed pixels go back as bytes.
void horizontal_edge(int b8, int bstride, int size, int level) {
  int blimit, limit, thresh;
  limits(level, blimit, limit, thresh);
  const bool wide = size == 16;
  [[unroll]] for (int i = 0; i < 16; i++) px[i] = (wide || (i >= 4 && i < 12)) ? int(pixb[b8 + (i - 8) * bstride]) : 0;
  const int changed = filter_line(size, blimit, limit, thresh);
  [[unroll]] for (int i = 0; i < 16; i++)
    if (i >= 8 - changed && i < 8 + changed) pixb[b8 + (i - 8) * bstride] = uint8_t(px[i]);
}

void main() {
  if (linear_group() >= pc.count) return;
  const uint sb = aux[pc.list_base + linear_group()];
  const uint masks = pc.edges_base + (pc.list_base + linear_group()) * DD_LF_EDGE_WORDS;
  const int sbx = int(sb & 0xffffu), sby = int(sb >> 16);
  const int tid = int(gl_LocalInvocationID.x);

  // Vertical edges: invocations 0-63 the luma rows, 64-95 and 96-127 the
  // chroma rows; each its pixel row, left to right.
  {
    const int p = tid < 64 ? 0 : tid < 96 ? 1 : 2;
    const int lane = tid < 64 ? tid : tid < 96 ? tid - 64 : tid - 96;
    const int units = p == 0 ? 16 : 8;
    const int cols = int(sel3(pc.cols[0], pc.cols[1], pc.cols[2], p)), rows = int(sel3(pc.rows[0], pc.rows[1], pc.rows[2], p));
    const int W = int(sel3(pc.planes.width[0], pc.planes.width[1], pc.planes.width[2], p)), H = int(sel3(pc.planes.height[0], pc.planes.height[1], pc.planes.height[2], p));
    const int ux0 = sbx * units, uy1 = min(sby * units + units, rows);
    int uy = sby * units + (lane >> 2), y = uy * 4 + (lane & 3);
    if (uy < uy1 && y < H) {
      const int row_w = int(sel3(pc.planes.off[0], pc.planes.off[1], pc.planes.off[2], p) >> 2) + y * int(sel3(pc.planes.stride[0], pc.planes.stride[1], pc.planes.stride[2], p) >> 2);
      for (uint bits = edge_mask(masks, 0, p, lane >> 2); bits != 0u; bits &= bits - 1u) {
        const int ux = ux0 + findLSB(bits);
        const uint unit0 = lf_unit(p, uint(uy * cols + ux));  // a dd_lf_unit, one word
        int level = int(DD_FIELD(unit, DD_LFU_LEVEL)), size = int(DD_FIELD(unit, DD_LFU_LEFT_SIZE));
        if (size == 0 || level == 0 || level > 63) continue;
        int x = ux * 4, reach = size == 16 ? 8 : 4;
        if (x < reach || x + reach > W) continue;
        vertical_edge(row_w + ux - 2, size == 16 ? 16 : size == 8 ? 8 : 4, level);
      }
    }
  }
  memoryBarrierBuffer();
  barrier();
  // Horizontal edges: invocations 0-63 the luma pixel columns, 64-95 and
  // 96-127 the chroma ones; each its column, top to bottom.
  {
    const int p = tid < 64 ? 0 : tid < 96 ? 1 : 2;
    const int lane = tid < 64 ? tid : tid < 96 ? tid - 64 : tid - 96;
    const int units = p == 0 ? 16 : 8;
    const int cols = int(sel3(pc.cols[0], pc.cols[1], pc.cols[2], p)), rows = int(sel3(pc.rows[0], pc.rows[1], pc.rows[2], p));
    const int W = int(sel3(pc.planes.width[0], pc.planes.width[1], pc.planes.width[2], p)), H = int(sel3(pc.planes.height[0], pc.planes.height[1], pc.planes.height[2], p));
    const int uy0 = sby * units, ux1 = min(sbx * units + units, cols);
    const int ux = sbx * units + (lane >> 2);
    if (ux < ux1 && ux * 4 < W) {
      const int stride = int(sel3(pc.planes.stride[0], pc.planes.stride[1], pc.planes.stride[2], p));
      const int col_b = int(sel3(pc.planes.off[0], pc.planes.off[1], pc.planes.off[2], p)) + ux * 4 + (lane & 3);
      for (uint bits = edge_mask(masks, 12, p, lane >> 2); bits != 0u; bits &= bits - 1u) {
        const int uy = uy0 + findLSB(bits);
        const uint unit0 = lf_unit(p, uint(uy * cols + ux));  // a dd_lf_unit, one word
        int level = int(DD_FIELD(unit, DD_LFU_LEVEL)), size = int(DD_FIELD(unit, DD_LFU_TOP_SIZE));
        if (size == 0 || level == 0 || level > 63) continue;
        int y = uy * 4, reach = size == 16 ? 8 : 4;
        if (y < reach || y + reach > H) continue;
        horizontal_edge(col_b + y * stride, stride, size == 16 ? 16 : size == 8 ? 8 : 4, level);
      }
    }
  }
}
