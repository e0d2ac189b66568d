// SPDX-License-Identifier: MIT
#include "stream_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" {
#include <libavcodec/codec_par.h>
}

#include "compare_headers.h"
#include "demuxer.h"
#include "nal_unit.h"
#include "stream_parser.h"
#include "trace_headers.h"

namespace daedalus::h264::test {
namespace {

struct Picture {
  int coded_index;
  int32_t poc;
  bool starts_sequence;  // IDR or memory_management_control_operation 5
};

// Output order as a DPB that is large enough produces it: by POC, each IDR
// or MMCO 5 picture starting afresh after every earlier picture.
std::vector<int> order_by_poc(std::vector<Picture> pictures) {
  std::vector<int> order;
  auto begin = pictures.begin();
  while (begin != pictures.end()) {
    auto end = std::find_if(begin + 1, pictures.end(), [](const Picture& p) { return p.starts_sequence; });
    std::stable_sort(begin, end, [](const Picture& a, const Picture& b) { return a.poc < b.poc; });
    for (auto it = begin; it != end; ++it) order.push_back(it->coded_index);
    begin = end;
  }
  return order;
}

bool is_raw(const std::string& path) {
  return path.ends_with(".h264") || path.ends_with(".264") || path.ends_with(".jsv");
}

}  // namespace

StreamCheckResult check_stream(const std::string& path, bool decodable) {
  StreamCheckResult result;
  const bool raw = is_raw(path);
  std::vector<uint8_t> file, extradata;
  std::vector<media::Packet> packets;
  std::vector<std::span<const uint8_t>> nals;
  if (raw) {
    std::ifstream in(path, std::ios::binary);
    file.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    nals = split_annexb(file);
  } else {
    media::Demuxer dm(path);
    const AVCodecParameters* par = dm.codec_parameters();
    extradata.assign(par->extradata, par->extradata + par->extradata_size);
    media::Packet pkt;
    while (dm.read(pkt)) packets.push_back(pkt);
    const Extradata ex = parse_extradata(extradata);
    nals = ex.nal_units;
    for (const auto& p : packets) {
      const auto units = split_sample(p.data, ex.nal_length_size);
      nals.insert(nals.end(), units.begin(), units.end());
    }
  }

  std::string error;
  std::vector<TraceUnit> trace = trace_headers(path, raw, &error);
  EXPECT_FALSE(trace.empty()) << "ffmpeg trace_headers failed: " << error;

  StreamParser parser;
  std::vector<Picture> pictures;
  const bool failed_before = testing::Test::HasFailure();
  size_t next_trace = 0;
  for (size_t i = 0; i < nals.size(); ++i) {
    const NalUnit nal = parse_nal_unit(nals[i]);
    const bool header = nal.type == kNalSps || nal.type == kNalPps || nal.type == kNalSlice ||
                        nal.type == kNalIdrSlice;
    if (!header) {
      if (decodable) parser.push(nals[i]);
      continue;
    }
    SCOPED_TRACE("NAL unit " + std::to_string(i) + " of type " + std::to_string(nal.type));
    if (next_trace >= trace.size()) {
      ADD_FAILURE() << "libavcodec traced fewer units than we found";
      break;
    }
    TraceUnit& t = trace[next_trace++];
    const std::vector<uint8_t> rbsp = unescape_rbsp(nal.payload);
    if (nal.type == kNalSps) {
      compare_sps(t, nal, parse_sps(rbsp));
    } else if (nal.type == kNalPps) {
      const Sps* sps = parser.sps(pps_sps_id(rbsp));
      if (!sps) {
        ADD_FAILURE() << "PPS before its SPS";
        continue;
      }
      compare_pps(t, nal, parse_pps(rbsp, *sps));
    } else if (!decodable) {
      // The parsers read what StreamParser refuses to activate.
      const Pps* pps = parser.pps(slice_pps_id(rbsp));
      if (!pps) {
        ADD_FAILURE() << "slice before its PPS";
        continue;
      }
      compare_slice_header(t, nal, parse_slice_header(nal, rbsp, *parser.sps(pps->seq_parameter_set_id), *pps));
      ++result.units;
      continue;
    }
    const auto slice = parser.push(nals[i]);
    if (slice) {
      compare_slice_header(t, nal, slice->header);
      if (slice->first_in_picture) {
        const bool mmco5 = slice->header.has_mmco5();
        pictures.push_back({static_cast<int>(pictures.size()),
                            mmco5 ? slice->poc.after_mmco5().frame() : slice->poc.frame(),
                            slice->header.idr() || mmco5});
      }
    }
    ++result.units;
    if (testing::Test::HasFailure() && !failed_before) break;  // one unit's mismatches are enough to read
  }
  EXPECT_EQ(next_trace, trace.size()) << "libavcodec traced more units than we found";
  result.pictures = static_cast<int>(pictures.size());

  if (!decodable) return result;
  const std::vector<int> expected = output_order(path, raw);
  EXPECT_EQ(order_by_poc(pictures), expected) << "pictures in POC order vs libavcodec's output order";
  return result;
}

}  // namespace daedalus::h264::test
