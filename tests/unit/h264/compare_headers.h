// SPDX-License-Identifier: MIT
// Our parsed SPS / PPS / slice header against libavcodec's trace of the
// same NAL unit, syntax element by syntax element. An element the trace
// has is compared with our field; one it lacks must hold the value the
// spec infers. Every element of the trace must be taken, so that a field we
// skip is a failure too.
#pragma once

#include "nal_unit.h"
#include "pps.h"
#include "slice_header.h"
#include "sps.h"
#include "trace_headers.h"

namespace daedalus::h264::test {

void compare_sps(TraceUnit& t, const NalUnit& nal, const Sps& sps);
void compare_pps(TraceUnit& t, const NalUnit& nal, const Pps& pps);
void compare_slice_header(TraceUnit& t, const NalUnit& nal, const SliceHeader& sh);

// The scaling list that scaling_list() with these delta_scale values codes
// (7.3.2.1.1.1), in zig-zag order; empty when it selects the default list.
std::vector<int> scaling_list_from_deltas(const std::vector<int>& deltas, size_t size);

}  // namespace daedalus::h264::test
