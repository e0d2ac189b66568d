// SPDX-License-Identifier: MIT
#include "trace_headers.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "run_command.h"

namespace daedalus::h264::test {

bool TraceUnit::has(const std::string& name) const {
  for (const auto& e : elements)
    if (!e.used && e.name == name) return true;
  return false;
}

int64_t TraceUnit::take(const std::string& name) {
  for (auto& e : elements) {
    if (!e.used && e.name == name) {
      e.used = true;
      return e.value;
    }
  }
  ADD_FAILURE() << title << ": libavcodec has no (further) " << name;
  return 0;
}

int64_t TraceUnit::position_of(const std::string& name) const {
  for (const auto& e : elements)
    if (e.name == name) return e.position;
  return -1;
}

int64_t TraceUnit::end_of_last(const std::vector<std::string>& names) const {
  int64_t end = -1;
  for (size_t i = 0; i < elements.size(); ++i)
    for (const auto& n : names)
      if (elements[i].name == n)
        end = i + 1 < elements.size() ? elements[i + 1].position : elements[i].position + elements[i].length;
  return end;
}

int64_t TraceUnit::end_bit() const {
  int64_t end = 0;
  for (const auto& e : elements) end = std::max(end, e.position + e.length);
  return end;
}

std::vector<std::string> TraceUnit::untaken() const {
  std::vector<std::string> out;
  for (const auto& e : elements)
    if (!e.used) out.push_back(e.name);
  return out;
}

std::vector<TraceUnit> trace_headers(const std::string& path, bool raw, std::string* error) {
  std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info"};
  if (raw) argv.insert(argv.end(), {"-f", "h264"});
  argv.insert(argv.end(), {"-i", path, "-map", "0:v:0", "-c:v", "copy", "-bsf:v", "trace_headers", "-f", "null", "-"});
  const auto r = daedalus::test::run_command(argv);
  if (r.exit_code != 0) {
    if (error) *error = r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0);
    return {};
  }
  static const std::regex prefix(R"(^\[trace_headers @ 0x[0-9a-f]+\] (.*)$)");
  static const std::regex element(R"(^(\d+)\s+(\S+)\s+([01]+) = (-?\d+)$)");
  std::vector<TraceUnit> units;
  bool in_unit = false;  // the current title is an SPS, PPS or slice header
  bool in_extradata = false;
  std::istringstream in(r.err);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (!std::regex_match(line, m, prefix)) continue;
    const std::string rest = m[1];
    std::smatch e;
    if (std::regex_match(rest, e, element)) {
      if (!in_unit) continue;
      units.back().elements.push_back(
          {std::stoll(e[1]), e[2], static_cast<int>(e[3].length()), std::stoll(e[4]), false});
      continue;
    }
    // A title: every unit starts with one; SEI messages have their own.
    if (rest == "Extradata") in_extradata = true;
    if (rest.starts_with("Packet:")) in_extradata = false;
    in_unit = rest == "Sequence Parameter Set" || rest == "Picture Parameter Set" || rest == "Slice Header";
    // A raw file's extradata is its first units again, found by the probe.
    if (raw && in_extradata) in_unit = false;
    if (in_unit) units.push_back({rest, {}});
  }
  // Keep the NAL unit types we parse (not auxiliary slices, type 19).
  std::vector<TraceUnit> out;
  for (auto& u : units) {
    int64_t type = -1;
    for (const auto& e : u.elements)
      if (e.name == "nal_unit_type") type = e.value;
    if (type == 1 || type == 5 || type == 7 || type == 8) out.push_back(std::move(u));
  }
  return out;
}

std::vector<int> output_order(const std::string& path, bool raw) {
  std::vector<std::string> argv = {"ffprobe", "-v", "error"};
  if (raw) argv.insert(argv.end(), {"-f", "h264"});
  argv.insert(argv.end(), {"-select_streams", "v:0", "-show_entries", "frame=coded_picture_number", "-of",
                           "default=nw=1:nk=1", path});
  const auto r = daedalus::test::run_command(argv);
  std::vector<int> out;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) out.push_back(std::stoi(line));
  return out;
}

}  // namespace daedalus::h264::test
