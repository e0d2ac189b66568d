// SPDX-License-Identifier: MIT
#include "daedalus/dispatch/threads.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace daedalus::dispatch {

unsigned threads_from_env(const char* name) {
  if (const char* s = std::getenv(name)) {
    char* end = nullptr;
    const long n = std::strtol(s, &end, 10);
    if (end != s && *end == '\0' && n >= 1 && n <= 16) return static_cast<unsigned>(n);
  }
  return std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
}

}  // namespace daedalus::dispatch
