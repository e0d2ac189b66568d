// SPDX-License-Identifier: GPL-2.0
/*
 * chardev_fuzz - bounded-time fuzzing of /dev/daedalus-v4l2.
 *
 *   chardev_fuzz [SECONDS [SEED]]
 *
 * Writes random and mutated (bit flips, truncations, extensions, field
 * swaps of valid HELLO / DECODE_DONE) messages, random GET_BUF_FD
 * arguments, reads with random sizes and reopens now and then.  Every
 * call must return success or one of the documented errnos; anything
 * else fails the test.  Leaks and kernel splats are caught by the VM
 * harness (kmemleak, KASAN, lockdep) after the run.
 */
#include "ktest.h"

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const int write_errnos[] = {
	EFAULT, EMSGSIZE, EINVAL, EBADMSG, EPROTO, EPROTONOSUPPORT, ENOMSG,
	ENOTCONN, EISCONN, ENOENT, ERANGE,
};
static const int ioctl_errnos[] = {
	EFAULT, EINVAL, ENOENT, ENODATA, ENOTCONN, ENOTTY,
};

static int allowed(int e, const int *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == e)
			return 1;
	return 0;
}

static uint8_t msg[DAEDALUS_MSG_MAX_SIZE + 64];
static uint8_t rbuf[DAEDALUS_MSG_MAX_SIZE];

static size_t make_message(void)
{
	struct daedalus_msg_hello *h = (void *)msg;
	struct daedalus_msg_decode_done *d = (void *)msg;
	size_t len, i, flips;

	switch (rnd() % 4) {
	case 0:	/* valid HELLO */
		memset(h, 0, sizeof(*h));
		kt_hdr(&h->hdr, DAEDALUS_MSG_HELLO, sizeof(*h), 0);
		h->codecs = rnd() & 0xe;
		len = sizeof(*h);
		break;
	case 1:	/* valid-looking DECODE_DONE */
		memset(d, 0, sizeof(*d));
		kt_hdr(&d->hdr, DAEDALUS_MSG_DECODE_DONE, sizeof(*d),
		       rnd() % 8);
		d->status = (rnd() & 1) ? 0 : -(int32_t)(rnd() % 200);
		d->num_planes = rnd() % 4;
		for (i = 0; i < DAEDALUS_MAX_PLANES; i++)
			d->bytesused[i] = (rnd() & 1) ? 0 : (uint32_t)rnd();
		len = sizeof(*d);
		break;
	case 2:	/* random bytes behind a plausible header */
		len = sizeof(struct daedalus_msg_hdr) + rnd() % 128;
		for (i = 0; i < len; i++)
			msg[i] = rnd();
		kt_hdr((void *)msg, rnd() & 0xffff, len, rnd());
		break;
	default: /* pure noise of any size, sometimes huge */
		len = (rnd() & 7) ? rnd() % 256 : rnd() % sizeof(msg);
		for (i = 0; i < len; i++)
			msg[i] = rnd();
		break;
	}

	flips = rnd() % 4;
	for (i = 0; i < flips && len; i++)
		msg[rnd() % len] ^= 1u << (rnd() % 8);
	if (!(rnd() % 5))
		len = rnd() % (len + 16);
	return len;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 20;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL);
	int64_t end;
	unsigned long writes = 0, ioctls = 0, reads = 0, reopens = 0;
	int fd;

	kt_name = "chardev_fuzz";
	rng = seed | 1;
	kt_log("seed %llu, %d s", (unsigned long long)seed, seconds);
	end = kt_now_ms() + seconds * 1000;

	fd = open(DAEDALUS_DEVICE_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		kt_fail("open: %s", strerror(errno));

	while (kt_now_ms() < end) {
		unsigned int op = rnd() % 100;

		if (op < 70) {
			size_t len = make_message();
			ssize_t n = write(fd, msg, len);

			writes++;
			if (n < 0 && !allowed(errno, write_errnos,
					      sizeof(write_errnos) / sizeof(int)))
				kt_fail("write(%zu) gave errno %d (%s)", len,
					errno, strerror(errno));
			if (n >= 0 && (size_t)n != len)
				kt_fail("write(%zu) returned %zd", len, n);
		} else if (op < 85) {
			struct daedalus_buf_fd b;
			size_t i;

			for (i = 0; i < sizeof(b); i++)
				((uint8_t *)&b)[i] = rnd();
			if (rnd() & 1)
				b.flags = 0;
			if (rnd() & 1)
				b.cookie %= 8;
			ioctls++;
			if (ioctl(fd, DAEDALUS_IOC_GET_BUF_FD, &b) == 0)
				close(b.fd);
			else if (!allowed(errno, ioctl_errnos,
					  sizeof(ioctl_errnos) / sizeof(int)))
				kt_fail("GET_BUF_FD gave errno %d (%s)", errno,
					strerror(errno));
		} else if (op < 97) {
			size_t len = (rnd() & 1) ? sizeof(rbuf) : rnd() % 128;
			ssize_t n = read(fd, rbuf, len);

			reads++;
			if (n < 0 && errno != EAGAIN && errno != EMSGSIZE)
				kt_fail("read(%zu) gave errno %d", len, errno);
			if (n > 0 && ((struct daedalus_msg_hdr *)rbuf)->size != n)
				kt_fail("read returned %zd, hdr.size %u", n,
					((struct daedalus_msg_hdr *)rbuf)->size);
		} else {
			close(fd);
			reopens++;
			fd = open(DAEDALUS_DEVICE_PATH,
				  O_RDWR | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0)
				kt_fail("reopen: %s", strerror(errno));
		}
	}
	close(fd);
	kt_log("%lu writes, %lu ioctls, %lu reads, %lu reopens: all errnos as documented",
	       writes, ioctls, reads, reopens);
	return 0;
}
