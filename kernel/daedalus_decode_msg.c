// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - the DECODE message, built end to end.
 *
 * From a context, its two claimed buffers and the request they came
 * with: the forwarded controls of the context's coded format (snapshot),
 * then the fixed part (buffers, CAPTURE layout), then the reference slots
 * resolved to CAPTURE buffers.  The job path (daedalus_job.c) only hands
 * the result on; what goes into the message is decided here and in the
 * coded format's descriptor (daedalus_coded_fmts.c).
 */

#include "daedalus.h"

static size_t daedalus_ctrl_bytes(const struct v4l2_ctrl *ctrl)
{
	return (size_t)ctrl->elems * ctrl->elem_size;
}

/*
 * Allocate a DECODE message and copy the current values of the coded
 * format's forwarded controls into it (the request was applied with
 * v4l2_ctrl_request_setup() just before).  Lookups happen first:
 * v4l2_ctrl_find() and the request handler lookup take handler locks
 * themselves.  Then the handler lock is held while sizing and copying,
 * so a dynamic array cannot change in between.
 */
static struct daedalus_msg *daedalus_decode_snapshot(struct daedalus_ctx *ctx,
						     struct media_request *req)
{
	const struct daedalus_coded_fmt *desc = ctx->coded_desc;
	struct v4l2_ctrl *ctrls[DAEDALUS_MAX_CTRLS];
	u32 flags[DAEDALUS_MAX_CTRLS];
	struct v4l2_ctrl_handler *req_hdl = NULL;
	struct daedalus_ctrl_entry *entries;
	struct daedalus_msg_decode *dec;
	struct daedalus_msg *msg = NULL;
	unsigned int i, n = 0;
	size_t size, off;

	if (req)
		req_hdl = v4l2_ctrl_request_hdl_find(req, &ctx->hdl);
	for (i = 0; i < desc->num_ctrls && n < DAEDALUS_MAX_CTRLS; i++) {
		u32 id = desc->ctrls[i].cfg.id;

		if (!(desc->ctrls[i].flags & DAEDALUS_CTRL_FORWARD))
			continue;
		ctrls[n] = v4l2_ctrl_find(&ctx->hdl, id);
		if (!ctrls[n])
			continue;
		flags[n] = req_hdl &&
			   v4l2_ctrl_request_hdl_ctrl_find(req_hdl, id) ?
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

/* Fill the fixed part of DECODE from the context and the two buffers. */
static void daedalus_decode_fill(struct daedalus_ctx *ctx,
				 struct vb2_v4l2_buffer *src_buf,
				 struct vb2_v4l2_buffer *dst_buf,
				 struct daedalus_msg_decode *dec)
{
	const struct v4l2_pix_format_mplane *pix =
		&daedalus_vb_buf(&dst_buf->vb2_buf)->cap_fmt;
	struct vb2_buffer *src = &src_buf->vb2_buf;
	struct daedalus_capture_format *cap = &dec->capture;
	unsigned int i;

	dec->ctx_id = ctx->id;
	dec->codec = ctx->coded_desc->codec;
	dec->output_index = src->index;
	dec->output_data_offset = src->planes[0].data_offset;
	dec->output_bytesused = vb2_get_plane_payload(src, 0) -
				min(src->planes[0].data_offset,
				    vb2_get_plane_payload(src, 0));
	dec->output_length = vb2_plane_size(src, 0);
	dec->timestamp = src->timestamp;
	dec->capture_index = dst_buf->vb2_buf.index;
	dec->flags = src_buf->flags & V4L2_BUF_FLAG_M2M_HOLD_CAPTURE_BUF ?
		     DAEDALUS_DECODE_HOLD_CAPTURE : 0;

	cap->pixelformat = pix->pixelformat;
	cap->width = pix->width;
	cap->height = pix->height;
	cap->num_mem_planes = pix->num_planes;
	cap->num_comp_planes = 2;
	for (i = 0; i < pix->num_planes && i < DAEDALUS_MAX_PLANES; i++)
		cap->sizeimage[i] = pix->plane_fmt[i].sizeimage;

	/* NV12 / NV12M: Y plane, then interleaved CbCr at half height. */
	cap->comp[0].mem_plane = 0;
	cap->comp[0].offset = 0;
	cap->comp[0].bytesperline = pix->plane_fmt[0].bytesperline;
	cap->comp[0].height = pix->height;
	if (pix->num_planes > 1) {
		cap->comp[1].mem_plane = 1;
		cap->comp[1].offset = 0;
		cap->comp[1].bytesperline = pix->plane_fmt[1].bytesperline;
	} else {
		cap->comp[1].mem_plane = 0;
		cap->comp[1].offset = pix->plane_fmt[0].bytesperline * pix->height;
		cap->comp[1].bytesperline = pix->plane_fmt[0].bytesperline;
	}
	cap->comp[1].height = pix->height / 2;
}

/* The payload of control @id in @dec, if it has at least @min_size bytes. */
static const void *daedalus_decode_ctrl(const struct daedalus_msg_decode *dec,
					u32 id, size_t min_size)
{
	const struct daedalus_ctrl_entry *entries = (const void *)(dec + 1);
	unsigned int i;

	for (i = 0; i < dec->num_ctrls; i++)
		if (entries[i].id == id && entries[i].size >= min_size)
			return (const u8 *)dec + entries[i].offset;
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

/*
 * Turn the reference timestamps the coded format's control names (read
 * from the snapshot in @dec) into CAPTURE buffer indices.
 */
static void daedalus_decode_resolve_refs(struct daedalus_ctx *ctx,
					 struct daedalus_msg_decode *dec)
{
	const struct daedalus_coded_fmt *desc = ctx->coded_desc;
	struct vb2_queue *cap_q = v4l2_m2m_get_dst_vq(ctx->fh.m2m_ctx);
	const void *ctrl;
	unsigned int i;

	ctrl = daedalus_decode_ctrl(dec, desc->refs_ctrl, desc->refs_ctrl_size);
	dec->num_refs = ctrl ? desc->refs(ctrl, dec->refs) : 0;
	for (i = 0; i < dec->num_refs; i++) {
		struct daedalus_ref *ref = &dec->refs[i];

		ref->capture_index = -1;
		if (!(ref->flags & DAEDALUS_REF_VALID))
			continue;
		ref->capture_index = daedalus_find_ref(cap_q, ref->timestamp);
		if (ref->capture_index >= 0)
			ref->flags |= DAEDALUS_REF_FOUND;
	}
}

/*
 * The DECODE message for decoding @src into @dst, with the controls
 * @req applied; hdr.cookie is left 0 for the caller.  NULL when it cannot
 * be allocated or would exceed DAEDALUS_MSG_MAX_SIZE.
 */
struct daedalus_msg *daedalus_decode_msg_build(struct daedalus_ctx *ctx,
					       struct vb2_v4l2_buffer *src,
					       struct vb2_v4l2_buffer *dst,
					       struct media_request *req)
{
	struct daedalus_msg_decode *dec;
	struct daedalus_msg *msg;

	msg = daedalus_decode_snapshot(ctx, req);
	if (!msg)
		return NULL;
	dec = (void *)msg->data;
	daedalus_decode_fill(ctx, src, dst, dec);
	daedalus_decode_resolve_refs(ctx, dec);
	return msg;
}
