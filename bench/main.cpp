// SPDX-License-Identifier: MIT
// daedalus-bench: per-frame, per-stage timing of our decoder against
// libavcodec and libvpx on the same clips in the same run, plus the
// dispatch stages on synthetic work per backend. Writes JSON (schema in
// docs/performance.md) and prints a summary table; ratios are the headline.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "callgrind_mode.h"
#include "daedalus/error.h"
#include "decoder_runs.h"
#include "progress.h"
#include "report.h"
#include "settings.h"
#include "stage_bench.h"

namespace {

using namespace daedalus;
using namespace daedalus::bench;
using nlohmann::json;

struct Options {
  std::vector<std::string> clips;  // paths, or name=path
  std::string clip_list;           // bench-clips.txt / corpus.txt
  std::string json_out;
  std::string summary_out;
  std::vector<std::string> decoders;
  int repeat = 3;
  long frames = -1;
  long vulkan_frames = -1;
  int threads = 0;
  int stage_iterations = 5;
  std::string stage_size = "1920x1080";
  bool no_stage_bench = false;
  bool no_progress = false;
  bool callgrind = false;
  bool callgrind_child = false;
  std::string callgrind_dir = "callgrind";
  settings::DecoderSettings settings;  // the environment's, then the flags'
};

std::vector<std::pair<std::string, std::string>> clip_paths(const Options& opt) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!opt.clip_list.empty()) {
    std::ifstream in(opt.clip_list);
    if (!in) throw Error(fmt::format("{}: cannot read the clip list", opt.clip_list));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string name, codec, path;
      if (std::getline(ls, name, '\t') && std::getline(ls, codec, '\t') && std::getline(ls, path) && codec == "vp9")
        out.emplace_back(name, path);
    }
  }
  for (const auto& c : opt.clips) {
    const auto eq = c.find('=');
    if (eq != std::string::npos) {
      out.emplace_back(c.substr(0, eq), c.substr(eq + 1));
    } else {
      std::string name = c.substr(c.find_last_of('/') + 1);
      out.emplace_back(name.substr(0, name.find('.')), c);
    }
  }
  if (out.empty()) throw Error("no clips given (positional paths or --clip-list)");
  return out;
}

std::vector<DecoderSpec> selected_decoders(const Options& opt) {
  const int all = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto specs = default_decoders(all);
  std::set<std::string> want(opt.decoders.begin(), opt.decoders.end());
  // Under callgrind only the CPU decoders: lavapipe would count LLVM.
  if (opt.callgrind_child && want.empty()) want = {"libavcodec-1t", "libvpx-1t", "daedalus-cpu"};
  for (auto& s : specs)
    if (s.backend == "vulkan") {
      s.max_packets = opt.vulkan_frames;
      if (opt.callgrind_child) want.erase(s.id);
    }
  for (auto& s : specs) s.settings = opt.settings;
  std::vector<DecoderSpec> out;
  for (auto& s : specs)
    // The reference (libavcodec, 1 thread) always runs: it gives the md5s
    // and the time every ratio is relative to.
    if (s.id == "libavcodec-1t" || (want.empty() ? !s.on_request : want.count(s.id) > 0)) out.push_back(s);
  return out;
}

json run_all(const Options& opt) {
  const auto clips = clip_paths(opt);
  const auto specs = selected_decoders(opt);
  Progress progress(!opt.no_progress && !opt.callgrind_child);
  json report;
  report["schema"] = "daedalus-bench/1";
  report["machine"] = machine_json();
  report["settings"] = {{"repeat", opt.repeat},
                        {"frames", opt.frames},
                        {"stage_iterations", opt.stage_iterations},
                        {"stage_size", opt.stage_size},
                        {"vulkan_frames", opt.vulkan_frames}};
  report["clips"] = json::array();
  for (const auto& [name, path] : clips) {
    ClipResult cr;
    cr.clip = load_clip(name, path, opt.frames);
    for (const auto& spec : specs) {
      const long n = static_cast<long>(cr.clip.packets.size());
      progress.start(fmt::format("{} {}", name, spec.id),
                     (spec.max_packets < 0 ? n : std::min(n, spec.max_packets)) * opt.repeat);
      cr.runs.push_back(run_decoder(spec, cr.clip, opt.repeat, [&] { progress.step(); }));
      progress.finish();
    }
    report["clips"].push_back(clip_json(cr));
  }
  if (!opt.no_stage_bench) {
    StageBenchOptions so;
    so.backend = opt.settings.backend;
    so.iterations = opt.stage_iterations;
    if (std::sscanf(opt.stage_size.c_str(), "%ux%u", &so.width, &so.height) != 2 || so.width < 8 || so.height < 8 ||
        so.width > 8192 || so.height > 8192)
      throw Error(fmt::format("--stage-size {}: expected WxH between 8x8 and 8192x8192", opt.stage_size));
    if (opt.callgrind_child) {
      // Instructions of the CPU backend only; lavapipe under valgrind
      // would measure LLVM, not us.
      so.backends = {dispatch::BackendKind::kCpu};
      so.before_stage = [] { callgrind_resume(); };
      so.after_stage = [](const std::string& label) {
        // Only the CPU backend's instructions are meaningful here.
        callgrind_pause();
        callgrind_dump(label);
      };
    }
    progress.start("stages on synthetic " + opt.stage_size + " work", stage_bench_steps(so));
    report["stage_bench"] = stage_bench_json(run_stage_bench(so, [&] { progress.step(); }));
    progress.finish();
  }
  return report;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"daedalus-bench: our VP9 decoder per frame and per stage against libavcodec and libvpx"};
  app.add_option("clips", opt.clips, "clip files (name=path to name them)");
  app.add_option("--clip-list", opt.clip_list, "name<TAB>codec<TAB>path list (bench/make-bench-clips.sh output)");
  app.add_option("--json", opt.json_out, "write the JSON report here (default: stdout)");
  app.add_option("--summary", opt.summary_out, "also write the summary table here");
  app.add_option("--decoders", opt.decoders,
                 "subset of libavcodec-1t libavcodec-mt libvpx-1t libvpx-mt daedalus-cpu daedalus-cpu-mt daedalus-vulkan "
                 "daedalus-vulkan-stateless, or daedalus-cpu-stateless (only when named)");
  app.add_option("--repeat", opt.repeat, "decode each clip N times, keep the fastest time per frame")
      ->check(CLI::Range(1, 100));
  app.add_option("--frames", opt.frames, "only the first N packets of each clip")->check(CLI::PositiveNumber);
  app.add_option("--vulkan-frames", opt.vulkan_frames,
                 "decode only the first N packets with daedalus-vulkan (slow on lavapipe)")
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", opt.threads, "threads for the *-mt runs (default: all cores)")->check(CLI::Range(1, 256));
  app.add_option("--stage-iterations", opt.stage_iterations, "iterations of the synthetic stage bench")
      ->check(CLI::Range(1, 1000));
  app.add_option("--stage-size", opt.stage_size, "picture size of the synthetic stage work (WxH)");
  app.add_flag("--no-stage-bench", opt.no_stage_bench, "skip the synthetic per-backend stage bench");
  app.add_flag("--no-progress", opt.no_progress, "no progress bar");
  app.add_flag("--callgrind", opt.callgrind,
               "instruction counts instead of times: re-run under valgrind --tool=callgrind (CPU parts only)");
  app.add_option("--callgrind-dir", opt.callgrind_dir, "where callgrind dumps go");
  app.add_flag("--callgrind-child", opt.callgrind_child)->group("");
  try {
    opt.settings = settings::from_environment();
  } catch (const Error& e) {
    fmt::print(stderr, "daedalus-bench: {}\n", e.what());
    return 1;
  }
  settings::add_flags(app, opt.settings);
  CLI11_PARSE(app, argc, argv);

  try {
    json report;
    if (opt.callgrind && !opt.callgrind_child) {
      std::vector<std::string> args;
      for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--callgrind") continue;
        if (a == "--json" || a == "--summary") { ++i; continue; }
        // Set for the child below; given twice, CLI11 refuses them.
        if (a == "--repeat" || a == "--stage-iterations") { ++i; continue; }
        if (a.starts_with("--repeat=") || a.starts_with("--stage-iterations=") || a == "--no-progress") continue;
        args.push_back(a);
      }
      args.push_back("--callgrind-child");
      args.push_back("--repeat=1");
      args.push_back("--no-progress");
      args.push_back("--stage-iterations=1");
      fmt::print(stderr, "daedalus-bench: running under callgrind (slow: ~50x)...\n");
      report["schema"] = "daedalus-bench-callgrind/1";
      report["machine"] = machine_json();
      report["callgrind"] = run_callgrind(std::filesystem::read_symlink("/proc/self/exe").string(), args,
                                          opt.callgrind_dir);
    } else {
      if (opt.callgrind_child && !install_callgrind_hooks()) throw Error("--callgrind-child must run under valgrind");
      report = run_all(opt);
    }
    const std::string text = report.contains("clips") ? summary_table(report) : report["callgrind"].dump(2) + "\n";
    if (!opt.json_out.empty()) {
      std::ofstream out(opt.json_out);
      if (!out) throw Error(fmt::format("{}: cannot write", opt.json_out));
      out << report.dump(2) << "\n";
      fmt::print("{}", text);
    } else {
      fmt::print("{}\n", report.dump(2));
      fmt::print(stderr, "{}", text);
    }
    if (!opt.summary_out.empty()) std::ofstream(opt.summary_out) << text;
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "daedalus-bench: {}\n", e.what());
    return 1;
  }
}
