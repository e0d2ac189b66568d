/* SPDX-License-Identifier: MIT */
/*
 * The H.264 work description: what daemon/h264's entropy decoder hands to
 * the H.264 stages (dispatch.h, Backend::h264_*). Flat and pointer-free like
 * VP9's (work.h): one record per macroblock in raster order and one array
 * of dequantised coefficients, H264_MB_COEFFS per macroblock. Documented
 * field by field in docs/dispatch.md.
 */
#ifndef DAEDALUS_DISPATCH_H264_WORK_H
#define DAEDALUS_DISPATCH_H264_WORK_H

#include <stdint.h>

#include "daedalus/dispatch/h264_shared.h"

#ifdef __cplusplus
extern "C" {
#endif

enum dd_h264_mb_type {
	DD_H264_MB_I4X4 = 0,   /* Intra_4x4: 16 modes, 4x4 transforms */
	DD_H264_MB_I8X8 = 1,   /* Intra_8x8: 4 modes, 8x8 transforms */
	DD_H264_MB_I16X16 = 2, /* Intra_16x16: one mode, luma DC Hadamard */
	DD_H264_MB_PCM = 3,    /* I_PCM: samples as coded */
	DD_H264_MB_INTER = 4,  /* P macroblock (P_Skip included): predicted by
				  h264_inter_pred, residual of 4x4 transforms
				  or (DD_H264_MB_TRANSFORM_8X8) 8x8 ones, no
				  luma DC transform */
};

/*
 * Neighbouring macroblocks whose samples intra prediction may use: inside
 * the picture, in the same slice, and (constrained_intra_pred_flag) intra.
 */
enum dd_h264_mb_flags {
	DD_H264_MB_LEFT = 1 << 0,      /* mbAddrA */
	DD_H264_MB_TOP = 1 << 1,       /* mbAddrB */
	DD_H264_MB_TOP_RIGHT = 1 << 2, /* mbAddrC */
	DD_H264_MB_TOP_LEFT = 1 << 3,  /* mbAddrD */
	DD_H264_MB_TRANSFORM_8X8 = 1 << 4, /* DD_H264_MB_INTER: transform_size_8x8_flag */
};

/* The layout of a macroblock's H264_MB_COEFFS coefficients (enum
 * dd_h264_coeff_layout): daedalus/dispatch/h264_shared.h, which the shaders
 * read too. */

struct dd_h264_mb {
	uint16_t mb_x, mb_y;   /* in macroblocks */
	uint8_t type;          /* enum dd_h264_mb_type */
	uint8_t flags;         /* enum dd_h264_mb_flags */
	uint8_t chroma_pred_mode; /* intra_chroma_pred_mode: 0 DC, 1 H, 2 V, 3 plane */
	uint8_t cbp;           /* CodedBlockPatternLuma | CodedBlockPatternChroma << 4 */
	uint8_t qp[3];         /* QP of Y, Cb, Cr for deblocking (I_PCM: those of
				  QPY = 0, 8.7.2.2) */
	uint8_t deblock_idc;   /* disable_deblocking_filter_idc of its slice */
	int8_t filter_offset_a, filter_offset_b; /* slice_alpha_c0 / beta offsets * 2 */
	uint16_t slice;        /* slice number within the picture */
	uint8_t pred_modes[16]; /* I4x4: Intra4x4PredMode per 4x4 block,
				   raster (by * 4 + bx); I8x8: Intra8x8PredMode
				   per 8x8 block at [by * 2 + bx]; I16x16:
				   Intra16x16PredMode at [0] */
	uint32_t coeff_offset; /* index into coeffs of its H264_MB_COEFFS */
	int32_t dc_scale[3];   /* LevelScale4x4(qP % 6, 0, 0) << (qP / 6) of the
				  luma DC (I16x16) and the Cb, Cr DC */
};

/*
 * One motion-compensated block of a P picture (8.4.2): a macroblock or
 * sub-macroblock partition, predicted from one reference picture. Blocks
 * lie inside the decoded area and do not overlap.
 */
enum dd_h264_inter_flags {
	DD_H264_INTER_WEIGHTED = 1 << 0, /* explicit weighted prediction (8.4.2.3.2) */
};

struct dd_h264_inter_block {
	uint16_t x, y;         /* top-left luma sample */
	uint8_t w, h;          /* luma size: 4, 8 or 16 */
	uint8_t ref;           /* index of the picture's reference surfaces */
	uint8_t flags;         /* enum dd_h264_inter_flags */
	int16_t mv[2];         /* mvL0 in quarter luma samples (x, y); chroma's
				  is the same in eighth chroma samples */
	uint8_t luma_log2_denom, chroma_log2_denom; /* logWD of 8.4.2.3 */
	int16_t luma_weight, luma_offset;           /* w and o, o already << (bit depth - 8) */
	int16_t chroma_weight[2], chroma_offset[2]; /* Cb, Cr */
};

/*
 * What the deblocking filter's boundary strengths (8.7.2.1) need of an
 * inter picture's macroblocks, one record per macroblock in raster order
 * (absent for pictures of intra macroblocks only).
 */
struct dd_h264_mb_motion {
	int16_t mv[16][2];     /* per 4x4 luma block, raster (by * 4 + bx) */
	int8_t ref[16];        /* reference surface index per 4x4 block; -1 intra */
	uint16_t nonzero;      /* bit by * 4 + bx: the block's transform block
				  (its 8x8 one with DD_H264_MB_TRANSFORM_8X8)
				  has non-zero luma coefficients */
	uint16_t reserved;
};

struct dd_h264_frame_params {
	uint32_t width, height;         /* visible size (right / bottom crop) */
	uint32_t mb_cols, mb_rows;      /* decoded area is mb_cols*16 x mb_rows*16 */
	uint32_t num_mbs;               /* mb_cols * mb_rows */
	uint32_t reserved;
};

#ifdef __cplusplus
}
#endif

#endif /* DAEDALUS_DISPATCH_H264_WORK_H */
