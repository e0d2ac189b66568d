// SPDX-License-Identifier: MIT
// The compute shaders of shaders/*.comp as SPIR-V words, embedded at build
// time (shaders/embed_spirv.cmake).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace daedalus::shaders {

struct Module {
  const char* name;  // file name without .comp
  const uint32_t* words;
  size_t num_words;
};

std::span<const Module> all_modules();
const Module* find_module(std::string_view name);  // nullptr if absent

}  // namespace daedalus::shaders
