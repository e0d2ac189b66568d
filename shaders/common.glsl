// SPDX-License-Identifier: MIT
// Shared declarations of the daedalus compute shaders. V3DV has no
// shaderInt8/Int16: 8/16-bit values are only loaded/stored through
// 8/16-bit storage access and widened to 32-bit int for arithmetic.
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_16bit_storage : require

int clip_pixel(int v) { return clamp(v, 0, 255); }

// Wraps to int16 as the reference backend's int16_t intermediates do.
int w16(int v) { return (v << 16) >> 16; }

// dd_tx_block (work.h) as four 32-bit words.
struct TxBlock {
  int x, y, plane, tx_size, tx_type, mode, eob, flags;
  uint coeff_offset;
};
TxBlock unpack_tx(uint w0, uint w1, uint w2, uint w3) {
  TxBlock t;
  t.x = int(w0 & 0xffffu);
  t.y = int(w0 >> 16);
  t.plane = int(w1 & 0xffu);
  t.tx_size = int((w1 >> 8) & 0xffu);
  t.tx_type = int((w1 >> 16) & 0xffu);
  t.mode = int(w1 >> 24);
  t.eob = int(w2 & 0xffffu);
  t.flags = int((w2 >> 16) & 0xffu);
  t.coeff_offset = w3;
  return t;
}

// A colour plane inside a surface buffer: byte offset, row stride, sample
// step (2 for the U/V halves of NV12 CbCr), decoded width/height.
struct PlaneDesc {
  uint offset, stride, step, width, height;
};

// Workgroup index of a dispatch spread over a 2-D grid (the host splits
// large counts: maxComputeWorkGroupCount is 65535 per dimension).
uint linear_group() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }

// Element i (0..2) of a 3-element push-constant array, selected without
// indexing it dynamically (drivers may lower dynamically indexed push
// constants to memory loads).
uint sel3(uint a, uint b, uint c, int i) { return i == 0 ? a : i == 1 ? b : c; }
uint sel3(uint a, uint b, uint c, uint i) { return sel3(a, b, c, int(i)); }
