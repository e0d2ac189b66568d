// SPDX-License-Identifier: GPL-2.0
/*
 * fake_daemon - stands in for daedalus-daemon in the kernel tests.
 *
 *   fake_daemon answer [N]  handshake, answer N (default 1) DECODE jobs
 *                           after checking every field, the bitstream
 *                           through the OUTPUT dmabuf and writing a
 *                           pattern through the CAPTURE dmabuf; exit 0
 *   fake_daemon silent      handshake, read the job, never answer
 *   fake_daemon concurrent N  handshake, read N jobs of N clients before
 *                           answering any (contexts run in parallel)
 *   fake_daemon late MS     handshake, read the job, answer after MS ms
 *                           and expect ENOENT (job cancelled meanwhile)
 *   fake_daemon fail        handshake, read the job, answer it with a
 *                           decode error (-EINVAL), writing no pixels
 *
 * Env: KT_READY=file is created after the handshake, KT_GOT_JOB=file
 * after the first DECODE was read (the shell script waits on them),
 * KT_ANSWER_DELAY_MS=n delays each answer of "answer" mode.
 */
#include "ktest.h"

static uint8_t buf[DAEDALUS_MSG_MAX_SIZE];

static void touch(const char *env)
{
	const char *path = getenv(env);
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

/* Read messages until a DECODE; check CTX_OPEN came first. */
static const struct daedalus_msg_decode *wait_decode(int fd, int timeout_ms)
{
	static int seen_open;
	int64_t end = kt_now_ms() + timeout_ms;

	for (;;) {
		const struct daedalus_msg_hdr *h = (const void *)buf;
		int left = (int)(end - kt_now_ms());
		ssize_t n;

		if (left <= 0)
			kt_fail("no DECODE within %d ms", timeout_ms);
		n = kt_recv(fd, buf, sizeof(buf), left);
		if (n == 0)
			continue;
		if (n < (ssize_t)sizeof(*h) || h->magic != DAEDALUS_PROTO_MAGIC ||
		    h->version != DAEDALUS_PROTO_VERSION || h->size != (size_t)n)
			kt_fail("malformed message from kernel (n=%zd)", n);
		if (h->type == DAEDALUS_MSG_CTX_OPEN) {
			const struct daedalus_msg_ctx_open *o = (const void *)buf;

			if (n != sizeof(*o) || o->codec != DAEDALUS_CODEC_VP9 ||
			    o->output_pixelformat != V4L2_PIX_FMT_VP9_FRAME)
				kt_fail("bad CTX_OPEN");
			seen_open = 1;
			continue;
		}
		if (h->type == DAEDALUS_MSG_CTX_CLOSE)
			continue;
		if (h->type != DAEDALUS_MSG_DECODE)
			kt_fail("unexpected message type 0x%x", h->type);
		if (!seen_open)
			kt_fail("DECODE without CTX_OPEN first");
		if (n < (ssize_t)sizeof(struct daedalus_msg_decode))
			kt_fail("DECODE too short");
		return (const void *)buf;
	}
}

static const struct v4l2_ctrl_vp9_frame *
find_vp9_frame(const struct daedalus_msg_decode *d)
{
	const struct daedalus_ctrl_entry *e = (const void *)(d + 1);
	uint32_t i;

	if (sizeof(*d) + d->num_ctrls * sizeof(*e) > d->hdr.size)
		kt_fail("ctrl table past message end");
	for (i = 0; i < d->num_ctrls; i++) {
		if (e[i].offset % 8 || e[i].offset + e[i].size > d->hdr.size)
			kt_fail("ctrl %u payload out of bounds", i);
		if (e[i].id == V4L2_CID_STATELESS_VP9_FRAME) {
			if (e[i].size != sizeof(struct v4l2_ctrl_vp9_frame) ||
			    !(e[i].flags & DAEDALUS_CTRL_IN_REQUEST))
				kt_fail("VP9_FRAME entry size %u flags 0x%x",
					e[i].size, e[i].flags);
			return (const void *)((const uint8_t *)d + e[i].offset);
		}
	}
	kt_fail("no VP9_FRAME control in DECODE");
	return NULL;
}

static void *map_buf(int fd, uint64_t cookie, uint32_t which, int prot,
		     uint32_t *len, int expect_mode)
{
	struct daedalus_buf_fd b;
	void *m;
	int r;

	r = kt_get_buf_fd(fd, cookie, which, 0, 0, &b);
	if (r)
		kt_fail("GET_BUF_FD which=%u: %s", which, strerror(-r));
	if ((fcntl(b.fd, F_GETFL) & O_ACCMODE) != expect_mode ||
	    (int)b.flags != expect_mode)
		kt_fail("GET_BUF_FD which=%u: wrong access mode", which);
	if (!(fcntl(b.fd, F_GETFD) & FD_CLOEXEC))
		kt_fail("GET_BUF_FD fd without FD_CLOEXEC");
	m = mmap(NULL, b.length, prot, MAP_SHARED, b.fd, 0);
	if (m == MAP_FAILED)
		kt_fail("mmap dmabuf which=%u len %u: %s", which, b.length,
			strerror(errno));
	if (which == DAEDALUS_BUF_OUTPUT &&
	    mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, 0) !=
	    MAP_FAILED)
		kt_fail("OUTPUT dmabuf is writable");
	close(b.fd);
	*len = b.length;
	return m;
}

/*
 * GET_BUF_ID: every buffer of a job has an id; within this process one
 * (context, CAPTURE index) keeps its id from job to job (no REQBUFS in
 * between: same memory) and no two of them share one.
 */
static void check_buf_ids(int fd, const struct daedalus_msg_decode *d)
{
	static struct { uint32_t ctx, index; uint64_t id; } seen[64];
	static unsigned int nseen;
	uint64_t out_id = 0, cap_id = 0;
	unsigned int i;
	int r;

	r = kt_get_buf_id(fd, d->hdr.cookie, DAEDALUS_BUF_OUTPUT, 0, &out_id);
	if (r || !out_id)
		kt_fail("GET_BUF_ID OUTPUT: %d, id %llu", r,
			(unsigned long long)out_id);
	r = kt_get_buf_id(fd, d->hdr.cookie, DAEDALUS_BUF_CAPTURE, 0, &cap_id);
	if (r || !cap_id || cap_id == out_id)
		kt_fail("GET_BUF_ID CAPTURE: %d, id %llu (OUTPUT %llu)", r,
			(unsigned long long)cap_id, (unsigned long long)out_id);
	r = kt_get_buf_id(fd, d->hdr.cookie, DAEDALUS_BUF_REF, 0, &out_id);
	if (r != -ENODATA)
		kt_fail("GET_BUF_ID unused ref slot: %d, want -ENODATA", r);
	for (i = 0; i < nseen; i++) {
		int same_buf = seen[i].ctx == d->ctx_id &&
			       seen[i].index == d->capture_index;

		if (same_buf && seen[i].id != cap_id)
			kt_fail("CAPTURE %u changed id %llu -> %llu between jobs",
				d->capture_index,
				(unsigned long long)seen[i].id,
				(unsigned long long)cap_id);
		if (!same_buf && seen[i].id == cap_id)
			kt_fail("CAPTURE %u of ctx %u has the id of CAPTURE %u of ctx %u",
				d->capture_index, d->ctx_id, seen[i].index,
				seen[i].ctx);
		if (same_buf)
			return;
	}
	if (nseen < 64)
		seen[nseen++] = (typeof(seen[0])){ d->ctx_id, d->capture_index,
						    cap_id };
}

static void answer_decode(int fd, const struct daedalus_msg_decode *d)
{
	const struct v4l2_ctrl_vp9_frame *f = find_vp9_frame(d);
	uint64_t cookie = d->hdr.cookie;
	struct daedalus_buf_fd b;
	const uint8_t *src;
	uint8_t *dst;
	uint32_t len, i;
	int r;

	if (d->codec != DAEDALUS_CODEC_VP9 ||
	    d->capture.pixelformat != V4L2_PIX_FMT_NV12 ||
	    d->capture.num_mem_planes != 1 || d->capture.num_comp_planes != 2 ||
	    d->capture.width < f->frame_width_minus_1 + 1u ||
	    d->capture.height < f->frame_height_minus_1 + 1u ||
	    d->capture.comp[1].offset !=
		d->capture.comp[0].bytesperline * d->capture.height ||
	    d->num_refs != 3)
		kt_fail("DECODE fields inconsistent");
	for (i = 0; i < 3; i++)
		if (d->refs[i].flags || d->refs[i].capture_index != -1)
			kt_fail("keyframe has reference slot %u in use", i);
	r = kt_get_buf_fd(fd, cookie, DAEDALUS_BUF_REF, 0, 0, &b);
	if (r != -ENODATA)
		kt_fail("GET_BUF_FD unused ref slot: %d, want -ENODATA", r);
	r = kt_get_buf_fd(fd, cookie, DAEDALUS_BUF_CAPTURE, 0, 1, &b);
	if (r != -EINVAL)
		kt_fail("GET_BUF_FD plane 1 of NV12: %d, want -EINVAL", r);
	check_buf_ids(fd, d);

	src = map_buf(fd, cookie, DAEDALUS_BUF_OUTPUT, PROT_READ, &len,
		      O_RDONLY);
	if (d->output_data_offset + d->output_bytesused > len ||
	    len != d->output_length)
		kt_fail("bitstream %u+%u exceeds OUTPUT plane %u",
			d->output_data_offset, d->output_bytesused, len);
	for (i = 0; i < d->output_bytesused; i++)
		if (src[d->output_data_offset + i] != kt_pattern(i, 0x5a))
			kt_fail("bitstream byte %u differs through dmabuf", i);
	munmap((void *)src, len);

	dst = map_buf(fd, cookie, DAEDALUS_BUF_CAPTURE, PROT_READ | PROT_WRITE,
		      &len, O_RDWR);
	if (len < d->capture.sizeimage[0])
		kt_fail("CAPTURE plane %u < sizeimage %u", len,
			d->capture.sizeimage[0]);
	for (i = 0; i < d->capture.sizeimage[0]; i++)
		dst[i] = kt_pattern(i, 0xa5);
	munmap(dst, len);

	kt_log("job %llu: %u bitstream bytes checked, %u pixels bytes written%s",
	       (unsigned long long)cookie, d->output_bytesused,
	       d->capture.sizeimage[0],
	       d->flags & DAEDALUS_DECODE_HOLD_CAPTURE ? " (hold capture)" : "");
	if (getenv("KT_ANSWER_DELAY_MS"))
		usleep(atoi(getenv("KT_ANSWER_DELAY_MS")) * 1000);
	r = kt_answer(fd, cookie, 0, 1);
	if (r)
		kt_fail("DECODE_DONE: %s", strerror(-r));
	r = kt_answer(fd, cookie, 0, 1);
	if (r != -ENOENT)
		kt_fail("second DECODE_DONE for cookie: %d, want -ENOENT", r);
}

static void answer_one(int fd)
{
	answer_decode(fd, wait_decode(fd, 10000));
}

/*
 * Read N DECODEs before answering any: only a kernel that schedules each
 * context on its own lets jobs of N clients be at the daemon together
 * (one device-wide m2m scheduler would hold job 2 back until job 1 is
 * answered, and this mode would time out waiting for it).
 */
static void answer_concurrent(int fd, int n)
{
	struct daedalus_msg_decode *jobs[16];
	int i;

	if (n < 1 || n > 16)
		kt_fail("concurrent: 1..16 jobs");
	for (i = 0; i < n; i++) {
		const struct daedalus_msg_decode *d = wait_decode(fd, 10000);

		jobs[i] = malloc(d->hdr.size);
		if (!jobs[i])
			kt_fail("out of memory");
		memcpy(jobs[i], d, d->hdr.size);
		if (i && jobs[i]->ctx_id == jobs[0]->ctx_id)
			kt_fail("two jobs of one context in flight");
	}
	kt_log("%d jobs of %d contexts in flight at once, none answered yet",
	       n, n);
	touch("KT_GOT_JOB");
	for (i = 0; i < n; i++) {
		answer_decode(fd, jobs[i]);
		free(jobs[i]);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "answer";
	int fd;

	kt_name = "fake_daemon";
	fd = kt_daemon_attach(DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_VP9) |
			      DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_H264) |
			      DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_AV1));
	touch("KT_READY");

	if (!strcmp(mode, "answer")) {
		int n = argc > 2 ? atoi(argv[2]) : 1;

		while (n-- > 0)
			answer_one(fd);
	} else if (!strcmp(mode, "concurrent")) {
		answer_concurrent(fd, argc > 2 ? atoi(argv[2]) : 2);
	} else if (!strcmp(mode, "silent")) {
		wait_decode(fd, 30000);
		touch("KT_GOT_JOB");
		for (;;)
			pause();
	} else if (!strcmp(mode, "fail")) {
		const struct daedalus_msg_decode *d = wait_decode(fd, 10000);
		int r = kt_answer(fd, d->hdr.cookie, -EINVAL, 0);

		if (r)
			kt_fail("DECODE_DONE with an error: %s", strerror(-r));
		kt_log("job %llu answered with -EINVAL",
		       (unsigned long long)d->hdr.cookie);
	} else if (!strcmp(mode, "late")) {
		const struct daedalus_msg_decode *d = wait_decode(fd, 10000);
		uint64_t cookie = d->hdr.cookie;
		int r;

		touch("KT_GOT_JOB");
		usleep((argc > 2 ? atoi(argv[2]) : 1000) * 1000);
		r = kt_answer(fd, cookie, 0, 1);
		if (r != -ENOENT)
			kt_fail("late DECODE_DONE: %d, want -ENOENT", r);
		kt_log("late answer rejected with ENOENT as expected");
	} else {
		kt_fail("unknown mode %s", mode);
	}
	close(fd);
	return 0;
}
