// SPDX-License-Identifier: MIT
#include "bool_decoder.h"

#include "daedalus/error.h"

namespace daedalus::vp9 {

void BoolDecoder::init(const uint8_t* data, size_t size) {
  if (size == 0) throw Error("vp9: empty bool-coded partition");
  buf_ = data;
  end_ = data + size;
  value_ = 0;
  bits_ = 0;
  range_ = 255;
  overrun_bits_ = 0;
  fill();
  if (read_bit()) throw Error("vp9: bool decoder marker bit set (corrupt data)");
}

}  // namespace daedalus::vp9
