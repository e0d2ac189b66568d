// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - the coded (OUTPUT) formats, one descriptor per codec.
 *
 * A descriptor says all the module needs to know about a codec: its
 * fourcc and wire id, its size limits, its controls (which ones the
 * DECODE message forwards, which ones every request must carry, and the
 * try_ctrl that refuses what the daemon cannot turn into 8-bit 4:2:0
 * NV12) and where its reference frames are named.  The rest of the
 * module looks codecs up here and never switches over them.
 *
 * The v4l2-ctrls core already validates the compound payloads; the
 * try_ctrl hooks add the NV12 restriction and what the core leaves open:
 * for H.264 in its own file (daedalus_h264.c), for AV1 below (what the
 * daemon needs to rebuild the frame header).
 */

#include "daedalus.h"

/* The daemon's size limits, the same for every codec. */
const struct v4l2_frmsize_stepwise daedalus_frmsize = {
	.min_width = 16,
	.max_width = 8192,
	.step_width = 2,
	.min_height = 16,
	.max_height = 4352,
	.step_height = 2,
};

/* ---- VP9 ------------------------------------------------------------- */

static int daedalus_vp9_try_frame(struct v4l2_ctrl *ctrl)
{
	const struct v4l2_ctrl_vp9_frame *f = ctrl->p_new.p_vp9_frame;

	/* Profile 0 = 8 bit 4:2:0, the only NV12-shaped profile. */
	if (f->profile != 0 || f->bit_depth != 8)
		return -EINVAL;
	return 0;
}

static const struct v4l2_ctrl_ops daedalus_vp9_frame_ops = {
	.try_ctrl = daedalus_vp9_try_frame,
};

static const struct daedalus_ctrl_desc daedalus_vp9_ctrls[] = {
	{
		.cfg.id = V4L2_CID_STATELESS_VP9_FRAME,
		.cfg.ops = &daedalus_vp9_frame_ops,
		.flags = DAEDALUS_CTRL_FORWARD | DAEDALUS_CTRL_REQUIRED,
	},
	{
		.cfg.id = V4L2_CID_STATELESS_VP9_COMPRESSED_HDR,
		.flags = DAEDALUS_CTRL_FORWARD,
	},
};

/* Slots 0 LAST, 1 GOLDEN, 2 ALTREF; none used by intra frames. */
static unsigned int daedalus_vp9_refs(const void *ctrl,
				      struct daedalus_ref *refs)
{
	const struct v4l2_ctrl_vp9_frame *f = ctrl;
	u32 used = (f->flags & (V4L2_VP9_FRAME_FLAG_KEY_FRAME |
				V4L2_VP9_FRAME_FLAG_INTRA_ONLY)) ?
		   0 : DAEDALUS_REF_VALID;

	refs[0].timestamp = f->last_frame_ts;
	refs[1].timestamp = f->golden_frame_ts;
	refs[2].timestamp = f->alt_frame_ts;
	refs[0].flags = used;
	refs[1].flags = used;
	refs[2].flags = used;
	return 3;
}

static const struct daedalus_coded_fmt daedalus_vp9_fmt = {
	.fourcc = V4L2_PIX_FMT_VP9_FRAME,
	.codec = DAEDALUS_CODEC_VP9,
	.frmsize = &daedalus_frmsize,
	.ctrls = daedalus_vp9_ctrls,
	.num_ctrls = ARRAY_SIZE(daedalus_vp9_ctrls),
	.refs_ctrl = V4L2_CID_STATELESS_VP9_FRAME,
	.refs_ctrl_size = sizeof(struct v4l2_ctrl_vp9_frame),
	.refs = daedalus_vp9_refs,
};

/* H.264: daedalus_h264.c */

/* ---- AV1 (uAPI since 6.5) -------------------------------------------- */

#ifdef V4L2_CID_STATELESS_AV1_FRAME
static int daedalus_av1_try_sequence(struct v4l2_ctrl *ctrl)
{
	const struct v4l2_ctrl_av1_sequence *seq = ctrl->p_new.p_av1_sequence;

	if (seq->seq_profile != 0 || seq->bit_depth != 8 ||
	    (seq->flags & V4L2_AV1_SEQUENCE_FLAG_MONO_CHROME))
		return -EINVAL;
	return 0;
}

static const struct v4l2_ctrl_ops daedalus_av1_sequence_ops = {
	.try_ctrl = daedalus_av1_try_sequence,
};

/* primary_ref_frame when the frame loads no state from a reference. */
#define DAEDALUS_AV1_PRIMARY_REF_NONE	7

/*
 * The daemon writes the frame header back from this control
 * (daemon/bridge/av1_frame_header.cpp).  The core checks its parameter
 * blocks; the enums, the reference indices and the tile grid are checked
 * here, so a request that cannot become a frame header fails at
 * VIDIOC_S_EXT_CTRLS rather than in the daemon.
 */
static int daedalus_av1_try_frame(struct v4l2_ctrl *ctrl)
{
	const struct v4l2_ctrl_av1_frame *f = ctrl->p_new.p_av1_frame;
	const struct v4l2_av1_tile_info *t = &f->tile_info;
	unsigned int i;

	if (f->frame_type > V4L2_AV1_SWITCH_FRAME ||
	    f->interpolation_filter > V4L2_AV1_INTERPOLATION_FILTER_SWITCHABLE ||
	    f->tx_mode > V4L2_AV1_TX_MODE_SELECT ||
	    f->primary_ref_frame > DAEDALUS_AV1_PRIMARY_REF_NONE)
		return -EINVAL;
	if (f->frame_type == V4L2_AV1_INTER_FRAME ||
	    f->frame_type == V4L2_AV1_SWITCH_FRAME) {
		for (i = 0; i < V4L2_AV1_REFS_PER_FRAME; i++)
			if (f->ref_frame_idx[i] < 0 ||
			    f->ref_frame_idx[i] >= V4L2_AV1_TOTAL_REFS_PER_FRAME)
				return -EINVAL;
	}
	if (!t->tile_cols || t->tile_cols > V4L2_AV1_MAX_TILE_COLS ||
	    !t->tile_rows || t->tile_rows > V4L2_AV1_MAX_TILE_ROWS ||
	    t->tile_cols * t->tile_rows > V4L2_AV1_MAX_TILE_COUNT ||
	    t->context_update_tile_id >= t->tile_cols * t->tile_rows ||
	    t->tile_size_bytes > 4)
		return -EINVAL;
	if ((f->flags & V4L2_AV1_FRAME_FLAG_USE_SUPERRES) &&
	    (f->superres_denom < 9 || f->superres_denom > 16))
		return -EINVAL;
	for (i = 0; i < V4L2_AV1_NUM_PLANES_MAX; i++)
		if (f->loop_restoration.frame_restoration_type[i] >
		    V4L2_AV1_FRAME_RESTORE_SWITCHABLE)
			return -EINVAL;
	for (i = 0; i < V4L2_AV1_TOTAL_REFS_PER_FRAME; i++)
		if (f->global_motion.type[i] > V4L2_AV1_WARP_MODEL_AFFINE)
			return -EINVAL;
	return 0;
}

static const struct v4l2_ctrl_ops daedalus_av1_frame_ops = {
	.try_ctrl = daedalus_av1_try_frame,
};

/* The core's all-zero default has no tiles: one tile passes try_ctrl. */
static const struct v4l2_ctrl_av1_frame daedalus_av1_frame_default = {
	.tile_info = { .tile_cols = 1, .tile_rows = 1 },
};

/* Each tile inside the tile grid's limits and its bytes addressable. */
static int daedalus_av1_try_tile_group(struct v4l2_ctrl *ctrl)
{
	const struct v4l2_ctrl_av1_tile_group_entry *e =
		ctrl->p_new.p_av1_tile_group_entry;
	unsigned int i;

	for (i = 0; i < ctrl->new_elems; i++) {
		if (e[i].tile_row >= V4L2_AV1_MAX_TILE_ROWS ||
		    e[i].tile_col >= V4L2_AV1_MAX_TILE_COLS ||
		    !e[i].tile_size ||
		    e[i].tile_size > U32_MAX - e[i].tile_offset)
			return -EINVAL;
	}
	return 0;
}

static const struct v4l2_ctrl_ops daedalus_av1_tile_group_ops = {
	.try_ctrl = daedalus_av1_try_tile_group,
};

/* A one-byte tile, for the same reason. */
static const struct v4l2_ctrl_av1_tile_group_entry daedalus_av1_tile_default = {
	.tile_size = 1,
};

static const struct daedalus_ctrl_desc daedalus_av1_ctrls[] = {
	{
		.cfg.id = V4L2_CID_STATELESS_AV1_SEQUENCE,
		.cfg.ops = &daedalus_av1_sequence_ops,
		.flags = DAEDALUS_CTRL_FORWARD,
	},
	{
		.cfg.id = V4L2_CID_STATELESS_AV1_FRAME,
		.cfg.ops = &daedalus_av1_frame_ops,
		.cfg.p_def.p_const = &daedalus_av1_frame_default,
		.flags = DAEDALUS_CTRL_FORWARD | DAEDALUS_CTRL_REQUIRED,
	},
	{
		/* Dynamic array: needs a maximum element count. */
		.cfg.id = V4L2_CID_STATELESS_AV1_TILE_GROUP_ENTRY,
		.cfg.ops = &daedalus_av1_tile_group_ops,
		.cfg.p_def.p_const = &daedalus_av1_tile_default,
		.cfg.dims = { V4L2_AV1_MAX_TILE_COUNT },
		.flags = DAEDALUS_CTRL_FORWARD,
	},
	{
		.cfg.id = V4L2_CID_STATELESS_AV1_FILM_GRAIN,
		.flags = DAEDALUS_CTRL_FORWARD,
	},
};

/* Slot i is reference_frame_ts[i], used by inter and switch frames. */
static unsigned int daedalus_av1_refs(const void *ctrl,
				      struct daedalus_ref *refs)
{
	const struct v4l2_ctrl_av1_frame *f = ctrl;
	u32 used = (f->frame_type == V4L2_AV1_INTER_FRAME ||
		    f->frame_type == V4L2_AV1_SWITCH_FRAME) ?
		   DAEDALUS_REF_VALID : 0;
	unsigned int i;

	for (i = 0; i < V4L2_AV1_TOTAL_REFS_PER_FRAME; i++) {
		refs[i].timestamp = f->reference_frame_ts[i];
		refs[i].flags = used;
	}
	return V4L2_AV1_TOTAL_REFS_PER_FRAME;
}

static const struct daedalus_coded_fmt daedalus_av1_fmt = {
	.fourcc = V4L2_PIX_FMT_AV1_FRAME,
	.codec = DAEDALUS_CODEC_AV1,
	.frmsize = &daedalus_frmsize,
	.ctrls = daedalus_av1_ctrls,
	.num_ctrls = ARRAY_SIZE(daedalus_av1_ctrls),
	.refs_ctrl = V4L2_CID_STATELESS_AV1_FRAME,
	.refs_ctrl_size = sizeof(struct v4l2_ctrl_av1_frame),
	.refs = daedalus_av1_refs,
};
#endif

/* ---- the table --------------------------------------------------------- */

/* In VIDIOC_ENUM_FMT order; the first is the default. */
static const struct daedalus_coded_fmt *const daedalus_coded_fmts[] = {
	&daedalus_vp9_fmt,
	&daedalus_h264_fmt,
#ifdef V4L2_CID_STATELESS_AV1_FRAME
	&daedalus_av1_fmt,
#endif
};

/* The reference slots of every codec fit the DECODE message. */
#ifdef V4L2_CID_STATELESS_AV1_FRAME
static_assert(V4L2_AV1_TOTAL_REFS_PER_FRAME <= DAEDALUS_MAX_REFS);
#endif

/* The descriptor of OUTPUT format @fourcc, NULL if it is none of ours. */
const struct daedalus_coded_fmt *daedalus_coded_fmt_find(u32 fourcc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(daedalus_coded_fmts); i++)
		if (daedalus_coded_fmts[i]->fourcc == fourcc)
			return daedalus_coded_fmts[i];
	return NULL;
}

/* The @index-th descriptor, NULL past the last. */
const struct daedalus_coded_fmt *daedalus_coded_fmt_at(unsigned int index)
{
	return index < ARRAY_SIZE(daedalus_coded_fmts) ?
	       daedalus_coded_fmts[index] : NULL;
}
