/* SPDX-License-Identifier: MIT */
/*
 * The host/shader interface of the Vulkan backend, in the C++/GLSL subset
 * of daedalus/dispatch/c_glsl.h: one struct per push-constant block, the
 * layouts of the records the backend writes into storage buffers for the
 * shaders (dispatch/vulkan/vk_work.h, stage_*.h say what they hold), and
 * the workgroup packings both sides compute with. dispatch/vulkan includes
 * it as C++, each shader as GLSL: a shader declares its block as
 *     layout(push_constant) uniform Params { dd_intra_push pc; };
 * and the backend pushes the same struct. The enums and the work records'
 * layouts are in daedalus/dispatch/work_shared.h.
 *
 * A push-constant struct is written once as a field list,
 * DD_X_FIELDS(U, A, S): U(name) a uint, A(name, n) a uint[n], S(type,
 * name) a nested struct. DD_STRUCT makes the struct of it in both
 * languages; dispatch/vulkan/vk_interface.h makes the C++ table of
 * (name, offset, size) that tests/unit/vulkan/interface_test.cpp compares
 * with the SPIR-V of every pipeline. Only 32-bit fields: C++ and std430
 * (Vulkan's push-constant layout) then agree without padding rules.
 */
#ifndef DAEDALUS_SHADER_INTERFACE_H
#define DAEDALUS_SHADER_INTERFACE_H

#include "daedalus/dispatch/c_glsl.h"

#define DD_FIELD_U(name) DD_U32 name;
#define DD_FIELD_A(name, n) DD_U32 name[n];
#define DD_FIELD_S(type, name) type name;
#define DD_STRUCT(type, FIELDS) struct type { FIELDS(DD_FIELD_U, DD_FIELD_A, DD_FIELD_S) };

/* pack_nv12.comp and pack_nv12_words.comp. */
#define DD_PACK_PUSH_FIELDS(U, A, S) \
	A(src_off, 3) A(src_stride, 3)   /* planar source planes */ \
	U(dst_y_off) U(dst_y_stride)      /* NV12 destination */ \
	U(dst_uv_off) U(dst_uv_stride) \
	U(width) U(height)                /* luma samples to copy */ \
	U(chroma_w) U(chroma_h)           /* chroma samples per plane to copy */
DD_STRUCT(dd_pack_push, DD_PACK_PUSH_FIELDS)

/* residual.comp, one dispatch per transform size. */
#define DD_RESIDUAL_PUSH_FIELDS(U, A, S) \
	U(list_base)  /* index into aux of the first tx block index */ \
	U(count)      /* blocks in the list */ \
	U(lossless)   /* 4x4 blocks use the WHT */
DD_STRUCT(dd_residual_push, DD_RESIDUAL_PUSH_FIELDS)

/* The decoded area of each plane of a planar destination: byte offset,
 * row stride, width, height. */
#define DD_PLANES_FIELDS(U, A, S) A(off, 3) A(stride, 3) A(width, 3) A(height, 3)
DD_STRUCT(dd_planes, DD_PLANES_FIELDS)

/* intra_recon.comp: one wavefront level (chain_levels 0), or a chain of
 * narrow levels walked by one workgroup (chain_levels of them, described
 * in aux from chain_base, DD_INTRA_LEVEL_WORDS each). */
#define DD_INTRA_PUSH_FIELDS(U, A, S) \
	U(list_base) U(count)           /* one level's tx blocks */ \
	S(dd_planes, planes) \
	U(use_residual)                 /* 0 when the residual stage did not run this frame */ \
	U(n4)                           /* the level's first n4 blocks are 4x4, the rest larger */ \
	U(chain_base) U(chain_levels)
DD_STRUCT(dd_intra_push, DD_INTRA_PUSH_FIELDS)
#define DD_INTRA_LEVEL_WORDS 3u /* a chained level in aux: list base, count, 4x4 count */

/* add_residual.comp: inter blocks' residuals added to their prediction. */
#define DD_ADD_RESIDUAL_PUSH_FIELDS(U, A, S) \
	U(list_base) U(count) \
	S(dd_planes, planes) \
	U(per_group_log2)  /* log2 of tx blocks per workgroup: 2 (4x4 only) or 0 */
DD_STRUCT(dd_add_residual_push, DD_ADD_RESIDUAL_PUSH_FIELDS)

/* inter_pred.comp: one dispatch per (pass, reference slot, unit kind). */
#define DD_INTER_PUSH_FIELDS(U, A, S) \
	U(count)                  /* units */ \
	U(unit_base)              /* word index of this dispatch's units in the job buffer */ \
	U(ref_index)              /* which of the jobs' references: 0, or 1 (averaged in) */ \
	A(off, 3) A(stride, 3)    /* destination planes */
DD_STRUCT(dd_inter_push, DD_INTER_PUSH_FIELDS)

/* loop_filter.comp: one dispatch per superblock wave. */
#define DD_LOOP_FILTER_PUSH_FIELDS(U, A, S) \
	U(list_base) U(count)     /* the wave's superblocks in aux */ \
	U(sharpness) \
	U(edges_base)             /* where the superblocks' edge masks start in aux */ \
	S(dd_planes, planes) \
	A(cols, 3) A(rows, 3)     /* dd_lf_unit grid per plane */ \
	A(lf_base, 3)             /* word index of each plane's units in the unit buffer */
DD_STRUCT(dd_loop_filter_push, DD_LOOP_FILTER_PUSH_FIELDS)

/* loop_filter_masks.comp: every superblock's edge masks, one dispatch
 * before loop_filter's waves. */
#define DD_LOOP_FILTER_MASKS_PUSH_FIELDS(U, A, S) \
	U(count)                  /* superblocks listed from aux word 0 */ \
	U(edges_base)             /* where their edge masks start in aux */ \
	A(cols, 3) A(rows, 3)     /* dd_lf_unit grid per plane, 0 x 0 when absent */ \
	A(lf_base, 3)             /* word index of each plane's units in the unit buffer */
DD_STRUCT(dd_loop_filter_masks_push, DD_LOOP_FILTER_MASKS_PUSH_FIELDS)
/* The H.264 stages (h264_residual.comp, h264_intra_recon.comp,
 * h264_deblock.comp), one macroblock per workgroup: residual over all
 * macroblocks (num_mbs), intra_recon and deblock one dispatch per
 * wavefront level, the macroblocks (x, y) with x + 2 * y == level, y from
 * first_y, count of them (dispatch/vulkan/stage_h264_intra_recon.cpp says
 * why that order is the reference's). */
#define DD_H264_PUSH_FIELDS(U, A, S) \
	U(num_mbs) U(mb_cols) U(mb_rows) \
	U(level) U(first_y) U(count) \
	S(dd_planes, planes)
DD_STRUCT(dd_h264_push, DD_H264_PUSH_FIELDS)

/* The H.264 stages' macroblock record, DD_H264_MB_WORDS words packed by
 * the host from dd_h264_mb (stage_h264_residual.cpp, pack_h264_mbs):
 *   [DD_H264_MBW_POS] mb_x | mb_y << 16
 *   [DD_H264_MBW_TYPE] kind | avail << 8 | chroma_pred_mode << 16 | cbp << 24
 *   [DD_H264_MBW_QP] qp[0] | qp[1] << 8 | qp[2] << 16 | deblock_idc << 24
 *   [DD_H264_MBW_FILTER] uint8 filter_offset_a | uint8 filter_offset_b << 8 | slice << 16
 *   [DD_H264_MBW_MODES], + 1: pred_modes[k] at bits 4 * (k % 8) of word k / 8
 *   [DD_H264_MBW_COEFF] coeff_offset
 *   [DD_H264_MBW_DC_SCALE] + 0 .. 2: dc_scale[0 .. 2] */
#define DD_H264_MB_WORDS 10u
#define DD_H264_MBW_POS 0u
#define DD_H264_MBW_TYPE 1u
#define DD_H264_MBW_QP 2u
#define DD_H264_MBW_FILTER 3u
#define DD_H264_MBW_MODES 4u
#define DD_H264_MBW_COEFF 6u
#define DD_H264_MBW_DC_SCALE 7u
/* The record's kind (from dd_h264_mb::type) and neighbour availability
 * bits (from dd_h264_mb::flags): the packer maps each, so the shaders do
 * not depend on how the work description numbers them. */
#define DD_H264_KIND_I4X4 0
#define DD_H264_KIND_I8X8 1
#define DD_H264_KIND_I16X16 2
#define DD_H264_KIND_PCM 3
#define DD_H264_AVAIL_LEFT 1
#define DD_H264_AVAIL_TOP 2
#define DD_H264_AVAIL_TOP_RIGHT 4
#define DD_H264_AVAIL_TOP_LEFT 8

/* The aux buffer's residual offset of a tx block with eob == 0. */
#define DD_NO_RESIDUAL 0xffffffffu

/* Inter prediction jobs (stage_inter_pred.h, InterPlan): a header of
 * reference plane layouts, [slot][plane] = (offset, stride, step) words,
 * then one record of DD_JOB_WORDS per job:
 *   [DD_JOB_KIND] plane | filter << 8 | nrefs << 16, [DD_JOB_POS] x | y << 16,
 *   [DD_JOB_SIZE] w | h << 16, then per reference i at DD_JOB_REF +
 *   DD_JOB_REF_WORDS * i: slot, pos_x, pos_y (1/16 pel), dx | dy << 16,
 *   ref_w | ref_h << 16;
 * then one word per unit of 4 columns and DD_INTER_UNIT_ROWS rows:
 * job << DD_UNIT_JOB_SHIFT | unit_row << 4 | unit_col. */
#define DD_JOB_HEADER_WORDS 32u
#define DD_JOB_WORDS 16u
#define DD_JOB_KIND 0u
#define DD_JOB_POS 1u
#define DD_JOB_SIZE 2u
#define DD_JOB_REF 3u
#define DD_JOB_REF_WORDS 5u
#define DD_UNIT_JOB_SHIFT 8u
#define DD_INTER_UNIT_ROWS 8 /* rows per unit: an 8-tap vertical pass filters 15 rows for 8 */
/* A unit's kind in one pass, from its reference position: unscaled with
 * phases (mx, my) = (0, 0) a copy, (mx, 0) horizontal only, (0, my)
 * vertical only, else both; or a scaled reference. One inter_pred module
 * per kind (its specialization constant 0 frozen at build time), so that a
 * 16-lane batch runs one path and each program holds only its own code. */
#define DD_INTER_KIND_COPY 0u
#define DD_INTER_KIND_H 1u
#define DD_INTER_KIND_V 2u
#define DD_INTER_KIND_HV 3u
#define DD_INTER_KIND_SCALED 4u
#define DD_INTER_KINDS 5u

/* Workgroup packings the backend's group counts and the shaders' local
 * sizes share. */
#define DD_PACK_LANES_X 64               /* pack_nv12*: 64 x 4 */
#define DD_PACK_LANES_Y 4
#define DD_PACK_LANES (DD_PACK_LANES_X * DD_PACK_LANES_Y)
#define DD_RESIDUAL_LANES 64             /* residual: 64 / n blocks of n x n, 32x32: one */
#define DD_ADD_RESIDUAL_LANES 64         /* add_residual: four 4x4 blocks or one larger */
#define DD_INTER_UNITS_PER_GROUP 64      /* inter_pred: one invocation per unit */
#define DD_INTRA_LANES 64                /* intra_recon's workgroup */
#define DD_INTRA_4X4_PER_GROUP 16u       /* 4 invocations per 4x4 block */
#define DD_INTRA_LARGER_PER_GROUP 4u     /* 16 invocations per 8x8..32x32 block */
#define DD_LOOP_FILTER_LANES 128         /* loop_filter: one workgroup per superblock */
#define DD_LF_EDGE_WORDS 24u             /* a superblock's edge masks (LfPlan) */
#define DD_LF_MASKS_LANES 64             /* loop_filter_masks: one mask word per invocation */
#define DD_H264_RESIDUAL_LANES 96        /* h264_residual: one row or column of a 4x4 / 8x8 block each */
#define DD_H264_INTRA_LANES 16           /* h264_intra_recon: a luma row, a chroma row each */
#define DD_H264_DEBLOCK_LANES 32         /* h264_deblock: 16 luma lines, 2 x 8 chroma lines */

#endif /* DAEDALUS_SHADER_INTERFACE_H */
