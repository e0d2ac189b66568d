// SPDX-License-Identifier: MIT
// Factories each backend directory defines.
#pragma once

#include <memory>

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::dispatch {

std::unique_ptr<Backend> create_cpu_backend();
std::unique_ptr<Backend> create_vulkan_backend();

}  // namespace daedalus::dispatch
