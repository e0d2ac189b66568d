// SPDX-License-Identifier: MIT
// Factories each backend directory defines.
#pragma once

#include <memory>

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::dispatch {

// threads: see BackendOptions::cpu_threads (0: the environment or the default).
std::unique_ptr<Backend> create_cpu_backend(unsigned threads = 0);
std::unique_ptr<Backend> create_vulkan_backend();

}  // namespace daedalus::dispatch
