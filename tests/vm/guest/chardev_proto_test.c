// SPDX-License-Identifier: GPL-2.0
/*
 * chardev_proto_test - /dev/daedalus-v4l2 as a misbehaving daemon sees it:
 * exclusive open, handshake, and the specific errno of every malformed
 * message, read buffer and ioctl (see daedalus_v4l2_proto.h).
 */
#include "ktest.h"

static int failures;

#define CHECK(cond, ...) do {					\
	if (!(cond)) {						\
		kt_log("FAIL %s:%d: ", __FILE__, __LINE__);	\
		kt_log(__VA_ARGS__);				\
		failures++;					\
	}							\
} while (0)

/* write() @len bytes of @msg and check the resulting errno (0 = ok). */
static void expect_write(int fd, const void *msg, size_t len, int want,
			 const char *what)
{
	ssize_t n = write(fd, msg, len);
	int got = n < 0 ? errno : 0;

	CHECK(got == want, "%s: errno %d (%s), want %d (%s)", what, got,
	      strerror(got), want, strerror(want));
	if (!got)
		CHECK((size_t)n == len, "%s: wrote %zd of %zu", what, n, len);
}

static uint8_t big[DAEDALUS_MSG_MAX_SIZE + 16];

int main(void)
{
	struct daedalus_msg_decode_done done;
	struct daedalus_msg_hello hello;
	struct daedalus_msg_hello_reply rep;
	struct daedalus_buf_fd b;
	struct pollfd p;
	uint8_t small[16];
	int fd, fd2, r;
	ssize_t n;

	kt_name = "chardev_proto_test";

	fd = open(DAEDALUS_DEVICE_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		kt_fail("open: %s", strerror(errno));
	fd2 = open(DAEDALUS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	CHECK(fd2 < 0 && errno == EBUSY, "second open: %d errno %d", fd2, errno);
	if (fd2 >= 0)
		close(fd2);

	n = read(fd, big, sizeof(big));
	CHECK(n < 0 && errno == EAGAIN, "empty nonblocking read: %zd/%d", n, errno);
	p.fd = fd;
	p.events = POLLIN | POLLOUT;
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLOUT,
	      "poll with nothing queued: revents 0x%x", p.revents);

	/* Malformed messages before the handshake. */
	memset(&done, 0, sizeof(done));
	kt_hdr(&done.hdr, DAEDALUS_MSG_DECODE_DONE, sizeof(done), 1);
	expect_write(fd, &done, sizeof(done), ENOTCONN, "DECODE_DONE before HELLO");
	expect_write(fd, big, sizeof(big), EMSGSIZE, "oversized write");
	expect_write(fd, &done, sizeof(done.hdr) - 1, EINVAL, "short header");
	expect_write(fd, &done, 0, EINVAL, "empty write");
	expect_write(fd, NULL, sizeof(done), EFAULT, "NULL buffer");

	memset(&hello, 0, sizeof(hello));
	kt_hdr(&hello.hdr, DAEDALUS_MSG_HELLO, sizeof(hello), 0);
	hello.codecs = DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_VP9);

	hello.hdr.magic ^= 1;
	expect_write(fd, &hello, sizeof(hello), EBADMSG, "bad magic");
	hello.hdr.magic ^= 1;
	hello.hdr.flags = 1;
	expect_write(fd, &hello, sizeof(hello), EINVAL, "header flags");
	hello.hdr.flags = 0;
	hello.hdr.size = sizeof(hello) + 8;
	expect_write(fd, &hello, sizeof(hello), EINVAL, "hdr.size != count");
	hello.hdr.size = sizeof(hello) - 8;
	expect_write(fd, &hello, sizeof(hello) - 8, EINVAL, "short HELLO");
	hello.hdr.size = sizeof(hello);
	hello.hdr.type = 0x1234;
	expect_write(fd, &hello, sizeof(hello), ENOMSG, "unknown type");
	hello.hdr.type = DAEDALUS_MSG_DECODE;
	expect_write(fd, &hello, sizeof(hello), ENOMSG, "kernel->daemon type");
	hello.hdr.type = DAEDALUS_MSG_HELLO;
	hello.codecs = 0;
	expect_write(fd, &hello, sizeof(hello), EINVAL, "HELLO without codecs");
	hello.codecs = 1u << 30;
	expect_write(fd, &hello, sizeof(hello), EINVAL, "HELLO unknown codec");
	hello.codecs = DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_VP9);
	hello.reserved = 1;
	expect_write(fd, &hello, sizeof(hello), EINVAL, "HELLO reserved");
	hello.reserved = 0;
	CHECK(read(fd, big, sizeof(big)) < 0 && errno == EAGAIN,
	      "a rejected message queued a reply");

	/* Version mismatch: EPROTONOSUPPORT plus a reply naming ours. */
	hello.hdr.version = DAEDALUS_PROTO_VERSION + 1;
	expect_write(fd, &hello, sizeof(hello), EPROTONOSUPPORT, "HELLO v+1");
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLIN), "no POLLIN for reply");
	n = read(fd, small, sizeof(small));
	CHECK(n < 0 && errno == EMSGSIZE, "read into 16 bytes: %zd/%d", n, errno);
	n = read(fd, &rep, sizeof(rep));
	CHECK(n == sizeof(rep) && rep.hdr.type == DAEDALUS_MSG_HELLO_REPLY &&
	      rep.status == -EPROTONOSUPPORT &&
	      rep.proto_version == DAEDALUS_PROTO_VERSION,
	      "reject reply: n=%zd status %d", n, rep.status);
	hello.hdr.version = DAEDALUS_PROTO_VERSION;

	/* The handshake proper. */
	expect_write(fd, &hello, sizeof(hello), 0, "HELLO");
	n = read(fd, &rep, sizeof(rep));
	CHECK(n == sizeof(rep) && rep.status == 0 &&
	      rep.max_msg_size == DAEDALUS_MSG_MAX_SIZE &&
	      rep.job_timeout_ms > 0, "HELLO_REPLY n=%zd status %d", n,
	      rep.status);
	expect_write(fd, &hello, sizeof(hello), EISCONN, "second HELLO");
	hello.hdr.version = 7;
	expect_write(fd, &hello, sizeof(hello), EISCONN, "HELLO v7 after HELLO");
	hello.hdr.version = DAEDALUS_PROTO_VERSION;

	/* DECODE_DONE variants after the handshake. */
	done.hdr.version = DAEDALUS_PROTO_VERSION + 3;
	expect_write(fd, &done, sizeof(done), EPROTO, "bad version");
	done.hdr.version = DAEDALUS_PROTO_VERSION;
	expect_write(fd, &done, sizeof(done), ENOENT, "unknown cookie");
	done.hdr.cookie = ~0ull;
	expect_write(fd, &done, sizeof(done), ENOENT, "cookie ~0");
	done.status = 5;
	expect_write(fd, &done, sizeof(done), EINVAL, "positive status");
	done.status = -100000;
	expect_write(fd, &done, sizeof(done), EINVAL, "status < -MAX_ERRNO");
	done.status = 0;
	done.flags = 2;
	expect_write(fd, &done, sizeof(done), EINVAL, "DECODE_DONE flags");
	done.flags = 0;
	done.num_planes = 9;
	expect_write(fd, &done, sizeof(done), EINVAL, "num_planes 9");
	done.num_planes = 0;
	done.hdr.size = sizeof(done) + 4;
	memcpy(big, &done, sizeof(done));
	expect_write(fd, big, sizeof(done) + 4, EINVAL, "DECODE_DONE too long");

	/* GET_BUF_FD argument checks. */
	r = kt_get_buf_fd(fd, 12345, DAEDALUS_BUF_CAPTURE, 0, 0, &b);
	CHECK(r == -ENOENT, "GET_BUF_FD unknown cookie: %d", r);
	r = kt_get_buf_fd(fd, 12345, 7, 0, 0, &b);
	CHECK(r == -EINVAL, "GET_BUF_FD bad which: %d", r);
	r = kt_get_buf_fd(fd, 12345, DAEDALUS_BUF_OUTPUT, 0, 5, &b);
	CHECK(r == -EINVAL, "GET_BUF_FD bad plane: %d", r);
	r = kt_get_buf_fd(fd, 12345, DAEDALUS_BUF_OUTPUT, 3, 0, &b);
	CHECK(r == -EINVAL, "GET_BUF_FD ref for OUTPUT: %d", r);
	memset(&b, 0, sizeof(b));
	b.flags = 1;
	r = ioctl(fd, DAEDALUS_IOC_GET_BUF_FD, &b);
	CHECK(r < 0 && errno == EINVAL, "GET_BUF_FD flags: %d/%d", r, errno);
	r = ioctl(fd, DAEDALUS_IOC_GET_BUF_FD, NULL);
	CHECK(r < 0 && errno == EFAULT, "GET_BUF_FD NULL: %d/%d", r, errno);
	/* GET_BUF_ID argument checks. */
	{
		struct daedalus_buf_id a;
		uint64_t id;

		r = kt_get_buf_id(fd, 12345, DAEDALUS_BUF_CAPTURE, 0, &id);
		CHECK(r == -ENOENT, "GET_BUF_ID unknown cookie: %d", r);
		r = kt_get_buf_id(fd, 12345, 7, 0, &id);
		CHECK(r == -EINVAL, "GET_BUF_ID bad which: %d", r);
		r = kt_get_buf_id(fd, 12345, DAEDALUS_BUF_CAPTURE, 2, &id);
		CHECK(r == -EINVAL, "GET_BUF_ID ref for CAPTURE: %d", r);
		memset(&a, 0, sizeof(a));
		a.flags = 1;
		r = ioctl(fd, DAEDALUS_IOC_GET_BUF_ID, &a);
		CHECK(r < 0 && errno == EINVAL, "GET_BUF_ID flags: %d/%d", r, errno);
		memset(&a, 0, sizeof(a));
		a.reserved = 1;
		r = ioctl(fd, DAEDALUS_IOC_GET_BUF_ID, &a);
		CHECK(r < 0 && errno == EINVAL, "GET_BUF_ID reserved: %d/%d", r, errno);
		memset(&a, 0, sizeof(a));
		a.id = 1;
		r = ioctl(fd, DAEDALUS_IOC_GET_BUF_ID, &a);
		CHECK(r < 0 && errno == EINVAL, "GET_BUF_ID id in: %d/%d", r, errno);
		r = ioctl(fd, DAEDALUS_IOC_GET_BUF_ID, NULL);
		CHECK(r < 0 && errno == EFAULT, "GET_BUF_ID NULL: %d/%d", r, errno);
	}
	r = ioctl(fd, _IO(DAEDALUS_IOC_MAGIC, 0x7f), NULL);
	CHECK(r < 0 && errno == ENOTTY, "unknown ioctl: %d/%d", r, errno);

	/* Close and reopen: exclusivity ends with the file. */
	close(fd);
	fd = open(DAEDALUS_DEVICE_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	CHECK(fd >= 0, "reopen after close: %s", strerror(errno));
	if (fd >= 0) {
		expect_write(fd, &done, sizeof(done), EINVAL,
			     "size mismatch after reopen");
		done.hdr.size = sizeof(done);
		expect_write(fd, &done, sizeof(done), ENOTCONN,
			     "new session needs a new HELLO");
		close(fd);
	}

	if (failures) {
		kt_log("%d check(s) failed", failures);
		return 1;
	}
	kt_log("all checks passed");
	return 0;
}
