// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - the H.264 coded format: its controls, what they may
 * hold, and where its reference frames are named.
 *
 * The v4l2-ctrls core checks the compound payloads' ranges that do not
 * depend on the driver (bit depths, log2 sizes, QP and offset ranges,
 * reference list lengths).  The try_ctrl hooks here add what the core
 * leaves open and what the daemon cannot decode into an NV12 CAPTURE
 * buffer, so that a malformed request fails with -EINVAL when the client
 * sets it instead of failing the stream at the daemon: flag bits the uAPI
 * does not define, values the H.264 specification does not allow
 * (max_num_ref_frames > 16, a scaling list entry of 0, prediction weights
 * outside 8 bits, SP/SI slices, DPB and reference list entries out of
 * range), and pictures larger than the OUTPUT format the CAPTURE buffers
 * were sized from.  Relations between controls (the PPS naming the SPS,
 * the DPB against max_num_ref_frames) are the daemon's to check: a
 * request need not carry every control, and only the job sees the values
 * that apply to it.
 */

#include "daedalus.h"

#define SPS_FLAGS (V4L2_H264_SPS_FLAG_SEPARATE_COLOUR_PLANE |		\
		   V4L2_H264_SPS_FLAG_QPPRIME_Y_ZERO_TRANSFORM_BYPASS |	\
		   V4L2_H264_SPS_FLAG_DELTA_PIC_ORDER_ALWAYS_ZERO |	\
		   V4L2_H264_SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED |	\
		   V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY |			\
		   V4L2_H264_SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD |		\
		   V4L2_H264_SPS_FLAG_DIRECT_8X8_INFERENCE)

#define PPS_FLAGS (V4L2_H264_PPS_FLAG_ENTROPY_CODING_MODE |		\
		   V4L2_H264_PPS_FLAG_BOTTOM_FIELD_PIC_ORDER_IN_FRAME_PRESENT | \
		   V4L2_H264_PPS_FLAG_WEIGHTED_PRED |			\
		   V4L2_H264_PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT |	\
		   V4L2_H264_PPS_FLAG_CONSTRAINED_INTRA_PRED |		\
		   V4L2_H264_PPS_FLAG_REDUNDANT_PIC_CNT_PRESENT |		\
		   V4L2_H264_PPS_FLAG_TRANSFORM_8X8_MODE |		\
		   V4L2_H264_PPS_FLAG_SCALING_MATRIX_PRESENT)

#define SLICE_FLAGS (V4L2_H264_SLICE_FLAG_DIRECT_SPATIAL_MV_PRED |	\
		     V4L2_H264_SLICE_FLAG_SP_FOR_SWITCH)

#define DPB_ENTRY_FLAGS (V4L2_H264_DPB_ENTRY_FLAG_VALID |		\
			 V4L2_H264_DPB_ENTRY_FLAG_ACTIVE |		\
			 V4L2_H264_DPB_ENTRY_FLAG_LONG_TERM |		\
			 V4L2_H264_DPB_ENTRY_FLAG_FIELD)

#define DECODE_FLAGS (V4L2_H264_DECODE_PARAM_FLAG_IDR_PIC |		\
		      V4L2_H264_DECODE_PARAM_FLAG_FIELD_PIC |		\
		      V4L2_H264_DECODE_PARAM_FLAG_BOTTOM_FIELD |		\
		      V4L2_H264_DECODE_PARAM_FLAG_PFRAME |		\
		      V4L2_H264_DECODE_PARAM_FLAG_BFRAME)

/* MaxDpbFrames is at most 16 at every level (A.3.1, A.3.2). */
#define H264_MAX_DPB_FRAMES	16
/* seq_parameter_set_id is 0..31 (7.4.2.1.1). */
#define H264_MAX_SPS_ID		31

static struct daedalus_ctx *daedalus_ctrl_ctx(struct v4l2_ctrl *ctrl)
{
	return container_of(ctrl->handler, struct daedalus_ctx, hdl);
}

/*
 * The picture the SPS describes must fit the OUTPUT format, from which
 * the CAPTURE buffers are sized: its width and height rounded up to whole
 * macroblocks (frames) or macroblock pairs (field and MBAFF coding).
 */
static int daedalus_h264_sps_fits(struct daedalus_ctx *ctx,
				  const struct v4l2_ctrl_h264_sps *sps)
{
	const struct v4l2_pix_format_mplane *coded = &ctx->coded_fmt.fmt.pix_mp;
	u32 rows = (sps->flags & V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY) ? 16 : 32;
	u32 width = (sps->pic_width_in_mbs_minus1 + 1) * 16;
	u32 height = (sps->pic_height_in_map_units_minus1 + 1) * rows;

	if (coded->pixelformat != V4L2_PIX_FMT_H264_SLICE)
		return 0;	/* checked again when the format is H.264 */
	if (width > round_up(coded->width, 16) ||
	    height > round_up(coded->height, rows))
		return -EINVAL;
	return 0;
}

static int daedalus_h264_try_sps(const struct v4l2_ctrl_h264_sps *sps)
{
	/* 8-bit 4:2:0: what an NV12 CAPTURE buffer holds. */
	if (sps->chroma_format_idc > 1 || sps->bit_depth_luma_minus8 ||
	    sps->bit_depth_chroma_minus8)
		return -EINVAL;
	if (sps->flags & ~SPS_FLAGS)
		return -EINVAL;
	if (sps->seq_parameter_set_id > H264_MAX_SPS_ID ||
	    sps->max_num_ref_frames > H264_MAX_DPB_FRAMES)
		return -EINVAL;
	return 0;
}

static int daedalus_h264_try_pps(const struct v4l2_ctrl_h264_pps *pps)
{
	if (pps->flags & ~PPS_FLAGS)
		return -EINVAL;
	if (pps->seq_parameter_set_id > H264_MAX_SPS_ID)
		return -EINVAL;
	/*
	 * Slice groups (FMO, Baseline/Extended only) are decoded by neither
	 * the daemon's decoder nor libavcodec, and the control carries no
	 * slice group map to decode them with.
	 */
	if (pps->num_slice_groups_minus1)
		return -EINVAL;
	return 0;
}

/*
 * Scaling list entries are 1..255: the delta coding of 7.3.2.1.1.1 can
 * only end a list by repeating its last value, never write a 0.  Only the
 * lists of 4:2:0 are read (all six 4x4 lists, the two luma 8x8 ones):
 * clients leave the chroma 8x8 lists of 4:4:4 zero.
 */
static int daedalus_h264_try_scaling(const struct v4l2_ctrl_h264_scaling_matrix *m)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(m->scaling_list_4x4); i++)
		for (j = 0; j < ARRAY_SIZE(m->scaling_list_4x4[i]); j++)
			if (!m->scaling_list_4x4[i][j])
				return -EINVAL;
	for (i = 0; i < 2; i++)
		for (j = 0; j < ARRAY_SIZE(m->scaling_list_8x8[i]); j++)
			if (!m->scaling_list_8x8[i][j])
				return -EINVAL;
	return 0;
}

static bool daedalus_s8_range(s16 v)
{
	return v >= -128 && v <= 127;
}

/* Weights and offsets of 8-bit video are -128..127 (7.4.3.2). */
static int daedalus_h264_try_weights(const struct v4l2_ctrl_h264_pred_weights *pw)
{
	const struct v4l2_h264_weight_factors *f;
	unsigned int l, i, c;

	for (l = 0; l < ARRAY_SIZE(pw->weight_factors); l++) {
		f = &pw->weight_factors[l];
		for (i = 0; i < ARRAY_SIZE(f->luma_weight); i++) {
			if (!daedalus_s8_range(f->luma_weight[i]) ||
			    !daedalus_s8_range(f->luma_offset[i]))
				return -EINVAL;
			for (c = 0; c < 2; c++)
				if (!daedalus_s8_range(f->chroma_weight[i][c]) ||
				    !daedalus_s8_range(f->chroma_offset[i][c]))
					return -EINVAL;
		}
	}
	return 0;
}

/*
 * The active entries of a reference list name DPB entries, as fields or
 * frames; fields 0 is a missing reference (FFmpeg leaves the entry of a
 * reference it no longer has zero).
 */
static int daedalus_h264_try_ref_list(const struct v4l2_h264_reference *list,
				      unsigned int active)
{
	unsigned int i;

	for (i = 0; i < active; i++)
		if (list[i].index >= V4L2_H264_NUM_DPB_ENTRIES ||
		    list[i].fields > V4L2_H264_FRAME_REF)
			return -EINVAL;
	return 0;
}

static int daedalus_h264_try_slice(const struct v4l2_ctrl_h264_slice_params *sp)
{
	if (sp->flags & ~SLICE_FLAGS)
		return -EINVAL;
	/* SP and SI slices (Extended profile): no decoder of ours has them. */
	if (sp->slice_type != V4L2_H264_SLICE_TYPE_P &&
	    sp->slice_type != V4L2_H264_SLICE_TYPE_B &&
	    sp->slice_type != V4L2_H264_SLICE_TYPE_I)
		return -EINVAL;
	if (sp->slice_type != V4L2_H264_SLICE_TYPE_I &&
	    daedalus_h264_try_ref_list(sp->ref_pic_list0,
				       sp->num_ref_idx_l0_active_minus1 + 1))
		return -EINVAL;
	if (sp->slice_type == V4L2_H264_SLICE_TYPE_B &&
	    daedalus_h264_try_ref_list(sp->ref_pic_list1,
				       sp->num_ref_idx_l1_active_minus1 + 1))
		return -EINVAL;
	return 0;
}

static int daedalus_h264_try_decode(const struct v4l2_ctrl_h264_decode_params *dp)
{
	unsigned int i;

	if (dp->flags & ~DECODE_FLAGS)
		return -EINVAL;
	if ((dp->flags & V4L2_H264_DECODE_PARAM_FLAG_BOTTOM_FIELD) &&
	    !(dp->flags & V4L2_H264_DECODE_PARAM_FLAG_FIELD_PIC))
		return -EINVAL;
	for (i = 0; i < V4L2_H264_NUM_DPB_ENTRIES; i++) {
		const struct v4l2_h264_dpb_entry *e = &dp->dpb[i];

		if (!(e->flags & V4L2_H264_DPB_ENTRY_FLAG_VALID))
			continue;
		if ((e->flags & ~DPB_ENTRY_FLAGS) ||
		    e->fields > V4L2_H264_FRAME_REF)
			return -EINVAL;
	}
	return 0;
}

static int daedalus_h264_try_ctrl(struct v4l2_ctrl *ctrl)
{
	switch (ctrl->id) {
	case V4L2_CID_STATELESS_H264_SPS:
		return daedalus_h264_try_sps(ctrl->p_new.p_h264_sps) ?:
		       daedalus_h264_sps_fits(daedalus_ctrl_ctx(ctrl),
					      ctrl->p_new.p_h264_sps);
	case V4L2_CID_STATELESS_H264_PPS:
		return daedalus_h264_try_pps(ctrl->p_new.p_h264_pps);
	case V4L2_CID_STATELESS_H264_SCALING_MATRIX:
		return daedalus_h264_try_scaling(ctrl->p_new.p_h264_scaling_matrix);
	case V4L2_CID_STATELESS_H264_PRED_WEIGHTS:
		return daedalus_h264_try_weights(ctrl->p_new.p_h264_pred_weights);
	case V4L2_CID_STATELESS_H264_SLICE_PARAMS:
		return daedalus_h264_try_slice(ctrl->p_new.p_h264_slice_params);
	case V4L2_CID_STATELESS_H264_DECODE_PARAMS:
		return daedalus_h264_try_decode(ctrl->p_new.p_h264_decode_params);
	}
	return 0;
}

static const struct v4l2_ctrl_ops daedalus_h264_ctrl_ops = {
	.try_ctrl = daedalus_h264_try_ctrl,
};

/*
 * Only DECODE_PARAMS changes with every frame: GStreamer sets the SPS
 * (and the scaling matrix) only when it changes, and their current
 * values are what the DECODE message forwards.  The daemon takes whole
 * frames with Annex B start codes only, so the two menus offer nothing
 * else (and are not forwarded: their value is always the same).
 */
static const struct daedalus_ctrl_desc daedalus_h264_ctrls[] = {
	{
		.cfg.id = V4L2_CID_STATELESS_H264_SPS,
		.cfg.ops = &daedalus_h264_ctrl_ops,
		.flags = DAEDALUS_CTRL_FORWARD,
	},
	{
		.cfg.id = V4L2_CID_STATELESS_H264_PPS,
		.cfg.ops = &daedalus_h264_ctrl_ops,
		.flags = DAEDALUS_CTRL_FORWARD,
	},
	{
		.cfg.id = V4L2_CID_STATELESS_H264_SCALING_MATRIX,
		.cfg.ops = &daedalus_h264_ctrl_ops,
		.flags = DAEDALUS_CTRL_FORWARD,
	},
	{
		.cfg.id = V4L2_CID_STATELESS_H264_PRED_WEIGHTS,
		.cfg.ops = &daedalus_h264_ctrl_ops,
		.flags = DAEDALUS_CTRL_FORWARD,
	},
	{
		.cfg.id = V4L2_CID_STATELESS_H264_SLICE_PARAMS,
		.cfg.ops = &daedalus_h264_ctrl_ops,
		.flags = DAEDALUS_CTRL_FORWARD,
	},
	{
		.cfg.id = V4L2_CID_STATELESS_H264_DECODE_PARAMS,
		.cfg.ops = &daedalus_h264_ctrl_ops,
		.flags = DAEDALUS_CTRL_FORWARD | DAEDALUS_CTRL_REQUIRED,
	},
	{
		.cfg.id = V4L2_CID_STATELESS_H264_DECODE_MODE,
		.cfg.min = V4L2_STATELESS_H264_DECODE_MODE_FRAME_BASED,
		.cfg.max = V4L2_STATELESS_H264_DECODE_MODE_FRAME_BASED,
		.cfg.def = V4L2_STATELESS_H264_DECODE_MODE_FRAME_BASED,
	},
	{
		.cfg.id = V4L2_CID_STATELESS_H264_START_CODE,
		.cfg.min = V4L2_STATELESS_H264_START_CODE_ANNEX_B,
		.cfg.max = V4L2_STATELESS_H264_START_CODE_ANNEX_B,
		.cfg.def = V4L2_STATELESS_H264_START_CODE_ANNEX_B,
	},
};

/* Slot i is dpb[i], used when the DPB entry is valid. */
static unsigned int daedalus_h264_refs(const void *ctrl,
				       struct daedalus_ref *refs)
{
	const struct v4l2_ctrl_h264_decode_params *dp = ctrl;
	unsigned int i;

	for (i = 0; i < V4L2_H264_NUM_DPB_ENTRIES; i++) {
		refs[i].timestamp = dp->dpb[i].reference_ts;
		refs[i].flags = (dp->dpb[i].flags &
				 V4L2_H264_DPB_ENTRY_FLAG_VALID) ?
				DAEDALUS_REF_VALID : 0;
	}
	return V4L2_H264_NUM_DPB_ENTRIES;
}

const struct daedalus_coded_fmt daedalus_h264_fmt = {
	.fourcc = V4L2_PIX_FMT_H264_SLICE,
	.codec = DAEDALUS_CODEC_H264,
	.frmsize = &daedalus_frmsize,
	.ctrls = daedalus_h264_ctrls,
	.num_ctrls = ARRAY_SIZE(daedalus_h264_ctrls),
	.refs_ctrl = V4L2_CID_STATELESS_H264_DECODE_PARAMS,
	.refs_ctrl_size = sizeof(struct v4l2_ctrl_h264_decode_params),
	.refs = daedalus_h264_refs,
};

static_assert(V4L2_H264_NUM_DPB_ENTRIES <= DAEDALUS_MAX_REFS);
