// SPDX-License-Identifier: MIT
// MSB-first bit writer with Exp-Golomb codes, for the parameter sets the
// daemon rebuilds from V4L2 stateless controls.
#pragma once

#include <cstdint>
#include <vector>

namespace daedalus::bridge {

class BitWriter {
 public:
  void bit(bool b) {
    if (bits_ == 0) bytes_.push_back(0);
    if (b) bytes_.back() |= static_cast<uint8_t>(0x80u >> bits_);
    bits_ = (bits_ + 1) & 7;
  }
  void bits(uint64_t value, int n) {
    for (int i = n - 1; i >= 0; --i) bit((value >> i) & 1);
  }
  void ue(uint32_t v) {
    const uint64_t x = uint64_t{v} + 1;
    int len = 0;
    while ((x >> (len + 1)) != 0) ++len;
    bits(0, len);
    bits(x, len + 1);
  }
  void se(int32_t v) { ue(v > 0 ? static_cast<uint32_t>(2 * int64_t{v} - 1) : static_cast<uint32_t>(-2 * int64_t{v})); }
  // rbsp_trailing_bits(): a one, then zeros to the byte boundary.
  void trailing_bits() {
    bit(true);
    while (bits_ != 0) bit(false);
  }
  bool byte_aligned() const { return bits_ == 0; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  int bits_ = 0;  // bits used in the last byte, 0 = aligned
};

}  // namespace daedalus::bridge
