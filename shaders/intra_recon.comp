// SPDX-License-Identifier: MIT
// intra_recon: VP9 intra prediction + residual add of intra tx blocks,
// bit-exact with dispatch/cpu (build_edges + vp9_intra.cpp + add_residual).
// The host sorts tx blocks into wavefront levels (a level only reads pixels
// written by earlier levels), 4x4 blocks first, then the larger ones; per
// level one dispatch: its first workgroups take the 4x4 blocks, 16 each (4
// invocations per block: one word of 4 pixels each), the next ones the
// larger blocks (8x8 to 32x32), 4 each (16 invocations per block). No
// invocation idles through the set-up of a block it predicts nothing of
// (on SIMD lavapipe that set-up is most of a small block's cost), and a
// large block's set-up is paid by two 8-lane groups, not eight (64
// invocations per 16x16 or 32x32 block made the stage slower:
// docs/perf-log/2026-12.md).
// One dispatch, not two, per level: a key frame has hundreds of levels,
// and each dispatch and barrier costs.
// Runs of narrow levels (a workgroup or two each) are one dispatch of one
// workgroup (a chain) that walks the levels with workgroup barriers between
// them: a dispatch costs far more than a barrier (on lavapipe in the QEMU
// guest most of a narrow level's time). The levels and
// chains are planned in dispatch/vulkan/stage_intra_recon.cpp.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

layout(local_size_x = DD_INTRA_LANES) in;

layout(std430, binding = 0) readonly buffer TxBlocks { uint txw[]; };
// Residuals as int16 pairs: a row of 4 samples is two words (residual
// offsets are multiples of 16 samples, rows of 4 or more).
layout(std430, binding = 1) readonly buffer Residuals { uint resw[]; };
// aux: [0, num_tx) residual offset per tx block (0xffffffff: none);
// from list_base: tx block indices ordered by level.
layout(std430, binding = 2) readonly buffer Aux { uint aux[]; };
// The planes as 32-bit words (offsets and strides are multiples of 4, and
// so are tx block positions and the decoded area's width): predicted
// pixels are stored four at a time.
layout(std430, binding = 3) buffer Dst { uint pixw[]; };

layout(push_constant) uniform Params { dd_intra_push pc; };  // daedalus/shader_interface.h

// Per block slot s: above[-1 .. 2n-1] at s * 9 + [0 .. 2n] (4x4 slots) or
// s * 65 + [0 .. 2n] (larger: up to 32x32), left[0 .. n-1] at s * 4 or
// s * 32 + [0 .. n-1]. Sized for 4 32x32 slots (16 4x4 slots need less).
shared int edge_above[4 * 65];
shared int edge_left[4 * 32];
shared int dc_part[64];  // per invocation: its share of its block's DC sum
int g_above, g_left;  // this invocation's slot bases

// DC with a missing edge, numbered after the VP9 modes: from the left
// column only, from the row above only, neither (128).
const int kDcLeft = 10, kDcTop = 11, kDc128 = 12;

int A(int i) { return edge_above[g_above + i + 1]; }
int L(int i) { return edge_left[g_left + i]; }
int avg2(int a, int b) { return (a + b + 1) >> 1; }
int avg3(int a, int b, int c) { return (a + 2 * b + c + 2) >> 2; }

// The recursive predictors (the other modes: predict_word), per pixel: each
// walks back along its recurrence to the first row or column in one step
// (closed form of the walk).
int predict(int mode, int n, int r, int c) {
  switch (mode) {
    case DD_D135_PRED: {
      const int k = min(r, c);
      r -= k;
      c -= k;
      if (r == 0) return c == 0 ? avg3(L(0), A(-1), A(0)) : avg3(A(c - 2), A(c - 1), A(c));
      return r == 1 ? avg3(A(-1), L(0), L(1)) : avg3(L(r - 2), L(r - 1), L(r));
    }
    case DD_D117_PRED: {
      const int k = min(r >> 1, c);
      r -= 2 * k;
      c -= k;
      if (r == 0) return avg2(A(c - 1), A(c));
      if (r == 1) return c == 0 ? avg3(L(0), A(-1), A(0)) : avg3(A(c - 2), A(c - 1), A(c));
      return r == 2 ? avg3(A(-1), L(0), L(1)) : avg3(L(r - 3), L(r - 2), L(r - 1));
    }
    case DD_D153_PRED: {
      const int k = min(r, c >> 1);
      r -= k;
      c -= 2 * k;
      if (c == 0) return r == 0 ? avg2(L(0), A(-1)) : avg2(L(r - 1), L(r));
      if (c == 1) {
        if (r == 0) return avg3(L(0), A(-1), A(0));
        return r == 1 ? avg3(A(-1), L(0), L(1)) : avg3(L(r - 2), L(r - 1), L(r));
      }
      return avg3(A(c - 3), A(c - 2), A(c - 1));
    }
    case DD_D207_PRED: {
      const int k = min(c >> 1, n - 1 - r);
      r += k;
      c -= 2 * k;
      if (r == n - 1) return L(n - 1);
      if (c == 0) return avg2(L(r), L(r + 1));
      return r < n - 2 ? avg3(L(r), L(r + 1), L(r + 2)) : avg3(L(n - 2), L(n - 1), L(n - 1));
    }
    default: return 0;
  }
}

// Every mode but the four recursive ones (D135, D117, D153, D207) a word
// (pixels c .. c + 3 of row r) at a time: each edge sample the word needs
// read once, not up to three times per pixel through predict()'s switch
// (SIMD drivers run every case that a lane of the group takes, and each
// edge read is a memory access per lane). The formulas of vp9_intra.cpp.
bool is_word_mode(int mode) { return mode < DD_D135_PRED || mode > DD_D207_PRED; }
// V and TM read the samples above (A(c .. c + 3), A(-1)) from shared memory
// in each row: kept in 5 registers through the pixel loop they made V3D
// spill 32:28 instead of 10:10.
ivec4 predict_word(int mode, int n, int r, int c, int dc) {
  if (mode == DD_DC_PRED || mode >= kDcLeft) return ivec4(dc);
  if (mode == DD_H_PRED) return ivec4(L(r));
  if (mode == DD_V_PRED || mode == DD_TM_PRED) {
    const ivec4 above = ivec4(A(c), A(c + 1), A(c + 2), A(c + 3));
    if (mode == DD_V_PRED) return above;
    return clamp(above + (L(r) - A(-1)), 0, 255);  // TM
  }
  // D45 and D63 read six samples of the above row from j.
  const int j = mode == DD_D63_PRED ? (r >> 1) + c : r + c;
  int e[6];
  [[unroll]] for (int i = 0; i < 6; i++) e[i] = A(min(j + i, 2 * n - 1));
  ivec4 v;
  if (mode == DD_D45_PRED) {
    [[unroll]] for (int k = 0; k < 4; k++) v[k] = j + k + 2 < 2 * n ? avg3(e[k], e[k + 1], e[k + 2]) : A(2 * n - 1);
  } else if ((r & 1) != 0) {                               // D63, odd rows
    [[unroll]] for (int k = 0; k < 4; k++) v[k] = avg3(e[k], e[k + 1], e[k + 2]);
  } else {                                                 // D63, even rows
    [[unroll]] for (int k = 0; k < 4; k++) v[k] = avg2(e[k], e[k + 1]);
  }
  return v;
}

int pix(uint a) { return int((pixw[a >> 2] >> ((a & 3u) << 3)) & 0xffu); }
uint addr(int p, int x, int y) { return sel3(pc.planes.off[0], pc.planes.off[1], pc.planes.off[2], p) + uint(y) * sel3(pc.planes.stride[0], pc.planes.stride[1], pc.planes.stride[2], p) + uint(x); }

// What run_block needs of tx block ti, worked out from its record: once
// before the block's barrier and again after it, so that nothing of it is
// live across the barrier (kept live there, inside the chain's loop, it
// made V3D spill; docs/performance.md has the counts).
struct Block {
  TxBlock t;
  int p, n, log2n, W, H, mode;  // mode: a DC mode with a missing edge is kDcLeft/kDcTop/kDc128
  bool have_left, have_above;
};
Block block_of(uint ti) {
  Block b;
  b.t = load_tx(txw, ti);
  b.p = b.t.plane;
  b.n = 4 << b.t.tx_size;
  b.log2n = 2 + b.t.tx_size;
  b.W = int(sel3(pc.planes.width[0], pc.planes.width[1], pc.planes.width[2], b.p));
  b.H = int(sel3(pc.planes.height[0], pc.planes.height[1], pc.planes.height[2], b.p));
  b.have_left = (b.t.flags & DD_TX_HAVE_LEFT) != 0 && b.t.x > 0;
  b.have_above = (b.t.flags & DD_TX_HAVE_ABOVE) != 0 && b.t.y > 0;
  b.mode = b.t.mode;
  if (b.mode == DD_DC_PRED) {
    if (!b.have_left && !b.have_above) b.mode = kDc128;
    else if (!b.have_left) b.mode = kDcTop;
    else if (!b.have_above) b.mode = kDcLeft;
  }
  return b;
}

// One block: item `item` of the level list at list_base (items up to
// `end`), predicted by `lanes` invocations (lane is this one's index among
// them) with edge slot `slot`. Every invocation reaches its barrier (chains
// call it in a loop), and every one loads a block: past the end the
// list's last one (nothing stored) -- a value loaded only under if (live)
// and used under if (live) after the barrier is the pattern that never
// finishes compiling on V3D (dispatch/vulkan/README.md).
void run_block(uint list_base, uint item, uint end, int slot, int lane, int lanes_log2) {
  const bool live = item < end;
  const uint ti = aux[list_base + min(item, end - 1u)];
  const int lanes = 1 << lanes_log2;
  // Set in every lane, live or not: a value set only under if (live) would
  // carry the previous block's over, live through a chain's whole loop.
  g_above = slot * (lanes_log2 == 2 ? 9 : 65);  // slots of 4x4 blocks, else of up to 32x32
  g_left = slot * (lanes_log2 == 2 ? 4 : 32);
  // This invocation's share of the DC sum: the edge samples it loads that
  // the DC value needs.
  int dc_sum = 0;
  if (live) {
    const Block b = block_of(ti);
    const bool have_ar = b.have_above && (b.t.flags & DD_TX_HAVE_ABOVE_RIGHT) != 0 && b.t.tx_size == DD_TX_4X4;
    const bool dc_above = b.mode == DD_DC_PRED || b.mode == kDcTop, dc_left = b.mode == DD_DC_PRED || b.mode == kDcLeft;
    // Edges, with VP9's substitutes (see build_edges in cpu_backend.cpp).
    // The row above 4 samples (a word) at a time: x and W are multiples of
    // 4, so a word of it is inside the plane or wholly right of it (then
    // each of its samples is the row's last pixel).
    const uint row_above = addr(b.p, 0, b.t.y - 1);  // used only with have_above (t.y > 0)
    for (int k = lane; k < b.n >> 1; k += lanes) {
      ivec4 v = ivec4(127);
      if (b.have_above) {
        const int x = b.t.x + 4 * k;
        if (4 * k >= b.n && !have_ar) {
          v = ivec4(pix(row_above + uint(min(b.t.x + b.n - 1, b.W - 1))));
        } else if (x < b.W) {
          const uint wd = pixw[(row_above + uint(x)) >> 2];
          v = ivec4(wd & 0xffu, (wd >> 8) & 0xffu, (wd >> 16) & 0xffu, wd >> 24);
        } else {
          v = ivec4(pix(row_above + uint(b.W - 1)));
        }
      }
      if (dc_above && 4 * k < b.n) dc_sum += v.x + v.y + v.z + v.w;
      const int at = g_above + 1 + 4 * k;
      edge_above[at] = v.x;
      edge_above[at + 1] = v.y;
      edge_above[at + 2] = v.z;
      edge_above[at + 3] = v.w;
    }
    if (lane == 0) edge_above[g_above] = !b.have_above ? 127 : b.have_left ? pix(addr(b.p, b.t.x - 1, b.t.y - 1)) : 129;
    for (int i = lane; i < b.n; i += lanes) {
      const int v = b.have_left ? pix(addr(b.p, b.t.x - 1, min(b.t.y + i, b.H - 1))) : 129;
      if (dc_left) dc_sum += v;
      edge_left[g_left + i] = v;
    }
  }
  dc_part[gl_LocalInvocationID.x] = dc_sum;
  barrier();

  if (!live) return;
  const Block b = block_of(ti);
  const TxBlock t = b.t;
  const int p = b.p, n = b.n, log2n = b.log2n, W = b.W, H = b.H, mode = b.mode;
  // The DC value: the block's invocations' shares added up (4 or 16 reads
  // each, where one lane summing up to 64 edge samples took another
  // barrier to share its result).
  int dc = 128;
  if (mode == DD_DC_PRED || mode == kDcLeft || mode == kDcTop) {
    int sum = mode == DD_DC_PRED ? n : n >> 1;
    const int first = slot << lanes_log2;
    for (int i = 0; i < lanes; i++) sum += dc_part[first + i];
    dc = sum >> (mode == DD_DC_PRED ? log2n + 1 : log2n);
  }
  const uint roff = aux[ti];
  const bool has_res = pc.use_residual != 0u && t.eob != 0 && roff != DD_NO_RESIDUAL;
  const int w = min(n, W - t.x), h = min(n, H - t.y);
  // Four horizontally adjacent pixels per step: one word stored, two
  // residual words loaded (w is a multiple of 4). An invocation keeps its
  // column c in every step (lanes is a multiple of the words per row) and
  // moves down by `dr` rows: the samples above c and the store address are
  // worked out once.
  const int wpr_log2 = log2n - 2;  // words per row
  const int c = (lane & ((1 << wpr_log2) - 1)) << 2, dr = lanes >> wpr_log2;
  if (c >= w) return;
  const uint stride_words = sel3(pc.planes.stride[0], pc.planes.stride[1], pc.planes.stride[2], p) >> 2;
  uint at = addr(p, t.x + c, t.y + (lane >> wpr_log2)) >> 2;
  for (int r = lane >> wpr_log2; r < h; r += dr, at += uint(dr) * stride_words) {
    int lo = 0, hi = 0;
    if (has_res) {
      const uint k = (roff + uint(r * n + c)) >> 1;
      lo = int(resw[k]);
      hi = int(resw[k + 1u]);
    }
    uint word = 0u;
    if (is_word_mode(mode)) {
      const ivec4 pred = predict_word(mode, n, r, c, dc);
      const ivec4 o = clamp(pred + ivec4((lo << 16) >> 16, lo >> 16, (hi << 16) >> 16, hi >> 16), 0, 255);
      word = uint(o.x) | uint(o.y) << 8 | uint(o.z) << 16 | uint(o.w) << 24;
    } else {
      // A loop, not four calls: each inlined copy of predict() adds to the
      // compile time, which lavapipe pays at the first dispatch.
      [[dont_unroll]] for (int k = 0; k < 4; k++) {
        const int rv = k < 2 ? lo : hi;
        const int v = predict(mode, n, r, c + k) + ((k & 1) == 0 ? (rv << 16) >> 16 : rv >> 16);
        word |= uint(clip_pixel(v)) << (8 * k);
      }
    }
    pixw[at] = word;
  }
}

// Workgroups of a level's 4x4 blocks and of its larger ones.
uint groups_of_4x4(uint n4) { return (n4 + 15u) >> 4; }
uint groups_of_larger(uint n) { return (n + 3u) >> 2; }

// One workgroup's share of a level: its first workgroups take 16 4x4 blocks
// each (4 invocations per block), the next ones 4 larger blocks each (16
// per block) (kIntra4x4PerGroup and kIntraLargerPerGroup in vk_work.h).
void run_group(uint list_base, uint count, uint n4, uint group) {
  const uint g4 = groups_of_4x4(n4);
  const int tid = int(gl_LocalInvocationID.x);
  // This workgroup's class (uniform): 0 = 4x4 blocks, 1 = larger. One call
  // of run_block for both, not one per class: each inlined copy of it is
  // compiled again (three calls multiplied lavapipe's compile of the
  // pipelines, which the daemon pays when it warms up: docs/perf-log/
  // 2026-12.md).
  const int cls = group < g4 ? 0 : 1;
  const int lanes_log2 = 2 + 2 * cls;  // 4 or 16 invocations per block
  const uint first = cls == 0 ? 0u : n4;
  const uint end = cls == 0 ? n4 : count;
  const uint first_group = cls == 0 ? 0u : g4;
  const int slot = tid >> lanes_log2;
  const uint item = first + ((group - first_group) << uint(6 - lanes_log2)) + uint(slot);
  run_block(list_base, item, end, slot, tid & ((1 << lanes_log2) - 1), lanes_log2);
}

// A single level (chain_levels 0): this workgroup's share of it. A chain:
// one workgroup walks levels, their descriptors (base, count, 4x4 count)
// three words each (DD_INTRA_LEVEL_WORDS) in aux from chain_base. Both are
// one loop over (level, group) steps, a single level's the one step: one
// copy of run_group in the program, not one per kind (half the V3D
// instructions, and together with the reload above no spills;
// docs/performance.md). Only the next step stays live across run_group,
// worked out before the group runs, not the level's descriptor and group
// count (V3D spilled registers with nested loops). The walk depends on push constants and on aux words at
// addresses that are the same in every lane, never on gl_WorkGroupID,
// so V3D compiles it as uniform control flow (dispatch/vulkan/README.md).
void main() {
  const bool chain = pc.chain_levels != 0u;
  const uint group = linear_group();
  uint l = 0u, g = 0u;
  for (;;) {
    uint base = pc.list_base, count = pc.count, n4 = pc.n4;
    bool level_end = true;
    if (chain) {
      if (l >= pc.chain_levels) break;
      const uint e = pc.chain_base + DD_INTRA_LEVEL_WORDS * l;
      base = aux[e];
      count = aux[e + 1u];
      n4 = aux[e + 2u];
      level_end = g + 1u >= groups_of_4x4(n4) + groups_of_larger(count - n4);
    }
    const uint next_l = level_end ? l + 1u : l, next_g = level_end ? 0u : g + 1u;
    run_group(base, count, n4, chain ? g : group);
    if (!chain) break;
    // The last group of a level: its pixels, visible to the next level's
    // edge reads; any other: the edge slots are rewritten by the next group.
    if (level_end) memoryBarrierBuffer();
    barrier();
    l = next_l;
    g = next_g;
  }
}
