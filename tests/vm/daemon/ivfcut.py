#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# ivfcut.py IN OUT MODE: MODE "from-key:N" keeps frames from the N-th key frame
# (N>=1: a mid-stream key frame); "drop-odd" drops every odd frame.
import struct, sys
data = open(sys.argv[1], 'rb').read()
hdr, pos, frames = bytearray(data[:32]), 32, []
while pos + 12 <= len(data):
    size = struct.unpack_from('<I', data, pos)[0]
    frames.append(data[pos:pos + 12 + size]); pos += 12 + size
def is_key(f):
    b = f[12]
    return (b & 0xc0) == 0x80 and (b & 0x30) == 0 and not (b & 0x08) and not (b & 0x04)
mode = sys.argv[3]
if mode.startswith('from-key:'):
    n = int(mode.split(':')[1]); keys = [i for i, f in enumerate(frames) if is_key(f)]
    if len(keys) <= n: sys.exit('no key frame #%d (key frames at %s)' % (n, keys))
    out = frames[keys[n]:]
elif mode == 'drop-odd':
    out = [f for i, f in enumerate(frames) if i % 2 == 0]
else:
    sys.exit('bad mode')
struct.pack_into('<I', hdr, 24, len(out))
open(sys.argv[2], 'wb').write(bytes(hdr) + b''.join(out))
print(len(frames), '->', len(out))
