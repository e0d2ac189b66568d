// SPDX-License-Identifier: MIT
// loop_filter_masks: the loop filter's edge masks (LfPlan in
// dispatch/vulkan/stage_loop_filter.h: which units of a superblock have an
// edge to filter), computed from the frame's dd_lf_unit arrays on the GPU
// before loop_filter.comp walks them. Building them on the host read every
// unit of the frame once more after the entropy decoder had written them,
// on the thread that decodes the next frame; here one invocation builds
// one mask word of one superblock.
//
// Word w (0..23) of a superblock, as loop_filter.comp's edge_mask() reads
// it: 0-11 vertical edges (bit j of unit row i: unit (i, j) has a left
// edge), 12-23 horizontal ones (bit j of unit column i: unit (j, i) has a
// top edge); per pass words 0-7 luma (two 16-unit rows each), 8-9 U and
// 10-11 V (four 8-unit rows each). Every word covers 32 units: its loop is
// the same for every lane, unrolled at build time (shaders/CMakeLists.txt)
// so that V3D runs no loop at all. A load is branched around when its unit
// is outside the grid: loading word 0 instead and discarding it lets V3D
// keep many loads in flight, which costs more registers than 4 threads
// have (docs/perf-log/2026-12.md).
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(local_size_x = DD_LF_MASKS_LANES) in;

// The three planes' dd_lf_unit arrays one after another (loop_filter.comp).
layout(std430, binding = 0) readonly buffer Lf { uint lf[]; };
// From 0: sbx | sby << 16 per superblock; from edges_base its
// DD_LF_EDGE_WORDS mask words, written here.
layout(std430, binding = 1) buffer Aux { uint aux[]; };

layout(push_constant) uniform Params { dd_loop_filter_masks_push pc; };  // daedalus/shader_interface.h

void main() {
  const uint id = linear_group() * DD_LF_MASKS_LANES + gl_LocalInvocationID.x;
  const uint s = id / DD_LF_EDGE_WORDS, w = id - s * DD_LF_EDGE_WORDS;
  if (s >= pc.count) return;
  const uint sb = aux[s];
  const int sbx = int(sb & 0xffffu), sby = int(sb >> 16);
  const bool vertical = w < 12u;
  const int ww = int(vertical ? w : w - 12u);
  const int p = ww < 8 ? 0 : ww < 10 ? 1 : 2;
  const int log2n = p == 0 ? 4 : 3;  // units per superblock side: 16 luma, 8 chroma
  const int first = (ww - (p == 0 ? 0 : p == 1 ? 8 : 10)) << (5 - log2n);  // first row / column of the word
  const int cols = int(sel3(pc.cols[0], pc.cols[1], pc.cols[2], p)), rows = int(sel3(pc.rows[0], pc.rows[1], pc.rows[2], p));
  // The superblock's first unit, how many of its unit rows and columns the
  // grid has (none for a plane without units), and the unit index steps
  // along the word's rows or columns (i) and along each of them (j).
  const int ux0 = sbx << log2n, uy0 = sby << log2n;
  const int n_rows = min(1 << log2n, rows - uy0), n_cols = min(1 << log2n, cols - ux0);
  const int lim_i = vertical ? n_rows : n_cols, lim_j = vertical ? n_cols : n_rows;
  const int step_i = vertical ? cols : 1, step_j = vertical ? 1 : cols;
  const uint at0 = sel3(pc.lf_base[0], pc.lf_base[1], pc.lf_base[2], p) + uint(uy0 * cols + ux0);
  uint mask = 0u;
  [[unroll]] for (int b = 0; b < 32; ++b) {
    // Vertical: unit (row i, column j); horizontal: unit (row j, column i).
    const int i = first + (b >> log2n), j = b & ((1 << log2n) - 1);
    if (i < lim_i && j < lim_j) {
      const uint unit0 = lf[at0 + uint(i * step_i + j * step_j)];  // a dd_lf_unit, one word
      const uint size = vertical ? DD_FIELD(unit, DD_LFU_LEFT_SIZE) : DD_FIELD(unit, DD_LFU_TOP_SIZE);
      if (DD_FIELD(unit, DD_LFU_LEVEL) != 0u && size != 0u) mask |= 1u << b;
    }
  }
  aux[pc.edges_base + s * DD_LF_EDGE_WORDS + w] = mask;
}
