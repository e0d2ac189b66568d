// SPDX-License-Identifier: MIT
#include "daedalus/dispatch/threads.h"

#include <algorithm>
#include <thread>

namespace daedalus::dispatch {

unsigned default_threads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 4u); }

}  // namespace daedalus::dispatch
