// SPDX-License-Identifier: MIT
// MSB-first reader over an RBSP (emulation prevention bytes already
// removed, nal_unit.h) with the descriptors of H.264 7.2: u(n), ue(v),
// se(v) and more_rbsp_data(). Every read past the end and every value out
// of its syntax element's range throws daedalus::Error naming the structure
// and the element, so a truncated or corrupt header is never misparsed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "daedalus/error.h"

namespace daedalus::h264 {

class RbspReader {
 public:
  // `what` names the structure for error messages ("SPS", "slice header").
  RbspReader(std::span<const uint8_t> rbsp, const char* what) : data_(rbsp), what_(what) {}

  bool flag() { return bit() != 0; }
  uint32_t bit() {
    if (pos_ >= data_.size() * 8) fail("truncated");
    const uint32_t b = (data_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1;
    ++pos_;
    return b;
  }
  // The next n <= 24 bits without reading them, zeros past the end (for
  // table lookups; skip() then consumes what the code used).
  uint32_t peek(int n) const {
    uint32_t v = 0;
    const size_t byte = pos_ >> 3;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | (byte + i < data_.size() ? data_[byte + i] : 0u);
    return (v << (pos_ & 7)) >> (32 - n);
  }
  void skip(int n) {
    if (pos_ + size_t(n) > data_.size() * 8) fail("truncated");
    pos_ += size_t(n);
  }
  // u(n), n <= 32.
  uint32_t bits(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 1) | bit();
    return v;
  }
  // ue(v): up to 31 leading zeros, so every value fits uint32_t.
  uint32_t ue() {
    int zeros = 0;
    while (bit() == 0)
      if (++zeros > 31) fail("Exp-Golomb code longer than 32 bits");
    return static_cast<uint32_t>((uint64_t{1} << zeros) - 1 + bits(zeros));
  }
  int32_t se() {
    const uint32_t k = ue();
    const int64_t magnitude = (int64_t{k} + 1) / 2;
    return static_cast<int32_t>((k & 1) ? magnitude : -magnitude);
  }
  // Range-checked reads: the name is the syntax element's, as in the spec.
  uint32_t ue(const char* name, uint32_t max) {
    const uint32_t v = ue();
    if (v > max) fail(std::string(name) + " = " + std::to_string(v) + " out of range 0.." + std::to_string(max));
    return v;
  }
  int32_t se(const char* name, int32_t min, int32_t max) {
    const int32_t v = se();
    if (v < min || v > max)
      fail(std::string(name) + " = " + std::to_string(v) + " out of range " + std::to_string(min) + ".." +
           std::to_string(max));
    return v;
  }

  // 7.2: true while there is data before the rbsp_stop_one_bit (the last
  // one bit of the RBSP; trailing zero bytes after it are allowed).
  bool more_rbsp_data() const {
    size_t end = data_.size();
    while (end > 0 && data_[end - 1] == 0) --end;
    if (end == 0) return false;
    const uint8_t last = data_[end - 1];
    int trailing_zeros = 0;
    while (((last >> trailing_zeros) & 1) == 0) ++trailing_zeros;
    const size_t stop_bit = end * 8 - 1 - static_cast<size_t>(trailing_zeros);
    return pos_ < stop_bit;
  }
  bool byte_aligned() const { return (pos_ & 7) == 0; }
  size_t position() const { return pos_; }
  size_t size_bits() const { return data_.size() * 8; }

  [[noreturn]] void fail(const std::string& message) const {
    throw Error("h264: " + std::string(what_) + ": " + message);
  }

 private:
  std::span<const uint8_t> data_;
  const char* what_;
  size_t pos_ = 0;
};

}  // namespace daedalus::h264
