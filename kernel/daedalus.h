/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daedalus_v4l2 - V4L2 stateless decoder that forwards jobs to a daemon.
 *
 * Shared definitions of the module's parts.  Locking order (outermost
 * first) is documented in docs/kernel.md and repeated here:
 *
 *   ctx->vb_mutex             (vb2 queue lock, per V4L2 file handle)
 *     -> ctx->hdl.lock        (control handler, per file handle)
 *     -> dev->chan_lock       (daemon channel: outq, jobs, daemon state)
 *       -> m2m rdy_spinlock   (requeue claimed buffers at completion)
 *       -> q->mmap_lock       (vb2, in VIDIOC_REMOVE_BUFS)
 *
 * Never call v4l2_m2m_buf_done_and_job_finish() with chan_lock held:
 * finishing may lead to device_run, which takes chan_lock.
 */
#ifndef _DAEDALUS_H
#define _DAEDALUS_H

#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/types.h>
#include <linux/version.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <media/media-device.h>
#include <media/v4l2-ctrls.h>
#include <media/v4l2-device.h>
#include <media/v4l2-fh.h>
#include <media/v4l2-mem2mem.h>
#include <media/videobuf2-v4l2.h>

#include "daedalus/daedalus_v4l2_proto.h"

#define DAEDALUS_NAME		"daedalus_v4l2"
#define DAEDALUS_CARD		"daedalus-v4l2"

/* Unread CTX_OPEN/CTX_CLOSE/HELLO_REPLY messages allowed to pile up. */
#define DAEDALUS_OUTQ_MAX	256

struct daedalus_job;
struct dentry;

#define DAEDALUS_CTRL_FORWARD	BIT(0)	/* copied into every DECODE */
#define DAEDALUS_CTRL_REQUIRED	BIT(1)	/* every request must set it */

/**
 * struct daedalus_ctrl_desc - one V4L2 control of a coded format
 * @cfg:   the control; its ops carry the codec's try_ctrl where the
 *         control needs one
 * @flags: DAEDALUS_CTRL_FORWARD, DAEDALUS_CTRL_REQUIRED
 */
struct daedalus_ctrl_desc {
	struct v4l2_ctrl_config cfg;
	u32 flags;
};

/**
 * struct daedalus_coded_fmt - everything that depends on the codec
 * @fourcc:         OUTPUT pixel format
 * @codec:          DAEDALUS_CODEC_* on the wire
 * @frmsize:        coded size limits
 * @ctrls:          its controls; the forwarded ones go into DECODE in
 *                  this order
 * @num_ctrls:      entries in @ctrls
 * @refs_ctrl:      the control whose value names the reference frames
 * @refs_ctrl_size: the least payload size of @refs_ctrl that @refs reads
 * @refs:           fill the reference slots, in the codec's own order,
 *                  with their timestamp and DAEDALUS_REF_VALID from
 *                  @refs_ctrl's value; returns the number of slots
 *
 * Adding a codec means adding one of these (daedalus_coded_fmts.c, or a
 * file of its own like daedalus_h264.c) to daedalus_coded_fmts.c's table.
 */
struct daedalus_coded_fmt {
	u32 fourcc;
	u32 codec;
	const struct v4l2_frmsize_stepwise *frmsize;
	const struct daedalus_ctrl_desc *ctrls;
	unsigned int num_ctrls;
	u32 refs_ctrl;
	size_t refs_ctrl_size;
	unsigned int (*refs)(const void *ctrl, struct daedalus_ref *refs);
};

/* How a decode job ended; counted in debugfs (daedalus_debugfs.c). */
enum daedalus_outcome {
	DAEDALUS_OUTCOME_DONE,
	DAEDALUS_OUTCOME_NO_DAEMON,	/* -ENODEV: no daemon attached */
	DAEDALUS_OUTCOME_UNSUPPORTED,	/* -EOPNOTSUPP: daemon lacks codec */
	DAEDALUS_OUTCOME_DAEMON_GONE,	/* -ESHUTDOWN: daemon closed/died */
	DAEDALUS_OUTCOME_TIMEOUT,	/* -ETIMEDOUT: watchdog */
	DAEDALUS_OUTCOME_ABORTED,	/* -ECANCELED: streamoff/close */
	DAEDALUS_OUTCOME_NOMEM,		/* -ENOMEM/-ENOSPC in the module */
	DAEDALUS_OUTCOME_DECODE,	/* daemon answered with an error */
	DAEDALUS_OUTCOME_STREAM_FAILED,	/* -EPIPE: queued after a failed job */
	DAEDALUS_OUTCOME_COUNT
};

/**
 * struct daedalus_msg - one kernel->daemon message waiting for read()
 * @node: entry in dev->outq
 * @job:  owning job for DECODE messages (NULL otherwise)
 * @size: bytes in @data
 * @data: the wire message
 */
struct daedalus_msg {
	struct list_head node;
	struct daedalus_job *job;
	size_t size;
	u8 data[] __aligned(8);
};

/**
 * struct daedalus_buffer - our vb2 buffer (both queues)
 * @m2m:    the v4l2-mem2mem buffer; first, vb2 and the m2m core cast to it
 * @mem_id: identity of the memory attached to it (DAEDALUS_IOC_GET_BUF_ID),
 *          a new one from dev->next_mem_id at every vb2 buf_init: after
 *          allocation (MMAP) and whenever another dmabuf is attached (DMABUF)
 * @cap_fmt: CAPTURE only: the CAPTURE format when the buffer was queued
 *          (buf_prepare), the layout its job writes.  The format may
 *          change while buffers of the old size are still queued (a
 *          resolution change inside a stream, daedalus_s_fmt_out()); each
 *          keeps the layout its client allocated and maps it with.
 */
struct daedalus_buffer {
	struct v4l2_m2m_buffer m2m;
	u64 mem_id;
	struct v4l2_pix_format_mplane cap_fmt;
};

static inline struct daedalus_buffer *daedalus_vb_buf(struct vb2_buffer *vb)
{
	return container_of(to_vb2_v4l2_buffer(vb), struct daedalus_buffer,
			    m2m.vb);
}

struct daedalus_dev {
	struct platform_device *pdev;
	struct v4l2_device v4l2_dev;
	struct video_device vfd;
	struct media_device mdev;
	struct v4l2_m2m_dev *m2m_dev;
	atomic_t next_ctx_id;
	atomic64_t next_mem_id;	/* struct daedalus_buffer.mem_id */

	/* Daemon channel, everything below is protected by chan_lock. */
	struct mutex chan_lock;
	struct miscdevice misc;
	bool misc_registered;
	bool daemon_open;	/* chardev is open */
	bool daemon_ready;	/* HELLO accepted */
	u32 daemon_codecs;	/* DAEDALUS_CODEC_BIT() mask from HELLO */
	u64 session;		/* bumped on every daemon open and close */
	struct list_head outq;	/* struct daedalus_msg, oldest first */
	unsigned int outq_len;
	struct list_head jobs;	/* struct daedalus_job in flight */
	u64 next_cookie;
	wait_queue_head_t read_wq;
	struct delayed_work watchdog;

	struct dentry *debugfs;
	atomic64_t outcomes[DAEDALUS_OUTCOME_COUNT];
	atomic64_t streams_errored;	/* failed jobs that set vb2_queue_error */
};

struct daedalus_ctx {
	struct v4l2_fh fh;
	struct daedalus_dev *dev;
	struct v4l2_ctrl_handler hdl;
	struct mutex vb_mutex;	/* per-context vb2 + format lock */
	/*
	 * Per-context job scheduler.  The m2m core runs one job at a time per
	 * v4l2_m2m_dev; with one device-wide instance a slow 1080p stream
	 * would hold every other client's job back until it finished at the
	 * daemon.  Each context gets its own, so jobs of different contexts
	 * are in flight at the daemon together while each context still runs
	 * its own jobs strictly in order (what reference frames need).
	 * dev->m2m_dev only carries the media controller topology.
	 */
	struct v4l2_m2m_dev *m2m_dev;
	u32 id;
	const struct daedalus_coded_fmt *coded_desc;	/* of the OUTPUT format */
	struct v4l2_format coded_fmt;
	struct v4l2_format decoded_fmt;

	/* Protected by dev->chan_lock. */
	struct daedalus_job *job;	/* job in flight, at most one */
	bool abort_pending;		/* job_abort came before device_run */
	u64 announced_session;		/* CTX_OPEN sent in this session */
	u32 announced_codec;
	u32 announced_width;
	u32 announced_height;
};

/**
 * struct daedalus_job - one decode request, from device_run to completion
 *
 * Owned by dev->jobs while in flight; whoever unlinks it under chan_lock
 * (daemon answer, watchdog, daemon close, job_abort) completes it, so
 * completion happens exactly once.
 */
struct daedalus_job {
	struct list_head node;
	u64 cookie;
	struct daedalus_ctx *ctx;
	struct vb2_v4l2_buffer *src;
	struct vb2_v4l2_buffer *dst;
	struct daedalus_msg *msg;	/* DECODE while still in outq */
	bool sent;			/* daemon has read the DECODE */
	bool flush;			/* DECODER_CMD_STOP/FLUSH while running */
	unsigned long deadline;		/* jiffies */
	u32 num_refs;
	s32 ref_index[DAEDALUS_MAX_REFS];
	u32 num_planes;			/* CAPTURE memory planes */
	u32 sizeimage[DAEDALUS_MAX_PLANES];
};

static inline struct daedalus_ctx *daedalus_file_to_ctx(struct file *file)
{
	return container_of(file->private_data, struct daedalus_ctx, fh);
}

/*
 * The files, each calling only files further down this list (so none
 * depends on itself through another):
 *
 *   daedalus_main.c        module, platform device, V4L2/media registration
 *   daedalus_video.c       V4L2 file ops, formats, ioctls, vb2, requests
 *   daedalus_chardev.c     the daemon's chardev
 *   daedalus_job.c         device_run and the job lifecycle
 *   daedalus_decode_msg.c  the DECODE message: controls, buffers, references
 *   daedalus_ctrls.c       the control handler, request validation
 *   daedalus_coded_fmts.c  one descriptor per codec, the table of them
 *   daedalus_h264.c        the H.264 descriptor and its control checks
 *   daedalus_msg.c         kernel->daemon messages and dev->outq
 *   daedalus_debugfs.c     job outcome counters
 */

/* daedalus_video.c */
extern const struct v4l2_file_operations daedalus_fops;
extern const struct v4l2_ioctl_ops daedalus_ioctl_ops;
int daedalus_request_validate(struct media_request *req);

/* daedalus_chardev.c */
int daedalus_chardev_register(struct daedalus_dev *dev);
void daedalus_chardev_unregister(struct daedalus_dev *dev);

/* daedalus_job.c */
extern unsigned int daedalus_job_timeout_ms;
extern const struct v4l2_m2m_ops daedalus_m2m_ops;
void daedalus_watchdog_fn(struct work_struct *work);
void daedalus_jobs_fail_all(struct daedalus_dev *dev);
int daedalus_job_answer(struct daedalus_dev *dev,
			const struct daedalus_msg_decode_done *done);
void daedalus_ctx_flush(struct daedalus_ctx *ctx);
void daedalus_ctx_closed(struct daedalus_ctx *ctx);
struct daedalus_job *daedalus_job_find(struct daedalus_dev *dev, u64 cookie);

/* daedalus_decode_msg.c */
struct daedalus_msg *daedalus_decode_msg_build(struct daedalus_ctx *ctx,
					       struct vb2_v4l2_buffer *src,
					       struct vb2_v4l2_buffer *dst,
					       struct media_request *req);

/* daedalus_ctrls.c */
int daedalus_ctrls_init(struct daedalus_ctx *ctx);
int daedalus_ctrls_check_request(struct daedalus_ctx *ctx,
				 struct media_request *req);

/* daedalus_coded_fmts.c */
extern const struct v4l2_frmsize_stepwise daedalus_frmsize;
const struct daedalus_coded_fmt *daedalus_coded_fmt_find(u32 fourcc);
const struct daedalus_coded_fmt *daedalus_coded_fmt_at(unsigned int index);

/* daedalus_h264.c */
extern const struct daedalus_coded_fmt daedalus_h264_fmt;

/* daedalus_msg.c */
struct daedalus_msg *daedalus_msg_alloc(size_t size, u16 type, u64 cookie);
void daedalus_msg_queue(struct daedalus_dev *dev, struct daedalus_msg *msg);
void daedalus_msg_unqueue(struct daedalus_dev *dev, struct daedalus_msg *msg);

/* daedalus_debugfs.c */
void daedalus_count_outcome(struct daedalus_dev *dev, int status);
void daedalus_debugfs_init(struct daedalus_dev *dev);
void daedalus_debugfs_exit(struct daedalus_dev *dev);

#endif /* _DAEDALUS_H */
