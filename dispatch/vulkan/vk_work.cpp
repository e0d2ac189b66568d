// SPDX-License-Identifier: MIT
#include "vk_work.h"

#include <cstddef>

#include "work_checks.h"

namespace daedalus::dispatch::vk {

void validate_work(const FrameWork& work) { vp9::check_work(work, "vulkan backend"); }

// The shaders read dd_tx_block and dd_lf_unit as 32-bit words, each field
// at the (word, shift, bits) of work_shared.h: those must be where the C
// records put them (little-endian, like the Pi 5 and its GPU).
namespace {
constexpr bool field_at(size_t offset, size_t size, uint32_t word, uint32_t shift, uint32_t bits) {
  return offset == word * 4 + shift / 8 && shift % 8 == 0 && size * 8 == bits;
}
}  // namespace
#define DD_CHECK_FIELD(record, member, POS) \
  static_assert(field_at(offsetof(record, member), sizeof(record::member), POS), #record "." #member " vs " #POS)
static_assert(sizeof(dd_tx_block) == DD_TX_BLOCK_WORDS * 4);
DD_CHECK_FIELD(dd_tx_block, x, DD_TXB_X);
DD_CHECK_FIELD(dd_tx_block, y, DD_TXB_Y);
DD_CHECK_FIELD(dd_tx_block, plane, DD_TXB_PLANE);
DD_CHECK_FIELD(dd_tx_block, tx_size, DD_TXB_TX_SIZE);
DD_CHECK_FIELD(dd_tx_block, tx_type, DD_TXB_TX_TYPE);
DD_CHECK_FIELD(dd_tx_block, mode, DD_TXB_MODE);
DD_CHECK_FIELD(dd_tx_block, eob, DD_TXB_EOB);
DD_CHECK_FIELD(dd_tx_block, flags, DD_TXB_FLAGS);
DD_CHECK_FIELD(dd_tx_block, coeff_offset, DD_TXB_COEFF_OFFSET);
static_assert(sizeof(dd_lf_unit) == 4);
DD_CHECK_FIELD(dd_lf_unit, level, DD_LFU_LEVEL);
DD_CHECK_FIELD(dd_lf_unit, left_size, DD_LFU_LEFT_SIZE);
DD_CHECK_FIELD(dd_lf_unit, top_size, DD_LFU_TOP_SIZE);
#undef DD_CHECK_FIELD

TxPlan plan_tx(const FrameWork& work, uint32_t chain_max_groups, IntraGrids* grids) {
  TxPlan plan;
  plan_residual(work, plan);
  plan_add_residual(work, plan);
  IntraGrids own;
  plan_intra(work, chain_max_groups, plan, grids ? *grids : own);
  return plan;
}

}  // namespace daedalus::dispatch::vk
