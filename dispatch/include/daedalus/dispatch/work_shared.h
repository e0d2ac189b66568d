/* SPDX-License-Identifier: MIT */
/*
 * The part of the work description (work.h) that the shaders read too:
 * its enums, and where each field of the records the shaders load lies
 * when they read a record as 32-bit words (they do: V3D makes a TMU lookup
 * of every 8/16-bit load and merges consecutive 32-bit ones). Written in
 * the C/GLSL subset of c_glsl.h; work.h includes it, and so do the shaders
 * (shaders/common.glsl). A field position is (word, shift, bits): the
 * field is (word[w] >> shift) & ((1 << bits) - 1); dispatch/vulkan checks
 * each against offsetof/sizeof of the C record at compile time.
 */
#ifndef DAEDALUS_DISPATCH_WORK_SHARED_H
#define DAEDALUS_DISPATCH_WORK_SHARED_H

#include "daedalus/dispatch/c_glsl.h"

DD_ENUM(dd_plane)
	DD_VALUE(DD_PLANE_Y, 0)
	DD_VALUE(DD_PLANE_U, 1)
	DD_VALUE(DD_PLANE_V, 2)
DD_ENUM_END

/* VP9 transform sizes (log2(size) - 2). */
DD_ENUM(dd_tx_size)
	DD_VALUE(DD_TX_4X4, 0)
	DD_VALUE(DD_TX_8X8, 1)
	DD_VALUE(DD_TX_16X16, 2)
	DD_VALUE(DD_TX_32X32, 3)
DD_ENUM_END

/* Inverse transform pair: (vertical 1-D, horizontal 1-D), VP9 numbering. */
DD_ENUM(dd_tx_type)
	DD_VALUE(DD_TX_DCT_DCT, 0)   /* DCT vertically and horizontally */
	DD_VALUE(DD_TX_ADST_DCT, 1)  /* ADST vertically, DCT horizontally */
	DD_VALUE(DD_TX_DCT_ADST, 2)  /* DCT vertically, ADST horizontally */
	DD_VALUE(DD_TX_ADST_ADST, 3)
	DD_VALUE(DD_TX_WHT_WHT, 4)   /* lossless: 4x4 Walsh-Hadamard */
DD_ENUM_END

/* VP9 intra modes, as numbered in the bitstream. */
DD_ENUM(dd_intra_mode)
	DD_VALUE(DD_DC_PRED, 0)
	DD_VALUE(DD_V_PRED, 1)
	DD_VALUE(DD_H_PRED, 2)
	DD_VALUE(DD_D45_PRED, 3)
	DD_VALUE(DD_D135_PRED, 4)
	DD_VALUE(DD_D117_PRED, 5)
	DD_VALUE(DD_D153_PRED, 6)
	DD_VALUE(DD_D207_PRED, 7)
	DD_VALUE(DD_D63_PRED, 8)
	DD_VALUE(DD_TM_PRED, 9)
	DD_VALUE(DD_MODE_INTER, 0xff) /* tx block of an inter block: residual only */
DD_ENUM_END

/* Interpolation filters, VP9 numbering of the frame/block filter type. */
DD_ENUM(dd_interp_filter)
	DD_VALUE(DD_FILTER_REGULAR, 0)
	DD_VALUE(DD_FILTER_SMOOTH, 1)
	DD_VALUE(DD_FILTER_SHARP, 2)
	DD_VALUE(DD_FILTER_BILINEAR, 3)
DD_ENUM_END

/* Edge availability for intra prediction, decided by the CPU part because
 * it depends on tile boundaries and decode order. */
DD_ENUM(dd_tx_flags)
	DD_VALUE(DD_TX_HAVE_LEFT, 1 << 0)
	DD_VALUE(DD_TX_HAVE_ABOVE, 1 << 1)
	DD_VALUE(DD_TX_HAVE_ABOVE_RIGHT, 1 << 2)
DD_ENUM_END

DD_ENUM(dd_block_flags)
	DD_VALUE(DD_BLOCK_INTER, 1 << 0)
	DD_VALUE(DD_BLOCK_SKIP, 1 << 1)     /* no residual in any plane */
	DD_VALUE(DD_BLOCK_COMPOUND, 1 << 2) /* two references, averaged */
DD_ENUM_END

DD_ENUM(dd_frame_flags)
	DD_VALUE(DD_FRAME_INTRA_ONLY, 1 << 0) /* key frame or intra-only */
	DD_VALUE(DD_FRAME_LOSSLESS, 1 << 1)
	DD_VALUE(DD_FRAME_SHOW, 1 << 2)
DD_ENUM_END

/* struct dd_tx_block as four words. */
#define DD_TX_BLOCK_WORDS 4u
#define DD_TXB_X 0, 0, 16
#define DD_TXB_Y 0, 16, 16
#define DD_TXB_PLANE 1, 0, 8
#define DD_TXB_TX_SIZE 1, 8, 8
#define DD_TXB_TX_TYPE 1, 16, 8
#define DD_TXB_MODE 1, 24, 8
#define DD_TXB_EOB 2, 0, 16
#define DD_TXB_FLAGS 2, 16, 8
#define DD_TXB_COEFF_OFFSET 3, 0, 32

/* struct dd_lf_unit as one word. */
#define DD_LFU_LEVEL 0, 0, 8
#define DD_LFU_LEFT_SIZE 0, 8, 8
#define DD_LFU_TOP_SIZE 0, 16, 8

#endif /* DAEDALUS_DISPATCH_WORK_SHARED_H */
