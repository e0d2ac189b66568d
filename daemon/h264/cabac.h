// SPDX-License-Identifier: MIT
// The CABAC arithmetic decoding engine (9.3.1.2, 9.3.3.2) and the context
// variables of I slices (9.3.1.1 with the I-slice column of Tables 9-12 to
// 9-33), read bit by bit from a slice's RBSP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace daedalus::h264 {

// Context indices used by I slices: 0..459 (276, end_of_slice_flag, has no
// context: it is decoded with terminate()).
constexpr int kCabacIContexts = 460;

class CabacDecoder {
 public:
  // The engine starts at bit_offset (byte aligned: the slice data after
  // cabac_alignment_one_bit) with the contexts of an I slice of slice_qp.
  CabacDecoder(std::span<const uint8_t> rbsp, size_t bit_offset, int slice_qp);
  int decision(int ctx_idx);
  int bypass();
  int terminate();
  // I_PCM: the samples begin where the engine stopped after terminate() = 1;
  // read_bits() reads them, restart() initialises the engine after them.
  size_t bit_position() const { return pos_; }
  uint32_t read_bits(int n);
  void restart();

 private:
  uint32_t bit();
  std::span<const uint8_t> data_;
  size_t pos_;
  uint32_t range_ = 510, offset_ = 0;
  uint8_t state_[kCabacIContexts];  // pStateIdx
  uint8_t mps_[kCabacIContexts];    // valMPS
};

}  // namespace daedalus::h264
