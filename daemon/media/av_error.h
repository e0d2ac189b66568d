// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace daedalus {

// libav* error code to text, e.g. "Invalid data found when processing
// input", for the messages of daedalus::Error (daedalus/error.h).
std::string av_error_text(int err);

}  // namespace daedalus
