// SPDX-License-Identifier: MIT
// The inter_pred stage's host side (shaders/inter_pred.comp): prediction
// jobs and their units (stage_inter_pred.h), one dispatch per pass,
// reference slot and unit kind, then the add_residual pass
// (stage_add_residual.cpp).
#include "stage_inter_pred.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "daedalus/error.h"
#include "inter_geometry.h"
#include "vk_backend.h"
#include "vk_surface.h"
#include "work_checks.h"

namespace daedalus::dispatch::vk {

InterPlan plan_inter(const FrameWork& work, const RefView refs[3]) {
  InterPlan plan;
  plan_inter(work, refs, plan, [&](size_t n) {
    plan.words.assign(n, 0);
    return plan.words.data();
  });
  plan.words.resize(plan.num_words);
  return plan;
}

namespace {

// A block's prediction parts in one plane: (offset, size, vector index or
// -1 for the 4:2:0 chroma average of a sub-8x8 block's four vectors).
struct Part {
  int ox, oy, w, h, mv;
};
int block_parts(const dd_block& b, int plane, int ssx, int ssy, Part parts[4]) {
  const int bw = vp9::pred_width(b, ssx), bh = vp9::pred_height(b, ssy);
  if (!vp9::is_sub8x8(b)) {
    parts[0] = {0, 0, bw, bh, 0};
    return 1;
  }
  if (plane == 0 || (!ssx && !ssy)) {
    for (int k = 0; k < 4; ++k) parts[k] = {(k & 1) * 4, (k >> 1) * 4, 4, 4, k};
    return 4;
  }
  parts[0] = {0, 0, bw, bh, -1};
  return 1;
}

uint32_t units_of(int w, int h) { return uint32_t((w + 3) / 4) * uint32_t((h + kInterUnitRows - 1) / kInterUnitRows); }

// The row loops of shaders/inter_pred.comp for the units [base, base +
// count) of the planned words `w`, all of kind `kind`,
// as DispatchRecord::loop_trips, in the program's order: a copy's, a
// horizontal-only pass's and a scaled reference's rows (one loop each);
// with a vertical pass, the horizontal pass's rows (the unit's, plus 7)
// and the vertical pass's. A 16-lane batch (16 consecutive units) runs
// each as often as its busiest lane. Returns the number of loops.
uint32_t inter_batch_trips(const uint32_t* w, uint32_t base, uint32_t count, uint32_t kind, uint64_t trips[2]) {
  const bool vertical = kind == DD_INTER_KIND_V || kind == DD_INTER_KIND_HV;
  trips[0] = trips[1] = 0;
  for (uint32_t first = 0; first < count; first += 16) {
    uint32_t most = 0;
    for (uint32_t u = first; u < std::min(count, first + 16); ++u) {
      const uint32_t uw = w[base + u];
      const uint32_t* job = w + kJobHeaderWords + size_t(uw >> DD_UNIT_JOB_SHIFT) * kJobWords;
      const uint32_t h = job[DD_JOB_SIZE] >> 16, uy = ((uw >> 4) & 15) * kInterUnitRows;
      most = std::max(most, std::min(kInterUnitRows, h - uy));
    }
    trips[0] += most + (vertical ? 7 : 0);
    trips[1] += vertical ? most : 0;
  }
  return vertical ? 2 : 1;
}

}  // namespace

void plan_inter(const FrameWork& work, const RefView refs[3], InterPlan& plan,
                const std::function<uint32_t*(size_t n)>& words) {
  const dd_frame_params& fp = work.params;
  plan.num_jobs = plan.num_units = 0;
  // Room for every job and unit before clipping to the decoded area.
  size_t max_jobs = 0, max_units = 0;
  for (const dd_block& b : work.blocks) {
    if (!(b.flags & DD_BLOCK_INTER)) continue;
    const uint32_t nrefs = (b.flags & DD_BLOCK_COMPOUND) ? 2 : 1;
    for (int plane = 0; plane < 3; ++plane) {
      const int ssx = plane ? int(fp.ss_x) : 0, ssy = plane ? int(fp.ss_y) : 0;
      Part parts[4];
      const int nparts = block_parts(b, plane, ssx, ssy, parts);
      max_jobs += size_t(nparts);
      for (int k = 0; k < nparts; ++k) max_units += size_t(units_of(parts[k].w, parts[k].h)) * nrefs;
    }
  }
  uint32_t* const out = words(kJobHeaderWords + max_jobs * kJobWords + max_units);
  std::fill(out, out + kJobHeaderWords, 0u);
  for (int s = 0; s < 3; ++s)
    for (int pl = 0; pl < 3; ++pl) {
      out[s * 9 + pl * 3 + 0] = refs[s].offset[pl];
      out[s * 9 + pl * 3 + 1] = refs[s].stride[pl];
      out[s * 9 + pl * 3 + 2] = refs[s].step[pl];
    }
  plan.job_units.clear();
  // Per pass, units per (reference slot, kind) group: slot * kinds + kind.
  constexpr uint32_t kGroups = 3 * kInterKinds;
  uint32_t units_in[2][kGroups] = {};
  for (const dd_block& b : work.blocks) {
    if (!(b.flags & DD_BLOCK_INTER)) continue;
    const int nrefs = (b.flags & DD_BLOCK_COMPOUND) ? 2 : 1;
    const bool sub8x8 = vp9::is_sub8x8(b);
    for (int plane = 0; plane < 3; ++plane) {
      const bool chroma = plane > 0;
      const int ssx = chroma ? int(fp.ss_x) : 0, ssy = chroma ? int(fp.ss_y) : 0;
      const int x = b.x >> ssx, y = b.y >> ssy;
      const int bw = vp9::pred_width(b, ssx), bh = vp9::pred_height(b, ssy);
      const int dw = int(vp9::decoded_width(fp, plane)), dh = int(vp9::decoded_height(fp, plane));
      // Per reference: the area reads are clamped to, checked as the CPU
      // backend does.
      int ref_w[2] = {}, ref_h[2] = {};
      for (int i = 0; i < nrefs; ++i) {
        const RefView& rv = refs[b.ref[i]];
        if (!rv.present) vp9::missing_reference(b, b.ref[i], "vulkan backend");
        const vp9::RefArea area = vp9::ref_read_area(rv.plane_w[plane], rv.plane_h[plane], fp.refs[b.ref[i]], ssx,
                                                     ssy, "vulkan backend");
        ref_w[i] = area.w;
        ref_h[i] = area.h;
      }
      Part parts[4];
      const int nparts = block_parts(b, plane, ssx, ssy, parts);
      for (int k = 0; k < nparts; ++k) {
        const Part& pt = parts[k];
        const int px = x + pt.ox, py = y + pt.oy;
        // Written area: inside the decoded plane (the rest is computed and
        // dropped by the reference, so it need not be computed here). 4:2:0
        // planes are decoded in whole 8x8 units, so jobs start and end at
        // multiples of 4 pixels (the shader stores a unit row as one word).
        const int w = std::min(pt.w, dw - px), h = std::min(pt.h, dh - py);
        if (w <= 0 || h <= 0) continue;
        uint32_t* job = out + kJobHeaderWords + size_t(plan.num_jobs) * kJobWords;
        uint32_t group[2] = {};
        std::fill(job, job + kJobWords, 0u);
        job[DD_JOB_KIND] = uint32_t(plane) | uint32_t(b.interp_filter & 3) << 8 | uint32_t(nrefs) << 16;
        job[DD_JOB_POS] = uint32_t(px) | uint32_t(py) << 16;
        job[DD_JOB_SIZE] = uint32_t(w) | uint32_t(h) << 16;
        for (int i = 0; i < nrefs; ++i) {
          const vp9::Mv mv = pt.mv >= 0 ? vp9::Mv{b.mv[pt.mv][i][0], b.mv[pt.mv][i][1]} : vp9::sub8x8_chroma_mv(b, i);
          // Sub-8x8 luma parts pass (ox, oy, 8, 8) as the reference does.
          const bool luma_part = pt.mv >= 0 && sub8x8;
          const vp9::RefPosition rp =
              luma_part ? vp9::ref_position(fp.refs[b.ref[i]], fp, plane, px, py, mv, pt.ox, pt.oy, 8, 8)
                        : vp9::ref_position(fp.refs[b.ref[i]], fp, plane, px, py, mv, 0, 0, bw, bh);
          uint32_t* r = job + DD_JOB_REF + DD_JOB_REF_WORDS * i;
          r[0] = b.ref[i];
          r[1] = uint32_t(rp.pos_x);
          r[2] = uint32_t(rp.pos_y);
          r[3] = uint32_t(rp.dx) | uint32_t(rp.dy) << 16;
          r[4] = uint32_t(ref_w[i]) | uint32_t(ref_h[i]) << 16;
          group[i] = b.ref[i] * kInterKinds + inter_kind(r[1], r[2], r[3] & 0xffff, r[3] >> 16);
        }
        ++plan.num_jobs;
        const uint32_t uw = uint32_t(w + 3) / 4, uh = (uint32_t(h) + kInterUnitRows - 1) / kInterUnitRows;
        plan.job_units.push_back(uw | uh << 8 | uint32_t(nrefs) << 16 | group[0] << 20 | group[1] << 24);
        for (int i = 0; i < nrefs; ++i) units_in[i][group[i]] += uw * uh;
      }
    }
  }
  // Units, pass by pass, slot by slot and kind by kind; within a group
  // job by job, so that neighbouring invocations read neighbouring pixels:
  // each group's place first, then one walk over the jobs.
  const uint32_t jobs_end = kJobHeaderWords + plan.num_jobs * kJobWords;
  uint32_t* cursor[2][kGroups];
  for (uint32_t pass = 0; pass < 2; ++pass)
    for (uint32_t group = 0; group < kGroups; ++group) {
      Range& g = plan.units[pass][group / kInterKinds][group % kInterKinds];
      g.base = jobs_end + plan.num_units;
      g.count = units_in[pass][group];
      cursor[pass][group] = out + g.base;
      plan.num_units += g.count;
    }
  plan.num_words = jobs_end + plan.num_units;
  for (uint32_t j = 0; j < plan.num_jobs; ++j) {
    const uint32_t d = plan.job_units[j];
    const uint32_t uw = d & 0xff, uh = (d >> 8) & 0xff, nrefs = (d >> 16) & 0xf;
    for (uint32_t pass = 0; pass < nrefs; ++pass) {
      uint32_t*& u = cursor[pass][(d >> (20 + 4 * pass)) & 0xf];
      for (uint32_t r = 0; r < uh; ++r)
        for (uint32_t c = 0; c < uw; ++c) *u++ = j << DD_UNIT_JOB_SHIFT | r << 4 | c;
    }
  }
}

void VulkanBackend::inter_pred(const FrameWork& work, Surface& dst_s, Surface* const refs[3]) {
  require_frame("inter_pred");
  if (inter_recorded_) throw Error("vulkan backend: inter_pred called twice in one frame");
  VkSurface& dst = as_vk(dst_s, "inter_pred destination");
  dd_planes planes = dst_planes(dst, work.params, "inter_pred");
  RefView views[3];
  VkBuffer ref_bufs[3];
  for (int s = 0; s < 3; s++) {
    ref_bufs[s] = dst.buffer();  // placeholder binding for an absent reference
    if (!refs || !refs[s]) continue;
    VkSurface& r = as_vk(*refs[s], "inter_pred reference");
    RefView& v = views[s];
    v.present = true;
    const bool nv12 = r.format() == SurfaceFormat::kNv12;
    for (int pl = 0; pl < 3; pl++) {
      const PlaneLayout& l = r.plane(nv12 && pl > 0 ? 1 : pl);
      v.plane_w[pl] = int(l.width);
      v.plane_h[pl] = int(l.height);
      v.offset[pl] = static_cast<uint32_t>(l.offset) + (nv12 && pl == 2 ? 1 : 0);
      v.stride[pl] = l.stride;
      v.step[pl] = l.step;
    }
    ref_bufs[s] = r.buffer();
  }
  // Written straight into the jobs buffer (persistently mapped): the
  // previous frame's work is done (end_frame waited for it).
  plan_inter(work, views, inter_plan_, [&](size_t n) {
    jobs_buf_.ensure(*ctx_, n * 4);
    return reinterpret_cast<uint32_t*>(jobs_buf_.data());
  });
  const InterPlan& plan = inter_plan_;
  num_jobs_ = plan.num_jobs;
  stage_begin(Stage::kInterPred);
  for (int s = 0; s < 3; s++)
    if (views[s].present) use_as_source(as_vk(*refs[s], "inter_pred reference"));
  if (plan.num_units) {
    dd_inter_push pc{};
    for (int pl = 0; pl < 3; pl++) {
      // The shader stores whole unit rows as words (units are 4-aligned).
      if (planes.off[pl] % 4 || planes.stride[pl] % 4)
        throw Error("vulkan backend: inter_pred: destination planes must be 4-byte aligned");
      pc.off[pl] = planes.off[pl];
      pc.stride[pl] = planes.stride[pl];
    }
    // One dispatch per (pass, reference slot, kind); the second pass
    // averages into what the first wrote.
    for (uint32_t pass = 0; pass < 2; pass++) {
      uint32_t second_units = 0;
      for (const auto& slot : plan.units[1])
        for (const Range& g : slot) second_units += g.count;
      if (pass == 1 && second_units) barrier();
      for (int s = 0; s < 3; s++)
        for (uint32_t kind = 0; kind < kInterKinds; kind++) {
          const Range& g = plan.units[pass][s][kind];
          if (!g.count) continue;
          const PipelineId id = PipelineId(kInterPredCopy + kind);
          pc.count = g.count;
          pc.unit_base = g.base;
          pc.ref_index = pass;
          // A copy reads no filter kernels.
          VkDescriptorSet set =
              kind == DD_INTER_KIND_COPY
                  ? make_set(id, {jobs_buf_.buffer(), ref_bufs[s], dst.buffer()})
                  : make_set(id, {jobs_buf_.buffer(), ref_bufs[s], dst.buffer(), filter_buf_.buffer()});
          dispatch_linear(id, set, pc, div_up(g.count, DD_INTER_UNITS_PER_GROUP));
          if (count_loop_trips_) {
            uint64_t trips[2];
            DispatchRecord& rec = dispatches_.back();
            rec.num_loop_trips = inter_batch_trips(reinterpret_cast<const uint32_t*>(jobs_buf_.data()), g.base,
                                                   g.count, kind, trips);
            std::copy(trips, trips + rec.num_loop_trips, rec.loop_trips.begin());
          }
        }
    }
  }
  add_residual(dst, planes);
  inter_recorded_ = true;
  stage_end(Stage::kInterPred);
}

}  // namespace daedalus::dispatch::vk
