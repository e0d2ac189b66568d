// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "daedalus/error.h"

namespace daedalus {

// libav* error code to text, e.g. "Invalid data found when processing input".
std::string av_error_text(int err);

}  // namespace daedalus
