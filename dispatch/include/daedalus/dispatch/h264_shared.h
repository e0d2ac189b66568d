/* SPDX-License-Identifier: MIT */
/*
 * What the H.264 stages of both backends share, in the C/GLSL subset of
 * c_glsl.h: the layout of a macroblock's coefficients in the work
 * description (h264_work.h includes it), the layout of the residuals h264_residual writes and
 * h264_intra_recon reads (dispatch/cpu/h264_stages.cpp, shaders/h264_*.comp),
 * and the deblocking filter's tables (dispatch/cpu/h264_deblock.cpp,
 * shaders/h264_deblock.comp).
 */
#ifndef DAEDALUS_DISPATCH_H264_SHARED_H
#define DAEDALUS_DISPATCH_H264_SHARED_H

#include "daedalus/dispatch/c_glsl.h"

/* Offsets inside a macroblock's H264_MB_COEFFS coefficients (the work
 * description, h264_work.h). */
DD_ENUM(dd_h264_coeff_layout)
	/* 256: 16 4x4 blocks of 16 (block (bx, by) at 16 * (by * 4 + bx)) or 4
	 * 8x8 blocks of 64 (at 64 * (by * 2 + bx)), each in raster order;
	 * I_PCM: 16x16 samples */
	DD_VALUE(DD_H264_COEFF_LUMA, 0)
	/* 64: 4 4x4 blocks, DC at 0 left for the DC transform; I_PCM: 8x8 samples */
	DD_VALUE(DD_H264_COEFF_CB, 256)
	DD_VALUE(DD_H264_COEFF_CR, 320)
	/* 16 Intra16x16 DC levels, the 4x4 matrix c of 8.5.10 in raster order (c[by][bx]) */
	DD_VALUE(DD_H264_COEFF_LUMA_DC, 384)
	/* 4 chroma DC levels, c of 8.5.11.1 */
	DD_VALUE(DD_H264_COEFF_CB_DC, 400)
	DD_VALUE(DD_H264_COEFF_CR_DC, 404)
	DD_VALUE(H264_MB_COEFFS, 408)
DD_ENUM_END

/* The residuals of a macroblock, int16 samples in raster order: 16x16
 * luma (rows of 16), then 8x8 Cb and 8x8 Cr (rows of 8). */
#define DD_H264_RES_LUMA 0
#define DD_H264_RES_CB 256
#define DD_H264_RES_CR 320
#define DD_H264_RES_PER_MB 384

/*
 * Table 8-16: alpha' and beta' by indexA / indexB (0..51), and Table 8-17:
 * tC0' by indexA for bS = 1, 2, 3 (three values per index). Comma lists,
 * so that C++ makes arrays of them ({DD_H264_ALPHA}) and GLSL too
 * (int[52](DD_H264_ALPHA)).
 */
#define DD_H264_ALPHA \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 5, 6, 7, 8, 9, 10, 12, 13, \
	15, 17, 20, 22, 25, 28, 32, 36, 40, 45, 50, 56, 63, 71, 80, 90, 101, 113, 127, 144, 162, 182, 203, 226, 255, 255
#define DD_H264_BETA \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, \
	6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 16, 16, 17, 17, 18, 18
#define DD_H264_TC0 \
	0, 0, 0,  0, 0, 0,  0, 0, 0,  0, 0, 0,  0, 0, 0,  0, 0, 0,  0, 0, 0,  0, 0, 0, \
	0, 0, 0,  0, 0, 0,  0, 0, 0,  0, 0, 0,  0, 0, 0,  0, 0, 0,  0, 0, 0,  0, 0, 0, \
	0, 0, 0,  0, 0, 1,  0, 0, 1,  0, 0, 1,  0, 0, 1,  0, 1, 1,  0, 1, 1,  1, 1, 1, \
	1, 1, 1,  1, 1, 1,  1, 1, 1,  1, 1, 2,  1, 1, 2,  1, 1, 2,  1, 1, 2,  1, 2, 3, \
	1, 2, 3,  2, 2, 3,  2, 2, 4,  2, 3, 4,  2, 3, 4,  3, 3, 5,  3, 4, 6,  3, 4, 6, \
	4, 5, 7,  4, 5, 8,  4, 6, 9,  5, 7, 10,  6, 8, 11,  6, 8, 13,  7, 10, 14,  8, 11, 16, \
	9, 12, 18,  10, 13, 20,  11, 15, 23,  13, 17, 25

/* The three tables one after another as the Vulkan backend uploads them
 * for shaders/h264_deblock.comp (int32 each): where each starts. */
#define DD_H264_TABLE_ALPHA 0
#define DD_H264_TABLE_BETA 52
#define DD_H264_TABLE_TC0 104
#define DD_H264_TABLE_SIZE 260

#endif /* DAEDALUS_DISPATCH_H264_SHARED_H */
