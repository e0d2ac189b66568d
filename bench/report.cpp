// SPDX-License-Identifier: MIT
#include "report.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <thread>

#include <fmt/format.h>

namespace daedalus::bench {

using nlohmann::json;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

json stage_object(const std::array<double, kNumStages>& v, bool gpu) {
  json o = json::object();
  for (int s = 0; s < kNumStages; ++s) {
    const std::string name(dispatch::stage_name(static_cast<dispatch::Stage>(s)));
    o[name] = gpu && v[s] < 0 ? json(nullptr) : json(v[s]);
  }
  return o;
}

}  // namespace

ProfileKind classify_profile(const std::string& raw, int* stage) {
  const std::string n = lower(raw);
  *stage = -1;
  if (n.rfind("cpu.", 0) == 0) return ProfileKind::kCpuTime;
  for (int s = 0; s < kNumStages; ++s) {
    if (n.find(dispatch::stage_name(static_cast<dispatch::Stage>(s))) != std::string::npos) *stage = s;
  }
  const bool gpu = n.find("gpu") != std::string::npos;
  if (*stage >= 0) return gpu ? ProfileKind::kStageGpu : ProfileKind::kStageCpu;
  if (n.find("submit") != std::string::npos || n.find("end_frame") != std::string::npos ||
      n.find("wait") != std::string::npos || n.find("fence") != std::string::npos)
    return ProfileKind::kSubmit;
  if (n.find("parse") != std::string::npos || n.find("header") != std::string::npos) return ProfileKind::kParse;
  if (n.find("entropy") != std::string::npos || n.find("tile") != std::string::npos) return ProfileKind::kEntropy;
  return ProfileKind::kOther;
}

// Host CPU per frame (every decoder thread, FrameRecord::decoder_cpu_ms)
// against the reference's on the same packets, over the whole run and over
// its inter packets; for our decoder also its CPU part: parse + entropy +
// the work description ("cpu.parse_entropy") and the backend taking it in
// ("cpu.begin": planning, putting it where the stages read it).
json host_cpu_json(const RunResult& r, const RunResult& ref) {
  constexpr double kHostTarget = 0.30, kCpuPartTarget = 0.25;
  double all = 0, inter = 0, ref_all = 0, ref_inter = 0, part_all = 0, part_inter = 0;
  size_t n_all = 0, n_inter = 0;
  bool has_part = false;
  for (size_t i = 0; i < r.frames.size() && i < ref.frames.size(); ++i) {
    const FrameRecord& f = r.frames[i];
    double part = 0;
    for (const auto& [name, ms] : f.profile)
      if (name == "cpu.parse_entropy" || name == "cpu.begin") part += ms, has_part = true;
    all += f.decoder_cpu_ms;
    ref_all += ref.frames[i].decoder_cpu_ms;
    part_all += part;
    ++n_all;
    if (!f.key) {
      inter += f.decoder_cpu_ms;
      ref_inter += ref.frames[i].decoder_cpu_ms;
      part_inter += part;
      ++n_inter;
    }
  }
  auto ratio = [](double a, double b) { return b > 0 ? json(a / b) : json(nullptr); };
  auto per = [](double a, size_t n) { return n ? json(a / static_cast<double>(n)) : json(nullptr); };
  json j;
  j["measured_as"] = r.spec.decoder == "daedalus"
                         ? "CPU time of the calling thread and of daedalus's own worker threads (not the Vulkan driver's)"
                         : "CPU time of the whole process (the decoder's threads are the only ones at work)";
  j["packets"] = n_all;
  j["inter_packets"] = n_inter;
  j["ms_per_packet"] = per(all, n_all);
  j["inter_ms_per_packet"] = per(inter, n_inter);
  j["ratio_vs_reference"] = ratio(all, ref_all);
  j["inter_ratio_vs_reference"] = ratio(inter, ref_inter);
  if (r.spec.decoder != "daedalus") return j;
  j["target_ratio"] = kHostTarget;
  j["target_met"] = ref_all > 0 && all / ref_all <= kHostTarget && (n_inter == 0 || inter / ref_inter <= kHostTarget);
  if (has_part) {
    j["cpu_part_ms_per_packet"] = per(part_all, n_all);
    j["cpu_part_inter_ms_per_packet"] = per(part_inter, n_inter);
    j["cpu_part_ratio_vs_reference"] = ratio(part_all, ref_all);
    j["cpu_part_inter_ratio_vs_reference"] = ratio(part_inter, ref_inter);
    j["cpu_part_target_ratio"] = kCpuPartTarget;
    j["cpu_part_target_met"] = ref_all > 0 && part_all / ref_all <= kCpuPartTarget &&
                               (n_inter == 0 || part_inter / ref_inter <= kCpuPartTarget);
  }
  return j;
}

json clip_json(const ClipResult& c) {
  json j;
  j["name"] = c.clip.name;
  j["path"] = c.clip.path;
  j["codec"] = std::string(media::codec_name(c.clip.codec));
  j["width"] = c.clip.width;
  j["height"] = c.clip.height;
  j["packets"] = c.runs.empty() ? 0 : c.runs[0].frames.size();
  size_t bytes = 0;
  for (const auto& f : c.runs.empty() ? std::vector<FrameRecord>{} : c.runs[0].frames) bytes += f.bytes;
  j["bytes"] = bytes;
  const std::vector<std::string>* ref = c.runs.empty() ? nullptr : &c.runs[0].md5;
  const double ref_ms = c.runs.empty() ? 0 : c.runs[0].total_ms;
  j["reference"] = c.runs.empty() ? "" : c.runs[0].spec.id;
  j["runs"] = json::array();
  for (const auto& r : c.runs) {
    json jr;
    jr["id"] = r.spec.id;
    jr["decoder"] = r.spec.decoder;
    jr["variant"] = r.spec.variant;
    jr["threads"] = r.spec.threads;
    jr["backend"] = r.spec.backend.empty() ? json(nullptr) : json(r.spec.backend);
    jr["available"] = r.available;
    jr["error"] = r.error.empty() ? json(nullptr) : json(r.error);
    jr["failed_packets"] = r.failed_packets;
    if (!r.available) {
      j["runs"].push_back(jr);
      continue;
    }
    const size_t shown = r.md5.size();
    jr["frames_shown"] = shown;
    jr["total_ms"] = r.total_ms;
    jr["ms_per_frame"] = shown ? r.total_ms / static_cast<double>(shown) : 0.0;
    jr["fps"] = r.total_ms > 0 ? static_cast<double>(shown) * 1000.0 / r.total_ms : 0.0;
    // A run limited to the first packets is compared with the reference's
    // time on those same packets.
    const bool partial = r.frames.size() < c.clip.packets.size() && !c.runs.empty() && &r != &c.runs[0];
    double ref_same_ms = ref_ms;
    if (partial) {
      ref_same_ms = 0;
      for (size_t i = 0; i < r.frames.size() && i < c.runs[0].frames.size(); ++i) ref_same_ms += c.runs[0].frames[i].wall_ms;
    }
    double ref_same_cpu_ms = 0;
    for (size_t i = 0; i < r.frames.size() && !c.runs.empty() && i < c.runs[0].frames.size(); ++i)
      ref_same_cpu_ms += c.runs[0].frames[i].thread_cpu_ms;
    jr["packets_run"] = r.frames.size();
    jr["thread_cpu_ms"] = r.total_thread_cpu_ms;
    // CPU time of the decoding thread: robust against other load for
    // decoders that decode on that thread (the 1-thread runs, daedalus-cpu);
    // meaningless for multi-threaded ones and for Vulkan (lavapipe threads).
    const bool single_thread = r.spec.threads == 1 && r.spec.backend != "vulkan";
    jr["thread_cpu_ratio_vs_reference"] =
        single_thread && ref_same_cpu_ms > 0 ? json(r.total_thread_cpu_ms / ref_same_cpu_ms) : json(nullptr);
    jr["time_ratio_vs_reference"] = ref_same_ms > 0 ? r.total_ms / ref_same_ms : 0.0;

    // Per frame (decode call), with the profile broken down.
    json frames = json::array();
    double parse_sum = 0, entropy_sum = 0, submit_sum = 0, cpu_part_thread_ms = 0;
    std::array<double, kNumStages> cpu_sum{}, gpu_sum{};
    std::array<bool, kNumStages> has_gpu{};
    bool has_profile = false;
    for (size_t i = 0; i < r.frames.size(); ++i) {
      const auto& f = r.frames[i];
      json jf;
      jf["index"] = i;
      jf["bytes"] = f.bytes;
      jf["wall_ms"] = f.wall_ms;
      jf["thread_cpu_ms"] = f.thread_cpu_ms;
      jf["decoder_cpu_ms"] = f.decoder_cpu_ms;
      jf["key"] = f.key;
      jf["shown"] = f.shown;
      if (!f.dispatches.empty()) {
        json d = json::object();
        for (const auto& t : f.dispatches) {
          d[t.pipeline] = {{"dispatches", t.dispatches}, {"groups", t.groups}, {"batch_steps", t.batch_steps}};
          if (!t.loop_trips.empty()) d[t.pipeline]["loop_trips"] = t.loop_trips;
        }
        jf["dispatches"] = d;
        jf["dispatch_levels"] = f.dispatch_levels;
      }
      if (!f.profile.empty()) {
        has_profile = true;
        json prof = json::object();
        double parse = 0, entropy = 0, submit = 0;
        std::array<double, kNumStages> cpu{}, gpu{};
        gpu.fill(-1);
        for (const auto& [name, ms] : f.profile) {
          prof[name] = ms;
          int s;
          switch (classify_profile(name, &s)) {
            case ProfileKind::kParse: parse += ms; break;
            case ProfileKind::kEntropy: entropy += ms; break;
            case ProfileKind::kStageCpu: cpu[s] += ms; break;
            case ProfileKind::kStageGpu:
              if (ms >= 0) gpu[s] = std::max(gpu[s], 0.0) + ms, has_gpu[s] = true;
              break;
            case ProfileKind::kSubmit: submit += ms; break;
            case ProfileKind::kCpuTime:
            case ProfileKind::kOther: break;
          }
        }
        jf["profile_ms"] = prof;
        jf["parse_ms"] = parse;
        jf["entropy_ms"] = entropy;
        jf["parse_entropy_ms"] = parse + entropy;
        jf["stage_cpu_ms"] = stage_object(cpu, false);
        jf["stage_gpu_ms"] = stage_object(gpu, true);
        // Deferred backends: what the decode call spent that is neither
        // the CPU part, nor recording the stages, nor device time is
        // submission, fence wait latency and readback (unless the decoder
        // reports "submit" itself).
        double gpu_total = 0;
        bool any_gpu = false;
        for (double g : gpu)
          if (g >= 0) gpu_total += g, any_gpu = true;
        if (submit == 0 && any_gpu) {
          double cpu_total = 0;
          for (double c : cpu) cpu_total += c;
          submit = std::max(0.0, f.wall_ms - parse - entropy - cpu_total - gpu_total);
        }
        jf["submit_ms"] = submit;
        parse_sum += parse;
        entropy_sum += entropy;
        // The profile is wall time; scale it by the frame's CPU/wall share
        // to estimate the CPU part's CPU time (same contention assumed
        // over the whole call).
        if (f.wall_ms > 0) cpu_part_thread_ms += (parse + entropy) * std::min(1.0, f.thread_cpu_ms / f.wall_ms);
        submit_sum += submit;
        for (int s = 0; s < kNumStages; ++s) {
          cpu_sum[s] += cpu[s];
          if (gpu[s] > 0) gpu_sum[s] += gpu[s];
        }
      }
      frames.push_back(jf);
    }
    jr["frames"] = frames;
    jr["decoder_cpu_ms"] = r.total_decoder_cpu_ms;
    jr["timed"] = r.end_to_end ? "end to end (output converted after the clip)" : "per decode call";
    if (!c.runs.empty()) jr["host_cpu"] = host_cpu_json(r, c.runs[0]);

    if (has_profile && shown) {
      const double n = static_cast<double>(shown);
      json prof;
      prof["parse_entropy_ms_per_frame"] = (parse_sum + entropy_sum) / n;
      prof["parse_ms_per_frame"] = parse_sum / n;
      prof["entropy_ms_per_frame"] = entropy_sum / n;
      prof["submit_ms_per_frame"] = submit_sum / n;
      std::array<double, kNumStages> cpu_mean{}, gpu_mean{};
      for (int s = 0; s < kNumStages; ++s) {
        cpu_mean[s] = cpu_sum[s] / n;
        gpu_mean[s] = has_gpu[s] ? gpu_sum[s] / n : -1;
      }
      prof["stage_cpu_ms_per_frame"] = stage_object(cpu_mean, false);
      prof["stage_gpu_ms_per_frame"] = stage_object(gpu_mean, true);
      // The headline target: the CPU part of our decoder (what stays on the
      // Pi's CPU) against libavcodec's whole single-threaded decode.
      const double cpu_part_ratio = ref_same_ms > 0 ? (parse_sum + entropy_sum) / ref_same_ms : 0.0;
      prof["cpu_part_ratio_vs_reference"] = cpu_part_ratio;
      prof["cpu_part_target_ratio"] = 0.40;
      prof["cpu_part_thread_cpu_ratio_vs_reference"] =
          ref_same_cpu_ms > 0 ? json(cpu_part_thread_ms / ref_same_cpu_ms) : json(nullptr);
      // Judged on CPU time where it is meaningful (everything on the
      // calling thread), else on wall time.
      const bool use_cpu = r.spec.backend != "vulkan" && ref_same_cpu_ms > 0;
      const double judged = use_cpu ? cpu_part_thread_ms / ref_same_cpu_ms : cpu_part_ratio;
      prof["cpu_part_judged_on"] = use_cpu ? "thread_cpu" : "wall";
      prof["cpu_part_target_met"] = judged > 0 && judged <= 0.40;
      jr["profile_summary"] = prof;
    }

    // Bit-exactness, frame by frame, against the reference run's md5s.
    json md5 = json::array();
    long matched = 0, checked = 0;
    // Partial runs are judged on the frames they decoded; a decoder that
    // stops early on a full run has its missing frames counted.
    const size_t n = partial ? shown : std::max(shown, ref ? ref->size() : 0);
    for (size_t i = 0; i < n; ++i) {
      json m;
      m["frame"] = i;
      const bool have = i < shown, have_ref = ref && i < ref->size();
      m["md5"] = have ? json(r.md5[i]) : json(nullptr);
      std::string verdict;
      if (&r == &c.runs[0]) verdict = "reference";
      else if (!have) verdict = "missing";
      else if (!have_ref) verdict = "extra";
      else verdict = r.md5[i] == (*ref)[i] ? "match" : "mismatch";
      if (verdict != "reference") {
        ++checked;
        if (verdict == "match") ++matched;
      }
      m["verdict"] = verdict;
      md5.push_back(m);
    }
    jr["md5"] = md5;
    jr["bitexact"] = {{"checked", checked}, {"matched", matched},
                      {"all_match", &r == &c.runs[0] || (checked > 0 && matched == checked)}};
    j["runs"].push_back(jr);
  }
  return j;
}

json stage_bench_json(const std::vector<StageBenchResult>& results) {
  json arr = json::array();
  std::string cpu_md5[2];
  for (const auto& r : results)
    if (r.backend == "cpu" && r.available) cpu_md5[r.frame_kind == "intra" ? 0 : 1] = r.md5;
  for (const auto& r : results) {
    json j;
    j["backend"] = r.backend;
    j["frame_kind"] = r.frame_kind;
    j["available"] = r.available;
    j["error"] = r.error.empty() ? json(nullptr) : json(r.error);
    if (r.available) {
      j["device"] = r.device;
      j["blocks"] = r.num_blocks;
      j["tx_blocks"] = r.num_tx_blocks;
      j["coeffs"] = r.num_coeffs;
      if (!r.vulkan_plan.empty()) {
        json vp;
        for (const auto& [k, v] : r.vulkan_plan) vp[k] = v;
        j["vulkan_plan"] = vp;
      }
      j["iterations"] = r.samples.size();
      j["call_ms"] = stage_object(r.best.call_ms, false);
      j["stage_cpu_ms"] = stage_object(r.best.cpu_ms, false);
      j["stage_gpu_ms"] = stage_object(r.best.gpu_ms, true);
      j["begin_frame_ms"] = r.best.begin_ms;
      j["end_frame_ms"] = r.best.end_frame_ms;
      double gpu_total = 0;
      bool any_gpu = false;
      for (double g : r.best.gpu_ms)
        if (g >= 0) gpu_total += g, any_gpu = true;
      j["gpu_total_ms"] = any_gpu ? json(gpu_total) : json(nullptr);
      // Host time of a frame that is not device time: recording, descriptor
      // updates, upload, submit and fence wait latency.
      j["submit_overhead_ms"] = any_gpu ? json(std::max(0.0, r.best.total_ms - gpu_total)) : json(nullptr);
      j["frame_ms"] = r.best.total_ms;
      j["fps"] = r.best.total_ms > 0 ? 1000.0 / r.best.total_ms : 0.0;
      j["md5"] = r.md5;
      const std::string& ref = cpu_md5[r.frame_kind == "intra" ? 0 : 1];
      j["bitexact_vs_cpu"] = ref.empty() ? json(nullptr) : json(ref == r.md5);
    }
    arr.push_back(j);
  }
  return arr;
}

json machine_json() {
  json m;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      m["cpu"] = line.substr(line.find(':') + 2);
      break;
    }
  }
  m["threads"] = std::thread::hardware_concurrency();
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  m["date"] = buf;
  return m;
}

std::string summary_table(const json& rep) {
  std::string s;
  for (const auto& c : rep["clips"]) {
    s += fmt::format("\n{} ({}x{}, {} packets, {:.0f} kbit/s at 30 fps)\n", c["name"].get<std::string>(),
                     c["width"].get<int>(), c["height"].get<int>(), c["packets"].get<size_t>(),
                     c["packets"].get<size_t>() ? c["bytes"].get<double>() * 8 * 30 / c["packets"].get<double>() / 1000 : 0.0);
    s += fmt::format("  {:<25} {:>9} {:>8} {:>10} {:>17} {:>17} {:>11}  {}\n", "decoder", "ms/frame", "fps",
                     "x ref time", "host cpu x ref", "cpu part x ref", "bit-exact", "note");
    for (const auto& r : c["runs"]) {
      const std::string id = r["id"];
      if (!r["available"].get<bool>()) {
        s += fmt::format("  {:<25} {:>9} {:>8} {:>10} {:>17} {:>17} {:>11}  unavailable: {}\n", id, "-", "-", "-", "-", "-",
                         "-", r["error"].is_null() ? "" : r["error"].get<std::string>());
        continue;
      }
      // "all/inter" ratios, with the verdict against the target where set.
      auto cell = [&](const char* all_key, const char* inter_key, const char* met_key) -> std::string {
        if (!r.contains("host_cpu")) return "-";
        const auto& h = r["host_cpu"];
        if (!h.contains(all_key) || h[all_key].is_null()) return "-";
        std::string v = fmt::format("{:.2f}", h[all_key].get<double>());
        v += h[inter_key].is_null() ? "/-" : fmt::format("/{:.2f}", h[inter_key].get<double>());
        if (h.contains(met_key)) v += h[met_key].get<bool>() ? " ok" : " MISS";
        return v;
      };
      const auto& be = r["bitexact"];
      std::string exact = id == c["reference"].get<std::string>()
                              ? "reference"
                              : fmt::format("{}/{}", be["matched"].get<long>(), be["checked"].get<long>());
      std::string note = r["error"].is_null() ? "" : r["error"].get<std::string>();
      if (r.value("timed", "").rfind("end to end", 0) == 0) note = note.empty() ? "timed end to end" : note;
      s += fmt::format("  {:<25} {:>9.2f} {:>8.1f} {:>10.2f} {:>17} {:>17} {:>11}  {}\n", id,
                       r["ms_per_frame"].get<double>(), r["fps"].get<double>(),
                       r["time_ratio_vs_reference"].get<double>(),
                       cell("ratio_vs_reference", "inter_ratio_vs_reference", "target_met"),
                       cell("cpu_part_ratio_vs_reference", "cpu_part_inter_ratio_vs_reference", "cpu_part_target_met"),
                       exact, note);
    }
  }
  s += "\n  host cpu: CPU time of every thread the decoder runs (ours: not the Vulkan driver's), all packets/inter\n"
       "  packets, against libavcodec-1t's on the same packets; target <= 0.30. cpu part: parse + entropy + the work\n"
       "  description + the backend taking it in (CPU time); target <= 0.25.\n";
  if (rep.contains("stage_bench")) {
    s += fmt::format("\nstages on synthetic {} work (best of N, ms; gpu = timestamp queries)\n", rep["settings"]["stage_size"].get<std::string>());
    s += fmt::format("  {:<14}", "backend/frame");
    for (int i = 0; i < kNumStages; ++i) s += fmt::format(" {:>12}", dispatch::stage_name(static_cast<dispatch::Stage>(i)));
    s += fmt::format(" {:>9} {:>9} {:>9}  {}\n", "end_frame", "frame", "overhead", "bit-exact vs cpu");
    for (const auto& r : rep["stage_bench"]) {
      const std::string label = r["backend"].get<std::string>() + "/" + r["frame_kind"].get<std::string>();
      if (!r["available"].get<bool>()) {
        s += fmt::format("  {:<14} unavailable: {}\n", label, r["error"].get<std::string>());
        continue;
      }
      s += fmt::format("  {:<14}", label);
      for (int i = 0; i < kNumStages; ++i) {
        const std::string name(dispatch::stage_name(static_cast<dispatch::Stage>(i)));
        const auto& g = r["stage_gpu_ms"][name];
        s += g.is_null() ? fmt::format(" {:>12.2f}", r["call_ms"][name].get<double>())
                         : fmt::format(" {:>5.2f}/{:<6.2f}", r["call_ms"][name].get<double>(), g.get<double>());
      }
      const auto& bx = r["bitexact_vs_cpu"];
      s += fmt::format(" {:>9.2f} {:>9.2f} {:>9} {}\n", r["end_frame_ms"].get<double>(), r["frame_ms"].get<double>(),
                       r["submit_overhead_ms"].is_null() ? "-" : fmt::format("{:.2f}", r["submit_overhead_ms"].get<double>()),
                       bx.is_null() ? "n/a" : bx.get<bool>() ? "yes" : "NO");
    }
    s += "  (cells: call wall ms, or call wall/gpu ms on a deferred backend)\n";
  }
  return s;
}

}  // namespace daedalus::bench
