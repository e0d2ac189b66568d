// SPDX-License-Identifier: MIT
// h264_deblock: the H.264 deblocking filter of a macroblock (8.7) in an
// intra picture, bit-exact with H264CpuStages::deblock and
// dispatch/cpu/h264_deblock.cpp. One workgroup per macroblock, one
// dispatch per wavefront level (stage_h264_deblock.cpp says why that order
// gives the reference's raster-order result). Inside the macroblock, as the
// reference orders it per plane: every vertical edge left to right, one
// sample row per invocation, then every horizontal edge top to bottom, one
// sample column per invocation. Invocations 0 .. 15: luma lines; 16 .. 31:
// chroma lines, Cb then Cr.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "daedalus/dispatch/h264_shared.h"

layout(local_size_x = DD_H264_DEBLOCK_LANES) in;

layout(std430, binding = 0) readonly buffer Mbs { uint mbw[]; };  // DD_H264_MB_WORDS per macroblock
// The planes as bytes: the columns of a horizontal edge are filtered by
// different invocations, side by side in one word.
layout(std430, binding = 1) coherent buffer Dst { uint8_t pix[]; };

layout(push_constant) uniform Params { dd_h264_push pc; };  // daedalus/shader_interface.h

// Tables 8-16 and 8-17 (h264_shared.h), uploaded by the backend: a
// constant array indexed at run time would be copied into scratch memory
// per invocation by V3DV. alpha at [0, 52), beta at [52, 104), tC0 at
// [104, 260) (three per indexA).
layout(std430, binding = 2) readonly buffer Tables { int tables[]; };

int P(uint a) { return int(pix[a]); }

// One line across an edge: q0 at a, p0 at a - step (8.7.2.3, 8.7.2.4).
void filter_line(uint a, uint step, bool chroma, int bs, int alpha, int beta, int tc0) {
  const int p0 = P(a - step), p1 = P(a - 2u * step), q0 = P(a), q1 = P(a + step);
  if (!(abs(p0 - q0) < alpha && abs(p1 - p0) < beta && abs(q1 - q0) < beta)) return;
  const int p2 = chroma ? 0 : P(a - 3u * step), q2 = chroma ? 0 : P(a + 2u * step);
  const bool ap = !chroma && abs(p2 - p0) < beta, aq = !chroma && abs(q2 - q0) < beta;
  if (bs < 4) {
    const int tc = chroma ? tc0 + 1 : tc0 + (ap ? 1 : 0) + (aq ? 1 : 0);
    const int delta = clamp((((q0 - p0) * 4) + (p1 - q1) + 4) >> 3, -tc, tc);
    pix[a - step] = uint8_t(clip_pixel(p0 + delta));
    pix[a] = uint8_t(clip_pixel(q0 - delta));
    if (ap) pix[a - 2u * step] = uint8_t(p1 + clamp((p2 + ((p0 + q0 + 1) >> 1) - 2 * p1) >> 1, -tc0, tc0));
    if (aq) pix[a + step] = uint8_t(q1 + clamp((q2 + ((p0 + q0 + 1) >> 1) - 2 * q1) >> 1, -tc0, tc0));
    return;
  }
  const bool strong = abs(p0 - q0) < ((alpha >> 2) + 2);
  if (ap && strong) {
    const int p3 = P(a - 4u * step);
    pix[a - step] = uint8_t((p2 + 2 * p1 + 2 * p0 + 2 * q0 + q1 + 4) >> 3);
    pix[a - 2u * step] = uint8_t((p2 + p1 + p0 + q0 + 2) >> 2);
    pix[a - 3u * step] = uint8_t((2 * p3 + 3 * p2 + p1 + p0 + q0 + 4) >> 3);
  } else {
    pix[a - step] = uint8_t((2 * p1 + p0 + q1 + 2) >> 2);
  }
  if (aq && strong) {
    const int q3 = P(a + 3u * step);
    pix[a] = uint8_t((p1 + 2 * p0 + 2 * q0 + 2 * q1 + q2 + 4) >> 3);
    pix[a + step] = uint8_t((p0 + q0 + q1 + q2 + 2) >> 2);
    pix[a + 2u * step] = uint8_t((2 * q3 + 3 * q2 + q1 + q0 + p0 + 4) >> 3);
  } else {
    pix[a] = uint8_t((2 * q1 + q0 + p1 + 2) >> 2);
  }
}

int qp_of(uint rec, int pl) { return int((mbw[rec + DD_H264_MBW_QP] >> (8 * pl)) & 0xffu); }

// The edges of one direction of this invocation's line: n samples (16
// luma, 8 chroma) along it, an edge every 4 (with an 8x8 transform, luma's
// at 4 and 12 are none), the first only with a neighbour across it.
void filter_edges(uint origin, uint step, uint line_step, int line, int n, bool chroma, bool transform8x8,
                  bool has_neighbour, int qp, int qp_neighbour, int off_a, int off_b) {
  const uint a0 = origin + uint(line) * line_step;
  for (int e = 0; e < n; e += 4) {
    if (e == 0 && !has_neighbour) continue;
    if (!chroma && transform8x8 && (e & 4) != 0) continue;
    const int q = e == 0 ? (qp + qp_neighbour + 1) >> 1 : qp;
    const int index_a = clamp(q + off_a, 0, 51), index_b = clamp(q + off_b, 0, 51);
    const int bs = e == 0 ? 4 : 3;
    const int tc0 = bs < 4 ? tables[DD_H264_TABLE_TC0 + index_a * 3 + bs - 1] : 0;
    filter_line(a0 + uint(e) * step, step, chroma, bs, tables[DD_H264_TABLE_ALPHA + index_a],
                tables[DD_H264_TABLE_BETA + index_b], tc0);
  }
}

void main() {
  const uint group = linear_group();
  if (group >= pc.count) return;  // uniform per workgroup
  const int mby = int(pc.first_y + group), mbx = int(pc.level) - 2 * mby;
  const uint mb = uint(mby) * pc.mb_cols + uint(mbx);
  const uint rec = mb * DD_H264_MB_WORDS;
  const uint wq = mbw[rec + DD_H264_MBW_QP], wf = mbw[rec + DD_H264_MBW_FILTER];
  const int idc = int(wq >> 24);
  if (idc == 1) return;
  const int kind = int(mbw[rec + DD_H264_MBW_TYPE] & 0xffu);
  const int slice = int(wf >> 16);
  const int off_a = int(wf << 24) >> 24, off_b = int(wf << 16) >> 24;
  // Neighbours across the macroblock's left and top edges: inside the
  // picture, and with idc 2 in the same slice.
  const uint left_rec = rec - DD_H264_MB_WORDS, top_rec = rec - pc.mb_cols * DD_H264_MB_WORDS;
  bool has_left = mbx > 0, has_top = mby > 0;
  if (idc == 2) {
    if (has_left) has_left = int(mbw[left_rec + DD_H264_MBW_FILTER] >> 16) == slice;
    if (has_top) has_top = int(mbw[top_rec + DD_H264_MBW_FILTER] >> 16) == slice;
  }
  const int id = int(gl_LocalInvocationID.x);
  const bool chroma = id >= 16;
  const int pl = chroma ? 1 + ((id - 16) >> 3) : 0;
  const int line = chroma ? id & 7 : id;
  const int n = chroma ? 8 : 16;
  const uint off = sel3(pc.planes.off[0], pc.planes.off[1], pc.planes.off[2], pl);
  const uint stride = sel3(pc.planes.stride[0], pc.planes.stride[1], pc.planes.stride[2], pl);
  const uint origin = off + uint(mby * n) * stride + uint(mbx * n);
  const bool t8 = kind == DD_H264_KIND_I8X8;
  const int qp = qp_of(rec, pl);
  const int qp_left = has_left ? qp_of(left_rec, pl) : 0, qp_top = has_top ? qp_of(top_rec, pl) : 0;

  filter_edges(origin, 1u, stride, line, n, chroma, t8, has_left, qp, qp_left, off_a, off_b);  // vertical edges
  memoryBarrierBuffer();
  barrier();
  filter_edges(origin, stride, 1u, line, n, chroma, t8, has_top, qp, qp_top, off_a, off_b);  // horizontal edges
}
