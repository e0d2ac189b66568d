// SPDX-License-Identifier: MIT
// Factories each backend directory defines.
#pragma once

#include <memory>

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::dispatch {

// threads: see BackendOptions::cpu_threads (0: default_threads()).
std::unique_ptr<Backend> create_cpu_backend(unsigned threads = 0);
std::unique_ptr<Backend> create_vulkan_backend(const VulkanOptions& options = {});

}  // namespace daedalus::dispatch
