// SPDX-License-Identifier: MIT
// VP9's normative 1/16-pel interpolation kernels as the int32 table
// inter_pred.comp reads (uploaded once); the numbers live in
// dispatch/vp9/subpel_kernels.h, shared with the CPU backend.
#include <cstdint>

#include "subpel_kernels.h"

namespace daedalus::dispatch::vk {

extern const int32_t kVp9SubpelFilters[4][16][8];
const int32_t kVp9SubpelFilters[4][16][8] = DAEDALUS_VP9_SUBPEL_KERNELS;

}  // namespace daedalus::dispatch::vk
