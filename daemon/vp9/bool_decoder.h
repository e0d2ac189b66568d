// SPDX-License-Identifier: MIT
// VP9's boolean (binary arithmetic) decoder, spec section 9.2. Bits past the
// end of the buffer read as zero like libvpx; overrun() tells how many bytes
// were made up so callers can reject grossly truncated tiles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace daedalus::vp9 {

class BoolDecoder {
 public:
  BoolDecoder() = default;
  // Throws daedalus::Error for an empty buffer or a set marker bit.
  void init(const uint8_t* data, size_t size);

  [[gnu::always_inline]] int read(int prob) {
    if (bits_ < 8) [[unlikely]] fill();
    return read_unchecked(prob);
  }
  // Makes the next n reads safe without their refill checks: a read needs 8
  // valid bits and consumes at most 7.
  [[gnu::always_inline]] void reserve_reads(int n) {
    if (bits_ < 8 + 7 * (n - 1)) [[unlikely]] fill();
  }
  // A read covered by reserve_reads().
  [[gnu::always_inline]] int read_unchecked(int prob) {
    const uint32_t split = 1 + (((range_ - 1) * static_cast<uint32_t>(prob)) >> 8);
    const uint64_t big_split = static_cast<uint64_t>(split) << 56;
    int bit;
    if (value_ >= big_split) {
      range_ -= split;
      value_ -= big_split;
      bit = 1;
    } else {
      range_ = split;
      bit = 0;
    }
    const int shift = __builtin_clz(range_) - 24;
    range_ <<= shift;
    value_ <<= shift;
    bits_ -= shift;
    return bit;
  }
  int read_bit() { return read(128); }
  uint32_t read_literal(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 1) | static_cast<uint32_t>(read_bit());
    return v;
  }
  // Reads a tree-coded symbol: tree[i] > 0 is the index of the next node
  // pair, tree[i] <= 0 a leaf -symbol; probs[i >> 1] is node i's probability.
  [[gnu::always_inline]] int read_tree(const int8_t* tree, const uint8_t* probs) {
    int i = 0;
    while ((i = tree[i + read(probs[i >> 1])]) > 0) {
    }
    return -i;
  }
  // Bytes of zero padding consumed beyond the buffer end.
  size_t overrun() const {
    const long padding_used = static_cast<long>(overrun_bits_) - bits_;
    return padding_used > 0 ? static_cast<size_t>(padding_used) / 8 : 0;
  }
  // Bytes of the buffer not yet consumed (loaded or not), rounded down. A
  // tile decoded in sync with its encoder ends within the encoder's final
  // padding, a few bytes before the end.
  size_t unread_bytes() const {
    const long bits = static_cast<long>(end_ - buf_) * 8 + bits_ - static_cast<long>(overrun_bits_);
    return bits > 0 ? static_cast<size_t>(bits) / 8 : 0;
  }

 private:
  // Tops the window up to at least 57 valid bits. While 8 bytes remain it
  // loads them as one big-endian word; bits of a byte it does not count as
  // consumed yet land where the next refill ORs the same bits again, and
  // reads only shift the window left, so they stay correct. Nothing here
  // takes the decoder's address, so a hot loop can keep a local copy of it
  // in registers.
  [[gnu::always_inline]] void fill() {
    if (end_ - buf_ >= 8) [[likely]] {
      uint64_t word;
      std::memcpy(&word, buf_, 8);
      value_ |= __builtin_bswap64(word) >> bits_;
      const int bytes = (64 - bits_) >> 3;
      buf_ += bytes;
      bits_ += bytes * 8;
      return;
    }
    const Tail t = fill_tail(buf_, end_, value_, bits_);
    overrun_bits_ += static_cast<size_t>(t.bits - bits_) - static_cast<size_t>(t.buf - buf_) * 8;
    buf_ = t.buf;
    value_ = t.value;
    bits_ = t.bits;
  }
  struct Tail {
    const uint8_t* buf;
    uint64_t value;
    int bits;
  };
  // Near the end: byte by byte, zero padding past it (counted by fill()).
  [[gnu::noinline]] static Tail fill_tail(const uint8_t* buf, const uint8_t* end, uint64_t value, int bits) {
    while (bits <= 56) {
      if (buf < end) value |= static_cast<uint64_t>(*buf++) << (56 - bits);
      bits += 8;
    }
    return {buf, value, bits};
  }
  const uint8_t* buf_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t value_ = 0;  // window, left aligned
  int bits_ = 0;        // valid bits in the window
  uint32_t range_ = 255;
  size_t overrun_bits_ = 0;
};

}  // namespace daedalus::vp9
