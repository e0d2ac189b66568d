// SPDX-License-Identifier: MIT
// The checker's stage tests: random but valid work per stage and sub-case,
// run through both backends from identical inputs, outputs compared.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>

#include "checkasm.h"
#include "daedalus/error.h"

namespace daedalus::checkasm {

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

FrameWork frame(uint32_t w, uint32_t h) {
  FrameWork f;
  f.params.width = w;
  f.params.height = h;
  f.params.mi_cols = (w + 7) / 8;
  f.params.mi_rows = (h + 7) / 8;
  f.params.ss_x = f.params.ss_y = 1;
  f.params.bit_depth = 8;
  f.params.flags = DD_FRAME_SHOW;
  for (auto& r : f.params.refs) r = {w, h, 1 << 14, 1 << 14};
  return f;
}

void finish(FrameWork& f) {
  f.params.num_blocks = uint32_t(f.blocks.size());
  f.params.num_tx_blocks = uint32_t(f.tx_blocks.size());
  f.params.num_coeffs = uint32_t(f.coeffs.size());
}

// Dequantised-looking coefficients: a DC and a few low-frequency ACs of
// decreasing magnitude, eob of them in raster order; `extreme` uses the
// whole int16 range to exercise the 16-bit wrapping of the reference.
uint16_t add_coeffs(Rng& rng, FrameWork& f, int tx_size, bool extreme) {
  const int n = 4 << tx_size;
  const int eob = rng.chance(30) ? 1 : rng.range(1, std::min(n * n, rng.chance(50) ? 16 : n * n));
  const size_t base = f.coeffs.size();
  f.coeffs.resize(base + size_t(n) * n, 0);
  for (int i = 0; i < eob; ++i) {
    const int r = i / n, c = i % n;
    int mag = extreme ? 32767 : std::max(8, 1600 >> std::min(8, (r + c)));
    int v = rng.range(-mag, mag);
    if (extreme && rng.chance(20)) v = rng.chance(50) ? 32767 : -32768;
    f.coeffs[base + size_t(r) * n + c] = int16_t(v);
  }
  return uint16_t(eob);
}

dd_tx_block tx_at(int plane, int x, int y, int tx_size, int tx_type, int mode) {
  dd_tx_block t{};
  t.x = uint16_t(x);
  t.y = uint16_t(y);
  t.plane = uint8_t(plane);
  t.tx_size = uint8_t(tx_size);
  t.tx_type = uint8_t(tx_type);
  t.mode = uint8_t(mode);
  return t;
}

// Surfaces of one frame on both backends, identically initialised.
struct Pair {
  std::shared_ptr<Surface> c, v;
};
Pair planar_pair(Env& env, Rng& rng, uint32_t w, uint32_t h, bool random) {
  Pair p{env.cpu->create_surface(w, h), env.vk->create_surface(w, h)};
  if (random) fill_random(rng, *p.c, *p.v);
  return p;
}

// Smooth random content: gradients with small noise, so that loop filter
// masks and flat decisions take every branch, and MC sees natural pictures.
void fill_smooth(Rng& rng, Pair& p, int noise, int step_px) {
  for (int pl = 0; pl < 3; ++pl) {
    const PlaneLayout& lc = p.c->plane(pl);
    const PlaneLayout& lv = p.v->plane(pl);
    const int base = rng.range(40, 200), gx = rng.range(-2, 2), gy = rng.range(-2, 2);
    std::vector<int> step_of_block(4096);
    for (auto& s : step_of_block) s = rng.range(-step_px, step_px);
    for (uint32_t y = 0; y < lc.height; ++y)
      for (uint32_t x = 0; x < lc.width; ++x) {
        int v = base + int(x) * gx / 8 + int(y) * gy / 8 + rng.range(-noise, noise) +
                step_of_block[((y / 8) * 64 + (x / 8)) % 4096];
        v = std::clamp(v, 0, 255);
        p.c->host_data()[lc.offset + y * lc.stride + x] = uint8_t(v);
        p.v->host_data()[lv.offset + y * lv.stride + x] = uint8_t(v);
      }
  }
}

using StageFn = void (*)(Backend&, const FrameWork&, Surface& dst, Surface* const refs[3]);

// Runs `work` through begin_frame, the stages selected, end_frame on both
// backends; returns the comparison of the destinations.
struct RunOpts {
  bool residual = false, inter = false, intra = false, lf = false;
};
Diff run_both(Env& env, const FrameWork& work, const RunOpts& o, Pair& dst, Pair* refs, const std::string& name,
              Stage bench_stage) {
  auto run = [&](Backend& b, Surface& d, Surface* const r[3]) {
    b.begin_frame(work);
    if (o.residual) b.residual(work);
    if (o.inter) b.inter_pred(work, d, r);
    if (o.intra) b.intra_recon(work, d);
    if (o.lf) b.loop_filter(work, d);
    b.end_frame();
  };
  Surface* rc[3] = {}, *rv[3] = {};
  if (refs)
    for (int i = 0; i < 3; ++i) {
      rc[i] = refs[i].c.get();
      rv[i] = refs[i].v.get();
    }
  const std::vector<uint8_t> before(dst.c->host_data(), dst.c->host_data() + dst.c->size_bytes());
  double t0 = now_ms();
  run(*env.cpu, *dst.c, rc);
  double t1 = now_ms();
  run(*env.vk, *dst.v, rv);
  double t2 = now_ms();
  Diff d = compare_surfaces(*dst.c, *dst.v);
  // A case whose stage leaves the picture unchanged proves nothing.
  if (d.empty() && std::equal(before.begin(), before.end(), dst.c->host_data()))
    d = "vacuous: the reference did not change the destination";
  report(env, name, d);
  if (env.bench) report_bench(env, name, bench_stage, t1 - t0, t2 - t1);
  return d;
}

// ------------------------------------------------------------ pack_nv12

struct HostNv12 {
  std::vector<uint8_t> mem;
  Nv12Layout layout;
  // aligned: offsets and strides multiples of 4 (the word shader), else
  // odd ones (the byte shader).
  HostNv12(Rng& rng, uint32_t w, uint32_t h, bool aligned) {
    layout.width = w;
    layout.height = h;
    layout.y_offset = rng.range(0, 3) * 64 + (aligned ? 0 : rng.range(1, 3));
    layout.y_stride = ((w + 15) & ~15u) + rng.range(0, 2) * 16 + (aligned ? 0 : rng.range(0, 3) * 2 + 1);
    layout.uv_stride = layout.y_stride;
    layout.uv_offset = layout.y_offset + layout.y_stride * h + rng.range(0, 1) * 128;
    layout.size_bytes = layout.uv_offset + uint64_t(layout.uv_stride) * ((h + 1) / 2);
    mem.assign(layout.size_bytes, 0x5a);
  }
};

void test_pack_nv12(Env& env, Rng& rng) {
  static const uint32_t sizes[][2] = {{64, 64}, {16, 8}, {352, 288}, {200, 120}, {1920, 1088}, {72, 40}};
  for (int aligned = 1; aligned >= 0; --aligned)
  for (auto& sz : sizes) {
    uint32_t w = sz[0], h = sz[1];
    Pair src = planar_pair(env, rng, w, h, true);
    uint32_t vw = w - rng.range(0, 7), vh = h - rng.range(0, 7);
    HostNv12 mc(rng, vw, vh, aligned), mv = mc;
    auto dst_c = env.cpu->wrap_nv12(mc.layout, mc.mem.data(), -1);
    auto dst_v = env.vk->wrap_nv12(mv.layout, mv.mem.data(), -1);
    FrameWork work = frame(w, h);
    double t0 = now_ms();
    env.cpu->begin_frame(work);
    env.cpu->pack_nv12(*src.c, *dst_c);
    env.cpu->end_frame();
    double t1 = now_ms();
    env.vk->begin_frame(work);
    env.vk->pack_nv12(*src.v, *dst_v);
    env.vk->end_frame();
    double t2 = now_ms();
    Diff d = compare_surfaces(*dst_c, *dst_v);
    if (d.empty() && mc.mem != mv.mem) d = "bytes outside the NV12 planes differ";
    std::string name = fmt::format("pack_nv12_{}x{}{}", vw, vh, aligned ? "" : "_unaligned");
    report(env, name, d);
    if (env.bench) report_bench(env, name, Stage::kPackNv12, t1 - t0, t2 - t1);
  }
}

// ------------------------------------------------------------ residual
// Inter blocks with zero motion over a reference: prediction = reference,
// so the destination shows reference + residual of every tx block.

void residual_case(Env& env, Rng& rng, int tx_size, int tx_type, bool lossless, bool extreme, const std::string& name) {
  const uint32_t w = 128, h = 64;
  FrameWork f = frame(w, h);
  if (lossless) f.params.flags |= DD_FRAME_LOSSLESS;
  for (uint32_t y = 0; y < h; y += 64)
    for (uint32_t x = 0; x < w; x += 64) {
      dd_block b{};
      b.x = uint16_t(x);
      b.y = uint16_t(y);
      b.w_log2 = b.h_log2 = 6;
      b.flags = DD_BLOCK_INTER;
      b.interp_filter = uint8_t(rng.range(0, 3));
      f.blocks.push_back(b);
    }
  const int n = 4 << tx_size;
  for (int pl = 0; pl < 3; ++pl) {
    const int pw = pl ? w / 2 : w, ph = pl ? h / 2 : h;
    for (int y = 0; y < ph; y += n)
      for (int x = 0; x < pw; x += n) {
        if (rng.chance(15)) continue;  // inter tx blocks without coefficients are not listed
        dd_tx_block t = tx_at(pl, x, y, tx_size, tx_type, DD_MODE_INTER);
        t.coeff_offset = uint32_t(f.coeffs.size());
        t.eob = add_coeffs(rng, f, tx_size, extreme);
        f.tx_blocks.push_back(t);
      }
  }
  finish(f);
  Pair dst = planar_pair(env, rng, w, h, true);
  Pair refs[3] = {planar_pair(env, rng, w, h, false), planar_pair(env, rng, w, h, false),
                  planar_pair(env, rng, w, h, false)};
  fill_smooth(rng, refs[0], 3, 20);
  run_both(env, f, {.residual = true, .inter = true}, dst, refs, name, Stage::kResidual);
}

void test_residual(Env& env, Rng& rng) {
  static const char* types[] = {"dct_dct", "adst_dct", "dct_adst", "adst_adst"};
  for (int sz = 0; sz < 4; ++sz)
    for (int type = 0; type < 4; ++type)
      residual_case(env, rng, sz, type, false, false, fmt::format("residual_{}x{}_{}", 4 << sz, 4 << sz, types[type]));
  residual_case(env, rng, 0, DD_TX_WHT_WHT, false, false, "residual_4x4_wht");
  residual_case(env, rng, 0, DD_TX_DCT_DCT, true, false, "residual_4x4_lossless");
  for (int sz = 0; sz < 4; ++sz)
    residual_case(env, rng, sz, rng.range(0, 3), false, true, fmt::format("residual_{}x{}_int16_range", 4 << sz, 4 << sz));
}

// ------------------------------------------------------------ intra

// Tx blocks of a plane in VP9 decode order: 64x64 superblocks in raster
// order, quadtree (Z) order inside, sizes chosen at random (or fixed).
void intra_plane(Rng& rng, FrameWork& f, int plane, int pw, int ph, int fixed_size, int fixed_mode, bool residual) {
  const int sb = plane ? 32 : 64;
  struct Node {
    int x, y, size;
  };
  for (int sy = 0; sy < ph; sy += sb)
    for (int sx = 0; sx < pw; sx += sb) {
      std::vector<Node> stack{{sx, sy, sb}};
      while (!stack.empty()) {
        Node nd = stack.back();
        stack.pop_back();
        if (nd.x >= pw || nd.y >= ph) continue;
        const int tx_size = nd.size == 64 ? -1 : (nd.size == 32 ? 3 : nd.size == 16 ? 2 : nd.size == 8 ? 1 : 0);
        const bool split = nd.size > 4 && (tx_size < 0 || (fixed_size >= 0 ? tx_size > fixed_size : rng.chance(45)));
        if (split) {
          const int hs = nd.size / 2;
          // pushed in reverse so that they pop in Z order
          stack.push_back({nd.x + hs, nd.y + hs, hs});
          stack.push_back({nd.x, nd.y + hs, hs});
          stack.push_back({nd.x + hs, nd.y, hs});
          stack.push_back({nd.x, nd.y, hs});
          continue;
        }
        const int mode = fixed_mode >= 0 ? fixed_mode : rng.range(0, 9);
        dd_tx_block t = tx_at(plane, nd.x, nd.y, tx_size, rng.range(0, 3), mode);
        uint8_t flags = 0;
        if (nd.x > 0 && rng.chance(90)) flags |= DD_TX_HAVE_LEFT;
        if (nd.y > 0 && rng.chance(90)) flags |= DD_TX_HAVE_ABOVE;
        if (rng.chance(50)) flags |= DD_TX_HAVE_ABOVE_RIGHT;
        t.flags = flags;
        if (residual && rng.chance(70)) {
          t.coeff_offset = uint32_t(f.coeffs.size());
          t.eob = add_coeffs(rng, f, tx_size, false);
        }
        f.tx_blocks.push_back(t);
      }
    }
}

void intra_case(Env& env, Rng& rng, uint32_t w, uint32_t h, int size, int mode, bool residual, const std::string& name,
                int inter_percent = 0) {
  FrameWork f = frame(w, h);
  f.params.flags |= inter_percent ? 0 : DD_FRAME_INTRA_ONLY;
  const int dw = int(f.params.mi_cols * 8), dh = int(f.params.mi_rows * 8);
  for (int pl = 0; pl < 3; ++pl) intra_plane(rng, f, pl, pl ? dw / 2 : dw, pl ? dh / 2 : dh, size, mode, residual);
  if (inter_percent) {
    // Turn some tx blocks into inter ones: their pixels then come from the
    // (random) destination, as after inter_pred, and intra neighbours read them.
    std::vector<dd_tx_block> kept;
    for (auto t : f.tx_blocks) {
      if (rng.chance(inter_percent)) {
        if (!t.eob) continue;
        t.mode = DD_MODE_INTER;
      }
      kept.push_back(t);
    }
    f.tx_blocks = kept;
  }
  finish(f);
  Pair dst = planar_pair(env, rng, dw, dh, true);
  run_both(env, f, {.residual = residual, .inter = inter_percent > 0, .intra = true}, dst, nullptr, name,
           Stage::kIntraRecon);
}

void test_intra(Env& env, Rng& rng) {
  static const char* modes[] = {"dc", "v", "h", "d45", "d135", "d117", "d153", "d207", "d63", "tm"};
  for (int mode = 0; mode < 10; ++mode)
    for (int sz = 0; sz < 4; ++sz)
      intra_case(env, rng, 64, 64, sz, mode, rng.chance(50), fmt::format("intra_{}_{}x{}", modes[mode], 4 << sz, 4 << sz));
  // Odd visible sizes: edges beyond the decoded area, partial blocks.
  intra_case(env, rng, 200, 88, -1, -1, true, "intra_mixed_200x88");
  intra_case(env, rng, 352, 288, -1, -1, true, "intra_mixed_352x288");
  intra_case(env, rng, 136, 72, -1, -1, true, "intra_in_inter_frame_136x72", 30);
}

// ------------------------------------------------------------ inter

struct InterOpts {
  int filter = -1;        // -1: random per block
  bool compound = false;  // some blocks compound
  bool sub8x8 = false;    // only sub-8x8 blocks
  bool scaled = false;    // references of another size
  int mv_range = 64;      // in 1/8 pel
  bool residual = false;
  bool nv12_refs = false;
  int residual_tx = 1;  // tx size of the residual blocks
  // Half the vector components whole pixels in luma and chroma: units of
  // every kind (copy, horizontal, vertical, both) side by side, each kind
  // its own pipeline.
  bool whole_pel = false;
};

void inter_case(Env& env, Rng& rng, uint32_t w, uint32_t h, const InterOpts& o, const std::string& name) {
  FrameWork f = frame(w, h);
  const int dw = int(f.params.mi_cols * 8), dh = int(f.params.mi_rows * 8);
  // References: smooth pictures, optionally scaled (ratio in VP9's range).
  std::vector<std::shared_ptr<Surface>> keep;
  Pair refs[3];
  std::vector<std::vector<uint8_t>> nv12_mem;
  for (int i = 0; i < 3; ++i) {
    uint32_t rw = w, rh = h;
    if (o.scaled && i != 2) {
      static const int num[] = {3, 1, 5, 2, 7};
      static const int den[] = {2, 2, 4, 1, 8};
      const int k = rng.range(0, 4);
      rw = std::max<uint32_t>(8, w * num[k] / den[k]);
      rh = std::max<uint32_t>(8, h * num[k] / den[k]);
    }
    f.params.refs[i] = {rw, rh, int32_t((int64_t(rw) << 14) / w), int32_t((int64_t(rh) << 14) / h)};
    Pair planar = planar_pair(env, rng, (rw + 7) & ~7u, (rh + 7) & ~7u, false);
    fill_smooth(rng, planar, 6, 30);
    if (o.nv12_refs && i == 1) {
      // The same picture as an NV12 buffer (e.g. a V4L2 CAPTURE dmabuf).
      Nv12Layout l;
      l.width = rw;
      l.height = rh;
      l.y_stride = l.uv_stride = (rw + 31) & ~31u;
      l.uv_offset = l.y_stride * rh;
      l.size_bytes = l.uv_offset + uint64_t(l.uv_stride) * ((rh + 1) / 2);
      nv12_mem.emplace_back(l.size_bytes, 0);
      nv12_mem.emplace_back(l.size_bytes, 0);
      Pair nv{env.cpu->wrap_nv12(l, nv12_mem[nv12_mem.size() - 2].data(), -1),
              env.vk->wrap_nv12(l, nv12_mem.back().data(), -1)};
      FrameWork pf = frame(rw, rh);
      env.cpu->begin_frame(pf);
      env.cpu->pack_nv12(*planar.c, *nv.c);
      env.cpu->end_frame();
      env.vk->begin_frame(pf);
      env.vk->pack_nv12(*planar.v, *nv.v);
      env.vk->end_frame();
      refs[i] = nv;
    } else {
      refs[i] = planar;
    }
  }
  // Blocks: a quadtree of 64x64 superblocks down to 8x8 (or sub-8x8).
  struct Node {
    int x, y, size;
  };
  for (int sy = 0; sy < dh; sy += 64)
    for (int sx = 0; sx < dw; sx += 64) {
      std::vector<Node> stack{{sx, sy, 64}};
      while (!stack.empty()) {
        Node nd = stack.back();
        stack.pop_back();
        if (nd.x >= dw || nd.y >= dh) continue;
        if (nd.size > 8 && (o.sub8x8 || rng.chance(50))) {
          const int hs = nd.size / 2;
          stack.push_back({nd.x + hs, nd.y + hs, hs});
          stack.push_back({nd.x, nd.y + hs, hs});
          stack.push_back({nd.x + hs, nd.y, hs});
          stack.push_back({nd.x, nd.y, hs});
          continue;
        }
        dd_block b{};
        b.x = uint16_t(nd.x);
        b.y = uint16_t(nd.y);
        int lg = nd.size == 64 ? 6 : nd.size == 32 ? 5 : nd.size == 16 ? 4 : 3;
        b.w_log2 = b.h_log2 = uint8_t(lg);
        if (lg > 3 && rng.chance(30)) (rng.chance(50) ? b.w_log2 : b.h_log2) -= 1;  // rectangular (covers half)
        if (lg == 3 && (o.sub8x8 || rng.chance(25))) {
          const int k = rng.range(0, 2);
          b.w_log2 = k == 1 ? 3 : 2;
          b.h_log2 = k == 2 ? 3 : 2;
        }
        b.flags = DD_BLOCK_INTER;
        if (o.compound && rng.chance(50)) b.flags |= DD_BLOCK_COMPOUND;
        b.interp_filter = uint8_t(o.filter >= 0 ? o.filter : rng.range(0, 3));
        b.ref[0] = uint8_t(rng.range(0, 2));
        b.ref[1] = uint8_t((b.ref[0] + rng.range(1, 2)) % 3);
        const bool sub = b.w_log2 < 3 || b.h_log2 < 3;
        for (int k = 0; k < 4; ++k)
          for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 2; ++c) {
              int v = rng.range(-o.mv_range, o.mv_range);
              if (rng.chance(5)) v = rng.range(-2000, 2000);  // far outside: edge clamping
              if (o.whole_pel && rng.chance(50)) v &= ~15;
              b.mv[k][r][c] = int16_t(sub || k == 0 ? v : 0);
            }
        f.blocks.push_back(b);
      }
    }
  if (o.residual) {
    for (int pl = 0; pl < 3; ++pl)
      for (int y = 0; y < (pl ? dh / 2 : dh); y += 4 << o.residual_tx)
        for (int x = 0; x < (pl ? dw / 2 : dw); x += 4 << o.residual_tx) {
          if (rng.chance(50)) continue;
          dd_tx_block t = tx_at(pl, x, y, o.residual_tx, rng.range(0, 3), DD_MODE_INTER);
          t.coeff_offset = uint32_t(f.coeffs.size());
          t.eob = add_coeffs(rng, f, o.residual_tx, false);
          f.tx_blocks.push_back(t);
        }
  }
  finish(f);
  Pair dst = planar_pair(env, rng, dw, dh, true);
  run_both(env, f, {.residual = o.residual, .inter = true}, dst, refs, name, Stage::kInterPred);
}

void test_inter(Env& env, Rng& rng) {
  static const char* filters[] = {"regular", "smooth", "sharp", "bilinear"};
  for (int fl = 0; fl < 4; ++fl) {
    inter_case(env, rng, 128, 64, {.filter = fl}, fmt::format("inter_{}", filters[fl]));
    inter_case(env, rng, 64, 64, {.filter = fl, .sub8x8 = true}, fmt::format("inter_{}_sub8x8", filters[fl]));
    inter_case(env, rng, 128, 64, {.filter = fl, .scaled = true}, fmt::format("inter_{}_scaled", filters[fl]));
  }
  inter_case(env, rng, 128, 128, {.compound = true}, "inter_compound");
  inter_case(env, rng, 64, 64, {.compound = true, .sub8x8 = true, .scaled = true}, "inter_compound_sub8x8_scaled");
  inter_case(env, rng, 120, 70, {.mv_range = 600}, "inter_edges_120x70");
  inter_case(env, rng, 120, 70, {.compound = true, .mv_range = 600, .whole_pel = true}, "inter_every_kind_edges_120x70");
  inter_case(env, rng, 128, 64, {.compound = true, .scaled = true, .whole_pel = true}, "inter_every_kind_scaled");
  inter_case(env, rng, 64, 64, {.sub8x8 = true, .nv12_refs = true, .whole_pel = true}, "inter_every_kind_sub8x8");
  inter_case(env, rng, 128, 64, {.residual = true}, "inter_with_residual");
  inter_case(env, rng, 96, 64, {.compound = true, .nv12_refs = true}, "inter_nv12_reference");
  // More than 65535 workgroups per dispatch (sub-8x8 parts, 4x4 residuals).
  inter_case(env, rng, 1920, 1088, {.sub8x8 = true, .residual = true, .residual_tx = 0}, "inter_1080p_over_65535_groups");
}

// ------------------------------------------------------------ loop filter

void lf_case(Env& env, Rng& rng, uint32_t w, uint32_t h, int fixed_size, int sharpness, const std::string& name) {
  FrameWork f = frame(w, h);
  f.params.sharpness = uint32_t(sharpness);
  const int dw = int(f.params.mi_cols * 8), dh = int(f.params.mi_rows * 8);
  for (int pl = 0; pl < 3; ++pl) {
    const int cols = (pl ? dw / 2 : dw) / 4, rows = (pl ? dh / 2 : dh) / 4;
    f.params.lf_cols[pl] = uint32_t(cols);
    f.params.lf_rows[pl] = uint32_t(rows);
    std::vector<uint8_t> block_level(size_t(cols) * rows);
    for (int uy = 0; uy < rows; ++uy)
      for (int ux = 0; ux < cols; ++ux) {
        // Levels per 8x8 (2x2 units), sometimes 0 (no filtering).
        uint8_t& lvl = block_level[size_t(uy / 2 * 2) * cols + ux / 2 * 2];
        if (!(uy & 1) && !(ux & 1)) lvl = uint8_t(rng.chance(10) ? 0 : rng.range(1, 63));
      }
    auto pick = [&](int pos) -> uint8_t {
      if (rng.chance(25)) return 0;
      if (fixed_size > 0) return uint8_t((fixed_size == 4 || pos % 2 == 0) ? fixed_size : 4);
      const int sizes[] = {4, 8, 16};
      int s = sizes[rng.range(0, 2)];
      if (pos % 2) s = 4;
      return uint8_t(s);
    };
    for (int uy = 0; uy < rows; ++uy)
      for (int ux = 0; ux < cols; ++ux) {
        dd_lf_unit u{};
        u.level = block_level[size_t(uy / 2 * 2) * cols + ux / 2 * 2];
        u.left_size = pick(ux);
        u.top_size = pick(uy);
        f.lf[pl].push_back(u);
      }
  }
  finish(f);
  Pair dst = planar_pair(env, rng, dw, dh, false);
  fill_smooth(rng, dst, rng.range(0, 2), rng.range(1, 12));
  run_both(env, f, {.lf = true}, dst, nullptr, name, Stage::kLoopFilter);
}

void test_loop_filter(Env& env, Rng& rng) {
  for (int size : {4, 8, 16}) {
    lf_case(env, rng, 128, 128, size, 0, fmt::format("loop_filter_{}", size));
    lf_case(env, rng, 128, 128, size, rng.range(1, 7), fmt::format("loop_filter_{}_sharpness", size));
  }
  lf_case(env, rng, 200, 136, -1, rng.range(0, 7), "loop_filter_mixed_200x136");
  lf_case(env, rng, 352, 288, -1, 0, "loop_filter_mixed_352x288");
}

// ------------------------------------------------------------ frame
// Every stage in decoder order on one frame; with --bench at 1080p.

void test_frame(Env& env, Rng& rng) {
  const uint32_t w = env.bench ? 1920 : 352, h = env.bench ? 1080 : 288;
  FrameWork f = frame(w, h);
  const int dw = int(f.params.mi_cols * 8), dh = int(f.params.mi_rows * 8);
  for (int pl = 0; pl < 3; ++pl) intra_plane(rng, f, pl, pl ? dw / 2 : dw, pl ? dh / 2 : dh, -1, -1, true);
  for (auto& t : f.tx_blocks)
    if (t.eob && rng.chance(50)) t.mode = DD_MODE_INTER;
  for (int y = 0; y < dh; y += 64)
    for (int x = 0; x < dw; x += 64) {
      dd_block b{};
      b.x = uint16_t(x);
      b.y = uint16_t(y);
      b.w_log2 = b.h_log2 = 6;
      b.flags = DD_BLOCK_INTER | (rng.chance(30) ? DD_BLOCK_COMPOUND : 0);
      b.interp_filter = uint8_t(rng.range(0, 3));
      b.ref[0] = 0;
      b.ref[1] = 1;
      for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 2; ++c) b.mv[0][r][c] = int16_t(rng.range(-100, 100));
      f.blocks.push_back(b);
    }
  for (int pl = 0; pl < 3; ++pl) {
    const int cols = (pl ? dw / 2 : dw) / 4, rows = (pl ? dh / 2 : dh) / 4;
    f.params.lf_cols[pl] = uint32_t(cols);
    f.params.lf_rows[pl] = uint32_t(rows);
    for (int i = 0; i < cols * rows; ++i) {
      dd_lf_unit u{};
      u.level = uint8_t(rng.range(0, 40));
      u.left_size = uint8_t((i % cols) % 2 ? 4 : rng.chance(50) ? 8 : 16);
      u.top_size = uint8_t((i / cols) % 2 ? 4 : rng.chance(50) ? 8 : 16);
      f.lf[pl].push_back(u);
    }
  }
  finish(f);
  Pair refs[3] = {planar_pair(env, rng, dw, dh, false), planar_pair(env, rng, dw, dh, false),
                  planar_pair(env, rng, dw, dh, false)};
  for (auto& r : refs) fill_smooth(rng, r, 4, 10);
  const int iters = env.bench ? env.bench_iters : 1;
  Diff d;
  double cpu_total[int(Stage::kCount)] = {}, vk_cpu[int(Stage::kCount)] = {}, vk_gpu[int(Stage::kCount)] = {};
  double cpu_wall = 0, vk_wall = 0;
  for (int it = 0; it < iters; ++it) {
    Pair dst = planar_pair(env, rng, dw, dh, true);
    std::vector<uint8_t> mc(size_t(dw) * dh * 3 / 2 + 4096), mv(mc.size());
    Nv12Layout l;
    l.width = w;
    l.height = h;
    l.y_stride = l.uv_stride = uint32_t(dw);
    l.uv_offset = uint32_t(dw * h);
    l.size_bytes = mc.size();
    auto nc = env.cpu->wrap_nv12(l, mc.data(), -1);
    auto nv = env.vk->wrap_nv12(l, mv.data(), -1);
    auto run = [&](Backend& b, Surface& dsts, Surface& nv12, Pair* rp, bool cpu) {
      Surface* r[3] = {cpu ? rp[0].c.get() : rp[0].v.get(), cpu ? rp[1].c.get() : rp[1].v.get(),
                       cpu ? rp[2].c.get() : rp[2].v.get()};
      b.begin_frame(f);
      b.residual(f);
      b.inter_pred(f, dsts, r);
      b.intra_recon(f, dsts);
      b.loop_filter(f, dsts);
      b.pack_nv12(dsts, nv12);
      b.end_frame();
    };
    double t0 = now_ms();
    run(*env.cpu, *dst.c, *nc, refs, true);
    double t1 = now_ms();
    run(*env.vk, *dst.v, *nv, refs, false);
    double t2 = now_ms();
    cpu_wall += t1 - t0;
    vk_wall += t2 - t1;
    for (int s = 0; s < int(Stage::kCount); ++s) {
      cpu_total[s] += env.cpu->timing(Stage(s)).cpu_ms;
      vk_cpu[s] += env.vk->timing(Stage(s)).cpu_ms;
      vk_gpu[s] += env.vk->timing(Stage(s)).gpu_ms;
    }
    if (d.empty()) d = compare_surfaces(*nc, *nv);
  }
  report(env, fmt::format("frame_all_stages_{}x{}", w, h), d);
  if (env.bench) {
    fmt::print("  bench frame {}x{}, mean of {} frames (ms):\n", w, h, iters);
    fmt::print("    {:<12} {:>10} {:>14} {:>10}\n", "stage", "cpu", "vulkan-record", "vulkan-gpu");
    for (int s = 0; s < int(Stage::kCount); ++s)
      fmt::print("    {:<12} {:>10.3f} {:>14.3f} {:>10.3f}\n", stage_name(Stage(s)), cpu_total[s] / iters,
                 vk_cpu[s] / iters, vk_gpu[s] / iters);
    fmt::print("    {:<12} {:>10.3f} {:>14.3f}\n", "frame wall", cpu_wall / iters, vk_wall / iters);
  }
}


// H.264 inter prediction (h264_inter_pred): reference pictures of smooth
// content with noise, every macroblock cut into partitions of every size
// (16x16 .. 4x4), vectors that cycle through all 16 quarter-sample
// positions, reach far past every picture edge, and (weighted) explicit
// weights, denominators 0..7 and offsets of both signs.
void test_h264_inter_pred(Env& env, Rng& rng) {
  const char* cases[] = {"quarter-pel", "edges", "weighted"};
  for (int c = 0; c < 3; ++c) {
    const uint32_t cols = uint32_t(rng.range(1, 6)), rows = uint32_t(rng.range(1, 5));
    const uint32_t w = cols * 16, h = rows * 16;
    H264FrameWork work;
    work.params.mb_cols = cols;
    work.params.mb_rows = rows;
    work.params.num_mbs = cols * rows;
    work.params.width = w - uint32_t(rng.range(0, 15));
    work.params.height = h - uint32_t(rng.range(0, 15));
    work.coeffs.assign(size_t{cols} * rows * H264_MB_COEFFS, 0);
    dd_h264_mb_motion blank{};
    std::fill(std::begin(blank.ref), std::end(blank.ref), int8_t(-1));
    work.motion.assign(cols * rows, blank);
    const int num_refs = rng.range(1, 3);
    int position = rng.range(0, 15);
    for (uint32_t i = 0; i < cols * rows; ++i) {
      dd_h264_mb m{};
      m.mb_x = uint16_t(i % cols);
      m.mb_y = uint16_t(i / cols);
      m.type = DD_H264_MB_INTER;
      m.coeff_offset = i * H264_MB_COEFFS;
      work.mbs.push_back(m);
      // Partitions: 16x16, 16x8, 8x16, or 8x8 each cut again.
      std::vector<std::array<int, 4>> parts;
      switch (rng.range(0, 3)) {
        case 0: parts = {{0, 0, 16, 16}}; break;
        case 1: parts = {{0, 0, 16, 8}, {0, 8, 16, 8}}; break;
        case 2: parts = {{0, 0, 8, 16}, {8, 0, 8, 16}}; break;
        default:
          for (int b = 0; b < 4; ++b) {
            const int x = 8 * (b % 2), y = 8 * (b / 2);
            switch (rng.range(0, 3)) {
              case 0: parts.push_back({x, y, 8, 8}); break;
              case 1: parts.push_back({x, y, 8, 4}), parts.push_back({x, y + 4, 8, 4}); break;
              case 2: parts.push_back({x, y, 4, 8}), parts.push_back({x + 4, y, 4, 8}); break;
              default:
                for (int k = 0; k < 4; ++k) parts.push_back({x + 4 * (k % 2), y + 4 * (k / 2), 4, 4});
            }
          }
      }
      for (const auto& pt : parts) {
        dd_h264_inter_block b{};
        b.x = uint16_t(m.mb_x * 16 + pt[0]);
        b.y = uint16_t(m.mb_y * 16 + pt[1]);
        b.w = uint8_t(pt[2]);
        b.h = uint8_t(pt[3]);
        b.ref = uint8_t(rng.range(0, num_refs - 1));
        const int reach = c == 1 ? 4 * int(std::max(w, h)) + 64 : 16;
        // Every quarter position in turn; chroma's eighths follow from them.
        b.mv[0] = int16_t(rng.range(-reach, reach) * 4 + position % 4);
        b.mv[1] = int16_t(rng.range(-reach, reach) * 4 + position / 4);
        position = (position + 1) % 16;
        if (c == 2) {
          b.flags = DD_H264_INTER_WEIGHTED;
          b.luma_log2_denom = uint8_t(rng.range(0, 7));
          b.chroma_log2_denom = uint8_t(rng.range(0, 7));
          b.luma_weight = int16_t(rng.range(-128, 127));
          b.luma_offset = int16_t(rng.range(-128, 127));
          for (int k = 0; k < 2; ++k) {
            b.chroma_weight[k] = int16_t(rng.range(-128, 127));
            b.chroma_offset[k] = int16_t(rng.range(-128, 127));
          }
        }
        work.inter.push_back(b);
      }
    }
    std::vector<Pair> refs;
    for (int r = 0; r < num_refs; ++r) {
      refs.push_back(planar_pair(env, rng, w, h, false));
      fill_smooth(rng, refs.back(), rng.range(0, 40), rng.range(0, 30));
    }
    Pair dst = planar_pair(env, rng, w, h, true);
    const FrameWork bracket = frame(w, h);
    const auto run = [&](Backend& b, Surface& d, bool vk) {
      std::vector<Surface*> r;
      for (auto& p : refs) r.push_back(vk ? p.v.get() : p.c.get());
      b.begin_frame(bracket);
      b.h264_inter_pred(work, d, r);
      b.end_frame();
    };
    const std::string name = fmt::format("h264_inter_pred {} {}x{}", cases[c], w, h);
    run(*env.cpu, *dst.c, false);
    try {
      run(*env.vk, *dst.v, true);
    } catch (const daedalus::Error& e) {
      // A backend without the stage names it: nothing to compare yet.
      if (std::string(e.what()).find("no h264_inter_pred stage") == std::string::npos &&
          std::string(e.what()).find("no H.264 stages") == std::string::npos)
        throw;
      fmt::print("  {:<40} SKIPPED: {}\n", name, e.what());
      continue;
    }
    report(env, name, compare_surfaces(*dst.c, *dst.v));
  }
}

}  // namespace

const std::vector<StageTest>& stage_tests() {
  static const std::vector<StageTest> tests = [] {
    std::vector<StageTest> t = {
        {"pack_nv12", test_pack_nv12},   {"residual", test_residual},   {"intra_recon", test_intra},
        {"inter_pred", test_inter},      {"loop_filter", test_loop_filter}, {"frame", test_frame},
        {"h264_inter_pred", test_h264_inter_pred},
    };
    for (const StageTest& h : h264_stage_tests()) t.push_back(h);
    return t;
  }();
  return tests;
}

}  // namespace daedalus::checkasm
