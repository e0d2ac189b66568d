// SPDX-License-Identifier: GPL-2.0
/*
 * daedalus_v4l2 - job outcome counters in debugfs.
 *
 * /sys/kernel/debug/daedalus_v4l2/stats says how every decode job ended,
 * by reason.  It lets a test (or a user chasing a glitch) see that the
 * module errored buffers when the daemon died or stalled even when the
 * client hides it: GStreamer 1.22's v4l2codecs does not look at
 * V4L2_BUF_FLAG_ERROR on CAPTURE buffers at all.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "daedalus.h"

static const char *const daedalus_outcome_names[DAEDALUS_OUTCOME_COUNT] = {
	[DAEDALUS_OUTCOME_DONE]		= "done",
	[DAEDALUS_OUTCOME_NO_DAEMON]	= "error_no_daemon",
	[DAEDALUS_OUTCOME_UNSUPPORTED]	= "error_codec_not_served",
	[DAEDALUS_OUTCOME_DAEMON_GONE]	= "error_daemon_gone",
	[DAEDALUS_OUTCOME_TIMEOUT]	= "error_timeout",
	[DAEDALUS_OUTCOME_ABORTED]	= "error_aborted",
	[DAEDALUS_OUTCOME_NOMEM]	= "error_nomem",
	[DAEDALUS_OUTCOME_DECODE]	= "error_decode",
	[DAEDALUS_OUTCOME_STREAM_FAILED] = "error_stream_failed",
};

void daedalus_count_outcome(struct daedalus_dev *dev, int status)
{
	enum daedalus_outcome o;

	switch (status) {
	case 0:
		o = DAEDALUS_OUTCOME_DONE;
		break;
	case -ENODEV:
		o = DAEDALUS_OUTCOME_NO_DAEMON;
		break;
	case -EOPNOTSUPP:
		o = DAEDALUS_OUTCOME_UNSUPPORTED;
		break;
	case -ESHUTDOWN:
		o = DAEDALUS_OUTCOME_DAEMON_GONE;
		break;
	case -ETIMEDOUT:
		o = DAEDALUS_OUTCOME_TIMEOUT;
		break;
	case -ECANCELED:
		o = DAEDALUS_OUTCOME_ABORTED;
		break;
	case -ENOMEM:
	case -ENOSPC:
		o = DAEDALUS_OUTCOME_NOMEM;
		break;
	case -EPIPE:
		o = DAEDALUS_OUTCOME_STREAM_FAILED;
		break;
	default:	/* the daemon's own status, or a malformed answer */
		o = DAEDALUS_OUTCOME_DECODE;
		break;
	}
	atomic64_inc(&dev->outcomes[o]);
}

static int daedalus_stats_show(struct seq_file *m, void *unused)
{
	struct daedalus_dev *dev = m->private;
	unsigned int i;

	for (i = 0; i < DAEDALUS_OUTCOME_COUNT; i++)
		seq_printf(m, "jobs_%s %lld\n", daedalus_outcome_names[i],
			   (long long)atomic64_read(&dev->outcomes[i]));
	seq_printf(m, "queue_errors %lld\n",
		   (long long)atomic64_read(&dev->streams_errored));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(daedalus_stats);

void daedalus_debugfs_init(struct daedalus_dev *dev)
{
	/* Errors are not fatal: debugfs is a diagnostic, not an interface. */
	dev->debugfs = debugfs_create_dir(DAEDALUS_NAME, NULL);
	debugfs_create_file("stats", 0444, dev->debugfs, dev,
			    &daedalus_stats_fops);
}

void daedalus_debugfs_exit(struct daedalus_dev *dev)
{
	debugfs_remove_recursive(dev->debugfs);
	dev->debugfs = NULL;
}
