// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - V4L2 file operations, formats, ioctls and vb2 queues.
 *
 * OUTPUT (bitstream): the coded formats of daedalus_coded_fmts.c.
 * CAPTURE: NV12 (one memory plane, what GStreamer's v4l2codecs uses) or
 * NV12M.  Both queues are MPLANE, vb2_vmalloc.
 */

#include <linux/slab.h>
#include <media/v4l2-event.h>
#include <media/v4l2-ioctl.h>
#include <media/videobuf2-vmalloc.h>

#include "daedalus.h"

#define DAEDALUS_MIN_BITSTREAM	(512U * 1024U)
#define DAEDALUS_MAX_BITSTREAM	(64U * 1024U * 1024U)

static const u32 daedalus_decoded_fmts[] = {
	V4L2_PIX_FMT_NV12,
	V4L2_PIX_FMT_NV12M,
};

static bool daedalus_is_decoded_fmt(u32 fourcc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(daedalus_decoded_fmts); i++)
		if (daedalus_decoded_fmts[i] == fourcc)
			return true;
	return false;
}

/* CAPTURE geometry follows the coded size, macroblock (16) aligned. */
static void daedalus_fill_decoded(struct daedalus_ctx *ctx,
				  struct v4l2_pix_format_mplane *pix)
{
	const struct v4l2_pix_format_mplane *coded = &ctx->coded_fmt.fmt.pix_mp;
	u32 fourcc = pix->pixelformat;

	if (!daedalus_is_decoded_fmt(fourcc))
		fourcc = V4L2_PIX_FMT_NV12;
	v4l2_fill_pixfmt_mp(pix, fourcc, ALIGN(coded->width, 16),
			    ALIGN(coded->height, 16));
	pix->field = V4L2_FIELD_NONE;
	pix->colorspace = coded->colorspace;
	pix->xfer_func = coded->xfer_func;
	pix->ycbcr_enc = coded->ycbcr_enc;
	pix->quantization = coded->quantization;
}

/* Returns the coded format @pix now has: its own, or else the default. */
static const struct daedalus_coded_fmt *
daedalus_fill_coded(struct v4l2_pix_format_mplane *pix)
{
	const struct daedalus_coded_fmt *desc;
	u32 min_size;

	desc = daedalus_coded_fmt_find(pix->pixelformat);
	if (!desc) {
		desc = daedalus_coded_fmt_at(0);
		pix->pixelformat = desc->fourcc;
	}
	v4l2_apply_frmsize_constraints(&pix->width, &pix->height,
				       desc->frmsize);
	pix->field = V4L2_FIELD_NONE;
	pix->num_planes = 1;
	pix->flags = 0;
	pix->plane_fmt[0].bytesperline = 0;
	min_size = max(DAEDALUS_MIN_BITSTREAM,
		       pix->width * pix->height * 3 / 2);
	pix->plane_fmt[0].sizeimage = clamp(pix->plane_fmt[0].sizeimage,
					    min_size, DAEDALUS_MAX_BITSTREAM);
	memset(pix->reserved, 0, sizeof(pix->reserved));
	return desc;
}

static void daedalus_default_formats(struct daedalus_ctx *ctx)
{
	struct v4l2_pix_format_mplane *coded = &ctx->coded_fmt.fmt.pix_mp;
	struct v4l2_pix_format_mplane *decoded = &ctx->decoded_fmt.fmt.pix_mp;

	memset(&ctx->coded_fmt, 0, sizeof(ctx->coded_fmt));
	ctx->coded_fmt.type = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
	coded->pixelformat = daedalus_coded_fmt_at(0)->fourcc;
	coded->width = 1920;
	coded->height = 1080;
	coded->colorspace = V4L2_COLORSPACE_REC709;
	ctx->coded_desc = daedalus_fill_coded(coded);

	memset(&ctx->decoded_fmt, 0, sizeof(ctx->decoded_fmt));
	ctx->decoded_fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	decoded->pixelformat = V4L2_PIX_FMT_NV12;
	daedalus_fill_decoded(ctx, decoded);
}

/* ---- ioctls ---------------------------------------------------------- */

static int daedalus_querycap(struct file *file, void *priv,
			     struct v4l2_capability *cap)
{
	strscpy(cap->driver, DAEDALUS_NAME, sizeof(cap->driver));
	strscpy(cap->card, DAEDALUS_CARD, sizeof(cap->card));
	strscpy(cap->bus_info, "platform:" DAEDALUS_CARD, sizeof(cap->bus_info));
	return 0;
}

static int daedalus_enum_fmt_out(struct file *file, void *priv,
				 struct v4l2_fmtdesc *f)
{
	const struct daedalus_coded_fmt *desc = daedalus_coded_fmt_at(f->index);

	if (!desc)
		return -EINVAL;
	f->pixelformat = desc->fourcc;
	f->flags = 0;
	return 0;
}

static int daedalus_enum_fmt_cap(struct file *file, void *priv,
				 struct v4l2_fmtdesc *f)
{
	if (f->index >= ARRAY_SIZE(daedalus_decoded_fmts))
		return -EINVAL;
	f->pixelformat = daedalus_decoded_fmts[f->index];
	return 0;
}

static int daedalus_enum_framesizes(struct file *file, void *priv,
				    struct v4l2_frmsizeenum *fsize)
{
	const struct daedalus_coded_fmt *desc;

	desc = daedalus_coded_fmt_find(fsize->pixel_format);
	if (fsize->index != 0 || !desc)
		return -EINVAL;
	fsize->type = V4L2_FRMSIZE_TYPE_STEPWISE;
	fsize->stepwise = *desc->frmsize;
	return 0;
}

static int daedalus_g_fmt_out(struct file *file, void *priv,
			      struct v4l2_format *f)
{
	struct daedalus_ctx *ctx = daedalus_file_to_ctx(file);

	mutex_lock(&ctx->vb_mutex);
	f->fmt.pix_mp = ctx->coded_fmt.fmt.pix_mp;
	mutex_unlock(&ctx->vb_mutex);
	return 0;
}

static int daedalus_g_fmt_cap(struct file *file, void *priv,
			      struct v4l2_format *f)
{
	struct daedalus_ctx *ctx = daedalus_file_to_ctx(file);

	mutex_lock(&ctx->vb_mutex);
	f->fmt.pix_mp = ctx->decoded_fmt.fmt.pix_mp;
	mutex_unlock(&ctx->vb_mutex);
	return 0;
}

static int daedalus_try_fmt_out(struct file *file, void *priv,
				struct v4l2_format *f)
{
	daedalus_fill_coded(&f->fmt.pix_mp);
	return 0;
}

static int daedalus_try_fmt_cap(struct file *file, void *priv,
				struct v4l2_format *f)
{
	struct daedalus_ctx *ctx = daedalus_file_to_ctx(file);

	mutex_lock(&ctx->vb_mutex);
	daedalus_fill_decoded(ctx, &f->fmt.pix_mp);
	mutex_unlock(&ctx->vb_mutex);
	return 0;
}

static int daedalus_s_fmt_out(struct file *file, void *priv,
			      struct v4l2_format *f)
{
	struct daedalus_ctx *ctx = daedalus_file_to_ctx(file);
	struct v4l2_m2m_ctx *m2m_ctx = ctx->fh.m2m_ctx;
	struct v4l2_pix_format_mplane *coded = &ctx->coded_fmt.fmt.pix_mp;
	bool busy;
	int ret = 0;

	if (mutex_lock_interruptible(&ctx->vb_mutex))
		return -ERESTARTSYS;

	/*
	 * With buffers allocated only the size may change: a resolution
	 * change inside the stream (a VP9 inter frame of another size, which
	 * GStreamer >= 1.25.1 renegotiates without STREAMOFF when REMOVE_BUFS
	 * is there).  The daemon's decoder goes on with its references, so
	 * no new CTX_OPEN; buffers already queued keep their layout
	 * (daedalus_buffer.cap_fmt).  A new coded format resets CAPTURE:
	 * refused while buffers exist.
	 */
	busy = vb2_is_busy(v4l2_m2m_get_vq(m2m_ctx, f->type)) ||
	       vb2_is_busy(v4l2_m2m_get_vq(m2m_ctx,
					   V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE));
	if (busy && f->fmt.pix_mp.pixelformat != coded->pixelformat) {
		ret = -EBUSY;
		goto out;
	}

	ctx->coded_desc = daedalus_fill_coded(&f->fmt.pix_mp);
	if (busy) {
		mutex_lock(&ctx->dev->chan_lock);
		if (ctx->announced_width == coded->width &&
		    ctx->announced_height == coded->height) {
			ctx->announced_width = f->fmt.pix_mp.width;
			ctx->announced_height = f->fmt.pix_mp.height;
		}
		mutex_unlock(&ctx->dev->chan_lock);
	}
	*coded = f->fmt.pix_mp;
	daedalus_fill_decoded(ctx, &ctx->decoded_fmt.fmt.pix_mp);
out:
	mutex_unlock(&ctx->vb_mutex);
	return ret;
}

static int daedalus_s_fmt_cap(struct file *file, void *priv,
			      struct v4l2_format *f)
{
	struct daedalus_ctx *ctx = daedalus_file_to_ctx(file);
	int ret = 0;

	if (mutex_lock_interruptible(&ctx->vb_mutex))
		return -ERESTARTSYS;
	if (vb2_is_busy(v4l2_m2m_get_vq(ctx->fh.m2m_ctx, f->type))) {
		ret = -EBUSY;
		goto out;
	}
	daedalus_fill_decoded(ctx, &f->fmt.pix_mp);
	ctx->decoded_fmt.fmt.pix_mp = f->fmt.pix_mp;
out:
	mutex_unlock(&ctx->vb_mutex);
	return ret;
}

static int daedalus_decoder_cmd(struct file *file, void *priv,
				struct v4l2_decoder_cmd *dc)
{
	struct daedalus_ctx *ctx = daedalus_file_to_ctx(file);
	int ret;

	ret = v4l2_m2m_ioctl_stateless_try_decoder_cmd(file, priv, dc);
	if (ret)
		return ret;

	if (mutex_lock_interruptible(&ctx->vb_mutex))
		return -ERESTARTSYS;
	/*
	 * The job in flight has its CAPTURE buffer off the ready queue, so
	 * the m2m helper cannot see it: tell the job to release it.
	 */
	daedalus_ctx_flush(ctx);
	ret = v4l2_m2m_ioctl_stateless_decoder_cmd(file, priv, dc);
	mutex_unlock(&ctx->vb_mutex);
	return ret;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
/*
 * VIDIOC_REMOVE_BUFS: GStreamer >= 1.25.1 handles a VP9 frame size change on
 * an inter frame by adding CAPTURE buffers of the new size (CREATE_BUFS)
 * and removing the old ones, and only when the queue reports
 * V4L2_BUF_CAP_SUPPORTS_REMOVE_BUFS, which the ioctl core sets when this
 * op exists.  vb2 removes only dequeued buffers, but a dequeued buffer can
 * still be a reference of the job in flight, which the daemon looks up by
 * index under chan_lock (daedalus_chardev.c): hold it here too, so that
 * lookup finds the buffer or nothing, never one being freed.
 */
static int daedalus_remove_bufs(struct file *file, void *priv,
				struct v4l2_remove_buffers *d)
{
	struct daedalus_ctx *ctx = daedalus_file_to_ctx(file);
	int ret;

	mutex_lock(&ctx->dev->chan_lock);
	ret = v4l2_m2m_ioctl_remove_bufs(file, priv, d);
	mutex_unlock(&ctx->dev->chan_lock);
	return ret;
}
#endif

const struct v4l2_ioctl_ops daedalus_ioctl_ops = {
	.vidioc_querycap		= daedalus_querycap,
	.vidioc_enum_framesizes		= daedalus_enum_framesizes,

	.vidioc_enum_fmt_vid_cap	= daedalus_enum_fmt_cap,
	.vidioc_g_fmt_vid_cap_mplane	= daedalus_g_fmt_cap,
	.vidioc_try_fmt_vid_cap_mplane	= daedalus_try_fmt_cap,
	.vidioc_s_fmt_vid_cap_mplane	= daedalus_s_fmt_cap,

	.vidioc_enum_fmt_vid_out	= daedalus_enum_fmt_out,
	.vidioc_g_fmt_vid_out_mplane	= daedalus_g_fmt_out,
	.vidioc_try_fmt_vid_out_mplane	= daedalus_try_fmt_out,
	.vidioc_s_fmt_vid_out_mplane	= daedalus_s_fmt_out,

	.vidioc_reqbufs			= v4l2_m2m_ioctl_reqbufs,
	.vidioc_querybuf		= v4l2_m2m_ioctl_querybuf,
	.vidioc_qbuf			= v4l2_m2m_ioctl_qbuf,
	.vidioc_dqbuf			= v4l2_m2m_ioctl_dqbuf,
	.vidioc_prepare_buf		= v4l2_m2m_ioctl_prepare_buf,
	.vidioc_create_bufs		= v4l2_m2m_ioctl_create_bufs,
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	.vidioc_remove_bufs		= daedalus_remove_bufs,
#endif
	.vidioc_expbuf			= v4l2_m2m_ioctl_expbuf,

	.vidioc_streamon		= v4l2_m2m_ioctl_streamon,
	.vidioc_streamoff		= v4l2_m2m_ioctl_streamoff,

	.vidioc_decoder_cmd		= daedalus_decoder_cmd,
	.vidioc_try_decoder_cmd		= v4l2_m2m_ioctl_stateless_try_decoder_cmd,

	.vidioc_subscribe_event		= v4l2_ctrl_subscribe_event,
	.vidioc_unsubscribe_event	= v4l2_event_unsubscribe,
};

/* ---- vb2 queues ------------------------------------------------------- */

static int daedalus_queue_setup(struct vb2_queue *vq, unsigned int *nbuffers,
				unsigned int *num_planes, unsigned int sizes[],
				struct device *alloc_devs[])
{
	struct daedalus_ctx *ctx = vb2_get_drv_priv(vq);
	const struct v4l2_pix_format_mplane *pix;
	unsigned int i;

	pix = V4L2_TYPE_IS_OUTPUT(vq->type) ? &ctx->coded_fmt.fmt.pix_mp :
					      &ctx->decoded_fmt.fmt.pix_mp;
	if (*num_planes) {
		if (*num_planes != pix->num_planes)
			return -EINVAL;
		for (i = 0; i < pix->num_planes; i++)
			if (sizes[i] < pix->plane_fmt[i].sizeimage)
				return -EINVAL;
		return 0;
	}
	*num_planes = pix->num_planes;
	for (i = 0; i < pix->num_planes; i++)
		sizes[i] = pix->plane_fmt[i].sizeimage;
	return 0;
}

static int daedalus_buf_out_validate(struct vb2_buffer *vb)
{
	to_vb2_v4l2_buffer(vb)->field = V4L2_FIELD_NONE;
	return 0;
}

static int daedalus_buf_prepare(struct vb2_buffer *vb)
{
	struct daedalus_ctx *ctx = vb2_get_drv_priv(vb->vb2_queue);
	const struct v4l2_pix_format_mplane *pix;
	unsigned int i;

	pix = V4L2_TYPE_IS_OUTPUT(vb->vb2_queue->type) ?
		&ctx->coded_fmt.fmt.pix_mp : &ctx->decoded_fmt.fmt.pix_mp;
	if (vb->num_planes != pix->num_planes)
		return -EINVAL;
	for (i = 0; i < pix->num_planes; i++) {
		if (vb2_plane_size(vb, i) < pix->plane_fmt[i].sizeimage)
			return -EINVAL;
		if (!V4L2_TYPE_IS_OUTPUT(vb->vb2_queue->type))
			vb2_set_plane_payload(vb, i, pix->plane_fmt[i].sizeimage);
	}
	if (!V4L2_TYPE_IS_OUTPUT(vb->vb2_queue->type))
		daedalus_vb_buf(vb)->cap_fmt = *pix;
	return 0;
}

static void daedalus_buf_queue(struct vb2_buffer *vb)
{
	struct daedalus_ctx *ctx = vb2_get_drv_priv(vb->vb2_queue);

	v4l2_m2m_buf_queue(ctx->fh.m2m_ctx, to_vb2_v4l2_buffer(vb));
}

static void daedalus_return_bufs(struct vb2_queue *vq,
				 enum vb2_buffer_state state)
{
	struct daedalus_ctx *ctx = vb2_get_drv_priv(vq);
	struct vb2_v4l2_buffer *vbuf;

	for (;;) {
		if (V4L2_TYPE_IS_OUTPUT(vq->type))
			vbuf = v4l2_m2m_src_buf_remove(ctx->fh.m2m_ctx);
		else
			vbuf = v4l2_m2m_dst_buf_remove(ctx->fh.m2m_ctx);
		if (!vbuf)
			break;
		vbuf->is_held = false;
		v4l2_ctrl_request_complete(vbuf->vb2_buf.req_obj.req, &ctx->hdl);
		v4l2_m2m_buf_done(vbuf, state);
	}
}

static int daedalus_start_streaming(struct vb2_queue *vq, unsigned int count)
{
	struct daedalus_ctx *ctx = vb2_get_drv_priv(vq);

	mutex_lock(&ctx->dev->chan_lock);
	ctx->abort_pending = false;
	mutex_unlock(&ctx->dev->chan_lock);
	return 0;
}

static void daedalus_stop_streaming(struct vb2_queue *vq)
{
	/* v4l2_m2m_streamoff() already waited for the job in flight. */
	daedalus_return_bufs(vq, VB2_BUF_STATE_ERROR);
}

/*
 * New memory behind @vb (MMAP allocation, or a DMABUF queue given another
 * dmabuf): a new identity, so the daemon never takes it for the memory it
 * imported under the old one.
 */
static int daedalus_buf_init(struct vb2_buffer *vb)
{
	struct daedalus_ctx *ctx = vb2_get_drv_priv(vb->vb2_queue);

	daedalus_vb_buf(vb)->mem_id =
		atomic64_inc_return(&ctx->dev->next_mem_id);
	return 0;
}

static void daedalus_buf_request_complete(struct vb2_buffer *vb)
{
	struct daedalus_ctx *ctx = vb2_get_drv_priv(vb->vb2_queue);

	v4l2_ctrl_request_complete(vb->req_obj.req, &ctx->hdl);
}

static const struct vb2_ops daedalus_qops = {
	.queue_setup		= daedalus_queue_setup,
	.buf_init		= daedalus_buf_init,
	.buf_out_validate	= daedalus_buf_out_validate,
	.buf_prepare		= daedalus_buf_prepare,
	.buf_queue		= daedalus_buf_queue,
	.start_streaming	= daedalus_start_streaming,
	.stop_streaming		= daedalus_stop_streaming,
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
	.wait_prepare		= vb2_ops_wait_prepare,
	.wait_finish		= vb2_ops_wait_finish,
#endif
	.buf_request_complete	= daedalus_buf_request_complete,
};

static int daedalus_queue_init(void *priv, struct vb2_queue *src_vq,
			       struct vb2_queue *dst_vq)
{
	struct daedalus_ctx *ctx = priv;
	int ret;

	src_vq->type = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
	src_vq->io_modes = VB2_MMAP | VB2_DMABUF;
	src_vq->drv_priv = ctx;
	src_vq->buf_struct_size = sizeof(struct daedalus_buffer);
	src_vq->ops = &daedalus_qops;
	src_vq->mem_ops = &vb2_vmalloc_memops;
	src_vq->timestamp_flags = V4L2_BUF_FLAG_TIMESTAMP_COPY;
	src_vq->lock = &ctx->vb_mutex;
	src_vq->supports_requests = true;
	src_vq->requires_requests = true;
	src_vq->subsystem_flags |= VB2_V4L2_FL_SUPPORTS_M2M_HOLD_CAPTURE_BUF;
	ret = vb2_queue_init(src_vq);
	if (ret)
		return ret;

	dst_vq->type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	dst_vq->io_modes = VB2_MMAP | VB2_DMABUF;
	dst_vq->drv_priv = ctx;
	dst_vq->buf_struct_size = sizeof(struct daedalus_buffer);
	dst_vq->ops = &daedalus_qops;
	dst_vq->mem_ops = &vb2_vmalloc_memops;
	dst_vq->timestamp_flags = V4L2_BUF_FLAG_TIMESTAMP_COPY;
	dst_vq->lock = &ctx->vb_mutex;
	return vb2_queue_init(dst_vq);
}

/* ---- requests --------------------------------------------------------- */

int daedalus_request_validate(struct media_request *req)
{
	struct media_request_object *obj;
	struct daedalus_ctx *ctx = NULL;
	unsigned int count;
	int ret;

	list_for_each_entry(obj, &req->objects, list) {
		if (vb2_request_object_is_buffer(obj)) {
			struct vb2_buffer *vb =
				container_of(obj, struct vb2_buffer, req_obj);

			ctx = vb2_get_drv_priv(vb->vb2_queue);
			break;
		}
	}
	if (!ctx)
		return -ENOENT;

	count = vb2_request_buffer_cnt(req);
	if (!count)
		return -ENOENT;
	if (count > 1)
		return -EINVAL;

	ret = daedalus_ctrls_check_request(ctx, req);
	if (ret)
		return ret;

	return vb2_request_validate(req);
}

/* ---- file operations -------------------------------------------------- */

static int daedalus_open(struct file *file)
{
	struct daedalus_dev *dev = video_drvdata(file);
	struct daedalus_ctx *ctx;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;

	ctx->dev = dev;
	ctx->id = atomic_inc_return(&dev->next_ctx_id);
	mutex_init(&ctx->vb_mutex);
	v4l2_fh_init(&ctx->fh, video_devdata(file));
	file->private_data = &ctx->fh;
	daedalus_default_formats(ctx);

	ret = daedalus_ctrls_init(ctx);
	if (ret)
		goto err_fh;

	ctx->m2m_dev = v4l2_m2m_init(&daedalus_m2m_ops);
	if (IS_ERR(ctx->m2m_dev)) {
		ret = PTR_ERR(ctx->m2m_dev);
		goto err_hdl;
	}

	ctx->fh.m2m_ctx = v4l2_m2m_ctx_init(ctx->m2m_dev, ctx,
					    daedalus_queue_init);
	if (IS_ERR(ctx->fh.m2m_ctx)) {
		ret = PTR_ERR(ctx->fh.m2m_ctx);
		goto err_m2m;
	}

	v4l2_fh_add(&ctx->fh);
	return 0;

err_m2m:
	v4l2_m2m_release(ctx->m2m_dev);
err_hdl:
	v4l2_ctrl_handler_free(&ctx->hdl);
err_fh:
	v4l2_fh_exit(&ctx->fh);
	mutex_destroy(&ctx->vb_mutex);
	kfree(ctx);
	return ret;
}

static int daedalus_release(struct file *file)
{
	struct daedalus_ctx *ctx = daedalus_file_to_ctx(file);

	v4l2_fh_del(&ctx->fh);
	/*
	 * Cancels the job in flight through daedalus_job_abort(), which
	 * completes it at once, so this never waits on the daemon.
	 */
	mutex_lock(&ctx->vb_mutex);
	v4l2_m2m_ctx_release(ctx->fh.m2m_ctx);
	mutex_unlock(&ctx->vb_mutex);
	v4l2_m2m_release(ctx->m2m_dev);
	daedalus_ctx_closed(ctx);
	v4l2_ctrl_handler_free(&ctx->hdl);
	v4l2_fh_exit(&ctx->fh);
	mutex_destroy(&ctx->vb_mutex);
	kfree(ctx);
	return 0;
}

const struct v4l2_file_operations daedalus_fops = {
	.owner		= THIS_MODULE,
	.open		= daedalus_open,
	.release	= daedalus_release,
	.poll		= v4l2_m2m_fop_poll,
	.unlocked_ioctl	= video_ioctl2,
	.mmap		= v4l2_m2m_fop_mmap,
};
