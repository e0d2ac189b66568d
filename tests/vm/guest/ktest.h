/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the daedalus_v4l2 guest tests: a fake daemon speaking
 * the chardev protocol and a minimal V4L2 stateless (Request API) client.
 * Header-only so each test builds from one .c file with `cc -static`.
 */
#ifndef DAEDALUS_KTEST_H
#define DAEDALUS_KTEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/media.h>
#include <linux/videodev2.h>

#include "daedalus/daedalus_v4l2_proto.h"

static const char *kt_name = "ktest";

static inline void kt_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: FAIL: ", kt_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline void kt_log(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", kt_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static inline int64_t kt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int kt_xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do {
		r = ioctl(fd, req, arg);
	} while (r < 0 && errno == EINTR);
	return r;
}

/* ---- fake daemon side -------------------------------------------------- */

static inline void kt_hdr(struct daedalus_msg_hdr *h, uint16_t type, uint32_t size,
		   uint64_t cookie)
{
	memset(h, 0, sizeof(*h));
	h->magic = DAEDALUS_PROTO_MAGIC;
	h->version = DAEDALUS_PROTO_VERSION;
	h->type = type;
	h->size = size;
	h->cookie = cookie;
}

/* write() one message; returns 0 or -errno. */
static inline int kt_send(int fd, const void *msg, size_t len)
{
	ssize_t n = write(fd, msg, len);

	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		kt_fail("short write %zd of %zu", n, len);
	return 0;
}

static inline int kt_hello(int fd, uint32_t codecs)
{
	struct daedalus_msg_hello h;

	memset(&h, 0, sizeof(h));
	kt_hdr(&h.hdr, DAEDALUS_MSG_HELLO, sizeof(h), 0);
	h.codecs = codecs;
	snprintf(h.name, sizeof(h.name), "%s", kt_name);
	return kt_send(fd, &h, sizeof(h));
}

/* Read one message with a timeout; returns its size, 0 on timeout. */
static inline ssize_t kt_recv(int fd, void *buf, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&p, 1, timeout_ms);
	if (r < 0)
		kt_fail("poll: %s", strerror(errno));
	if (r == 0)
		return 0;
	n = read(fd, buf, len);
	if (n < 0)
		kt_fail("read: %s", strerror(errno));
	return n;
}

/* Open the chardev and complete the handshake, reading the reply. */
static inline int kt_daemon_attach(uint32_t codecs)
{
	static uint8_t buf[DAEDALUS_MSG_MAX_SIZE];
	const struct daedalus_msg_hello_reply *rep = (const void *)buf;
	int fd, r;
	ssize_t n;

	fd = open(DAEDALUS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		kt_fail("open %s: %s", DAEDALUS_DEVICE_PATH, strerror(errno));
	r = kt_hello(fd, codecs);
	if (r)
		kt_fail("HELLO: %s", strerror(-r));
	n = kt_recv(fd, buf, sizeof(buf), 1000);
	if (n != sizeof(*rep) || rep->hdr.type != DAEDALUS_MSG_HELLO_REPLY ||
	    rep->status != 0)
		kt_fail("bad HELLO_REPLY (n=%zd)", n);
	return fd;
}

static inline int kt_get_buf_fd(int fd, uint64_t cookie, uint32_t which,
			 uint32_t ref, uint32_t plane,
			 struct daedalus_buf_fd *out)
{
	memset(out, 0, sizeof(*out));
	out->cookie = cookie;
	out->which = which;
	out->ref = ref;
	out->plane = plane;
	out->fd = -1;
	return kt_xioctl(fd, DAEDALUS_IOC_GET_BUF_FD, out) ? -errno : 0;
}

static inline int kt_get_buf_id(int fd, uint64_t cookie, uint32_t which,
				uint32_t ref, uint64_t *id)
{
	struct daedalus_buf_id a;

	memset(&a, 0, sizeof(a));
	a.cookie = cookie;
	a.which = which;
	a.ref = ref;
	if (kt_xioctl(fd, DAEDALUS_IOC_GET_BUF_ID, &a))
		return -errno;
	*id = a.id;
	return 0;
}

static inline int kt_answer(int fd, uint64_t cookie, int32_t status,
		     uint32_t num_planes)
{
	struct daedalus_msg_decode_done d;

	memset(&d, 0, sizeof(d));
	kt_hdr(&d.hdr, DAEDALUS_MSG_DECODE_DONE, sizeof(d), cookie);
	d.status = status;
	d.num_planes = status ? 0 : num_planes;
	return kt_send(fd, &d, sizeof(d));
}

/* ---- V4L2 client side -------------------------------------------------- */

struct kt_client {
	int video;
	int media;
	int req;
	uint32_t width, height;
	void *out_map[2];
	size_t out_len;
	unsigned int n_out;
	void *cap_map;
	size_t cap_len;
	size_t bitstream_len;
};

static inline const char *kt_video_path(void)
{
	const char *p = getenv("DAEDALUS_VIDEO");

	return p && *p ? p : "/dev/video0";
}

static inline const char *kt_media_path(void)
{
	const char *p = getenv("DAEDALUS_MEDIA");

	return p && *p ? p : "/dev/media0";
}

/* Deterministic byte pattern so both sides can check each other. */
static inline uint8_t kt_pattern(size_t i, uint8_t seed)
{
	return (uint8_t)((i * 131u) ^ (i >> 9) ^ seed);
}

static inline void kt_client_setup_n(struct kt_client *c, uint32_t w,
				     uint32_t h, size_t bitstream_len,
				     unsigned int n_out)
{
	struct v4l2_requestbuffers rb;
	struct v4l2_format f;
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;
	enum v4l2_buf_type type;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->n_out = n_out;
	c->width = w;
	c->height = h;
	c->bitstream_len = bitstream_len;
	c->video = open(kt_video_path(), O_RDWR | O_CLOEXEC);
	if (c->video < 0)
		kt_fail("open %s: %s", kt_video_path(), strerror(errno));
	c->media = open(kt_media_path(), O_RDWR | O_CLOEXEC);
	if (c->media < 0)
		kt_fail("open %s: %s", kt_media_path(), strerror(errno));

	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
	f.fmt.pix_mp.pixelformat = V4L2_PIX_FMT_VP9_FRAME;
	f.fmt.pix_mp.width = w;
	f.fmt.pix_mp.height = h;
	f.fmt.pix_mp.num_planes = 1;
	f.fmt.pix_mp.plane_fmt[0].sizeimage = bitstream_len;
	if (kt_xioctl(c->video, VIDIOC_S_FMT, &f))
		kt_fail("S_FMT OUTPUT: %s", strerror(errno));
	if (f.fmt.pix_mp.pixelformat != V4L2_PIX_FMT_VP9_FRAME)
		kt_fail("OUTPUT format is not VP9F");

	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	f.fmt.pix_mp.pixelformat = V4L2_PIX_FMT_NV12;
	if (kt_xioctl(c->video, VIDIOC_S_FMT, &f))
		kt_fail("S_FMT CAPTURE: %s", strerror(errno));
	if (f.fmt.pix_mp.pixelformat != V4L2_PIX_FMT_NV12 ||
	    f.fmt.pix_mp.num_planes != 1 || f.fmt.pix_mp.width < w ||
	    f.fmt.pix_mp.height < h)
		kt_fail("CAPTURE format not NV12 %ux%u", w, h);

	for (type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;;
	     type = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE) {
		unsigned int n = type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE ?
				 n_out : 1, idx;

		memset(&rb, 0, sizeof(rb));
		rb.count = n;
		rb.type = type;
		rb.memory = V4L2_MEMORY_MMAP;
		if (kt_xioctl(c->video, VIDIOC_REQBUFS, &rb) || rb.count < n)
			kt_fail("REQBUFS type %d: %s", type, strerror(errno));
		if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE &&
		    !(rb.capabilities & V4L2_BUF_CAP_SUPPORTS_M2M_HOLD_CAPTURE_BUF))
			kt_fail("OUTPUT queue lacks SUPPORTS_M2M_HOLD_CAPTURE_BUF");
		for (idx = 0; idx < n; idx++) {
			void *m;

			memset(&b, 0, sizeof(b));
			memset(planes, 0, sizeof(planes));
			b.type = type;
			b.memory = V4L2_MEMORY_MMAP;
			b.index = idx;
			b.length = VIDEO_MAX_PLANES;
			b.m.planes = planes;
			if (kt_xioctl(c->video, VIDIOC_QUERYBUF, &b))
				kt_fail("QUERYBUF: %s", strerror(errno));
			m = mmap(NULL, planes[0].length, PROT_READ | PROT_WRITE,
				 MAP_SHARED, c->video, planes[0].m.mem_offset);
			if (m == MAP_FAILED)
				kt_fail("mmap: %s", strerror(errno));
			if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE) {
				c->out_map[idx] = m;
				c->out_len = planes[0].length;
			} else {
				c->cap_map = m;
				c->cap_len = planes[0].length;
			}
		}
		if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE)
			break;
	}
	if (c->out_len < bitstream_len)
		kt_fail("OUTPUT buffer %zu < bitstream %zu", c->out_len,
			bitstream_len);
	for (i = 0; i < bitstream_len; i++) {
		((uint8_t *)c->out_map[0])[i] = kt_pattern(i, 0x5a);
		if (n_out > 1)
			((uint8_t *)c->out_map[1])[i] = kt_pattern(i, 0x5a);
	}
	memset(c->cap_map, 0, c->cap_len);

	type = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
	if (kt_xioctl(c->video, VIDIOC_STREAMON, &type))
		kt_fail("STREAMON OUTPUT: %s", strerror(errno));
	type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	if (kt_xioctl(c->video, VIDIOC_STREAMON, &type))
		kt_fail("STREAMON CAPTURE: %s", strerror(errno));
}

static inline void kt_client_setup(struct kt_client *c, uint32_t w, uint32_t h,
				   size_t bitstream_len)
{
	kt_client_setup_n(c, w, h, bitstream_len, 1);
}

/*
 * Queue a VP9 keyframe request on OUTPUT @out_idx (with HOLD_CAPTURE_BUF
 * if @hold) and, if @queue_cap, CAPTURE 0 before it.
 */
static inline void kt_client_submit_ex(struct kt_client *c, uint64_t ts_us,
				       unsigned int out_idx, int hold,
				       int queue_cap)
{
	struct v4l2_ctrl_vp9_frame frame;
	struct v4l2_ext_control ctrl;
	struct v4l2_ext_controls ctrls;
	struct v4l2_plane plane;
	struct v4l2_buffer b;

	if (kt_xioctl(c->media, MEDIA_IOC_REQUEST_ALLOC, &c->req))
		kt_fail("REQUEST_ALLOC: %s", strerror(errno));

	memset(&frame, 0, sizeof(frame));
	frame.flags = V4L2_VP9_FRAME_FLAG_KEY_FRAME |
		      V4L2_VP9_FRAME_FLAG_SHOW_FRAME |
		      V4L2_VP9_FRAME_FLAG_X_SUBSAMPLING |
		      V4L2_VP9_FRAME_FLAG_Y_SUBSAMPLING;
	frame.profile = 0;
	frame.bit_depth = 8;
	frame.frame_width_minus_1 = c->width - 1;
	frame.frame_height_minus_1 = c->height - 1;
	frame.render_width_minus_1 = c->width - 1;
	frame.render_height_minus_1 = c->height - 1;
	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.id = V4L2_CID_STATELESS_VP9_FRAME;
	ctrl.size = sizeof(frame);
	ctrl.ptr = &frame;
	memset(&ctrls, 0, sizeof(ctrls));
	ctrls.which = V4L2_CTRL_WHICH_REQUEST_VAL;
	ctrls.request_fd = c->req;
	ctrls.count = 1;
	ctrls.controls = &ctrl;
	if (kt_xioctl(c->video, VIDIOC_S_EXT_CTRLS, &ctrls))
		kt_fail("S_EXT_CTRLS(request): %s", strerror(errno));

	memset(&b, 0, sizeof(b));
	memset(&plane, 0, sizeof(plane));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	b.memory = V4L2_MEMORY_MMAP;
	b.index = 0;
	b.length = 1;
	b.m.planes = &plane;
	if (queue_cap && kt_xioctl(c->video, VIDIOC_QBUF, &b))
		kt_fail("QBUF CAPTURE: %s", strerror(errno));

	memset(&b, 0, sizeof(b));
	memset(&plane, 0, sizeof(plane));
	b.type = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
	b.memory = V4L2_MEMORY_MMAP;
	b.index = out_idx;
	b.length = 1;
	b.m.planes = &plane;
	plane.bytesused = c->bitstream_len;
	b.timestamp.tv_sec = ts_us / 1000000;
	b.timestamp.tv_usec = ts_us % 1000000;
	b.flags = V4L2_BUF_FLAG_REQUEST_FD |
		  (hold ? V4L2_BUF_FLAG_M2M_HOLD_CAPTURE_BUF : 0);
	b.request_fd = c->req;
	if (kt_xioctl(c->video, VIDIOC_QBUF, &b))
		kt_fail("QBUF OUTPUT: %s", strerror(errno));

	if (kt_xioctl(c->req, MEDIA_REQUEST_IOC_QUEUE, NULL))
		kt_fail("REQUEST_QUEUE: %s", strerror(errno));
	close(c->req);
	c->req = -1;
}

/* Queue CAPTURE 0 and a VP9 keyframe request on OUTPUT 0. */
static inline void kt_client_submit(struct kt_client *c, uint64_t ts_us)
{
	kt_client_submit_ex(c, ts_us, 0, 0, 1);
}

/* A one-plane MMAP buffer of @type, index 0, for QBUF/DQBUF. */
static inline void kt_mmap_buf(struct v4l2_buffer *b, struct v4l2_plane *plane,
			       uint32_t type)
{
	memset(b, 0, sizeof(*b));
	memset(plane, 0, sizeof(*plane));
	b->type = type;
	b->memory = V4L2_MEMORY_MMAP;
	b->length = 1;
	b->m.planes = plane;
}

/*
 * Returned instead of buffer flags when DQBUF failed with EIO: the module
 * put the queue in error (vb2_queue_error) because a job ended without a
 * decoded picture.  Bit 31 is no V4L2_BUF_FLAG_*.
 */
#define KT_QUEUE_ERROR 0x80000000u

/*
 * Block in DQBUF(CAPTURE) (no poll: this is the call that must never hang
 * in D-state) and return its flags, or KT_QUEUE_ERROR; *bytesused gets
 * plane 0's payload.
 */
static inline uint32_t kt_client_dqbuf_capture(struct kt_client *c,
					uint32_t *bytesused)
{
	struct v4l2_plane plane;
	struct v4l2_buffer b;

	kt_mmap_buf(&b, &plane, V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE);
	if (bytesused)
		*bytesused = 0;
	if (kt_xioctl(c->video, VIDIOC_DQBUF, &b)) {
		if (errno == EIO)
			return KT_QUEUE_ERROR;
		kt_fail("DQBUF CAPTURE: %s", strerror(errno));
	}
	if (bytesused)
		*bytesused = plane.bytesused;
	return b.flags;
}

static inline uint32_t kt_client_dqbuf_output(struct kt_client *c)
{
	struct v4l2_plane plane;
	struct v4l2_buffer b;

	kt_mmap_buf(&b, &plane, V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE);
	if (kt_xioctl(c->video, VIDIOC_DQBUF, &b)) {
		if (errno == EIO)
			return KT_QUEUE_ERROR;
		kt_fail("DQBUF OUTPUT: %s", strerror(errno));
	}
	return b.flags;
}

static inline int kt_client_qbuf_capture(struct kt_client *c)
{
	struct v4l2_plane plane;
	struct v4l2_buffer b;

	kt_mmap_buf(&b, &plane, V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE);
	return kt_xioctl(c->video, VIDIOC_QBUF, &b);
}

/*
 * After a failed job: the queues stay in error (QBUF fails with EIO) until
 * the client streams off, and take buffers again after STREAMON, which is
 * how a player resets for a seek or retries.
 */
static inline void kt_check_stream_restart(struct kt_client *c)
{
	int type, t;

	if (!kt_client_qbuf_capture(c) || errno != EIO)
		kt_fail("QBUF CAPTURE on a queue in error: %s, want EIO",
			strerror(errno));
	for (t = 0; t < 2; t++) {
		type = t ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE :
			   V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
		if (kt_xioctl(c->video, VIDIOC_STREAMOFF, &type))
			kt_fail("STREAMOFF type %d: %s", type, strerror(errno));
		if (kt_xioctl(c->video, VIDIOC_STREAMON, &type))
			kt_fail("STREAMON type %d: %s", type, strerror(errno));
	}
	if (kt_client_qbuf_capture(c))
		kt_fail("QBUF CAPTURE after STREAMOFF/STREAMON: %s",
			strerror(errno));
}

static inline void kt_client_close(struct kt_client *c)
{
	unsigned int i;

	for (i = 0; i < c->n_out; i++)
		if (c->out_map[i])
			munmap(c->out_map[i], c->out_len);
	if (c->cap_map)
		munmap(c->cap_map, c->cap_len);
	if (c->req > 0)
		close(c->req);
	close(c->video);
	close(c->media);
}

#endif /* DAEDALUS_KTEST_H */
