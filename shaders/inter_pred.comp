// SPDX-License-Identifier: MIT
// inter_pred: VP9 motion-compensated prediction, bit-exact with dispatch/cpu
// (predict / predict_block in cpu_backend.cpp + vp9_mc.cpp). The host turns
// each inter block into jobs (one per plane and sub-block) whose reference
// positions it computes exactly as the reference does (the scaled-MV math
// needs 64-bit products, which V3DV's shaders lack), and each job into
// units of 4 columns and DD_INTER_UNIT_ROWS (8) rows. One invocation
// predicts one unit: a horizontal 8-tap pass (rounded by 7, clipped) over
// the up to 15 reference rows the unit needs, into the invocation's own
// words of shared memory, then a vertical 8-tap pass from them (V3D: one
// filter's taps live at a time, no spills). Taller units than the first
// 4x4 ones filter 15 rows horizontally for 8 instead of 11 for 4. Each
// module predicts one kind of unit (KIND below: copy, horizontal only,
// vertical only, both, scaled; the host sorts units by kind), so that a
// 16-lane batch runs one path and a program holds only its own code.
// No barriers: a workgroup holds units
// of many jobs, so small blocks do not leave most invocations idle (the
// first version, one 128-wide workgroup per job with a shared-memory
// intermediate, spent most of its time on per-workgroup overhead on
// lavapipe). Reference reads are clamped to the reference's visible plane
// (edge extension). Each dispatch reads one reference (the host groups
// units by reference slot: no branch per load, a third of the code to
// compile); compound blocks get a second pass that averages the second
// prediction with the first (rounded), after a barrier.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

// The kind of unit this module predicts (DD_INTER_KIND_*), frozen per
// module at build time (shaders/CMakeLists.txt).
layout(constant_id = 0) const uint KIND = DD_INTER_KIND_HV;

layout(local_size_x = DD_INTER_UNITS_PER_GROUP) in;

// Job buffer: words [0, 27): reference plane layouts, [slot][plane] =
// (offset, stride, step); from word 32: 16-word jobs; from word
// pc.unit_base: one word per unit, job << 8 | unit_row << 4 | unit_col
// (see dispatch/vulkan/stage_inter_pred.h).
layout(std430, binding = 0) readonly buffer Jobs { uint jw[]; };
// The reference of this dispatch, read as 32-bit words: one load brings 4
// samples (fewer TMU lookups on V3D); samples are extracted with shifts.
layout(std430, binding = 1) readonly buffer Ref { uint ref[]; };
// The planar destination as words: a unit row is one word (jobs start and
// end at multiples of 4 pixels, 4:2:0 planes being decoded in whole 8x8
// units, and the host checks that plane offsets and strides are too).
layout(std430, binding = 2) buffer Dst { uint pixw[]; };
// [filter][pos][tap]; not bound for the copy (its module has no such binding).
layout(std430, binding = 3) readonly buffer Filters { int kern[]; };

// Per invocation, 16 words: its unit's horizontally filtered rows (main).
const uint kHrowWords = 16u;
shared uint hrows[DD_INTER_UNITS_PER_GROUP * kHrowWords];

layout(push_constant) uniform Params { dd_inter_push pc; };  // daedalus/shader_interface.h

uint ref_sample(uint a) { return (ref[a >> 2] >> ((a & 3u) * 8u)) & 0xffu; }

// Even bytes of a word, packed into its low half (the U or V samples of an
// interleaved CbCr row).
uint even_bytes(uint v) { return (v & 0xffu) | ((v >> 8) & 0xff00u); }

// Samples [col, col + 12) of a reference row starting at byte ROW with
// sample step STEP (1 planar, 2 NV12 CbCr), as the bytes of three words.
// INSIDE: all of [col, col + 11) lies within the row (the caller checked),
// so whole words are loaded; else each sample is clamped to [0, rw).
uvec3 fetch12(uint row, int col, int rw, uint step, bool inside) {
  if (inside) {
    const uint a = row + uint(col) * step;
    const uint i = a >> 2, sh = (a & 3u) * 8u;
    if (step == 1u) {
      // bytes [a, a + 11): words i..i+2, and i+3 when a & 3 >= 2
      const uint w0 = ref[i], w1 = ref[i + 1u], w2 = ref[i + 2u];
      if (sh == 0u) return uvec3(w0, w1, w2);
      const uint w3 = sh >= 16u ? ref[i + 3u] : 0u;
      return (uvec3(w0, w1, w2) >> sh) | (uvec3(w1, w2, w3) << (32u - sh));
    }
    // bytes a, a + 2, ..., a + 20: words i..i+5
    uint v[6];
    [[unroll]] for (int k = 0; k < 6; k++) v[k] = ref[i + uint(k)];
    if (sh != 0u) {
      [[unroll]] for (int k = 0; k < 5; k++) v[k] = (v[k] >> sh) | (v[k + 1] << (32u - sh));
      v[5] >>= sh;
    }
    return uvec3(even_bytes(v[0]) | even_bytes(v[1]) << 16, even_bytes(v[2]) | even_bytes(v[3]) << 16,
                 even_bytes(v[4]) | even_bytes(v[5]) << 16);
  }
  // Edges: shift samples 10..0 in at the bottom of a 96-bit register, so
  // that sample k ends up in byte k. Not unrolled (nor fetch4's, nor the
  // scaled path's tap loops): V3D unrolls constant loops, and unrolled
  // these rare paths made a good part of the program's instructions and
  // TMU accesses (docs/performance.md).
  uint s0 = 0u, s1 = 0u, s2 = 0u;
  [[dont_unroll]] for (int k = 10; k >= 0; k--) {
    s2 = (s2 << 8) | (s1 >> 24);
    s1 = (s1 << 8) | (s0 >> 24);
    s0 = (s0 << 8) | ref_sample(row + uint(clamp(col + k, 0, rw - 1)) * step);
  }
  return uvec3(s0, s1, s2);
}

// Samples [col, col + 4) of a reference row, as the bytes of one word.
uint fetch4(uint row, int col, int rw, uint step, bool inside) {
  if (inside) {
    const uint a = row + uint(col) * step;
    const uint i = a >> 2, sh = (a & 3u) * 8u;
    uint w0 = ref[i];
    if (step == 1u) return sh == 0u ? w0 : (w0 >> sh) | (ref[i + 1u] << (32u - sh));
    uint w1 = ref[i + 1u];
    if (sh != 0u) {
      w0 = (w0 >> sh) | (w1 << (32u - sh));
      w1 = (w1 >> sh) | ((sh >= 16u ? ref[i + 2u] : 0u) << (32u - sh));
    }
    return even_bytes(w0) | even_bytes(w1) << 16;
  }
  uint s = 0u;
  [[dont_unroll]] for (int k = 3; k >= 0; k--) s = (s << 8) | ref_sample(row + uint(clamp(col + k, 0, rw - 1)) * step);
  return s;
}

int byte_of(uvec3 s, int k) { return int((s[k >> 2] >> (8 * (k & 3))) & 0xffu); }
ivec4 bytes4(uint v) { return ivec4(v & 0xffu, (v >> 8) & 0xffu, (v >> 16) & 0xffu, v >> 24); }
uint pack4(ivec4 v) { return uint(v.x) | uint(v.y) << 8 | uint(v.z) << 16 | uint(v.w) << 24; }

// Rounded average of packed bytes, (a + b + 1) >> 1 per byte.
uint avg4(uint a, uint b) { return (a | b) - (((a ^ b) >> 1) & 0x7f7f7f7fu); }

// A unit row's 4 pixels at byte A of the destination; the second
// prediction of a compound block is averaged with the first, which this
// same invocation stored.
void store_row(uint a, uint v, bool second) {
  if (second) v = avg4(pixw[a >> 2], v);
  pixw[a >> 2] = v;
}

ivec4 round7(ivec4 sum) { return clamp((sum + 64) >> 7, 0, 255); }

// The 8 taps of kernel entry K ([filter][pos] * 8) as two ivec4.
void load_taps(int k, out ivec4 lo, out ivec4 hi) {
  lo = ivec4(kern[k], kern[k + 1], kern[k + 2], kern[k + 3]);
  hi = ivec4(kern[k + 4], kern[k + 5], kern[k + 6], kern[k + 7]);
}

void main() {
  const uint u = linear_group() * uint(DD_INTER_UNITS_PER_GROUP) + gl_LocalInvocationID.x;
  if (u >= pc.count) return;
  const uint uw = jw[pc.unit_base + u];
  const uint jb = DD_JOB_HEADER_WORDS + (uw >> DD_UNIT_JOB_SHIFT) * DD_JOB_WORDS;
  const int ux = int(uw & 15u) * 4, uy = int((uw >> 4) & 15u) * DD_INTER_UNIT_ROWS;
  const uint j0 = jw[jb + DD_JOB_KIND];
  const int plane = int(j0 & 0xffu), fbase = int((j0 >> 8) & 0xffu) * 128;
  const int x = int(jw[jb + DD_JOB_POS] & 0xffffu), y = int(jw[jb + DD_JOB_POS] >> 16);
  const int h = int(jw[jb + DD_JOB_SIZE] >> 16);
  const int nr = min(DD_INTER_UNIT_ROWS, h - uy);
  const uint dstride = sel3(pc.stride[0], pc.stride[1], pc.stride[2], plane);
  const uint dst = sel3(pc.off[0], pc.off[1], pc.off[2], plane) + uint(y + uy) * dstride + uint(x + ux);

  const uint b = jb + DD_JOB_REF + pc.ref_index * DD_JOB_REF_WORDS;
  const int slot = int(jw[b]);
  const int pos_x = int(jw[b + 1u]), pos_y = int(jw[b + 2u]);
  const int rw = int(jw[b + 4u] & 0xffffu), rh = int(jw[b + 4u] >> 16);
  const uint lb = uint(slot * 9 + plane * 3);
  const uint roff = jw[lb], rstride = jw[lb + 1u], rstep = jw[lb + 2u];
  const int ix = pos_x >> 4, iy = pos_y >> 4, mx = pos_x & 15, my = pos_y & 15;
  const bool second = pc.ref_index == 1u;

  if (KIND == DD_INTER_KIND_SCALED) {
    // Scaled reference: every output pixel has its own phases; eight
    // horizontal filters feed one vertical filter, all clamped reads.
    const int dx = int(jw[b + 3u] & 0xffffu), dy = int(jw[b + 3u] >> 16);
    for (int r = 0; r < nr; r++) {
      const int vp = my + (uy + r) * dy;
      const int row0 = iy + (vp >> 4) - 3, vk = fbase + (vp & 15) * 8;
      uint v = 0u;
      for (int c = 0; c < 4; c++) {
        const int hp = mx + (ux + c) * dx;
        const int col0 = ix + (hp >> 4) - 3, hk = fbase + (hp & 15) * 8;
        int vsum = 0;
        [[dont_unroll]] for (int t = 0; t < 8; t++) {
          const uint row = roff + uint(clamp(row0 + t, 0, rh - 1)) * rstride;
          int hsum = 0;
          [[dont_unroll]] for (int k = 0; k < 8; k++)
            hsum += kern[hk + k] * int(ref_sample(row + uint(clamp(col0 + k, 0, rw - 1)) * rstep));
          vsum += kern[vk + t] * clip_pixel((hsum + 64) >> 7);
        }
        v |= uint(clip_pixel((vsum + 64) >> 7)) << (8 * c);
      }
      store_row(dst + uint(r) * dstride, v, second);
    }
    return;
  }

  // Unscaled: one phase per direction, and the kind says which are not 0.
  // Phase 0 is the identity (128 at the centre tap, (128 p + 64) >> 7 ==
  // p), so that pass is skipped.
  const int col = ix + ux, row_top = iy + uy;
  // Whether the unit's 4 columns, or the 11 a horizontal filter reads,
  // lie inside the reference row (word loads instead of clamped samples).
  const bool inside4 = col >= 0 && col + 4 <= rw, inside11 = col - 3 >= 0 && col + 8 <= rw;
  if (KIND == DD_INTER_KIND_COPY) {
    for (int r = 0; r < nr; r++) {
      const uint row = roff + uint(clamp(row_top + r, 0, rh - 1)) * rstride;
      store_row(dst + uint(r) * dstride, fetch4(row, col, rw, rstep, inside4), second);
    }
    return;
  }
  // The rows a vertical pass needs (3 above, 4 below the unit's), or the
  // unit's own rows without one.
  const bool vertical = KIND != DD_INTER_KIND_H;
  const int first = vertical ? -3 : 0;
  {
    ivec4 kx0 = ivec4(0), kx1 = ivec4(0);
    if (KIND != DD_INTER_KIND_V) load_taps(fbase + mx * 8, kx0, kx1);
    const int rows = vertical ? nr + 7 : nr;
    // Two phases, each with only its own filter's taps live: the
    // horizontal pass writes its filtered rows, 4 pixels' bytes each, to
    // this invocation's own words of shared memory, and the vertical pass
    // reads them back (no barrier: no other invocation touches them). One
    // pass holding both filters' taps and a sliding window of 7 rows
    // spilled on V3D (16:25 spills:fills at 2 threads).
    for (int j = 0; j < rows; j++) {
      const uint row = roff + uint(clamp(row_top + first + j, 0, rh - 1)) * rstride;
      uint hw;
      if (KIND == DD_INTER_KIND_V) {
        hw = fetch4(row, col, rw, rstep, inside4);
      } else {
        const uvec3 s = fetch12(row, col - 3, rw, rstep, inside11);
        ivec4 sum = ivec4(0);
        [[unroll]] for (int t = 0; t < 4; t++)
          sum += kx0[t] * ivec4(byte_of(s, t), byte_of(s, t + 1), byte_of(s, t + 2), byte_of(s, t + 3)) +
                 kx1[t] * ivec4(byte_of(s, t + 4), byte_of(s, t + 5), byte_of(s, t + 6), byte_of(s, t + 7));
        hw = pack4(round7(sum));
      }
      if (vertical)
        hrows[gl_LocalInvocationID.x * kHrowWords + uint(j)] = hw;
      else
        store_row(dst + uint(j) * dstride, hw, second);
    }
  }
  if (!vertical) return;
  ivec4 ky0, ky1;
  load_taps(fbase + my * 8, ky0, ky1);
  for (int r = 0; r < nr; r++) {
    const uint a = gl_LocalInvocationID.x * kHrowWords + uint(r);
    const ivec4 sum = ky0.x * bytes4(hrows[a]) + ky0.y * bytes4(hrows[a + 1u]) + ky0.z * bytes4(hrows[a + 2u]) +
                      ky0.w * bytes4(hrows[a + 3u]) + ky1.x * bytes4(hrows[a + 4u]) + ky1.y * bytes4(hrows[a + 5u]) +
                      ky1.z * bytes4(hrows[a + 6u]) + ky1.w * bytes4(hrows[a + 7u]);
    store_row(dst + uint(r) * dstride, pack4(round7(sum)), second);
  }
}
