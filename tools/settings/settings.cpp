// SPDX-License-Identifier: MIT
#include "settings.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "daedalus/error.h"

namespace daedalus::settings {

namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

void set_switch(const char* name, bool& out) {
  if (const char* v = env(name)) out = std::strcmp(v, "0") != 0;
}

// Stores `v` in `out` and returns true when it is a whole number in
// [lo, hi]; false when out of range; throws when it is no whole number.
bool parse_count(const char* name, const char* v, unsigned long lo, unsigned long hi, unsigned& out) {
  char* end = nullptr;
  const unsigned long n = std::strtoul(v, &end, 10);
  if (end == v || *end != '\0' || v[0] == '-')
    throw Error(fmt::format("settings: {}={}: expected a whole number", name, v));
  if (n < lo || n > hi) return false;
  out = unsigned(n);
  return true;
}

void set_threads(const char* name, unsigned& out) {
  if (const char* v = env(name)) parse_count(name, v, 1, 16, out);
}

}  // namespace

DecoderSettings from_environment(DecoderSettings s) {
  set_threads("DAEDALUS_CPU_THREADS", s.backend.cpu_threads);
  set_threads("DAEDALUS_ENTROPY_THREADS", s.entropy_threads);
  dispatch::VulkanOptions& vk = s.backend.vulkan;
  set_switch("DAEDALUS_VK_VALIDATION", vk.validation);
  if (const char* v = env("DAEDALUS_VK_DEVICE")) vk.device_name = v;
  set_switch("DAEDALUS_VK_NO_DMABUF_IMPORT", vk.no_dmabuf_import);
  set_switch("DAEDALUS_VK_PIPELINE_LOG", vk.pipeline_log);
  vk.pipeline_stats = vk.pipeline_stats || vk.pipeline_log;
  set_switch("DAEDALUS_VK_STATS", vk.frame_stats);
  set_switch("DAEDALUS_VK_COUNT_LOOP_TRIPS", vk.count_loop_trips);
  if (const char* v = env("DAEDALUS_VK_INTRA_CHAIN"))
    if (unsigned n = 0; parse_count("DAEDALUS_VK_INTRA_CHAIN", v, 0, 1000000, n)) vk.intra_chain_max_groups = n;
  return s;
}

void add_flags(CLI::App& app, DecoderSettings& s) {
  const std::string group = "Decoder settings (also DAEDALUS_* environment variables, which flags override)";
  dispatch::VulkanOptions& vk = s.backend.vulkan;
  app.add_option("--cpu-threads", s.backend.cpu_threads, "CPU backend stage threads (DAEDALUS_CPU_THREADS)")
      ->check(CLI::Range(1, 16))
      ->group(group);
  app.add_option("--entropy-threads", s.entropy_threads,
                 "VP9 tile columns entropy-decoded at once (DAEDALUS_ENTROPY_THREADS)")
      ->check(CLI::Range(1, 16))
      ->group(group);
  app.add_flag("--vk-validation", vk.validation,
               "Vulkan: Khronos validation and synchronization validation (DAEDALUS_VK_VALIDATION)")
      ->group(group);
  app.add_option("--vk-device", vk.device_name, "Vulkan: the device whose name contains this (DAEDALUS_VK_DEVICE)")
      ->group(group);
  app.add_flag("--vk-no-dmabuf-import", vk.no_dmabuf_import,
               "Vulkan: copy dmabufs instead of importing them (DAEDALUS_VK_NO_DMABUF_IMPORT)")
      ->group(group);
  app.add_flag_callback(
         "--vk-pipeline-log", [&vk] { vk.pipeline_log = vk.pipeline_stats = true; },
         "Vulkan: frame each pipeline creation on stderr, with the driver's statistics (DAEDALUS_VK_PIPELINE_LOG)")
      ->group(group);
  app.add_flag("--vk-stats", vk.frame_stats, "Vulkan: per-frame dispatch and barrier counts on stderr (DAEDALUS_VK_STATS)")
      ->group(group);
  app.add_flag("--vk-count-loop-trips", vk.count_loop_trips,
               "Vulkan: count the loop iterations of each dispatch for bench/pi5_model.py, at a host CPU cost "
               "(DAEDALUS_VK_COUNT_LOOP_TRIPS)")
      ->group(group);
  app.add_option("--vk-intra-chain", vk.intra_chain_max_groups,
                 "Vulkan: chain intra levels of at most N workgroups, 0: none (DAEDALUS_VK_INTRA_CHAIN)")
      ->check(CLI::Range(0, 1000000))
      ->group(group);
}

}  // namespace daedalus::settings
