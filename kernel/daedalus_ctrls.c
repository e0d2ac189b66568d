// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - stateless codec controls.
 *
 * All controls of all codecs live in one handler per context (the OUTPUT
 * format picks which ones a job forwards).  The v4l2-ctrls core already
 * validates the compound payloads; try_ctrl below only rejects streams
 * the daemon cannot produce as NV12 (high bit depth, non-4:2:0).
 */

#include <linux/slab.h>

#include "daedalus.h"

struct daedalus_codec_ctrls {
	u32 codec;
	const u32 *ids;		/* forwarded to the daemon, in this order */
	unsigned int num_ids;
	const u32 *required;	/* must be set in every request */
	unsigned int num_required;
};

static const u32 daedalus_vp9_ids[] = {
	V4L2_CID_STATELESS_VP9_FRAME,
	V4L2_CID_STATELESS_VP9_COMPRESSED_HDR,
};

static const u32 daedalus_vp9_required[] = {
	V4L2_CID_STATELESS_VP9_FRAME,
};

static const u32 daedalus_h264_ids[] = {
	V4L2_CID_STATELESS_H264_SPS,
	V4L2_CID_STATELESS_H264_PPS,
	V4L2_CID_STATELESS_H264_SCALING_MATRIX,
	V4L2_CID_STATELESS_H264_PRED_WEIGHTS,
	V4L2_CID_STATELESS_H264_SLICE_PARAMS,
	V4L2_CID_STATELESS_H264_DECODE_PARAMS,
};

/*
 * Only what changes with every frame: GStreamer sets the SPS (and the
 * scaling matrix) only when it changes, and their current values are
 * what the DECODE message forwards.
 */
static const u32 daedalus_h264_required[] = {
	V4L2_CID_STATELESS_H264_DECODE_PARAMS,
};

#ifdef V4L2_CID_STATELESS_AV1_FRAME
static const u32 daedalus_av1_ids[] = {
	V4L2_CID_STATELESS_AV1_SEQUENCE,
	V4L2_CID_STATELESS_AV1_FRAME,
	V4L2_CID_STATELESS_AV1_TILE_GROUP_ENTRY,
	V4L2_CID_STATELESS_AV1_FILM_GRAIN,
};

static const u32 daedalus_av1_required[] = {
	V4L2_CID_STATELESS_AV1_FRAME,
};
#endif

static const struct daedalus_codec_ctrls daedalus_codecs[] = {
	{ DAEDALUS_CODEC_VP9, daedalus_vp9_ids, ARRAY_SIZE(daedalus_vp9_ids),
	  daedalus_vp9_required, ARRAY_SIZE(daedalus_vp9_required) },
	{ DAEDALUS_CODEC_H264, daedalus_h264_ids, ARRAY_SIZE(daedalus_h264_ids),
	  daedalus_h264_required, ARRAY_SIZE(daedalus_h264_required) },
#ifdef V4L2_CID_STATELESS_AV1_FRAME
	{ DAEDALUS_CODEC_AV1, daedalus_av1_ids, ARRAY_SIZE(daedalus_av1_ids),
	  daedalus_av1_required, ARRAY_SIZE(daedalus_av1_required) },
#endif
};

static const struct daedalus_codec_ctrls *daedalus_codec_ctrls(u32 codec)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(daedalus_codecs); i++)
		if (daedalus_codecs[i].codec == codec)
			return &daedalus_codecs[i];
	return NULL;
}

static int daedalus_try_ctrl(struct v4l2_ctrl *ctrl)
{
	switch (ctrl->id) {
	case V4L2_CID_STATELESS_VP9_FRAME: {
		const struct v4l2_ctrl_vp9_frame *f = ctrl->p_new.p_vp9_frame;

		/* Profile 0 = 8 bit 4:2:0, the only NV12-shaped profile. */
		if (f->profile != 0 || f->bit_depth != 8)
			return -EINVAL;
		break;
	}
	case V4L2_CID_STATELESS_H264_SPS: {
		const struct v4l2_ctrl_h264_sps *sps = ctrl->p_new.p_h264_sps;

		if (sps->chroma_format_idc > 1 || sps->bit_depth_luma_minus8 ||
		    sps->bit_depth_chroma_minus8)
			return -EINVAL;
		break;
	}
#ifdef V4L2_CID_STATELESS_AV1_SEQUENCE
	case V4L2_CID_STATELESS_AV1_SEQUENCE: {
		const struct v4l2_ctrl_av1_sequence *seq = ctrl->p_new.p_av1_sequence;

		if (seq->seq_profile != 0 || seq->bit_depth != 8 ||
		    (seq->flags & V4L2_AV1_SEQUENCE_FLAG_MONO_CHROME))
			return -EINVAL;
		break;
	}
#endif
	default:
		break;
	}
	return 0;
}

static const struct v4l2_ctrl_ops daedalus_ctrl_ops = {
	.try_ctrl = daedalus_try_ctrl,
};

static const struct v4l2_ctrl_config daedalus_ctrl_cfgs[] = {
	{ .id = V4L2_CID_STATELESS_VP9_FRAME, .ops = &daedalus_ctrl_ops },
	{ .id = V4L2_CID_STATELESS_VP9_COMPRESSED_HDR },
	{ .id = V4L2_CID_STATELESS_H264_SPS, .ops = &daedalus_ctrl_ops },
	{ .id = V4L2_CID_STATELESS_H264_PPS },
	{ .id = V4L2_CID_STATELESS_H264_SCALING_MATRIX },
	{ .id = V4L2_CID_STATELESS_H264_PRED_WEIGHTS },
	{ .id = V4L2_CID_STATELESS_H264_SLICE_PARAMS },
	{ .id = V4L2_CID_STATELESS_H264_DECODE_PARAMS },
	/* The daemon takes whole frames with Annex B start codes only. */
	{
		.id = V4L2_CID_STATELESS_H264_DECODE_MODE,
		.min = V4L2_STATELESS_H264_DECODE_MODE_FRAME_BASED,
		.max = V4L2_STATELESS_H264_DECODE_MODE_FRAME_BASED,
		.def = V4L2_STATELESS_H264_DECODE_MODE_FRAME_BASED,
	},
	{
		.id = V4L2_CID_STATELESS_H264_START_CODE,
		.min = V4L2_STATELESS_H264_START_CODE_ANNEX_B,
		.max = V4L2_STATELESS_H264_START_CODE_ANNEX_B,
		.def = V4L2_STATELESS_H264_START_CODE_ANNEX_B,
	},
#ifdef V4L2_CID_STATELESS_AV1_FRAME
	{ .id = V4L2_CID_STATELESS_AV1_SEQUENCE, .ops = &daedalus_ctrl_ops },
	{ .id = V4L2_CID_STATELESS_AV1_FRAME },
	{
		/* Dynamic array: needs a maximum element count. */
		.id = V4L2_CID_STATELESS_AV1_TILE_GROUP_ENTRY,
		.dims = { V4L2_AV1_MAX_TILE_COUNT },
	},
	{ .id = V4L2_CID_STATELESS_AV1_FILM_GRAIN },
#endif
};

int daedalus_ctrls_init(struct daedalus_ctx *ctx)
{
	struct v4l2_ctrl_handler *hdl = &ctx->hdl;
	unsigned int i;
	int ret;

	v4l2_ctrl_handler_init(hdl, ARRAY_SIZE(daedalus_ctrl_cfgs));
	for (i = 0; i < ARRAY_SIZE(daedalus_ctrl_cfgs); i++)
		v4l2_ctrl_new_custom(hdl, &daedalus_ctrl_cfgs[i], NULL);
	if (hdl->error) {
		ret = hdl->error;
		v4l2_err(&ctx->dev->v4l2_dev, "control %u failed: %d\n", i, ret);
		v4l2_ctrl_handler_free(hdl);
		return ret;
	}
	ctx->fh.ctrl_handler = hdl;
	return v4l2_ctrl_handler_setup(hdl);
}

/* Called from req_validate: refuse requests lacking mandatory controls. */
int daedalus_ctrls_check_request(struct daedalus_ctx *ctx,
				 struct media_request *req)
{
	const struct daedalus_codec_ctrls *cc = daedalus_codec_ctrls(ctx->codec);
	struct v4l2_ctrl_handler *hdl;
	unsigned int i;
	int ret = 0;

	if (!cc)
		return -EINVAL;
	hdl = v4l2_ctrl_request_hdl_find(req, &ctx->hdl);
	if (!hdl)
		return -ENOENT;
	for (i = 0; i < cc->num_required; i++) {
		if (!v4l2_ctrl_request_hdl_ctrl_find(hdl, cc->required[i])) {
			ret = -ENOENT;
			break;
		}
	}
	v4l2_ctrl_request_hdl_put(hdl);
	return ret;
}

static size_t daedalus_ctrl_bytes(const struct v4l2_ctrl *ctrl)
{
	return (size_t)ctrl->elems * ctrl->elem_size;
}

/*
 * Allocate a DECODE message and copy the current control values into it
 * (the request was applied with v4l2_ctrl_request_setup() just before).
 * Lookups happen first: v4l2_ctrl_find() and the request handler lookup
 * take handler locks themselves.  Then the handler lock is held while
 * sizing and copying, so a dynamic array cannot change in between.
 */
struct daedalus_msg *daedalus_ctrls_build_decode(struct daedalus_ctx *ctx,
						 struct media_request *req)
{
	const struct daedalus_codec_ctrls *cc = daedalus_codec_ctrls(ctx->codec);
	struct v4l2_ctrl *ctrls[DAEDALUS_MAX_CTRLS];
	u32 flags[DAEDALUS_MAX_CTRLS];
	struct v4l2_ctrl_handler *req_hdl = NULL;
	struct daedalus_ctrl_entry *entries;
	struct daedalus_msg_decode *dec;
	struct daedalus_msg *msg = NULL;
	unsigned int i, n = 0;
	size_t size, off;

	if (!cc)
		return NULL;
	if (req)
		req_hdl = v4l2_ctrl_request_hdl_find(req, &ctx->hdl);
	for (i = 0; i < cc->num_ids && n < DAEDALUS_MAX_CTRLS; i++) {
		ctrls[n] = v4l2_ctrl_find(&ctx->hdl, cc->ids[i]);
		if (!ctrls[n])
			continue;
		flags[n] = req_hdl &&
			   v4l2_ctrl_request_hdl_ctrl_find(req_hdl, cc->ids[i]) ?
			   DAEDALUS_CTRL_IN_REQUEST : 0;
		n++;
	}
	v4l2_ctrl_request_hdl_put(req_hdl);
	if (!n)
		return NULL;

	v4l2_ctrl_lock(ctrls[0]);
	off = sizeof(*dec) + n * sizeof(*entries);
	size = off;
	for (i = 0; i < n; i++)
		size += ALIGN(daedalus_ctrl_bytes(ctrls[i]), 8);
	if (size <= DAEDALUS_MSG_MAX_SIZE)
		msg = daedalus_msg_alloc(size, DAEDALUS_MSG_DECODE, 0);
	if (msg) {
		dec = (void *)msg->data;
		entries = (void *)(dec + 1);
		dec->num_ctrls = n;
		for (i = 0; i < n; i++) {
			size_t bytes = daedalus_ctrl_bytes(ctrls[i]);

			entries[i].id = ctrls[i]->id;
			entries[i].size = bytes;
			entries[i].elems = ctrls[i]->elems;
			entries[i].offset = off;
			entries[i].flags = flags[i];
			memcpy(msg->data + off, ctrls[i]->p_cur.p, bytes);
			off += ALIGN(bytes, 8);
		}
	}
	v4l2_ctrl_unlock(ctrls[0]);
	return msg;
}

static const void *daedalus_msg_ctrl(const struct daedalus_msg_decode *msg,
				     u32 id, size_t min_size)
{
	const struct daedalus_ctrl_entry *entries = (const void *)(msg + 1);
	unsigned int i;

	for (i = 0; i < msg->num_ctrls; i++)
		if (entries[i].id == id && entries[i].size >= min_size)
			return (const u8 *)msg + entries[i].offset;
	return NULL;
}

static s32 daedalus_find_ref(struct vb2_queue *cap_q, u64 ts)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
	struct vb2_buffer *vb = vb2_find_buffer(cap_q, ts);

	return vb ? (s32)vb->index : -1;
#else
	return vb2_find_timestamp(cap_q, ts, 0);
#endif
}

static void daedalus_set_ref(struct daedalus_msg_decode *msg,
			     struct vb2_queue *cap_q, unsigned int slot,
			     u64 ts, bool valid)
{
	struct daedalus_ref *ref = &msg->refs[slot];

	ref->timestamp = ts;
	ref->capture_index = -1;
	ref->flags = 0;
	if (!valid)
		return;
	ref->flags = DAEDALUS_REF_VALID;
	ref->capture_index = daedalus_find_ref(cap_q, ts);
	if (ref->capture_index >= 0)
		ref->flags |= DAEDALUS_REF_FOUND;
}

/* Turn the controls' reference timestamps into CAPTURE buffer indices. */
void daedalus_ctrls_resolve_refs(struct daedalus_ctx *ctx,
				 struct daedalus_msg_decode *msg,
				 struct daedalus_job *job)
{
	struct vb2_queue *cap_q = v4l2_m2m_get_dst_vq(ctx->fh.m2m_ctx);
	unsigned int i;

	msg->num_refs = 0;
	switch (msg->codec) {
	case DAEDALUS_CODEC_VP9: {
		const struct v4l2_ctrl_vp9_frame *f =
			daedalus_msg_ctrl(msg, V4L2_CID_STATELESS_VP9_FRAME,
					  sizeof(*f));
		bool inter;

		if (!f)
			break;
		inter = !(f->flags & (V4L2_VP9_FRAME_FLAG_KEY_FRAME |
				      V4L2_VP9_FRAME_FLAG_INTRA_ONLY));
		daedalus_set_ref(msg, cap_q, 0, f->last_frame_ts, inter);
		daedalus_set_ref(msg, cap_q, 1, f->golden_frame_ts, inter);
		daedalus_set_ref(msg, cap_q, 2, f->alt_frame_ts, inter);
		msg->num_refs = 3;
		break;
	}
	case DAEDALUS_CODEC_H264: {
		const struct v4l2_ctrl_h264_decode_params *dp =
			daedalus_msg_ctrl(msg, V4L2_CID_STATELESS_H264_DECODE_PARAMS,
					  sizeof(*dp));

		if (!dp)
			break;
		for (i = 0; i < V4L2_H264_NUM_DPB_ENTRIES; i++)
			daedalus_set_ref(msg, cap_q, i, dp->dpb[i].reference_ts,
					 dp->dpb[i].flags &
					 V4L2_H264_DPB_ENTRY_FLAG_VALID);
		msg->num_refs = V4L2_H264_NUM_DPB_ENTRIES;
		break;
	}
#ifdef V4L2_CID_STATELESS_AV1_FRAME
	case DAEDALUS_CODEC_AV1: {
		const struct v4l2_ctrl_av1_frame *f =
			daedalus_msg_ctrl(msg, V4L2_CID_STATELESS_AV1_FRAME,
					  sizeof(*f));
		bool inter;

		if (!f)
			break;
		inter = f->frame_type == V4L2_AV1_INTER_FRAME ||
			f->frame_type == V4L2_AV1_SWITCH_FRAME;
		for (i = 0; i < V4L2_AV1_TOTAL_REFS_PER_FRAME; i++)
			daedalus_set_ref(msg, cap_q, i, f->reference_frame_ts[i],
					 inter);
		msg->num_refs = V4L2_AV1_TOTAL_REFS_PER_FRAME;
		break;
	}
#endif
	default:
		break;
	}

	job->num_refs = msg->num_refs;
	for (i = 0; i < msg->num_refs; i++)
		job->ref_index[i] = msg->refs[i].capture_index;
}
