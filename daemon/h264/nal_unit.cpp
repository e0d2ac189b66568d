// SPDX-License-Identifier: MIT
#include "nal_unit.h"

#include <string>

#include "daedalus/error.h"

namespace daedalus::h264 {

NalUnit parse_nal_unit(std::span<const uint8_t> nal) {
  if (nal.empty()) throw Error("h264: empty NAL unit");
  if (nal[0] & 0x80) throw Error("h264: NAL unit with forbidden_zero_bit set");
  return {(nal[0] >> 5) & 3, nal[0] & 0x1f, nal.subspan(1)};
}

std::vector<uint8_t> unescape_rbsp(std::span<const uint8_t> payload) {
  std::vector<uint8_t> rbsp;
  rbsp.reserve(payload.size());
  int zeros = 0;
  for (const uint8_t b : payload) {
    if (zeros >= 2 && b == 3) {
      zeros = 0;
      continue;
    }
    rbsp.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  return rbsp;
}

std::vector<uint8_t> escape_rbsp(std::span<const uint8_t> rbsp) {
  std::vector<uint8_t> payload;
  payload.reserve(rbsp.size() + rbsp.size() / 64 + 4);
  int zeros = 0;
  for (const uint8_t b : rbsp) {
    if (zeros >= 2 && b <= 3) {
      payload.push_back(3);
      zeros = 0;
    }
    payload.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  // An RBSP ends in zero bytes only with cabac_zero_words (0x0000).
  if (zeros >= 2) payload.push_back(3);
  return payload;
}

std::vector<std::span<const uint8_t>> split_annexb(std::span<const uint8_t> stream) {
  std::vector<std::span<const uint8_t>> units;
  const size_t n = stream.size();
  bool found = false;     // a start code was seen
  size_t unit_start = 0;  // just after the last start code
  auto close_unit = [&](size_t end) {
    while (end > unit_start && stream[end - 1] == 0) --end;  // trailing_zero_8bits
    if (end > unit_start) units.push_back(stream.subspan(unit_start, end - unit_start));
  };
  for (size_t i = 0; i + 2 < n;) {
    if (stream[i] != 0 || stream[i + 1] != 0 || stream[i + 2] != 1) {
      ++i;
      continue;
    }
    if (found) {
      close_unit(i);
    } else {
      for (size_t k = 0; k < i; ++k)
        if (stream[k] != 0) throw Error("h264: data before the first Annex B start code");
    }
    found = true;
    i += 3;
    unit_start = i;
  }
  if (found) {
    close_unit(n);
  } else {
    for (const uint8_t b : stream)
      if (b != 0) throw Error("h264: no Annex B start code in " + std::to_string(n) + " bytes");
  }
  return units;
}

std::vector<std::span<const uint8_t>> split_length_prefixed(std::span<const uint8_t> sample, int length_size) {
  if (length_size != 1 && length_size != 2 && length_size != 4)
    throw Error("h264: NAL length size " + std::to_string(length_size) + " is not 1, 2 or 4");
  std::vector<std::span<const uint8_t>> units;
  size_t pos = 0;
  const auto ls = static_cast<size_t>(length_size);
  while (pos < sample.size()) {
    if (sample.size() - pos < ls) throw Error("h264: NAL length field truncated");
    size_t len = 0;
    for (size_t k = 0; k < ls; ++k) len = (len << 8) | sample[pos + k];
    pos += ls;
    if (len > sample.size() - pos)
      throw Error("h264: NAL length " + std::to_string(len) + " past the end of the sample (" +
                  std::to_string(sample.size() - pos) + " bytes left)");
    if (len > 0) units.push_back(sample.subspan(pos, len));
    pos += len;
  }
  return units;
}

std::vector<std::span<const uint8_t>> split_sample(std::span<const uint8_t> sample, int nal_length_size) {
  return nal_length_size == 0 ? split_annexb(sample) : split_length_prefixed(sample, nal_length_size);
}

namespace {

// avcC: version, profile, compatibility, level, 6 bits reserved +
// lengthSizeMinusOne, 3 bits reserved + numOfSequenceParameterSets, the
// SPSs (16-bit length each), numOfPictureParameterSets, the PPSs. Anything
// after (the High profile chroma / bit depth fields) repeats what the SPS
// says and is not needed.
Extradata parse_avcc(std::span<const uint8_t> d) {
  Extradata out;
  if (d.size() < 7) throw Error("h264: avcC record truncated");
  out.nal_length_size = (d[4] & 3) + 1;
  if (out.nal_length_size == 3) throw Error("h264: avcC NAL length size 3 is not allowed");
  size_t pos = 5;
  for (int list = 0; list < 2; ++list) {
    if (pos >= d.size()) throw Error("h264: avcC record truncated");
    const int count = list == 0 ? (d[pos] & 0x1f) : d[pos];
    ++pos;
    for (int k = 0; k < count; ++k) {
      if (d.size() - pos < 2) throw Error("h264: avcC record truncated");
      const size_t len = (size_t{d[pos]} << 8) | d[pos + 1];
      pos += 2;
      if (len == 0 || len > d.size() - pos) throw Error("h264: avcC parameter set length past the record");
      out.nal_units.push_back(d.subspan(pos, len));
      pos += len;
    }
  }
  return out;
}

}  // namespace

Extradata parse_extradata(std::span<const uint8_t> extradata) {
  if (extradata.empty()) return {};
  if (extradata[0] == 1) return parse_avcc(extradata);
  return {0, split_annexb(extradata)};
}

}  // namespace daedalus::h264
