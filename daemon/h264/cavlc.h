// SPDX-License-Identifier: MIT
// CAVLC residual blocks (7.3.5.3.2 residual_block_cavlc, 9.2): the
// coeff_token, level, total_zeros and run_before codes of Tables 9-5 to
// 9-10, read from the slice data.
#pragma once

#include <cstdint>

#include "rbsp_reader.h"

namespace daedalus::h264 {

// One residual_block_cavlc(coeffLevel, startIdx, endIdx, maxNumCoeff):
// coeffLevel[0 .. maxNumCoeff-1] (scan order) receives the levels, the
// return value is TotalCoeff( coeff_token ). nC is 9.2.1's (-1 for 4:2:0
// chroma DC). Corrupt codes throw daedalus::Error ("h264: slice data: ...").
int read_residual_block_cavlc(RbspReader& r, int nC, int start_idx, int end_idx, int max_num_coeff,
                              int32_t* coeff_level);

}  // namespace daedalus::h264
