// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - stateless codec controls.
 *
 * All controls of all coded formats (daedalus_coded_fmts.c) live in one
 * handler per context; the OUTPUT format picks which ones a request must
 * set and which ones a job forwards.
 */

#include <linux/slab.h>

#include "daedalus.h"

int daedalus_ctrls_init(struct daedalus_ctx *ctx)
{
	struct v4l2_ctrl_handler *hdl = &ctx->hdl;
	const struct daedalus_coded_fmt *desc;
	unsigned int i, n, num_ctrls = 0;
	int ret;

	for (i = 0; (desc = daedalus_coded_fmt_at(i)); i++)
		num_ctrls += desc->num_ctrls;
	v4l2_ctrl_handler_init(hdl, num_ctrls);
	for (i = 0; (desc = daedalus_coded_fmt_at(i)); i++) {
		for (n = 0; n < desc->num_ctrls; n++) {
			v4l2_ctrl_new_custom(hdl, &desc->ctrls[n].cfg, NULL);
			if (hdl->error)
				goto err;
		}
	}
	ctx->fh.ctrl_handler = hdl;
	return v4l2_ctrl_handler_setup(hdl);

err:
	ret = hdl->error;
	v4l2_err(&ctx->dev->v4l2_dev, "control 0x%x failed: %d\n",
		 desc->ctrls[n].cfg.id, ret);
	v4l2_ctrl_handler_free(hdl);
	return ret;
}

/* Called from req_validate: refuse requests lacking mandatory controls. */
int daedalus_ctrls_check_request(struct daedalus_ctx *ctx,
				 struct media_request *req)
{
	const struct daedalus_coded_fmt *desc = ctx->coded_desc;
	struct v4l2_ctrl_handler *hdl;
	unsigned int i;
	int ret = 0;

	hdl = v4l2_ctrl_request_hdl_find(req, &ctx->hdl);
	if (!hdl)
		return -ENOENT;
	for (i = 0; i < desc->num_ctrls; i++) {
		if ((desc->ctrls[i].flags & DAEDALUS_CTRL_REQUIRED) &&
		    !v4l2_ctrl_request_hdl_ctrl_find(hdl, desc->ctrls[i].cfg.id)) {
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

/*
 * Turn the reference timestamps the codec's control names into CAPTURE
 * buffer indices.
 */
void daedalus_ctrls_resolve_refs(struct daedalus_ctx *ctx,
				 struct daedalus_msg_decode *msg,
				 struct daedalus_job *job)
{
	const struct daedalus_coded_fmt *desc = ctx->coded_desc;
	struct vb2_queue *cap_q = v4l2_m2m_get_dst_vq(ctx->fh.m2m_ctx);
	const void *ctrl;
	unsigned int i;

	ctrl = daedalus_msg_ctrl(msg, desc->refs_ctrl, desc->refs_ctrl_size);
	msg->num_refs = ctrl ? desc->refs(ctrl, msg->refs) : 0;
	for (i = 0; i < msg->num_refs; i++) {
		struct daedalus_ref *ref = &msg->refs[i];

		ref->capture_index = -1;
		if (!(ref->flags & DAEDALUS_REF_VALID))
			continue;
		ref->capture_index = daedalus_find_ref(cap_q, ref->timestamp);
		if (ref->capture_index >= 0)
			ref->flags |= DAEDALUS_REF_FOUND;
	}

	job->num_refs = msg->num_refs;
	for (i = 0; i < msg->num_refs; i++)
		job->ref_index[i] = msg->refs[i].capture_index;
}
