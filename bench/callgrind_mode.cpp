// SPDX-License-Identifier: MIT
#include "callgrind_mode.h"

#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "daedalus/dispatch/dispatch.h"
#include "daedalus/error.h"
#include "decoder_runs.h"

namespace daedalus::bench {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool g_active = false;

std::string shell_quote(const std::string& s) {
  std::string r = "'";
  for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

std::string run_capture(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return {};
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p.get())) > 0) out.append(buf.data(), n);
  return out;
}

struct Dump {
  std::string label;
  uint64_t ir = 0;
  std::string path;
};

Dump read_dump(const fs::path& p) {
  Dump d;
  d.path = p.string();
  std::ifstream in(p);
  std::string line;
  static const std::string kTrigger = "desc: Trigger: Client Request: ";
  while (std::getline(in, line)) {
    if (line.rfind(kTrigger, 0) == 0) d.label = line.substr(kTrigger.size());
    else if (line.rfind("totals:", 0) == 0 || line.rfind("summary:", 0) == 0) d.ir = std::stoull(line.substr(line.find(':') + 1));
  }
  return d;
}

// The CPU part of our VP9 decoder by function, as its own time profile
// splits it ("parse": the headers; "entropy": tiles, loop-filter units and
// probability adaptation). Inclusive Ir; names matched as "::<name>(".
const std::vector<std::pair<std::string, std::string>> kCpuPartFunctions = {
    {"parse", "parse_uncompressed_header"}, {"parse", "parse_compressed_header"},
    {"entropy", "decode_tiles"},           {"entropy", "build_loop_filter_units"},
    {"entropy", "adapt_probs"},
};

struct DumpSplit {
  std::array<uint64_t, static_cast<int>(dispatch::Stage::kCount)> stage{};
  uint64_t parse = 0, entropy = 0;
};

uint64_t parse_count(std::string digits) {
  digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
  return std::stoull(digits);
}

// Inclusive Ir of the CPU backend's stage methods and of the CPU part's
// functions in one dump.
DumpSplit split_dump(const std::string& dump) {
  DumpSplit out;
  const std::string text =
      run_capture(fmt::format("callgrind_annotate --inclusive=yes --threshold=100 {} 2>/dev/null", shell_quote(dump)));
  // "  1,234,567 (12.34%)  file:daedalus::dispatch::cpu::CpuBackend::residual(...) [obj]"
  static const std::regex kLine(R"(^\s*([\d,]+)\s+\([^)]*\)\s+(\S.*)$)");
  std::map<std::string, uint64_t> cpu_fn;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) continue;
    const std::string fn = m[2];
    // Each function once (the max over its inlined/recursive copies).
    for (const auto& [part, name] : kCpuPartFunctions) {
      if (fn.find("daedalus::vp9::" + name + "(") != std::string::npos)
        cpu_fn[name] = std::max(cpu_fn[name], parse_count(m[1]));
    }
    if (fn.find("daedalus::dispatch") == std::string::npos || fn.find("daedalus_dispatch_") != std::string::npos) continue;
    for (int s = 0; s < static_cast<int>(dispatch::Stage::kCount); ++s) {
      const std::string name = fmt::format("::{}(", dispatch::stage_name(static_cast<dispatch::Stage>(s)));
      if (fn.find(name) == std::string::npos) continue;
      out.stage[s] = std::max<uint64_t>(out.stage[s], parse_count(m[1]));  // the method, not its thunks
    }
  }
  for (const auto& [part, name] : kCpuPartFunctions) (part == "parse" ? out.parse : out.entropy) += cpu_fn[name];
  return out;
}

}  // namespace

bool install_callgrind_hooks() {
  if (!RUNNING_ON_VALGRIND) return false;
  g_active = true;
  set_decode_hooks({[] {
                      CALLGRIND_ZERO_STATS;
                      CALLGRIND_START_INSTRUMENTATION;
                    },
                    [](const std::string& label) {
                      CALLGRIND_STOP_INSTRUMENTATION;
                      CALLGRIND_DUMP_STATS_AT(label.c_str());
                    },
                    [] { CALLGRIND_STOP_INSTRUMENTATION; }, [] { CALLGRIND_START_INSTRUMENTATION; }});
  return true;
}

void callgrind_pause() {
  if (g_active) CALLGRIND_STOP_INSTRUMENTATION;
}
void callgrind_resume() {
  if (g_active) CALLGRIND_START_INSTRUMENTATION;
}
void callgrind_dump(const std::string& label) {
  if (g_active) CALLGRIND_DUMP_STATS_AT(label.c_str());
}

namespace {

// Runs the child under callgrind, dumps into dir (emptied first).
std::vector<Dump> callgrind_child(const std::string& self, const std::vector<std::string>& child_args,
                                  const std::string& dir, const std::string& extra_valgrind_args) {
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("callgrind.out", 0) == 0) fs::remove(e.path());
  std::string cmd = fmt::format(
      "valgrind --tool=callgrind --instr-atstart=no --dump-instr=no --dump-line=no --compress-strings=no {} "
      "--callgrind-out-file={}/callgrind.out.%p {}",
      extra_valgrind_args, shell_quote(dir), shell_quote(self));
  for (const auto& a : child_args) cmd += " " + shell_quote(a);
  cmd += fmt::format(" >{}/child.log 2>&1", shell_quote(dir));
  const int rc = std::system(cmd.c_str());
  if (rc != 0) throw Error(fmt::format("callgrind run failed ({}), see {}/child.log", rc, dir));
  std::vector<Dump> dumps;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("callgrind.out", 0) == 0) dumps.push_back(read_dump(e.path()));
  }
  return dumps;
}

}  // namespace

json run_callgrind(const std::string& self, const std::vector<std::string>& child_args, const std::string& dir) {
  const std::vector<Dump> dumps = callgrind_child(self, child_args, dir, "");
  // Second pass, our decoder only: collect events only while inside the
  // CPU part's functions (--toggle-collect), so each frame's dump is exactly
  // its parse + entropy instructions, recursion and inlining included.
  std::map<std::string, uint64_t> cpu_part;  // label -> Ir
  {
    std::vector<std::string> args = child_args;
    args.push_back("--decoders=daedalus-cpu");
    args.push_back("--no-stage-bench");
    std::string toggles = "--collect-atstart=no";
    for (const auto& [part, name] : kCpuPartFunctions) toggles += fmt::format(" '--toggle-collect=daedalus::vp9::{}(*'", name);
    for (const auto& d : callgrind_child(self, args, dir + "/cpu-part", toggles))
      if (d.label.find(" daedalus-cpu frame ") != std::string::npos) cpu_part[d.label] = d.ir;
  }

  // Labels: "<clip> <run id> frame <i>" or "stage <backend> <kind> <stage>".
  json decoders = json::object();
  json stages = json::object();
  std::map<std::string, std::map<std::string, std::map<int, Dump>>> frames;
  for (const auto& d : dumps) {
    std::istringstream ls(d.label);
    std::string a, b, c, e;
    ls >> a >> b >> c >> e;
    if (a == "stage") {
      stages[b + "/" + c][e] = d.ir;
    } else if (c == "frame" && !e.empty()) {
      frames[a][b][std::stoi(e)] = d;
    }
  }
  for (auto& [clip, runs] : frames) {
    for (auto& [run, fr] : runs) {
      json jr;
      json ir = json::array();
      double sum = 0;
      std::array<double, static_cast<int>(dispatch::Stage::kCount)> st{};
      const bool split = run.rfind("daedalus-cpu", 0) == 0;
      double stage_total = 0, parse = 0, entropy = 0;
      for (auto& [i, d] : fr) {
        ir.push_back(d.ir);
        sum += static_cast<double>(d.ir);
        if (split) {
          const DumpSplit ds = split_dump(d.path);
          for (size_t k = 0; k < ds.stage.size(); ++k) {
            st[k] += static_cast<double>(ds.stage[k]);
            stage_total += static_cast<double>(ds.stage[k]);
          }
          (void)ds.parse;
          const auto it = cpu_part.find(d.label);
          if (it != cpu_part.end()) entropy += static_cast<double>(it->second);
        }
      }
      const double n = fr.empty() ? 1 : static_cast<double>(fr.size());
      jr["ir_per_frame"] = ir;
      jr["ir_mean"] = sum / n;
      if (split) {
        json js;
        for (size_t k = 0; k < st.size(); ++k) js[std::string(dispatch::stage_name(static_cast<dispatch::Stage>(k)))] = st[k] / n;
        jr["stage_ir_mean"] = js;
        jr["parse_entropy_ir_mean"] = (parse + entropy) / n;
        if (parse + entropy == 0)
          jr["warning"] = "none of the decoder's CPU-part functions (kCpuPartFunctions in bench/callgrind_mode.cpp) "
                          "were found: renamed? the CPU-part Ir is not measured";
        // Neither CPU part nor stages: surface management, copying the
        // frame out to the caller, std::function plumbing.
        jr["other_ir_mean"] = (sum - stage_total - parse - entropy) / n;
      }
      decoders[clip][run] = jr;
    }
  }
  // Ratios against libavcodec 1 thread, the headline.
  for (auto& [clip, runs] : decoders.items()) {
    if (!runs.contains("libavcodec-1t")) continue;
    const double ref = runs["libavcodec-1t"]["ir_mean"].get<double>();
    for (auto& [id, r] : runs.items()) {
      r["ir_ratio_vs_libavcodec_1t"] = ref > 0 ? r["ir_mean"].get<double>() / ref : 0.0;
      if (r.contains("parse_entropy_ir_mean"))
        r["cpu_part_ir_ratio_vs_libavcodec_1t"] = ref > 0 ? r["parse_entropy_ir_mean"].get<double>() / ref : 0.0;
    }
  }
  return {{"decoders", decoders}, {"synthetic_stages", stages}, {"dumps", dumps.size()}};
}

}  // namespace daedalus::bench
