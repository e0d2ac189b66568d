// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>

namespace daedalus {

// Every user-facing failure (missing file, unsupported codec, corrupt
// stream, no Vulkan device) is reported as this exception with a message fit
// for stderr. Callers at the edge (CLI, daemon request loop) turn it into an
// exit code or an ERROR buffer; nothing below them exits the process.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace daedalus
