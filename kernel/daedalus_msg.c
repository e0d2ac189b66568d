// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - kernel->daemon messages and the queue read() takes
 * them from (dev->outq).
 *
 * The job side queues (CTX_OPEN, CTX_CLOSE, DECODE) and unqueues what it
 * cancels; the chardev queues HELLO_REPLY and unqueues what the daemon
 * reads or leaves behind when it closes.  Both only through here, so
 * dev->outq_len always counts outq.
 */

#include <linux/slab.h>

#include "daedalus.h"

/* A zeroed message of @size bytes with its header filled in. */
struct daedalus_msg *daedalus_msg_alloc(size_t size, u16 type, u64 cookie)
{
	struct daedalus_msg *msg;
	struct daedalus_msg_hdr *hdr;

	msg = kzalloc(struct_size(msg, data, size), GFP_KERNEL);
	if (!msg)
		return NULL;
	INIT_LIST_HEAD(&msg->node);
	msg->size = size;
	hdr = (void *)msg->data;
	hdr->magic = DAEDALUS_PROTO_MAGIC;
	hdr->version = DAEDALUS_PROTO_VERSION;
	hdr->type = type;
	hdr->size = size;
	hdr->cookie = cookie;
	return msg;
}

void daedalus_msg_queue(struct daedalus_dev *dev, struct daedalus_msg *msg)
{
	lockdep_assert_held(&dev->chan_lock);
	list_add_tail(&msg->node, &dev->outq);
	WRITE_ONCE(dev->outq_len, dev->outq_len + 1);
	wake_up_interruptible(&dev->read_wq);
}

/* Take @msg off dev->outq; the caller owns (and frees) it afterwards. */
void daedalus_msg_unqueue(struct daedalus_dev *dev, struct daedalus_msg *msg)
{
	lockdep_assert_held(&dev->chan_lock);
	list_del(&msg->node);
	WRITE_ONCE(dev->outq_len, dev->outq_len - 1);
}
