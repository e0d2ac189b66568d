// SPDX-License-Identifier: MIT
// Shared declarations of the daedalus compute shaders. V3DV has no
// shaderInt8/Int16: 8/16-bit values are only loaded/stored through
// 8/16-bit storage access and widened to 32-bit int for arithmetic.
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_GOOGLE_include_directive : require

// The work description's enums and record layouts, and the push-constant
// structs and record layouts the Vulkan backend shares with the shaders.
#include "daedalus/dispatch/work_shared.h"
#include "daedalus/shader_interface.h"

int clip_pixel(int v) { return clamp(v, 0, 255); }

// Wraps to int16 as the reference backend's int16_t intermediates do.
int w16(int v) { return (v << 16) >> 16; }

// A field of a record read as 32-bit words named w0, w1, ... (prefix w),
// at (word, shift, bits) as work_shared.h gives it (DD_TXB_X, ...). A
// macro of constant expressions only, so that it compiles to what a
// hand-written shift and mask does: glslang emits a ?: or a function
// argument as branches and variables, and add_residual took 129 V3D
// instructions instead of 124. A mask of all 32 bits folds away.
#define DD_FIELD(prefix, POS) DD_FIELD_(prefix, POS)
#define DD_FIELD_(prefix, word, shift, bits) ((prefix##word >> (shift)) & (0xffffffffu >> (32 - (bits))))

// dd_tx_block (work.h) from its DD_TX_BLOCK_WORDS words.
struct TxBlock {
  int x, y, plane, tx_size, tx_type, mode, eob, flags;
  uint coeff_offset;
};
TxBlock unpack_tx(uint w0, uint w1, uint w2, uint w3) {
  TxBlock t;
  t.x = int(DD_FIELD(w, DD_TXB_X));
  t.y = int(DD_FIELD(w, DD_TXB_Y));
  t.plane = int(DD_FIELD(w, DD_TXB_PLANE));
  t.tx_size = int(DD_FIELD(w, DD_TXB_TX_SIZE));
  t.tx_type = int(DD_FIELD(w, DD_TXB_TX_TYPE));
  t.mode = int(DD_FIELD(w, DD_TXB_MODE));
  t.eob = int(DD_FIELD(w, DD_TXB_EOB));
  t.flags = int(DD_FIELD(w, DD_TXB_FLAGS));
  t.coeff_offset = DD_FIELD(w, DD_TXB_COEFF_OFFSET);
  return t;
}
// Tx block i of a buffer of words.
#define load_tx(words, i) unpack_tx(words[DD_TX_BLOCK_WORDS * (i)], words[DD_TX_BLOCK_WORDS * (i) + 1u], \
                                    words[DD_TX_BLOCK_WORDS * (i) + 2u], words[DD_TX_BLOCK_WORDS * (i) + 3u])

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
