#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Rewrites the 3-bit loop filter sharpness of every frame of a VP9 IVF file
# (profile 0, no superframes) to 1 + (frame index % 7). Sharpness lives in
# the uncompressed header and only feeds the loop filter limits, so the
# result is a valid stream that exercises every sharpness level, which
# libvpx's encoder never writes (it always codes 0).
#
#   vp9_set_sharpness.py IN.ivf OUT.ivf
import struct
import sys


class Bits:
    def __init__(self, buf, byte_offset):
        self.buf, self.pos = buf, byte_offset * 8

    def f(self, n):
        v = 0
        for _ in range(n):
            v = (v << 1) | ((self.buf[self.pos >> 3] >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return v


SYNC_CODE = 0x498342


def sharpness_bit_position(buf, off):
    """Bit position of loop_filter_params.sharpness, None for show_existing_frame."""
    b = Bits(buf, off)
    if b.f(2) != 2:
        raise ValueError("not a VP9 frame")
    if b.f(1) | (b.f(1) << 1):
        raise ValueError("only profile 0 is handled")
    if b.f(1):
        return None  # show_existing_frame
    key = b.f(1) == 0
    show, error_res = b.f(1), b.f(1)
    if key:
        if b.f(24) != SYNC_CODE:
            raise ValueError("bad sync code")
        if b.f(3) != 7:  # color_space != SRGB: color_range
            b.f(1)
        b.f(32)  # frame size
        if b.f(1):
            b.f(32)  # render size
    else:
        intra_only = 0 if show else b.f(1)
        if not error_res:
            b.f(2)  # reset_frame_context
        if intra_only:
            if b.f(24) != SYNC_CODE:
                raise ValueError("bad sync code")
            b.f(8)  # refresh_frame_flags
            b.f(32)
            if b.f(1):
                b.f(32)
        else:
            b.f(8)  # refresh_frame_flags
            for _ in range(3):
                b.f(4)  # ref_frame_idx, sign_bias
            found = 0
            for _ in range(3):
                found = b.f(1)
                if found:
                    break
            if not found:
                b.f(32)
            if b.f(1):
                b.f(32)
            b.f(1)  # allow_high_precision_mv
            if not b.f(1):  # is_filter_switchable
                b.f(2)
    if not error_res:
        b.f(2)  # refresh_frame_context, frame_parallel_decoding_mode
    b.f(2)  # frame_context_idx
    b.f(6)  # filter_level
    return b.pos


def main():
    data = bytearray(open(sys.argv[1], "rb").read())
    if data[:4] != b"DKIF":
        sys.exit("not an IVF file")
    off = struct.unpack("<H", data[6:8])[0]
    n = 0
    while off + 12 <= len(data):
        size = struct.unpack("<I", data[off:off + 4])[0]
        frame = off + 12
        if (data[frame + size - 1] & 0xE0) == 0xC0:
            sys.exit("superframes are not handled (encode with --auto-alt-ref=0 --lag-in-frames=0)")
        pos = sharpness_bit_position(data, frame)
        if pos is not None:
            value = 1 + n % 7
            for i in range(3):
                byte, shift = (pos + i) >> 3, 7 - ((pos + i) & 7)
                data[byte] = (data[byte] & ~(1 << shift)) | (((value >> (2 - i)) & 1) << shift)
        n += 1
        off = frame + size
    open(sys.argv[2], "wb").write(data)


if __name__ == "__main__":
    main()
