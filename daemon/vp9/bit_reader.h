// SPDX-License-Identifier: MIT
// MSB-first reader for VP9's uncompressed header. Reading past the end
// throws daedalus::Error, so a truncated header can never be misparsed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "daedalus/error.h"

namespace daedalus::vp9 {

class BitReader {
 public:
  BitReader(const uint8_t* data, size_t size) : data_(data), size_bits_(size * 8) {}

  int bit() {
    if (pos_ >= size_bits_) throw Error("vp9: uncompressed header truncated");
    const int b = (data_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1;
    ++pos_;
    return b;
  }
  uint32_t literal(int bits) {
    uint32_t v = 0;
    for (int i = 0; i < bits; ++i) v = (v << 1) | static_cast<uint32_t>(bit());
    return v;
  }
  // Magnitude then sign bit, as VP9's delta fields are coded.
  int signed_literal(int bits) {
    const int v = static_cast<int>(literal(bits));
    return bit() ? -v : v;
  }
  size_t bytes_consumed() const { return (pos_ + 7) >> 3; }

 private:
  const uint8_t* data_;
  size_t size_bits_;
  size_t pos_ = 0;
};

}  // namespace daedalus::vp9
