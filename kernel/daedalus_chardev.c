// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - /dev/daedalus-v4l2, the channel to the decode daemon.
 *
 * One opener at a time.  read() hands out one queued kernel->daemon
 * message per call, write() takes one daemon->kernel message per call,
 * DAEDALUS_IOC_GET_BUF_FD exports a job's buffers as dmabuf fds and
 * DAEDALUS_IOC_GET_BUF_ID names the memory behind them.  See
 * include/daedalus/daedalus_v4l2_proto.h for the protocol and its errnos.
 */

#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "daedalus.h"

#define DAEDALUS_KNOWN_CODECS	(DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_VP9) | \
				 DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_H264) | \
				 DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_AV1))

static struct daedalus_dev *daedalus_chr_dev(struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return container_of(misc, struct daedalus_dev, misc);
}

static void daedalus_queue_hello_reply(struct daedalus_dev *dev, int status)
{
	struct daedalus_msg_hello_reply *reply;
	struct daedalus_msg *msg;

	lockdep_assert_held(&dev->chan_lock);
	if (dev->outq_len >= DAEDALUS_OUTQ_MAX)
		return;
	msg = daedalus_msg_alloc(sizeof(*reply), DAEDALUS_MSG_HELLO_REPLY, 0);
	if (!msg)
		return;
	reply = (void *)msg->data;
	reply->status = status;
	reply->proto_version = DAEDALUS_PROTO_VERSION;
	reply->max_msg_size = DAEDALUS_MSG_MAX_SIZE;
	reply->job_timeout_ms = READ_ONCE(daedalus_job_timeout_ms);
	daedalus_msg_queue(dev, msg);
}

static int daedalus_chr_open(struct inode *inode, struct file *file)
{
	struct daedalus_dev *dev = daedalus_chr_dev(file);
	int ret = 0;

	mutex_lock(&dev->chan_lock);
	if (dev->daemon_open) {
		ret = -EBUSY;
	} else {
		dev->daemon_open = true;
		dev->daemon_ready = false;
		dev->session++;
	}
	mutex_unlock(&dev->chan_lock);
	if (!ret)
		stream_open(inode, file);
	return ret;
}

static int daedalus_chr_release(struct inode *inode, struct file *file)
{
	struct daedalus_dev *dev = daedalus_chr_dev(file);
	struct daedalus_msg *msg, *tmp;

	/* Stop new jobs from being handed to us... */
	mutex_lock(&dev->chan_lock);
	dev->daemon_ready = false;
	dev->session++;
	mutex_unlock(&dev->chan_lock);

	/* ...error everything queued or in flight... */
	daedalus_jobs_fail_all(dev);

	/* ...drop the remaining context messages, then let the next in. */
	mutex_lock(&dev->chan_lock);
	list_for_each_entry_safe(msg, tmp, &dev->outq, node) {
		WARN_ON(msg->job);
		daedalus_msg_unqueue(dev, msg);
		kfree(msg);
	}
	dev->daemon_open = false;
	mutex_unlock(&dev->chan_lock);
	return 0;
}

/* Lockless hint for wait/poll (may run in !TASK_RUNNING); read() rechecks. */
static bool daedalus_outq_ready(struct daedalus_dev *dev)
{
	return READ_ONCE(dev->outq_len) != 0;
}

static ssize_t daedalus_chr_read(struct file *file, char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct daedalus_dev *dev = daedalus_chr_dev(file);
	struct daedalus_msg *msg;
	ssize_t ret;

	for (;;) {
		mutex_lock(&dev->chan_lock);
		msg = list_first_entry_or_null(&dev->outq, struct daedalus_msg,
					       node);
		if (msg && count < msg->size) {
			mutex_unlock(&dev->chan_lock);
			return -EMSGSIZE;
		}
		if (msg) {
			/*
			 * Take it off the queue before copying, so a copy
			 * that blocks (userfaultfd, slow fault) never holds
			 * chan_lock.  A DECODE whose copy fails stays a job
			 * in flight, which the watchdog ends.
			 */
			daedalus_msg_unqueue(dev, msg);
			if (msg->job) {
				msg->job->msg = NULL;
				msg->job->sent = true;
			}
			mutex_unlock(&dev->chan_lock);
			ret = copy_to_user(buf, msg->data, msg->size) ?
			      -EFAULT : msg->size;
			kfree(msg);
			return ret;
		}
		mutex_unlock(&dev->chan_lock);

		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(dev->read_wq,
					       daedalus_outq_ready(dev));
		if (ret)
			return ret;
	}
}

static __poll_t daedalus_chr_poll(struct file *file, poll_table *wait)
{
	struct daedalus_dev *dev = daedalus_chr_dev(file);
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &dev->read_wq, wait);
	if (daedalus_outq_ready(dev))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static int daedalus_handle_hello(struct daedalus_dev *dev,
				 const struct daedalus_msg_hello *hello)
{
	char name[sizeof(hello->name)];
	int ret = 0;

	if (hello->flags || hello->reserved || !hello->codecs ||
	    (hello->codecs & ~DAEDALUS_KNOWN_CODECS))
		return -EINVAL;

	mutex_lock(&dev->chan_lock);
	if (dev->daemon_ready) {
		ret = -EISCONN;
	} else {
		dev->daemon_ready = true;
		dev->daemon_codecs = hello->codecs;
		daedalus_queue_hello_reply(dev, 0);
	}
	mutex_unlock(&dev->chan_lock);

	if (!ret) {
		strscpy(name, hello->name, sizeof(name));
		dev_info(&dev->pdev->dev, "daemon \"%s\" attached, codecs 0x%x\n",
			 name, hello->codecs);
	}
	return ret;
}

static int daedalus_reject_hello(struct daedalus_dev *dev)
{
	int ret = -EPROTONOSUPPORT;

	mutex_lock(&dev->chan_lock);
	if (dev->daemon_ready)
		ret = -EISCONN;
	else
		daedalus_queue_hello_reply(dev, -EPROTONOSUPPORT);
	mutex_unlock(&dev->chan_lock);
	return ret;
}

static bool daedalus_is_ready(struct daedalus_dev *dev)
{
	bool ready;

	mutex_lock(&dev->chan_lock);
	ready = dev->daemon_ready;
	mutex_unlock(&dev->chan_lock);
	return ready;
}

static ssize_t daedalus_chr_write(struct file *file, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct daedalus_dev *dev = daedalus_chr_dev(file);
	union {
		struct daedalus_msg_hdr hdr;
		struct daedalus_msg_hello hello;
		struct daedalus_msg_decode_done done;
	} m;
	size_t expect;
	int ret;

	/* Size checks come first, so nothing is copied for bogus sizes. */
	if (count > DAEDALUS_MSG_MAX_SIZE)
		return -EMSGSIZE;
	if (count < sizeof(m.hdr))
		return -EINVAL;
	if (copy_from_user(&m.hdr, buf, sizeof(m.hdr)))
		return -EFAULT;
	if (m.hdr.magic != DAEDALUS_PROTO_MAGIC)
		return -EBADMSG;
	/* A HELLO of another version may have another size: check first. */
	if (m.hdr.type == DAEDALUS_MSG_HELLO &&
	    m.hdr.version != DAEDALUS_PROTO_VERSION)
		return daedalus_reject_hello(dev);
	if (m.hdr.version != DAEDALUS_PROTO_VERSION)
		return -EPROTO;
	if (m.hdr.flags || m.hdr.size != count)
		return -EINVAL;

	switch (m.hdr.type) {
	case DAEDALUS_MSG_HELLO:
		expect = sizeof(m.hello);
		break;
	case DAEDALUS_MSG_DECODE_DONE:
		expect = sizeof(m.done);
		break;
	default:
		return -ENOMSG;
	}
	if (count != expect)
		return -EINVAL;
	if (copy_from_user(&m, buf, count))
		return -EFAULT;

	if (m.hdr.type == DAEDALUS_MSG_HELLO) {
		ret = daedalus_handle_hello(dev, &m.hello);
		return ret ? ret : count;
	}

	if (!daedalus_is_ready(dev))
		return -ENOTCONN;
	if (m.done.flags || m.done.status > 0 || m.done.status < -MAX_ERRNO ||
	    m.done.num_planes > DAEDALUS_MAX_PLANES)
		return -EINVAL;
	ret = daedalus_job_answer(dev, &m.done);
	return ret ? ret : count;
}

/* Get a new reference to plane @plane of @vb as a dma_buf. */
static struct dma_buf *daedalus_buf_dmabuf(struct vb2_buffer *vb,
					   unsigned int plane,
					   unsigned int flags)
{
	struct vb2_queue *q = vb->vb2_queue;
	struct dma_buf *dbuf;

	if (plane >= vb->num_planes)
		return ERR_PTR(-EINVAL);

	switch (q->memory) {
	case VB2_MEMORY_MMAP:
		if (!q->mem_ops->get_dmabuf || !vb->planes[plane].mem_priv)
			return ERR_PTR(-EINVAL);
		dbuf = q->mem_ops->get_dmabuf(vb, vb->planes[plane].mem_priv,
					      flags & O_ACCMODE);
		return dbuf ? dbuf : ERR_PTR(-EINVAL);
	case VB2_MEMORY_DMABUF:
		/* Imported by the client: hand the same dmabuf on. */
		dbuf = vb->planes[plane].dbuf;
		if (!dbuf)
			return ERR_PTR(-EINVAL);
		get_dma_buf(dbuf);
		return dbuf;
	default:
		return ERR_PTR(-EINVAL);
	}
}

/*
 * The vb2 buffer that (@cookie, @which, @ref) names, or NULL with *@err
 * set.  Under chan_lock, which keeps the job, and with it every buffer it
 * names, from completing (and the queues from being freed).
 */
static struct vb2_buffer *daedalus_job_vb(struct daedalus_dev *dev,
					  u64 cookie, u32 which, u32 ref,
					  int *err)
{
	struct daedalus_job *job;
	struct vb2_buffer *vb;

	lockdep_assert_held(&dev->chan_lock);
	*err = 0;
	if (!dev->daemon_ready) {
		*err = -ENOTCONN;
		return NULL;
	}
	job = daedalus_job_find(dev, cookie);
	if (!job || !job->sent) {
		*err = -ENOENT;
		return NULL;
	}
	if (which == DAEDALUS_BUF_OUTPUT)
		return &job->src->vb2_buf;
	if (which == DAEDALUS_BUF_CAPTURE)
		return &job->dst->vb2_buf;
	if (ref >= job->num_refs) {
		*err = -EINVAL;
		return NULL;
	}
	vb = job->ref_index[ref] < 0 ? NULL :
	     vb2_get_buffer(v4l2_m2m_get_dst_vq(job->ctx->fh.m2m_ctx),
			    job->ref_index[ref]);
	if (!vb)
		*err = -ENODATA;
	return vb;
}

static long daedalus_ioc_get_buf_id(struct daedalus_dev *dev,
				    struct daedalus_buf_id __user *uarg)
{
	struct daedalus_buf_id arg;
	struct vb2_buffer *vb;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.reserved || arg.id ||
	    arg.which > DAEDALUS_BUF_REF ||
	    (arg.which != DAEDALUS_BUF_REF && arg.ref))
		return -EINVAL;

	mutex_lock(&dev->chan_lock);
	vb = daedalus_job_vb(dev, arg.cookie, arg.which, arg.ref, &ret);
	if (vb)
		arg.id = daedalus_vb_buf(vb)->mem_id;
	mutex_unlock(&dev->chan_lock);
	if (ret)
		return ret;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long daedalus_ioc_get_buf_fd(struct daedalus_dev *dev,
				    struct daedalus_buf_fd __user *uarg)
{
	struct daedalus_buf_fd arg;
	struct vb2_buffer *vb;
	struct dma_buf *dbuf = NULL;
	unsigned int flags;
	int fd, ret = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.which > DAEDALUS_BUF_REF ||
	    (arg.which != DAEDALUS_BUF_REF && arg.ref) ||
	    arg.plane >= DAEDALUS_MAX_PLANES)
		return -EINVAL;
	flags = (arg.which == DAEDALUS_BUF_CAPTURE ? O_RDWR : O_RDONLY) |
		O_CLOEXEC;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;

	mutex_lock(&dev->chan_lock);
	vb = daedalus_job_vb(dev, arg.cookie, arg.which, arg.ref, &ret);
	if (vb) {
		dbuf = daedalus_buf_dmabuf(vb, arg.plane, flags);
		if (IS_ERR(dbuf)) {
			ret = PTR_ERR(dbuf);
			dbuf = NULL;
		} else {
			arg.length = vb->planes[arg.plane].length;
		}
	}
	mutex_unlock(&dev->chan_lock);
	if (ret)
		goto err_fd;

	arg.fd = fd;
	arg.flags = flags & O_ACCMODE;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		ret = -EFAULT;
		goto err_dbuf;
	}
	fd_install(fd, dbuf->file);
	return 0;

err_dbuf:
	dma_buf_put(dbuf);
err_fd:
	put_unused_fd(fd);
	return ret;
}

static long daedalus_chr_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct daedalus_dev *dev = daedalus_chr_dev(file);

	switch (cmd) {
	case DAEDALUS_IOC_GET_BUF_FD:
		return daedalus_ioc_get_buf_fd(dev, (void __user *)arg);
	case DAEDALUS_IOC_GET_BUF_ID:
		return daedalus_ioc_get_buf_id(dev, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations daedalus_chr_fops = {
	.owner		= THIS_MODULE,
	.open		= daedalus_chr_open,
	.release	= daedalus_chr_release,
	.read		= daedalus_chr_read,
	.write		= daedalus_chr_write,
	.poll		= daedalus_chr_poll,
	.unlocked_ioctl	= daedalus_chr_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

int daedalus_chardev_register(struct daedalus_dev *dev)
{
	int ret;

	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = DAEDALUS_DEVICE_NAME;
	dev->misc.fops = &daedalus_chr_fops;
	dev->misc.mode = 0600;
	ret = misc_register(&dev->misc);
	if (!ret)
		dev->misc_registered = true;
	return ret;
}

void daedalus_chardev_unregister(struct daedalus_dev *dev)
{
	if (dev->misc_registered)
		misc_deregister(&dev->misc);
	dev->misc_registered = false;
}
