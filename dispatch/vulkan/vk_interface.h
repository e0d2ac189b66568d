// SPDX-License-Identifier: MIT
// The C++ side of the host/shader interface (daedalus/shader_interface.h):
// every pipeline the backend creates, with its module, its number of
// storage buffers and its push-constant struct, and each push struct's
// fields as C++ lays them out. The backend creates its pipelines from
// kPipelineSpecs; tests/unit/vulkan/interface_test.cpp compares the same
// table with the SPIR-V of each module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

#include "daedalus/shader_interface.h"

namespace daedalus::dispatch::vk {

// One field of a push-constant struct: offset and size in bytes; a nested
// struct's own fields in members.
struct PushField {
  const char* name;
  const char* type;  // as the SPIR-V reflection of interface_test.cpp names it
  uint32_t offset, size;
  std::span<const PushField> members;
};

template <class T>
struct PushLayout;  // static constexpr PushField fields[]

#define DD_PUSH_ROW(n, type, members) \
  PushField{#n, type, uint32_t(offsetof(S, n)), uint32_t(sizeof(S::n)), members},
#define DD_PUSH_ROW_U(n) DD_PUSH_ROW(n, "uint", {})
#define DD_PUSH_ROW_A(n, k) DD_PUSH_ROW(n, "uint[" #k "]", {})
#define DD_PUSH_ROW_S(T, n) DD_PUSH_ROW(n, "struct " #T, PushLayout<T>::fields)
#define DD_PUSH_LAYOUT(T, FIELDS)                                                        \
  template <>                                                                           \
  struct PushLayout<T> {                                                                \
    using S = T;                                                                        \
    static constexpr PushField fields[] = {FIELDS(DD_PUSH_ROW_U, DD_PUSH_ROW_A, DD_PUSH_ROW_S)}; \
  };
DD_PUSH_LAYOUT(dd_planes, DD_PLANES_FIELDS)
DD_PUSH_LAYOUT(dd_pack_push, DD_PACK_PUSH_FIELDS)
DD_PUSH_LAYOUT(dd_residual_push, DD_RESIDUAL_PUSH_FIELDS)
DD_PUSH_LAYOUT(dd_intra_push, DD_INTRA_PUSH_FIELDS)
DD_PUSH_LAYOUT(dd_add_residual_push, DD_ADD_RESIDUAL_PUSH_FIELDS)
DD_PUSH_LAYOUT(dd_inter_push, DD_INTER_PUSH_FIELDS)
DD_PUSH_LAYOUT(dd_loop_filter_push, DD_LOOP_FILTER_PUSH_FIELDS)
DD_PUSH_LAYOUT(dd_loop_filter_masks_push, DD_LOOP_FILTER_MASKS_PUSH_FIELDS)
DD_PUSH_LAYOUT(dd_h264_push, DD_H264_PUSH_FIELDS)
#undef DD_PUSH_LAYOUT
#undef DD_PUSH_ROW_S
#undef DD_PUSH_ROW_A
#undef DD_PUSH_ROW_U
#undef DD_PUSH_ROW

enum PipelineId {
  kPackNv12, kPackNv12WordsY, kPackNv12WordsUv, kResidual4, kResidual8, kResidual16, kResidual32,
  // inter_pred, one per unit kind, in DD_INTER_KIND_* order
  kInterPredCopy, kInterPredH, kInterPredV, kInterPredHV, kInterPredScaled,
  kAddResidual, kIntraRecon, kLoopFilter, kLoopFilterMasks, kH264Residual, kH264IntraRecon, kH264Deblock, kNumPipelines
};

struct PipelineSpec {
  PipelineId id;
  const char* module;    // embedded SPIR-V module (daedalus/shaders.h)
  uint32_t num_buffers;  // storage buffers at bindings 0 .. num_buffers - 1 of set 0
  uint32_t invocations;  // per workgroup (the shader's local size)
  uint32_t push_size;
  std::span<const PushField> push_fields;
};

template <class T>
constexpr PipelineSpec spec(PipelineId id, const char* module, uint32_t num_buffers, uint32_t invocations) {
  return {id, module, num_buffers, invocations, uint32_t(sizeof(T)), PushLayout<T>::fields};
}

// In PipelineId order. residual.comp is one module per tx size,
// inter_pred.comp one per unit kind and pack_nv12_words.comp one per
// plane, its specialization constant frozen
// and its loops unrolled at build time (shaders/CMakeLists.txt).
inline constexpr PipelineSpec kPipelineSpecs[] = {
    spec<dd_pack_push>(kPackNv12, "pack_nv12", 2, DD_PACK_LANES),
    spec<dd_pack_push>(kPackNv12WordsY, "pack_nv12_words_y", 2, DD_PACK_LANES),
    spec<dd_pack_push>(kPackNv12WordsUv, "pack_nv12_words_uv", 2, DD_PACK_LANES),
    spec<dd_residual_push>(kResidual4, "residual_4x4", 4, DD_RESIDUAL_LANES),
    spec<dd_residual_push>(kResidual8, "residual_8x8", 4, DD_RESIDUAL_LANES),
    spec<dd_residual_push>(kResidual16, "residual_16x16", 4, DD_RESIDUAL_LANES),
    spec<dd_residual_push>(kResidual32, "residual_32x32", 4, DD_RESIDUAL_LANES),
    spec<dd_inter_push>(kInterPredCopy, "inter_pred_copy", 3, DD_INTER_UNITS_PER_GROUP),
    spec<dd_inter_push>(kInterPredH, "inter_pred_h", 4, DD_INTER_UNITS_PER_GROUP),
    spec<dd_inter_push>(kInterPredV, "inter_pred_v", 4, DD_INTER_UNITS_PER_GROUP),
    spec<dd_inter_push>(kInterPredHV, "inter_pred_hv", 4, DD_INTER_UNITS_PER_GROUP),
    spec<dd_inter_push>(kInterPredScaled, "inter_pred_scaled", 4, DD_INTER_UNITS_PER_GROUP),
    spec<dd_add_residual_push>(kAddResidual, "add_residual", 4, DD_ADD_RESIDUAL_LANES),
    spec<dd_intra_push>(kIntraRecon, "intra_recon", 4, DD_INTRA_LANES),
    spec<dd_loop_filter_push>(kLoopFilter, "loop_filter", 3, DD_LOOP_FILTER_LANES),
    spec<dd_loop_filter_masks_push>(kLoopFilterMasks, "loop_filter_masks", 2, DD_LF_MASKS_LANES),
    spec<dd_h264_push>(kH264Residual, "h264_residual", 3, DD_H264_RESIDUAL_LANES),
    spec<dd_h264_push>(kH264IntraRecon, "h264_intra_recon", 4, DD_H264_INTRA_LANES),
    spec<dd_h264_push>(kH264Deblock, "h264_deblock", 3, DD_H264_DEBLOCK_LANES),
};
static_assert(std::size(kPipelineSpecs) == kNumPipelines);
static_assert(kInterPredScaled - kInterPredCopy == DD_INTER_KIND_SCALED && kInterPredHV - kInterPredCopy == DD_INTER_KIND_HV &&
              kInterPredV - kInterPredCopy == DD_INTER_KIND_V && kInterPredH - kInterPredCopy == DD_INTER_KIND_H);
static_assert([] {
  for (size_t i = 0; i < std::size(kPipelineSpecs); ++i)
    if (kPipelineSpecs[i].id != PipelineId(i)) return false;
  return true;
}());

}  // namespace daedalus::dispatch::vk
