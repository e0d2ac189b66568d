// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - decode job lifecycle.
 *
 * device_run claims the OUTPUT and CAPTURE buffers off the m2m ready
 * queues (so no later device_run can pick them again), has the DECODE
 * message built (daedalus_decode_msg.c) and hands it to the daemon.
 * The job then ends exactly once, by whoever unlinks it from dev->jobs
 * under chan_lock:
 *
 *   - the daemon's DECODE_DONE              (daedalus_job_answer)
 *   - the watchdog after job_timeout_ms     (daedalus_watchdog_fn)
 *   - the daemon closing the chardev        (daedalus_jobs_fail_all)
 *   - the client cancelling: streamoff/close (daedalus_job_abort)
 *
 * With no daemon attached the job ends inside device_run with ERROR
 * buffers.  Completion puts the claimed buffers back at the queue heads
 * (under chan_lock) and then calls v4l2_m2m_buf_done_and_job_finish()
 * without chan_lock held.
 */

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "daedalus.h"

unsigned int daedalus_job_timeout_ms = 3000;
module_param_named(job_timeout_ms, daedalus_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "error a decode job the daemon has not answered after this many ms (default 3000, min 10)");

static unsigned long daedalus_timeout_jiffies(void)
{
	return msecs_to_jiffies(max(READ_ONCE(daedalus_job_timeout_ms), 10U));
}

struct daedalus_job *daedalus_job_find(struct daedalus_dev *dev, u64 cookie)
{
	struct daedalus_job *job;

	lockdep_assert_held(&dev->chan_lock);
	list_for_each_entry(job, &dev->jobs, node)
		if (job->cookie == cookie)
			return job;
	return NULL;
}

/* Put a claimed buffer back at the head of its m2m ready queue. */
static void daedalus_requeue_head(struct v4l2_m2m_queue_ctx *q_ctx,
				  struct vb2_v4l2_buffer *vbuf)
{
	struct v4l2_m2m_buffer *b = container_of(vbuf, struct v4l2_m2m_buffer, vb);
	unsigned long flags;

	spin_lock_irqsave(&q_ctx->rdy_spinlock, flags);
	list_add(&b->list, &q_ctx->rdy_queue);
	q_ctx->num_rdy++;
	spin_unlock_irqrestore(&q_ctx->rdy_spinlock, flags);
}

/*
 * Hand the job's buffers back to the m2m core for completion.  With
 * HOLD_CAPTURE_BUF support the core insists on finishing through
 * v4l2_m2m_buf_done_and_job_finish(), which takes the OUTPUT buffer and
 * decides about the CAPTURE buffer (return it, or keep it held at the
 * queue head for the next slice) from the heads of the ready queues.  So
 * the buffers claimed in device_run go back to the heads here.  No
 * device_run can pick them up in between: the context's job is still
 * running (TRANS_RUNNING), and the m2m core runs one job at a time.
 */
static void daedalus_job_requeue(struct daedalus_job *job)
{
	struct v4l2_m2m_ctx *m2m_ctx = job->ctx->fh.m2m_ctx;

	if (job->flush)
		job->src->flags &= ~V4L2_BUF_FLAG_M2M_HOLD_CAPTURE_BUF;
	daedalus_requeue_head(&m2m_ctx->cap_q_ctx, job->dst);
	daedalus_requeue_head(&m2m_ctx->out_q_ctx, job->src);
}

/*
 * Unlink @job from everything the daemon side can reach and give its
 * buffers back to the ready queues.  Doing the latter under chan_lock
 * means a concurrent DECODER_CMD_FLUSH either still finds the job (and
 * sets job->flush) or finds the OUTPUT buffer back on the queue, where
 * the m2m helper clears its HOLD flag.
 */
static void daedalus_job_unlink(struct daedalus_dev *dev,
				struct daedalus_job *job)
{
	lockdep_assert_held(&dev->chan_lock);
	list_del_init(&job->node);
	if (job->msg) {
		daedalus_msg_unqueue(dev, job->msg);
		kfree(job->msg);
		job->msg = NULL;
	}
	if (job->ctx->job == job)
		job->ctx->job = NULL;
	daedalus_job_requeue(job);
}

/*
 * A job that ends without a decoded picture ends the stream, unless the
 * client itself cancelled it (STREAMOFF, close).  An ERROR flag on the
 * CAPTURE buffer is not enough: GStreamer's v4l2codecs (1.22 and 1.26)
 * never looks at it and shows the buffer's old contents as a new frame,
 * while every client notices a failing DQBUF.  vb2_queue_error() makes
 * DQBUF and QBUF fail with EIO and poll() report EPOLLERR on both queues
 * until the client streams off, which is also how it resets for a seek
 * or a restart.  It is set before the buffers complete, so a client
 * waiting in DQBUF wakes to EIO and never to this job's CAPTURE buffer.
 */
static void daedalus_ctx_stream_error(struct daedalus_ctx *ctx, int status)
{
	struct v4l2_m2m_ctx *m2m_ctx = ctx->fh.m2m_ctx;

	if (!status || status == -ECANCELED)
		return;
	if (!v4l2_m2m_get_dst_vq(m2m_ctx)->error) {
		dev_info_ratelimited(&ctx->dev->pdev->dev,
				     "ctx %u: job failed (%d), queues in error until STREAMOFF\n",
				     ctx->id, status);
		atomic64_inc(&ctx->dev->streams_errored);
	}
	vb2_queue_error(v4l2_m2m_get_dst_vq(m2m_ctx));
	vb2_queue_error(v4l2_m2m_get_src_vq(m2m_ctx));
}

/*
 * End the job whose buffers are back at the queue heads: CAPTURE first,
 * then OUTPUT (which completes the request).  No locks held.
 */
static void daedalus_ctx_job_done(struct daedalus_ctx *ctx, int status)
{
	daedalus_count_outcome(ctx->dev, status);
	daedalus_ctx_stream_error(ctx, status);
	v4l2_m2m_buf_done_and_job_finish(ctx->m2m_dev, ctx->fh.m2m_ctx,
					 status ? VB2_BUF_STATE_ERROR :
						  VB2_BUF_STATE_DONE);
}

/* Complete the buffers and finish the m2m job.  No locks held. */
static void daedalus_job_finish(struct daedalus_job *job, int status)
{
	struct daedalus_ctx *ctx = job->ctx;

	kfree(job);
	daedalus_ctx_job_done(ctx, status);
}

/* End a job that never became visible to the daemon. */
static void daedalus_job_fail_now(struct daedalus_job *job, int status)
{
	daedalus_job_requeue(job);
	daedalus_job_finish(job, status);
}

/* Queue CTX_OPEN if this daemon session has not seen the context yet. */
static int daedalus_announce_ctx(struct daedalus_dev *dev,
				 struct daedalus_ctx *ctx)
{
	const struct v4l2_pix_format_mplane *coded = &ctx->coded_fmt.fmt.pix_mp;
	struct daedalus_msg_ctx_open *open;
	struct daedalus_msg *msg;

	lockdep_assert_held(&dev->chan_lock);
	if (ctx->announced_session == dev->session &&
	    ctx->announced_codec == ctx->coded_desc->codec &&
	    ctx->announced_width == coded->width &&
	    ctx->announced_height == coded->height)
		return 0;
	if (dev->outq_len >= DAEDALUS_OUTQ_MAX)
		return -ENOSPC;

	msg = daedalus_msg_alloc(sizeof(*open), DAEDALUS_MSG_CTX_OPEN, 0);
	if (!msg)
		return -ENOMEM;
	open = (void *)msg->data;
	open->ctx_id = ctx->id;
	open->codec = ctx->coded_desc->codec;
	open->coded_width = coded->width;
	open->coded_height = coded->height;
	open->output_pixelformat = coded->pixelformat;
	daedalus_msg_queue(dev, msg);

	ctx->announced_session = dev->session;
	ctx->announced_codec = ctx->coded_desc->codec;
	ctx->announced_width = coded->width;
	ctx->announced_height = coded->height;
	return 0;
}

/*
 * What the job keeps of its DECODE message, which is freed once the
 * daemon has read it: the CAPTURE plane sizes to check DECODE_DONE
 * against, and the reference buffers GET_BUF_FD/GET_BUF_ID may name.
 */
static void daedalus_job_keep(struct daedalus_job *job,
			      const struct daedalus_msg_decode *dec)
{
	unsigned int i;

	job->num_planes = dec->capture.num_mem_planes;
	for (i = 0; i < job->num_planes && i < DAEDALUS_MAX_PLANES; i++)
		job->sizeimage[i] = dec->capture.sizeimage[i];
	job->num_refs = dec->num_refs;
	for (i = 0; i < dec->num_refs; i++)
		job->ref_index[i] = dec->refs[i].capture_index;
}

static void daedalus_device_run(void *priv)
{
	struct daedalus_ctx *ctx = priv;
	struct daedalus_dev *dev = ctx->dev;
	struct v4l2_m2m_ctx *m2m_ctx = ctx->fh.m2m_ctx;
	struct vb2_v4l2_buffer *src, *dst;
	struct media_request *req;
	struct daedalus_job *job;
	struct daedalus_msg *msg = NULL;
	int status = 0;

	/* Claim both buffers: from now on only this job refers to them. */
	src = v4l2_m2m_src_buf_remove(m2m_ctx);
	dst = v4l2_m2m_dst_buf_remove(m2m_ctx);
	if (WARN_ON(!src || !dst)) {
		/* Cannot happen: m2m only runs jobs with both buffers. */
		if (src)
			daedalus_requeue_head(&m2m_ctx->out_q_ctx, src);
		if (dst)
			daedalus_requeue_head(&m2m_ctx->cap_q_ctx, dst);
		v4l2_m2m_job_finish(ctx->m2m_dev, m2m_ctx);
		return;
	}
	dst->is_held = false;

	req = src->vb2_buf.req_obj.req;
	if (req)
		v4l2_ctrl_request_setup(req, &ctx->hdl);
	v4l2_m2m_buf_copy_metadata(src, dst, true);

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		if (req)
			v4l2_ctrl_request_complete(req, &ctx->hdl);
		daedalus_requeue_head(&m2m_ctx->cap_q_ctx, dst);
		daedalus_requeue_head(&m2m_ctx->out_q_ctx, src);
		daedalus_ctx_job_done(ctx, -ENOMEM);
		return;
	}
	INIT_LIST_HEAD(&job->node);
	job->ctx = ctx;
	job->src = src;
	job->dst = dst;

	msg = daedalus_decode_msg_build(ctx, src, dst, req);
	/* Controls are copied: the request's control object is done. */
	if (req)
		v4l2_ctrl_request_complete(req, &ctx->hdl);
	if (!msg) {
		daedalus_job_fail_now(job, -ENOMEM);
		return;
	}
	msg->job = job;
	daedalus_job_keep(job, (void *)msg->data);

	mutex_lock(&dev->chan_lock);
	if (v4l2_m2m_get_dst_vq(m2m_ctx)->error)
		status = -EPIPE;	/* an earlier job failed the stream */
	else if (!dev->daemon_ready)
		status = -ENODEV;
	else if (!(dev->daemon_codecs &
		   DAEDALUS_CODEC_BIT(ctx->coded_desc->codec)))
		status = -EOPNOTSUPP;
	else if (ctx->abort_pending)
		status = -ECANCELED;
	else
		status = daedalus_announce_ctx(dev, ctx);
	ctx->abort_pending = false;
	if (!status) {
		struct daedalus_msg_decode *dec = (void *)msg->data;

		job->cookie = dev->next_cookie++;
		dec->hdr.cookie = job->cookie;
		job->deadline = jiffies + daedalus_timeout_jiffies();
		job->msg = msg;
		ctx->job = job;
		list_add_tail(&job->node, &dev->jobs);
		daedalus_msg_queue(dev, msg);
		schedule_delayed_work(&dev->watchdog, daedalus_timeout_jiffies());
	}
	mutex_unlock(&dev->chan_lock);

	if (status) {
		kfree(msg);
		daedalus_job_fail_now(job, status);
	}
}

/*
 * m2m job_abort: called from v4l2_m2m_cancel_job() (streamoff, context
 * release) which then waits, uninterruptibly, for job_finish.  Complete
 * the job right here so that wait is short and never depends on the
 * daemon.  If device_run has not queued the job yet, leave a note so it
 * fails the job instead of handing it to the daemon.
 */
static void daedalus_job_abort(void *priv)
{
	struct daedalus_ctx *ctx = priv;
	struct daedalus_dev *dev = ctx->dev;
	struct daedalus_job *job;

	mutex_lock(&dev->chan_lock);
	job = ctx->job;
	if (job)
		daedalus_job_unlink(dev, job);
	else
		ctx->abort_pending = true;
	mutex_unlock(&dev->chan_lock);

	if (job)
		daedalus_job_finish(job, -ECANCELED);
}

const struct v4l2_m2m_ops daedalus_m2m_ops = {
	.device_run	= daedalus_device_run,
	.job_abort	= daedalus_job_abort,
};

void daedalus_watchdog_fn(struct work_struct *work)
{
	struct daedalus_dev *dev = container_of(to_delayed_work(work),
						struct daedalus_dev, watchdog);
	struct daedalus_job *job, *tmp;
	unsigned long next = 0;
	bool rearm = false;
	LIST_HEAD(expired);

	mutex_lock(&dev->chan_lock);
	list_for_each_entry_safe(job, tmp, &dev->jobs, node) {
		if (time_after_eq(jiffies, job->deadline)) {
			daedalus_job_unlink(dev, job);
			list_add_tail(&job->node, &expired);
		} else if (!rearm || time_before(job->deadline, next)) {
			next = job->deadline;
			rearm = true;
		}
	}
	if (rearm)
		mod_delayed_work(system_wq, &dev->watchdog,
				 (time_after(next, jiffies) ? next - jiffies : 0) + 1);
	mutex_unlock(&dev->chan_lock);

	list_for_each_entry_safe(job, tmp, &expired, node) {
		list_del(&job->node);
		dev_warn_ratelimited(&dev->pdev->dev,
				     "job %llu: daemon did not answer within %u ms\n",
				     job->cookie, daedalus_job_timeout_ms);
		daedalus_job_finish(job, -ETIMEDOUT);
	}
}

/* Daemon went away: every queued and in-flight job ends with ERROR. */
void daedalus_jobs_fail_all(struct daedalus_dev *dev)
{
	struct daedalus_job *job, *tmp;
	LIST_HEAD(failed);

	mutex_lock(&dev->chan_lock);
	list_for_each_entry_safe(job, tmp, &dev->jobs, node) {
		daedalus_job_unlink(dev, job);
		list_add_tail(&job->node, &failed);
	}
	mutex_unlock(&dev->chan_lock);

	list_for_each_entry_safe(job, tmp, &failed, node) {
		list_del(&job->node);
		daedalus_job_finish(job, -ESHUTDOWN);
	}
}

/* DECODE_DONE from the daemon; the message is already validated. */
int daedalus_job_answer(struct daedalus_dev *dev,
			const struct daedalus_msg_decode_done *done)
{
	struct daedalus_job *job;
	int status = done->status;
	int ret = 0;
	unsigned int i;

	mutex_lock(&dev->chan_lock);
	job = daedalus_job_find(dev, done->hdr.cookie);
	if (!job || !job->sent) {
		mutex_unlock(&dev->chan_lock);
		return -ENOENT;
	}
	if (!status) {
		if (done->num_planes != job->num_planes)
			ret = -ERANGE;
		for (i = 0; !ret && i < job->num_planes; i++)
			if (done->bytesused[i] > job->sizeimage[i])
				ret = -ERANGE;
		for (i = job->num_planes; !ret && i < DAEDALUS_MAX_PLANES; i++)
			if (done->bytesused[i])
				ret = -ERANGE;
		if (ret)
			status = -ERANGE;
	}
	if (!status) {
		for (i = 0; i < job->num_planes; i++)
			vb2_set_plane_payload(&job->dst->vb2_buf, i,
					      done->bytesused[i] ?:
					      job->sizeimage[i]);
	}
	daedalus_job_unlink(dev, job);
	mutex_unlock(&dev->chan_lock);

	daedalus_job_finish(job, status);
	return ret;
}

/* DECODER_CMD_FLUSH: the job in flight must not keep its CAPTURE held. */
void daedalus_ctx_flush(struct daedalus_ctx *ctx)
{
	struct daedalus_dev *dev = ctx->dev;

	mutex_lock(&dev->chan_lock);
	/*
	 * Only when no further OUTPUT buffer is queued; otherwise the m2m
	 * helper clears HOLD on that buffer and its job releases CAPTURE.
	 */
	if (ctx->job && !v4l2_m2m_num_src_bufs_ready(ctx->fh.m2m_ctx))
		ctx->job->flush = true;
	mutex_unlock(&dev->chan_lock);
}

/* Context released (its job is gone): tell the daemon if it knew it. */
void daedalus_ctx_closed(struct daedalus_ctx *ctx)
{
	struct daedalus_dev *dev = ctx->dev;
	struct daedalus_msg_ctx_close *close;
	struct daedalus_msg *msg;

	mutex_lock(&dev->chan_lock);
	if (dev->daemon_ready && ctx->announced_session == dev->session &&
	    dev->outq_len < DAEDALUS_OUTQ_MAX) {
		msg = daedalus_msg_alloc(sizeof(*close), DAEDALUS_MSG_CTX_CLOSE, 0);
		if (msg) {
			close = (void *)msg->data;
			close->ctx_id = ctx->id;
			daedalus_msg_queue(dev, msg);
		}
	}
	mutex_unlock(&dev->chan_lock);
}
