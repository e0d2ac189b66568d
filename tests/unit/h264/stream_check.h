// SPDX-License-Identifier: MIT
// One stream through our header layer and through libavcodec's, compared:
// every SPS, PPS and slice header field by field (compare_headers.h), and
// our picture order counts against libavcodec's output order.
#pragma once

#include <string>

namespace daedalus::h264::test {

struct StreamCheckResult {
  int units = 0;     // SPS + PPS + slice headers compared
  int pictures = 0;  // primary coded pictures found
};

// Splits `path` into NAL units, a raw Annex B file (.h264, .264, .jsv) as
// a whole, a container (MP4, MKV) as its extradata and samples, and runs
// both comparisons with gtest assertions. A stream that is not
// `decodable` (a feature support.h refuses) has its headers compared only,
// parsed without StreamParser's checks.
StreamCheckResult check_stream(const std::string& path, bool decodable = true);

}  // namespace daedalus::h264::test
