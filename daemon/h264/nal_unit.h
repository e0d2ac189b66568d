// SPDX-License-Identifier: MIT
// H.264 NAL units (spec 7.3.1, Annex B): splitting a byte stream or a
// length-prefixed (MP4/MKV) sample into NAL units, the avcC decoder
// configuration record those containers carry as extradata, the NAL unit
// header, and emulation prevention (NAL payload <-> RBSP).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace daedalus::h264 {

enum NalType : uint8_t {
  kNalSlice = 1,
  kNalSliceDataA = 2,  // data partitioning (Extended profile)
  kNalSliceDataB = 3,
  kNalSliceDataC = 4,
  kNalIdrSlice = 5,
  kNalSei = 6,
  kNalSps = 7,
  kNalPps = 8,
  kNalAccessUnitDelimiter = 9,
  kNalEndOfSequence = 10,
  kNalEndOfStream = 11,
  kNalFiller = 12,
  kNalSpsExtension = 13,
  kNalPrefix = 14,     // SVC / MVC
  kNalSubsetSps = 15,  // SVC / MVC
  kNalAuxiliarySlice = 19,
  kNalSliceExtension = 20,  // SVC / MVC: not part of the base layer / view
};

struct NalUnit {
  int ref_idc = 0;
  int type = 0;
  // Everything after the one-byte header, still escaped.
  std::span<const uint8_t> payload;
};

// The one-byte NAL unit header. Throws daedalus::Error on an empty unit
// or a set forbidden_zero_bit.
NalUnit parse_nal_unit(std::span<const uint8_t> nal);

// NAL payload -> RBSP: every emulation_prevention_three_byte (0x03 after
// two zero bytes) removed.
std::vector<uint8_t> unescape_rbsp(std::span<const uint8_t> payload);

// RBSP -> NAL payload, the inverse (7.4.1): an
// emulation_prevention_three_byte after two zero bytes that are followed
// by a byte 0x00..0x03 or end the RBSP (cabac_zero_words), so that no
// start code prefix appears in the unit nor forms with the next one.
std::vector<uint8_t> escape_rbsp(std::span<const uint8_t> rbsp);

// Annex B byte stream -> NAL units without start codes. Bytes before the
// first start code and zero bytes before the next one (leading / trailing
// zero_8bits) belong to no unit. Throws when non-zero data comes without
// any start code.
std::vector<std::span<const uint8_t>> split_annexb(std::span<const uint8_t> stream);

// A sample of NAL units each preceded by its big-endian length of
// `length_size` bytes (1, 2 or 4). Throws on a length past the sample.
std::vector<std::span<const uint8_t>> split_length_prefixed(std::span<const uint8_t> sample, int length_size);

// Codec extradata as demuxers hand it over: an avcC record (ISO/IEC
// 14496-15 5.3.3, first byte 1) from MP4/MKV, or an Annex B byte stream of
// parameter sets (raw .h264 files, MPEG-TS).
struct Extradata {
  int nal_length_size = 0;  // 0: samples are Annex B byte streams
  std::vector<std::span<const uint8_t>> nal_units;  // SPS then PPS, into the extradata
};
Extradata parse_extradata(std::span<const uint8_t> extradata);

// One demuxed sample: Annex B when nal_length_size is 0.
std::vector<std::span<const uint8_t>> split_sample(std::span<const uint8_t> sample, int nal_length_size);

}  // namespace daedalus::h264
