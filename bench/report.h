// SPDX-License-Identifier: MIT
// JSON (schema "daedalus-bench/1", documented in docs/performance.md) and
// the text summary table.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "decoder_runs.h"
#include "stage_bench.h"

namespace daedalus::bench {

struct ClipResult {
  Clip clip;  // packets dropped after the runs
  std::vector<RunResult> runs;  // runs[0] is the reference (libavcodec-1t)
};

// What a FrameDecoder::last_profile() entry name stands for. Our decoder
// names its entries "parse", "entropy", the stage names ("residual",
// "inter_pred", ...), "<stage>.gpu" for device time and "submit" for
// submission + wait, "cpu.<part>" for CPU time of all its threads (not
// wall time: outside the wall-time breakdown); other spellings are matched
// loosely.
enum class ProfileKind { kParse, kEntropy, kStageCpu, kStageGpu, kSubmit, kCpuTime, kOther };
ProfileKind classify_profile(const std::string& name, int* stage);

nlohmann::json clip_json(const ClipResult& c);
nlohmann::json stage_bench_json(const std::vector<StageBenchResult>& r);
nlohmann::json machine_json();

std::string summary_table(const nlohmann::json& report);

}  // namespace daedalus::bench
