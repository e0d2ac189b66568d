// SPDX-License-Identifier: MIT
// The decoder libraries' settings as top-level programs take them (the
// tools, the daemon's main, bench, the test programs): the libraries read
// no environment, they get options structs (dispatch::BackendOptions, a
// decoder's entropy threads). A program starts from from_environment() and
// lets its flags (add_flags) override what the environment said.
#pragma once

#include "daedalus/dispatch/dispatch.h"

namespace CLI {
class App;
}

namespace daedalus::settings {

struct DecoderSettings {
  dispatch::BackendOptions backend;
  unsigned entropy_threads = 0;  // VP9 tile-column threads; 0: the decoder's default
};

// `base` with what these variables set (unset ones leave it as it is; a
// switch is on unless empty or "0"; a count outside 1..16 is ignored):
//   DAEDALUS_CPU_THREADS=N          backend.cpu_threads
//   DAEDALUS_ENTROPY_THREADS=N      entropy_threads
//   DAEDALUS_VK_VALIDATION=0|1      backend.vulkan.validation
//   DAEDALUS_VK_DEVICE=substring    backend.vulkan.device_name
//   DAEDALUS_VK_NO_DMABUF_IMPORT=1  backend.vulkan.no_dmabuf_import
//   DAEDALUS_VK_PIPELINE_LOG=1      backend.vulkan.pipeline_log and .pipeline_stats
//   DAEDALUS_VK_STATS=1             backend.vulkan.frame_stats
//   DAEDALUS_VK_COUNT_LOOP_TRIPS=1  backend.vulkan.count_loop_trips
//   DAEDALUS_VK_INTRA_CHAIN=N       backend.vulkan.intra_chain_max_groups (0..1000000)
// Throws daedalus::Error for a malformed number.
DecoderSettings from_environment(DecoderSettings base = {});
inline dispatch::BackendOptions backend_options_from_environment() { return from_environment().backend; }

// The same settings as flags of `app`, written into `s` when given:
// --cpu-threads, --entropy-threads, --vk-validation, --vk-device,
// --vk-no-dmabuf-import, --vk-pipeline-log, --vk-stats, --vk-count-loop-trips,
// --vk-intra-chain.
void add_flags(CLI::App& app, DecoderSettings& s);

}  // namespace daedalus::settings
