#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel-side tests of daedalus_v4l2.ko, run inside the test VM by
# tests/vm/guest-tests.sh (module loaded, no daemon attached).  Prints one
# "PASS name", "FAIL name: reason" or "SKIP name: reason" line per test and
# exits nonzero if any failed.  Needs a C compiler with static libc in the
# guest userland (the VM chroots into the host root) unless prebuilt ones
# are found: $DAEDALUS_KTEST_BIN, or <repo>/build-ktests when it is newer
# than the sources (make -C tests/vm/guest O=$PWD/build-ktests on the host;
# compiling inside a TCG guest takes minutes).
#
# Env (from the harness): DAEDALUS_REPO, DAEDALUS_VIDEO, DAEDALUS_MEDIA,
# DAEDALUS_MODROOT, DAEDALUS_RESULTS.
set -u

REPO=${DAEDALUS_REPO:-$(cd "$(dirname "$0")/../../.." && pwd)}
PROGS="chardev_proto_test chardev_fuzz fake_daemon v4l2_client ctrl_check"
BIN=${DAEDALUS_KTEST_BIN:-}
LOGDIR=${DAEDALUS_RESULTS:-/tmp}/logs/kernel-tests
PARAM=/sys/module/daedalus_v4l2/parameters/job_timeout_ms
CHARDEV=/dev/daedalus-v4l2
WORK=$(mktemp -d /tmp/ktests.XXXXXX)
FAILS=0
DAEMON_PID=""

mkdir -p "$LOGDIR"
export DAEDALUS_VIDEO=${DAEDALUS_VIDEO:-/dev/video0}
export DAEDALUS_MEDIA=${DAEDALUS_MEDIA:-/dev/media0}

pass() { echo "PASS $1${2:+ $2}"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }
skip() { echo "SKIP $1: $2"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Boot-time clock in ms, the clock v4l2_client reports DQBUF completion in.
uptime_ms() { local u; read -r u _ </proc/uptime; u=${u/./}; echo $((10#$u * 10)); }

cleanup() {
	[ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null
	[ -w "$PARAM" ] && echo 3000 >"$PARAM"
	rm -rf "$WORK"
}
trap cleanup EXIT

set_timeout() { [ -w "$PARAM" ] && echo "$1" >"$PARAM"; }

# wait_file FILE SECONDS
wait_file() {
	local i
	for i in $(seq $(($2 * 20))); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# start_daemon NAME MODE ARGS...: fake daemon in the background, attached.
start_daemon() {
	local name=$1; shift
	rm -f "$WORK/ready" "$WORK/got-job"
	KT_READY=$WORK/ready KT_GOT_JOB=$WORK/got-job \
		KT_ANSWER_DELAY_MS=${KT_ANSWER_DELAY_MS:-} \
		"$BIN/fake_daemon" "$@" >"$LOGDIR/$name-daemon.log" 2>&1 &
	DAEMON_PID=$!
	wait_file "$WORK/ready" 5
}

stop_daemon() {
	if [ -n "$DAEMON_PID" ]; then
		kill -9 "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	DAEMON_PID=""
}

# client NAME LIMIT_S ARGS...: run v4l2_client under a hard timeout.
client() {
	local name=$1 limit=$2; shift 2
	timeout -k 2 "$limit" "$BIN/v4l2_client" "$@" >"$LOGDIR/$name.log" 2>&1
}

last_line() { tail -n1 "$1" 2>/dev/null | tr -d '\n'; }

# ---------------------------------------------------------------------------
# prebuilt_ok DIR: every program there and newer than its sources.
prebuilt_ok() {
	local p src
	for p in $PROGS; do
		[ -x "$1/$p" ] || return 1
		for src in "$REPO/tests/vm/guest/$p.c" "$REPO/tests/vm/guest/ktest.h" \
			   "$REPO/include/daedalus/daedalus_v4l2_proto.h"; do
			[ "$src" -nt "$1/$p" ] && return 1
		done
	done
	return 0
}
if [ -z "$BIN" ] && prebuilt_ok "$REPO/build-ktests"; then
	BIN=$REPO/build-ktests
fi
if [ -z "$BIN" ]; then
	BIN=/tmp/daedalus-ktests
	if ! make -s -C "$REPO/tests/vm/guest" O="$BIN" >"$LOGDIR/build.log" 2>&1; then
		fail build "make -C tests/vm/guest: $(last_line "$LOGDIR/build.log")"
		exit 1
	fi
fi
echo "using test programs in $BIN" >"$LOGDIR/bin.txt"
if [ ! -c "$CHARDEV" ]; then
	fail chardev "$CHARDEV missing (module not loaded?)"
	exit 1
fi

# 1. Protocol: exclusive open, handshake, errno of each malformed message.
if timeout -k 2 30 "$BIN/chardev_proto_test" >"$LOGDIR/chardev-proto.log" 2>&1; then
	pass chardev-proto "$(last_line "$LOGDIR/chardev-proto.log")"
else
	fail chardev-proto "$(grep -m3 FAIL "$LOGDIR/chardev-proto.log" | tr '\n' ' ')"
fi

# 1a. Controls: each codec control refuses malformed payloads with EINVAL
#     (also when set into a request) and takes what real clients send.
if timeout -k 2 30 "$BIN/ctrl_check" >"$LOGDIR/ctrl-check.log" 2>&1; then
	pass ctrl-check "$(last_line "$LOGDIR/ctrl-check.log")"
else
	fail ctrl-check "$(grep -m3 FAIL "$LOGDIR/ctrl-check.log" | tr '\n' ' ')$(last_line "$LOGDIR/ctrl-check.log")"
fi

# debugfs job outcome counters (kernel/daedalus_debugfs.c), checked by
# test 9b against what tests 2-8 did.
STATS=/sys/kernel/debug/daedalus_v4l2/stats
stat_count() { awk -v k="jobs_$1" '$1 == k { print $2 }' "$STATS" 2>/dev/null; }
declare -A STAT0
queue_errors() { awk '$1 == "queue_errors" { print $2 }' "$STATS" 2>/dev/null; }
for k in done error_no_daemon error_daemon_gone error_timeout error_decode; do
	STAT0[$k]=$(stat_count "$k")
done
QERR0=$(queue_errors)

# 2. No daemon: the request completes at once and the stream fails (DQBUF
#    EIO on both queues until STREAMOFF: v4l2_client --expect error).
if client no-daemon 10 --expect error --max-ms 500; then
	pass no-daemon "$(last_line "$LOGDIR/no-daemon.log")"
else
	fail no-daemon "$(last_line "$LOGDIR/no-daemon.log")"
fi

# 3. Round trip through the fake daemon, bitstream and pixels via dmabuf.
if start_daemon roundtrip answer 1; then
	client roundtrip 15 --expect ok --check-pattern --max-ms 3000
	rc=$?
	if wait "$DAEMON_PID"; then drc=0; else drc=$?; fi
	DAEMON_PID=""
	if [ $rc = 0 ] && [ $drc = 0 ]; then
		pass roundtrip "$(last_line "$LOGDIR/roundtrip-daemon.log")"
	else
		fail roundtrip "client rc $rc: $(last_line "$LOGDIR/roundtrip.log"); daemon rc $drc: $(last_line "$LOGDIR/roundtrip-daemon.log")"
	fi
else
	fail roundtrip "fake daemon did not attach: $(last_line "$LOGDIR/roundtrip-daemon.log")"
	stop_daemon
fi

# 4. A 4K frame with a 6 MiB bitstream: no payload cap anywhere.
if start_daemon roundtrip-4k answer 1; then
	client roundtrip-4k 30 --size 3840x2160 --bitstream 6291456 \
		--expect ok --check-pattern --max-ms 10000
	rc=$?
	if wait "$DAEMON_PID"; then drc=0; else drc=$?; fi
	DAEMON_PID=""
	if [ $rc = 0 ] && [ $drc = 0 ]; then
		pass roundtrip-4k "$(last_line "$LOGDIR/roundtrip-4k-daemon.log")"
	else
		fail roundtrip-4k "client rc $rc: $(last_line "$LOGDIR/roundtrip-4k.log"); daemon rc $drc: $(last_line "$LOGDIR/roundtrip-4k-daemon.log")"
	fi
else
	fail roundtrip-4k "fake daemon did not attach"
	stop_daemon
fi

# 4a. Contexts run in parallel: three clients' jobs are all at the daemon
#     before it answers any of them; each still gets its own pixels.
if start_daemon parallel-contexts concurrent 3; then
	pids=""
	for k in 1 2 3; do
		client parallel-contexts-$k 20 --expect ok --check-pattern --max-ms 15000 &
		pids="$pids $!"
	done
	crc=0
	for p in $pids; do wait "$p" || crc=1; done
	if wait "$DAEMON_PID"; then drc=0; else drc=$?; fi
	DAEMON_PID=""
	if [ $crc = 0 ] && [ $drc = 0 ]; then
		pass parallel-contexts "$(grep -m1 'in flight at once' "$LOGDIR/parallel-contexts-daemon.log")"
	else
		fail parallel-contexts "clients rc $crc; daemon rc $drc: $(last_line "$LOGDIR/parallel-contexts-daemon.log")"
	fi
else
	fail parallel-contexts "fake daemon did not attach"
fi

# 4b. HOLD_CAPTURE_BUF: two slices of one frame into one CAPTURE buffer;
#     FLUSH releases a held buffer, also while its job is at the daemon.
hold_test() {
	local name=$1 jobs=$2 mode=$3 delay=${4:-}
	if KT_ANSWER_DELAY_MS=$delay start_daemon "$name" answer "$jobs"; then
		client "$name" 20 --hold "$mode" --max-ms 5000
		rc=$?
		if wait "$DAEMON_PID"; then drc=0; else drc=$?; fi
		DAEMON_PID=""
		if [ $rc = 0 ] && [ $drc = 0 ]; then
			pass "$name" "$(last_line "$LOGDIR/$name.log")"
		else
			fail "$name" "client rc $rc: $(last_line "$LOGDIR/$name.log"); daemon rc $drc: $(last_line "$LOGDIR/$name-daemon.log")"
		fi
	else
		fail "$name" "fake daemon did not attach"
		stop_daemon
	fi
}
hold_test hold-pair 2 pair
hold_test hold-flush 1 flush
hold_test hold-flush-inflight 1 flush-inflight 1500

# 4b. A decode error answered by the daemon: no picture, so the stream
#     fails visibly (an ERROR flag alone would be shown by GStreamer).
if start_daemon decode-error fail; then
	if client decode-error 10 --expect error --max-ms 3000; then
		pass decode-error "$(last_line "$LOGDIR/decode-error.log")"
	else
		fail decode-error "$(last_line "$LOGDIR/decode-error.log")"
	fi
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=""
else
	fail decode-error "fake daemon did not attach"
fi
stop_daemon

# 5. Watchdog: a daemon that never answers; ERROR after job_timeout_ms.
set_timeout 500
if start_daemon watchdog silent; then
	if client watchdog 10 --expect error --min-ms 400 --max-ms 2000; then
		pass watchdog "$(last_line "$LOGDIR/watchdog.log") (job_timeout_ms=500)"
	else
		fail watchdog "$(last_line "$LOGDIR/watchdog.log")"
	fi
else
	fail watchdog "fake daemon did not attach"
fi
stop_daemon
set_timeout 3000

# 6. Daemon killed while the client sits in DQBUF: client gets ERROR
#    and exits within 2 s of the kill (watchdog pushed out of the way).
set_timeout 20000
if start_daemon daemon-killed silent; then
	client daemon-killed 30 --expect error --max-ms 25000 &
	cpid=$!
	if wait_file "$WORK/got-job" 5; then
		sleep 0.2
		t0=$(now_ms)
		k0=$(uptime_ms)
		kill -9 "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=""
		wait "$cpid"
		rc=$?
		dt=$(($(now_ms) - t0))
		done_ms=$(sed -n 's/.*dqbuf_done_boottime_ms=\([0-9]*\).*/\1/p' "$LOGDIR/daemon-killed.log")
		ddq=$(( ${done_ms:-999999999} - k0 ))
		if [ $rc = 0 ] && [ $ddq -le 2000 ] && [ $dt -le 5000 ]; then
			pass daemon-killed "DQBUF returned ERROR ${ddq} ms after SIGKILL of the daemon, client exited after ${dt} ms"
		else
			fail daemon-killed "client rc $rc, DQBUF after ${ddq} ms, exit after ${dt} ms: $(last_line "$LOGDIR/daemon-killed.log")"
		fi
	else
		fail daemon-killed "daemon never received the job"
		kill -9 "$cpid" 2>/dev/null
		wait "$cpid" 2>/dev/null
	fi
else
	fail daemon-killed "fake daemon did not attach"
fi
stop_daemon

# 7. After the daemon is gone new jobs fail fast again (no stale state).
if client after-daemon 10 --expect error --max-ms 500; then
	pass after-daemon "$(last_line "$LOGDIR/after-daemon.log")"
else
	fail after-daemon "$(last_line "$LOGDIR/after-daemon.log")"
fi

# 8. Client closes the device while its job is in flight: close() is
#    prompt and the daemon's late answer is refused with ENOENT.
if start_daemon close-in-flight late 1500; then
	client close-in-flight 15 --close-after-ms 300 --max-ms 1000
	rc=$?
	if wait "$DAEMON_PID"; then drc=0; else drc=$?; fi
	DAEMON_PID=""
	if [ $rc = 0 ] && [ $drc = 0 ]; then
		pass close-in-flight "$(last_line "$LOGDIR/close-in-flight.log")"
	else
		fail close-in-flight "client rc $rc: $(last_line "$LOGDIR/close-in-flight.log"); daemon rc $drc: $(last_line "$LOGDIR/close-in-flight-daemon.log")"
	fi
else
	fail close-in-flight "fake daemon did not attach"
	stop_daemon
fi
set_timeout 3000

# 9. Fuzz the chardev for 20 s while clients keep submitting jobs that
#    the fuzzer may answer with garbage; every client must finish.
timeout -k 5 60 "$BIN/chardev_fuzz" 20 >"$LOGDIR/fuzz.log" 2>&1 &
fpid=$!
sleep 0.5
nclients=0 cfail=0
while kill -0 "$fpid" 2>/dev/null; do
	client fuzz-client 15 --expect any --max-ms 8000 || cfail=$((cfail + 1))
	nclients=$((nclients + 1))
done
wait "$fpid"
frc=$?
if [ $frc = 0 ] && [ $cfail = 0 ]; then
	pass fuzz "$(last_line "$LOGDIR/fuzz.log"); $nclients concurrent client requests all completed"
else
	fail fuzz "fuzzer rc $frc: $(last_line "$LOGDIR/fuzz.log"); $cfail of $nclients clients failed: $(last_line "$LOGDIR/fuzz-client.log")"
fi

# 9b. The outcome counters saw what tests 2-8 did: two no-daemon jobs (2, 7),
#     the round trips answered (3, 4), a decode error (4b), a watchdog
#     expiry (5), a job errored because its daemon died (6), and each of
#     those five failures put its queues in error.  The fuzz pass (9) only
#     adds to them.
if [ ! -r "$STATS" ]; then
	fail debugfs-stats "$STATS not readable"
else
	bad=""
	summary=""
	for want in done:2 error_no_daemon:2 error_decode:1 error_timeout:1 error_daemon_gone:1; do
		k=${want%%:*}
		d=$(( $(stat_count "$k") - ${STAT0[$k]:-0} ))
		summary+="$k +$d "
		[ "$d" -ge "${want##*:}" ] || bad+="$k +$d (want >= ${want##*:}) "
	done
	d=$(( $(queue_errors) - ${QERR0:-0} ))
	summary+="queue_errors +$d"
	[ "$d" -ge 5 ] || bad+="queue_errors +$d (want >= 5) "
	if [ -z "$bad" ]; then pass debugfs-stats "$summary"
	else fail debugfs-stats "$bad; $(tr '\n' ' ' <"$STATS")"; fi
fi

# 10. Nothing of ours is left in uninterruptible sleep.
dstate=$(for s in /proc/[0-9]*/stat; do
	read -r line <"$s" 2>/dev/null || continue
	case "$line" in *"(v4l2_client) D"*|*"(fake_daemon) D"*|*"(chardev_"*") D"*) echo "$line" ;; esac
done)
if [ -z "$dstate" ]; then
	pass no-d-state
else
	fail no-d-state "$dstate"
fi

# 11. rmmod while idle, and the module comes back.
if [ -n "${DAEDALUS_MODROOT:-}" ]; then
	if rmmod daedalus_v4l2 2>"$LOGDIR/rmmod.log"; then
		if [ -e "$CHARDEV" ] && sleep 0.5 && [ -e "$CHARDEV" ]; then
			fail rmmod-idle "$CHARDEV still present after rmmod"
		elif modprobe -d "$DAEDALUS_MODROOT" daedalus_v4l2 2>>"$LOGDIR/rmmod.log" &&
		     wait_file "$CHARDEV" 5; then
			pass rmmod-idle "unloaded and reloaded"
		else
			fail rmmod-idle "reload: $(last_line "$LOGDIR/rmmod.log")"
		fi
	else
		fail rmmod-idle "rmmod: $(last_line "$LOGDIR/rmmod.log")"
	fi
else
	skip rmmod-idle "DAEDALUS_MODROOT not set"
fi

[ $FAILS = 0 ]
