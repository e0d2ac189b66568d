// SPDX-License-Identifier: MIT
// The H.264 rules every backend follows, written once: the checks each
// H.264 stage makes of its input, so that no record can make a stage read
// or write out of bounds. `who` prefixes the message ("cpu backend: h264
// work: ...").
#pragma once

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::dispatch::h264 {

void check_work(const H264FrameWork& work, const char* who);

}  // namespace daedalus::dispatch::h264
