/* SPDX-License-Identifier: MIT */
/*
 * The per-frame work description: everything the CPU part of a decoder
 * (header parsing + entropy decoding, daemon/vp9/) hands to the
 * reconstruction stages (dispatch/). It is flat and pointer-free: a few
 * arrays of fixed-size records made of 8/16/32-bit fields with natural
 * alignment, so each array can be memcpy'd (or written in place) into a GPU
 * storage buffer and read with std430 layout by the shaders. Shaders never
 * need 8/16-bit arithmetic (V3DV lacks shaderInt8/16): they load these
 * fields through 8/16-bit storage access or unpack them from 32-bit words.
 *
 * Plain C so that shaders' layouts can be checked against it
 * (tests assert sizeof/offsetof). Documented in docs/dispatch.md.
 */
#ifndef DAEDALUS_DISPATCH_WORK_H
#define DAEDALUS_DISPATCH_WORK_H

#include <stdint.h>

#include "daedalus/dispatch/work_shared.h"  /* the enums, shared with the shaders */

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One transform block, in decode order (which is a valid order for intra
 * prediction: every tx block's neighbours come earlier). Intra blocks list
 * every tx block, also those with eob == 0, because each needs prediction;
 * inter blocks list only tx blocks with eob > 0.
 */
struct dd_tx_block {
	uint16_t x, y;        /* top-left, in pixels of its plane */
	uint8_t plane;        /* enum dd_plane */
	uint8_t tx_size;      /* enum dd_tx_size */
	uint8_t tx_type;      /* enum dd_tx_type */
	uint8_t mode;         /* enum dd_intra_mode, DD_MODE_INTER for inter */
	uint16_t eob;         /* coefficients in scan order up to eob; 0 = none */
	uint8_t flags;        /* enum dd_tx_flags */
	uint8_t reserved;
	uint32_t coeff_offset; /* index into coeffs[] of this block's n*n
				  dequantised coefficients, raster order
				  (row-major, natural positions) */
};

/*
 * One prediction block (VP9 "mode info"), in decode order. Sub-8x8 blocks
 * (4x4, 4x8, 8x4) are one record covering their 8x8 area with per-4x4
 * motion vectors in mv[] (index = (row & 1) * 2 + (col & 1)); blocks of
 * 8x8 and larger use mv[0] only.
 */
struct dd_block {
	uint16_t x, y;        /* top-left, luma pixels */
	uint8_t w_log2, h_log2; /* luma size 1 << w_log2 by 1 << h_log2 px (2..6) */
	uint8_t flags;        /* enum dd_block_flags */
	uint8_t interp_filter; /* enum dd_interp_filter */
	uint8_t ref[2];       /* reference slot in dd_frame_params.refs (0..2),
				 ref[1] valid only if DD_BLOCK_COMPOUND */
	uint8_t segment_id;
	uint8_t reserved;
	int16_t mv[4][2][2];  /* [4x4 sub-block][ref][0 = row, 1 = col],
				 1/8 luma pixel units */
};

/* A reference picture as the inter stage sees it. */
struct dd_ref_params {
	uint32_t width, height; /* visible size: prediction clamps to it */
	int32_t x_scale_q14, y_scale_q14; /* (ref size << 14) / cur size;
					     1 << 14 when unscaled */
};

/*
 * Loop filter input, one record per 4x4 unit of each plane (grid of
 * lf_cols[plane] x lf_rows[plane], row-major). The CPU part has already
 * applied all of VP9's mask rules (tx size edges, skipped inter blocks,
 * picture borders, chroma specifics); the stage only executes.
 */
struct dd_lf_unit {
	uint8_t level;        /* filter level of the block this unit is in */
	uint8_t left_size;    /* filter on this unit's left edge: 0, 4, 8, 16 */
	uint8_t top_size;     /* filter on this unit's top edge: 0, 4, 8, 16 */
	uint8_t reserved;
};

struct dd_frame_params {
	uint32_t width, height;     /* visible luma size */
	uint32_t mi_cols, mi_rows;  /* 8x8 units; decoded area is mi*8 */
	uint32_t ss_x, ss_y;        /* chroma subsampling (1, 1 for 4:2:0) */
	uint32_t bit_depth;         /* 8 */
	uint32_t flags;             /* enum dd_frame_flags */
	uint32_t sharpness;         /* loop filter sharpness 0..7 */
	uint32_t num_blocks, num_tx_blocks, num_coeffs;
	uint32_t lf_cols[3], lf_rows[3];
	struct dd_ref_params refs[3]; /* LAST, GOLDEN, ALTREF */
};

#ifdef __cplusplus
}
#endif

#endif /* DAEDALUS_DISPATCH_WORK_H */
