// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2_client - one VP9 request through the daedalus V4L2 device.
 *
 *   v4l2_client [options]
 *     --expect ok|error|any CAPTURE buffer must come back DONE, or the
 *                           job must fail the stream: DQBUF on both queues
 *                           fails with EIO (an ERROR flag alone is not
 *                           enough: GStreamer ignores it and shows the
 *                           buffer), and after STREAMOFF/STREAMON the
 *                           queues take buffers again
 *     --min-ms N --max-ms N  bounds for the time until DQBUF returns
 *     --size WxH            coded size (default 320x240)
 *     --bitstream BYTES     bitstream bytes to queue (default 4096)
 *     --check-pattern       CAPTURE must hold fake_daemon's pattern
 *     --close-after-ms N    don't DQBUF: after N ms close the device
 *                           while the job is in flight; close() must
 *                           return within --max-ms
 *     --hold pair|flush|flush-inflight
 *                           HOLD_CAPTURE_BUF: two slice requests of one
 *                           frame share the CAPTURE buffer (pair); a held
 *                           buffer is released by DECODER_CMD_FLUSH after
 *                           its job (flush) or while its job is still at
 *                           the daemon (flush-inflight)
 *
 * DQBUF is a plain blocking call on purpose: if the kernel never
 * completes the job this process hangs, and the caller's timeout flags
 * it (killable, unlike the D-state hang of the prototype).
 */
#include "ktest.h"

static void flush(struct kt_client *c)
{
	struct v4l2_decoder_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.cmd = V4L2_DEC_CMD_FLUSH;
	if (kt_xioctl(c->video, VIDIOC_DECODER_CMD, &cmd))
		kt_fail("DECODER_CMD FLUSH: %s", strerror(errno));
}

static int capture_ready(struct kt_client *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->video, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static void check_capture(struct kt_client *c, uint32_t flags, uint32_t used)
{
	size_t n;

	if (flags & (V4L2_BUF_FLAG_ERROR | KT_QUEUE_ERROR))
		kt_fail("CAPTURE came back with ERROR (flags 0x%x)", flags);
	if (used == 0 || used > c->cap_len)
		kt_fail("CAPTURE bytesused %u", used);
	for (n = 0; n < used; n++)
		if (((uint8_t *)c->cap_map)[n] != kt_pattern(n, 0xa5))
			kt_fail("CAPTURE byte %zu is not the daemon's", n);
}

static int hold_test(const char *mode, unsigned int w, unsigned int h,
		     size_t bitstream, long max_ms)
{
	struct kt_client c;
	uint32_t flags, used;
	int64_t t0;

	if (!strcmp(mode, "pair")) {
		kt_client_setup_n(&c, w, h, bitstream, 2);
		kt_client_submit_ex(&c, 7000, 0, 1, 1);
		kt_client_submit_ex(&c, 7000, 1, 0, 0);
		if (kt_client_dqbuf_output(&c) & V4L2_BUF_FLAG_ERROR)
			kt_fail("first slice failed");
		if (kt_client_dqbuf_output(&c) & V4L2_BUF_FLAG_ERROR)
			kt_fail("second slice failed");
		flags = kt_client_dqbuf_capture(&c, &used);
		check_capture(&c, flags, used);
		if (capture_ready(&c, 200))
			kt_fail("a second CAPTURE buffer came back");
		kt_log("two held slices decoded into one CAPTURE buffer");
	} else if (!strcmp(mode, "flush")) {
		kt_client_setup_n(&c, w, h, bitstream, 1);
		kt_client_submit_ex(&c, 7000, 0, 1, 1);
		if (kt_client_dqbuf_output(&c) & V4L2_BUF_FLAG_ERROR)
			kt_fail("slice failed");
		if (capture_ready(&c, 300))
			kt_fail("held CAPTURE buffer returned before FLUSH");
		t0 = kt_now_ms();
		flush(&c);
		if (!capture_ready(&c, max_ms))
			kt_fail("FLUSH did not release the held CAPTURE buffer");
		flags = kt_client_dqbuf_capture(&c, &used);
		check_capture(&c, flags, used);
		kt_log("FLUSH released the held CAPTURE buffer after %lld ms",
		       (long long)(kt_now_ms() - t0));
	} else if (!strcmp(mode, "flush-inflight")) {
		kt_client_setup_n(&c, w, h, bitstream, 1);
		kt_client_submit_ex(&c, 7000, 0, 1, 1);
		usleep(300 * 1000);	/* the daemon holds the job now */
		t0 = kt_now_ms();
		flush(&c);
		if (!capture_ready(&c, max_ms))
			kt_fail("FLUSH during the job did not release CAPTURE");
		flags = kt_client_dqbuf_capture(&c, &used);
		check_capture(&c, flags, used);
		if (kt_client_dqbuf_output(&c) & V4L2_BUF_FLAG_ERROR)
			kt_fail("slice failed");
		kt_log("FLUSH sent while the job was at the daemon released CAPTURE %lld ms later",
		       (long long)(kt_now_ms() - t0));
	} else {
		kt_fail("unknown --hold mode %s", mode);
	}
	kt_client_close(&c);
	return 0;
}

int main(int argc, char **argv)
{
	const char *expect = "error";
	long min_ms = 0, max_ms = 2000, close_after = -1;
	unsigned int w = 320, h = 240;
	size_t bitstream = 4096;
	int check_pattern = 0, i;
	const char *hold = NULL;
	struct kt_client c;
	uint32_t flags, used;
	int64_t t0, dt;

	kt_name = "v4l2_client";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "--expect")) {
			expect = v; i++;
		} else if (!strcmp(a, "--min-ms")) {
			min_ms = atol(v); i++;
		} else if (!strcmp(a, "--max-ms")) {
			max_ms = atol(v); i++;
		} else if (!strcmp(a, "--size")) {
			if (sscanf(v, "%ux%u", &w, &h) != 2)
				kt_fail("bad --size %s", v);
			i++;
		} else if (!strcmp(a, "--bitstream")) {
			bitstream = strtoul(v, NULL, 0); i++;
		} else if (!strcmp(a, "--check-pattern")) {
			check_pattern = 1;
		} else if (!strcmp(a, "--hold")) {
			hold = v; i++;
		} else if (!strcmp(a, "--close-after-ms")) {
			close_after = atol(v); i++;
		} else {
			kt_fail("unknown option %s", a);
		}
	}

	if (hold)
		return hold_test(hold, w, h, bitstream, max_ms);

	kt_client_setup(&c, w, h, bitstream);
	t0 = kt_now_ms();
	kt_client_submit(&c, 42000);

	if (close_after >= 0) {
		usleep(close_after * 1000);
		t0 = kt_now_ms();
		kt_client_close(&c);
		dt = kt_now_ms() - t0;
		if (dt > max_ms)
			kt_fail("close() with a job in flight took %lld ms",
				(long long)dt);
		kt_log("close() with job in flight returned after %lld ms",
		       (long long)dt);
		return 0;
	}

	flags = kt_client_dqbuf_capture(&c, &used);
	dt = kt_now_ms() - t0;
	{
		/* For the shell: comparable with /proc/uptime. */
		struct timespec bt;

		clock_gettime(CLOCK_BOOTTIME, &bt);
		kt_log("dqbuf_done_boottime_ms=%lld",
		       (long long)bt.tv_sec * 1000 + bt.tv_nsec / 1000000);
	}
	if (dt < min_ms || dt > max_ms)
		kt_fail("DQBUF took %lld ms, want %ld..%ld", (long long)dt,
			min_ms, max_ms);
	/*
	 * A failed job must be visible as a failing DQBUF, never as a buffer
	 * that a client ignoring V4L2_BUF_FLAG_ERROR would show.
	 */
	if (flags & V4L2_BUF_FLAG_ERROR)
		kt_fail("CAPTURE dequeued with ERROR (flags 0x%x): the queue should be in error", flags);
	if (strcmp(expect, "any") &&
	    !strcmp(expect, "error") != !!(flags & KT_QUEUE_ERROR))
		kt_fail("CAPTURE flags 0x%x, expected %s", flags, expect);
	/* The OUTPUT queue gives the same verdict. */
	if (!!(kt_client_dqbuf_output(&c) & KT_QUEUE_ERROR) !=
	    !!(flags & KT_QUEUE_ERROR))
		kt_fail("OUTPUT and CAPTURE verdicts differ");
	if (flags & KT_QUEUE_ERROR)
		kt_check_stream_restart(&c);

	if (check_pattern) {
		size_t n;

		if (used == 0 || used > c.cap_len)
			kt_fail("CAPTURE bytesused %u", used);
		for (n = 0; n < used; n++)
			if (((uint8_t *)c.cap_map)[n] != kt_pattern(n, 0xa5))
				kt_fail("CAPTURE byte %zu is not the daemon's", n);
	}
	if (flags & KT_QUEUE_ERROR)
		kt_log("DQBUF failed with EIO on both queues after %lld ms, QBUF too; usable again after STREAMOFF/STREAMON",
		       (long long)dt);
	else
		kt_log("CAPTURE flags 0x%x bytesused %u after %lld ms", flags,
		       used, (long long)dt);
	kt_client_close(&c);
	return 0;
}
