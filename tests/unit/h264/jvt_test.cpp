// SPDX-License-Identifier: MIT
// The conformance streams of cisco/openh264's res/ folder (JVT streams and
// a few of Cisco's own), fetched by fetch-openh264-streams.sh into a
// per-machine cache and named by DAEDALUS_JVT_DIR. Streams we decode are
// compared with libavcodec like the corpus; the others must fail with the
// error that names their feature.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "daedalus/error.h"
#include "nal_unit.h"
#include "stream_check.h"
#include "stream_parser.h"
#include "support.h"

namespace daedalus::h264 {
namespace {

std::vector<std::filesystem::path> streams() {
  const char* dir = std::getenv("DAEDALUS_JVT_DIR");
  std::vector<std::filesystem::path> out;
  if (!dir) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const auto ext = e.path().extension();
    if (ext == ".264" || ext == ".h264" || ext == ".jsv") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What our header layer says of the whole stream: empty when every unit
// parses, else the first error.
std::string first_error(const std::vector<uint8_t>& data) {
  StreamParser parser;
  try {
    for (const auto nal : split_annexb(data)) parser.push(nal);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The streams that test decoders against damage (lost IDR / P pictures):
// libavcodec conceals, so its output is not the stream's; our parser must
// take them (first_error above) but they are not compared.
bool damaged(const std::string& name) {
  return name.find("_LOST") != std::string::npos || name == "Error_I_P.264";
}

// An SVC stream whose size ffmpeg 5.1's probe never finds, so it cannot
// run trace_headers on it; ours must still parse its base layer.
bool unreadable_by_ffmpeg(const std::string& name) { return name == "sps_subsetsps_bothVUI.264"; }

TEST(JvtHeaders, EveryStreamMatchesLibavcodecOrNamesItsFeature) {
  const auto paths = streams();
  if (paths.empty()) GTEST_SKIP() << "DAEDALUS_JVT_DIR names no streams (tests/unit/h264/fetch-openh264-streams.sh)";
  int compared = 0, refused = 0;
  for (const auto& path : paths) {
    const std::string name = path.filename().string();
    SCOPED_TRACE(name);
    const std::string error = first_error(read_file(path));
    if (!error.empty()) {
      std::printf("refused  %s: %s\n", name.c_str(), error.c_str());
      // Only for a feature, with its name: never a parse failure of a
      // stream libavcodec takes.
      EXPECT_NE(error.find("not supported"), std::string::npos) << error;
      ++refused;
      continue;
    }
    if (damaged(name) || unreadable_by_ffmpeg(name)) continue;
    const auto r = test::check_stream(path.string());
    std::printf("compared %s: %d units, %d pictures\n", name.c_str(), r.units, r.pictures);
    ++compared;
  }
  EXPECT_GT(compared, 30);
  std::printf("%d streams compared with libavcodec, %d refused by feature\n", compared, refused);
}

}  // namespace
}  // namespace daedalus::h264
