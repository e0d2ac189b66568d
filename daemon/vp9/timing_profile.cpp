// SPDX-License-Identifier: MIT
#include "timing_profile.h"

#include <string>
#include <utility>

namespace daedalus::vp9 {

media::Profile timing_profile(const DecoderTiming& before, const DecoderTiming& after) {
  media::Profile p;
  p.emplace_back("parse", after.parse_ms - before.parse_ms);
  p.emplace_back("entropy", after.entropy_ms - before.entropy_ms);
  for (int s = 0; s < static_cast<int>(dispatch::Stage::kCount); ++s) {
    const auto name = std::string(dispatch::stage_name(static_cast<dispatch::Stage>(s)));
    p.emplace_back(name, after.stage_cpu_ms[s] - before.stage_cpu_ms[s]);
    const double gpu = after.stage_gpu_ms[s] - before.stage_gpu_ms[s];
    if (gpu > 0) p.emplace_back(name + ".gpu", gpu);
  }
  // Outside the stages: what the stage columns leave out of "total".
  const std::pair<const char*, double> frame[] = {{"frame.begin", after.begin_ms - before.begin_ms},
                                                  {"frame.wait", after.wait_ms - before.wait_ms},
                                                  {"frame.gpu_span", after.gpu_span_ms - before.gpu_span_ms},
                                                  {"frame.finish", after.finish_ms - before.finish_ms},
                                                  {"frame.nv12_copy", after.nv12_copy_ms - before.nv12_copy_ms},
                                                  {"frame.surface", after.surface_ms - before.surface_ms}};
  for (const auto& [name, ms] : frame)
    if (ms > 0) p.emplace_back(name, ms);
  // CPU time, every decoder thread (FrameCore's cpu_* fields).
  p.emplace_back("cpu.parse_entropy", after.cpu_parse_entropy_ms - before.cpu_parse_entropy_ms);
  p.emplace_back("cpu.begin", after.cpu_begin_ms - before.cpu_begin_ms);
  p.emplace_back("cpu.recon", after.cpu_recon_ms - before.cpu_recon_ms);
  return p;
}

}  // namespace daedalus::vp9
