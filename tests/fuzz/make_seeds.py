#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Turns IVF clips into fuzzer seeds in the target's input format: up to N
# packets, each prefixed by its 16-bit little-endian length.
import os
import struct
import sys


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"DKIF":
        return
    pos = struct.unpack_from("<H", data, 6)[0]
    while pos + 12 <= len(data):
        size = struct.unpack_from("<I", data, pos)[0]
        yield data[pos + 12:pos + 12 + size]
        pos += 12 + size


def main():
    out_dir, max_packets = sys.argv[1], int(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    for clip in sys.argv[3:]:
        seed = b""
        for i, pkt in enumerate(packets(clip)):
            if i == max_packets or len(pkt) > 0xFFFF:
                break
            seed += struct.pack("<H", len(pkt)) + pkt
        if seed:
            name = os.path.splitext(os.path.basename(clip))[0]
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(seed)


if __name__ == "__main__":
    main()
