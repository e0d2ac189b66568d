// SPDX-License-Identifier: MIT
// Instruction counts (valgrind --tool=callgrind) of the CPU part: repeatable
// on a machine shared with other work, where wall times are not. The bench
// re-runs itself under callgrind with instrumentation off, switches it on
// only inside the decode calls / stage calls it measures, and dumps the
// counters after each one; the parent reads the dumps back.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace daedalus::bench {

// In the child (under valgrind): install hooks that toggle instrumentation
// and dump per measured call. Returns false when not running on valgrind.
bool install_callgrind_hooks();

// Pause/resume counting inside a measured call (sink work: md5, NV12 copy).
void callgrind_pause();
void callgrind_resume();
// Dump the counters since the last dump under this label.
void callgrind_dump(const std::string& label);

// In the parent: run `self child_args` under callgrind with dumps into
// dir, then fold them into JSON: per decoder and clip, Ir per frame; for
// daedalus-cpu frames, the inclusive Ir of the CPU backend's stage methods
// (from callgrind_annotate) and the rest as parse + entropy; per synthetic
// stage, Ir.
nlohmann::json run_callgrind(const std::string& self, const std::vector<std::string>& child_args, const std::string& dir);

}  // namespace daedalus::bench
