// SPDX-License-Identifier: MIT
// What our H.264 decoder decodes: Constrained Baseline, Main and High
// profile streams, progressive frames, 8-bit 4:2:0. Everything else the
// parsers read (so that nothing is misparsed) is refused here, with an
// error that names the feature, when a slice activates it. Slice groups
// and data partitioning never get this far: the PPS parser and
// StreamParser refuse them as they meet them.
#pragma once

#include "slice_header.h"
#include "sps.h"

namespace daedalus::h264 {

// Throws daedalus::Error ("h264: <feature> ... not supported") for the first
// unsupported feature the SPS enables.
void require_supported(const Sps& sps);

// Throws for SP and SI slices (Extended profile).
void require_supported(const SliceHeader& sh);

}  // namespace daedalus::h264
