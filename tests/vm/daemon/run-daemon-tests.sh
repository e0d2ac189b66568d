#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Guest-side tests of daedalus-daemon, run INSIDE the test VM (host userland,
# guest kernel with daedalus_v4l2 loaded and no other daemon attached):
#
#   decode/<clip>     GStreamer (v4l2slvp9dec / v4l2slh264dec) through our
#                     module + daemon; per-frame NV12 md5s equal
#                     `ffmpeg -i clip -pix_fmt nv12 -f framemd5`
#   concurrent-4      4 gst-launch processes on different clips at once, all
#                     bit-exact, none sees EBUSY
#   no-daemon-yet     (group "nodaemon") GStreamer starts before a daemon
#                     has attached: it must fail, showing no frame
#   sizes, lossless-34x18-x20, altref-er-720p-x20  (group "repeat") every
#                     width/height class below a superblock, lossy and
#                     lossless; the two clips that once went wrong through
#                     the device in some runs only, 20 runs each
#   daemon-sigkill, daemon-sigstop  a GStreamer client plays a clip in real
#                     time into a file; the daemon is SIGKILLed (then
#                     SIGSTOPped past the job timeout): the client errors
#                     out within 2 s, every frame it wrote is libavcodec's
#                     (no stale CAPTURE contents shown as new), the module
#                     is held by nobody, the daemon restarted (continued)
#                     decodes a new client bit-exact (kill_midstream)
#   daemon-sigkill-dqbuf  the real daemon, stopped with a job of
#                     tests/vm/guest's v4l2_client queued to it, SIGKILLed
#                     while the client blocks in DQBUF: ERROR within 2 s
#                     (4 s under TCG: see the test), client exits, the
#                     module counts the job daemon_gone
#   daemon-sigterm    SIGTERM ends the daemon within 5 s with status 0
#   stateless-*       (group "stateless", after sigterm) --decoder daedalus,
#                     the repeat group's clips and (cpu) the kill tests too,
#                     the stateless VP9 path, on --backend cpu and vulkan
#                     (lavapipe):
#                     corpus/<clip>  every VP9 clip of the corpus through
#                       v4l2slvp9dec, bit-exact, one GStreamer process per
#                       backend (daedalus-gst-md5). Vulkan under TCG: the
#                       clips up to 640x360 (GStreamer 1.22 waits one
#                       second for a request, then fails with "Not enough
#                       memory to decode VP9 stream"; lavapipe in the TCG
#                       guest needs about a second for a 720p key frame,
#                       three for a 1080p one); all under KVM
#                     file-decode, dmabuf-import (vulkan)  the same decoder
#                       on a file without V4L2; the CAPTURE dmabuf import
#                       asserted from the daemon log
#                     seek-to-key-frame, tl, tl-dropped, two-clients (cpu)
#                       a seek (concat of a clip and its tail from a
#                       mid-stream key frame: the context resumes at a key
#                       frame), dropped non-reference frames, and a big
#                       client (1080p) with a small one
#                       at once (the small one's per-frame decode times
#                       while the big one decodes reported)
#                     DAEDALUS_STATELESS_BACKENDS picks the backends
#                     (default "cpu vulkan"); the vulkan daemon compiles its
#                     pipelines and warms them up before it attaches.
#   gst126/*          (group gst126) GStreamer 1.26 built from source
#                     (tests/clients/build-gstreamer.sh, its own plugins
#                     only), --decoder ffmpeg and daedalus, CPU backend:
#                     v4l2slvp9dec/h264dec/av1dec registered for our device,
#                     VP9 and resize-inter, whose frame size
#                     changes on inter frames (REMOVE_BUFS), and H.264
#                     bit-exact
#   fluster/*         (group fluster, only when named in
#                     DAEDALUS_DAEMON_TESTS) Fluster's V4L2SL decoders on
#                     GStreamer 1.26 over tests/clients/fluster-suites.sh's
#                     suites; the scores (docs/conformance.md)
#   ffmpeg-v4l2request/*  (group "ffmpeg", last) FFmpeg's v4l2-request
#                     hwaccel through the device, per-frame md5s, on daemons
#                     with --decoder ffmpeg (VP9, H.264) and --decoder
#                     daedalus (VP9), CPU backend: ffmpeg-v4l2request.sh
#   Every clip and its framemd5 come from the host (make-stateless-clips.sh,
#   build-vm/stateless-clips).
#
# Environment:
#   DAEDALUS_BUILD_DIR   CMake build dir holding daemon/bridge/daedalus-daemon
#                        and tests/vm/gst-md5/daedalus-gst-md5
#   DAEDALUS_DAEMON      the daemon binary (default from DAEDALUS_BUILD_DIR)
#   DAEDALUS_DAEMON_ARGS extra daemon arguments
#   DAEDALUS_FFMPEG_V4L2REQUEST  group ffmpeg: the ffmpeg built by
#                        tests/clients/build-ffmpeg-v4l2request.sh (empty:
#                        skipped, DAEDALUS_FFMPEG_V4L2REQUEST_SKIP says why)
#   DAEDALUS_STATELESS_CLIPS  the host-made clips (default
#                        $DAEDALUS_REPO/build-vm/stateless-clips)
#   DAEDALUS_RESULTS     optional: writable dir, logs go to its logs/daemon/
#   DAEDALUS_DAEMON_TESTS optional: which groups to run, default
#                        "decode concurrent nodaemon repeat sigkill stateless gst126 ffmpeg" (sigterm
#                        always runs)
#   DAEDALUS_CONCURRENT_CLIPS optional: the 4 clips of concurrent-4 (kinds
#                        or clip names, see clip())
#
# Output: one "PASS name", "FAIL name: reason" or "SKIP name: reason" line
# per test; exit status 1 if any test failed.
set -u

BUILD_DIR=${DAEDALUS_BUILD_DIR:-}
DAEMON=${DAEDALUS_DAEMON:-$BUILD_DIR/daemon/bridge/daedalus-daemon}
DAEMON_ARGS=${DAEDALUS_DAEMON_ARGS:-}
WORK=$(mktemp -d /tmp/daedalus-daemon-tests.XXXXXX)
LOGS=${DAEDALUS_RESULTS:+$DAEDALUS_RESULTS/logs/daemon}
LOGS=${LOGS:-$WORK/logs}
mkdir -p "$LOGS"
export GST_REGISTRY="$WORK/gst-registry.bin"
export GST_DEBUG_NO_COLOR=1
FAILS=0
DAEMON_PID=""
TEST_GROUPS=" ${DAEDALUS_DAEMON_TESTS:-decode concurrent nodaemon repeat sigkill stateless gst126 ffmpeg} "
want() { [[ $TEST_GROUPS == *" $1 "* ]]; }

# Each result also goes to logs/daemon/timeline.txt with the seconds since
# the start, to see where a slow guest spends its time.
mark() { echo "$SECONDS s $*" >>"$LOGS/timeline.txt"; }
pass() { echo "PASS $1${2:+: $2}"; mark "PASS $1"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); mark "FAIL $1"; }
skip() { echo "SKIP $1: $2"; mark "SKIP $1"; }

# In the TCG guest every fork costs about half a second of emulated CPU, and
# takes it from the decode being waited for: the polling loops below use
# shell builtins only. nap S: sleeps by reading a FIFO nobody writes;
# NOW_MS: $EPOCHREALTIME in milliseconds.
mkfifo "$WORK/nap.fifo"
exec {NAP_FD}<>"$WORK/nap.fifo"
nap() { read -r -t "$1" -u "$NAP_FD"; }
now_ms() { NOW_MS=$(( ${EPOCHREALTIME/./} / 1000 )); }
# lines_with FILE STOP TEXT...: COUNT = lines of FILE containing any TEXT,
# read in this shell (no grep fork); stops once COUNT reaches STOP (0: never).
lines_with() {
	local f=$1 stop=$2 l t
	shift 2
	COUNT=0
	[ -f "$f" ] || return 0
	while IFS= read -r l; do
		for t; do
			if [[ $l == *"$t"* ]]; then
				COUNT=$((COUNT + 1))
				[ "$COUNT" = "$stop" ] && return 0
				break
			fi
		done
	done <"$f"
}
# has FILE TEXT...: does a line of FILE contain any TEXT?
has() {
	lines_with "$1" 1 "${@:2}"
	[ "$COUNT" -gt 0 ]
}
# count_of FILE TEXT: COUNT = lines of FILE containing TEXT.
count_of() { lines_with "$1" 0 "$2"; }
# gst_error_of LOG: the text of the first error gst-launch posted in LOG,
# without the element path in front of it (empty if there is none).
gst_error_of() { grep -m1 'ERROR: from element' "$1" | sed 's/.*dec[0-9]*: //'; }
# follow_count FD TEXT: add to COUNT the lines containing TEXT that a growing
# file open on FD gained since the last call (only the new part is read; a
# line still being written waits in FOLLOW_PART).
FOLLOW_PART=
follow_count() {
	local l
	while IFS= read -r -u "$1" l; do
		l=$FOLLOW_PART$l
		FOLLOW_PART=
		[[ $l == *"$2"* ]] && COUNT=$((COUNT + 1))
	done
	FOLLOW_PART+=$l
}
# dims_of FRAMEMD5: W and H from its "#dimensions 0: WxH" header line.
dims_of() {
	local l
	W="" H=""
	while IFS= read -r l; do
		case $l in "#dimensions 0: "*) l=${l#*: }; W=${l%x*}; H=${l#*x}; return 0 ;; [^#]*) break ;; esac
	done <"$1"
	return 1
}

cleanup() {
	[ -n "$DAEMON_PID" ] && kill -KILL "$DAEMON_PID" 2>/dev/null
	# shellcheck disable=SC2046
	kill -KILL $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# start_daemon LOGFILE: starts the daemon in this shell (not in a $(...)
# subshell, so DAEMON_PID stays known), waits until it has attached. On
# failure START_ERR says why.
START_ERR=""
start_daemon() {
	# shellcheck disable=SC2086
	"$DAEMON" $DAEMON_ARGS >"$1" 2>&1 &
	DAEMON_PID=$!
	# START_WAIT_S: a Vulkan daemon compiles its pipelines before attaching.
	local i
	for ((i = 0; i < ${START_WAIT_S:-5} * 10; i++)); do
		has "$1" "attached to" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		nap 0.1
	done
	kill -0 "$DAEMON_PID" 2>/dev/null && return 0  # slow machine: alive, not attached yet
	wait "$DAEMON_PID"
	START_ERR="daemon exited with $? at start: $(tail -n 3 "$1" | tr '\n' ' ')"
	DAEMON_PID=""
	return 1
}

stop_daemon() { # returns 0 if it exited with status 0 within 5 s of SIGTERM
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null
	local i
	for ((i = 0; i < 50; i++)); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		nap 0.1
	done
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -KILL "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=""
		return 1
	fi
	wait "$DAEMON_PID"
	local rc=$?
	DAEMON_PID=""
	return $rc
}

# --- clips ------------------------------------------------------------------
# Every clip comes from the host with its CLIP.framemd5 (make-stateless-clips.sh,
# build-vm/stateless-clips): starting ffmpeg or ffprobe in the TCG guest
# takes many seconds (docs/perf-log/2026-12.md), so the guest neither
# encodes, probes nor reference-decodes.
SL=${DAEDALUS_STATELESS_CLIPS:-${DAEDALUS_REPO:-/nonexistent}/build-vm/stateless-clips}
GST_MD5=${BUILD_DIR:+$BUILD_DIR/tests/vm/gst-md5/daedalus-gst-md5}

# clip KIND -> path. Kinds: vp9-small vp9-1080p h264-small, vp9-b h264-b
# (concurrent-4's extra clients), vp9-long (daemon-sigkill's client), or
# any clip name of the host's clip directory.
clip() {
	local name=$1 f
	case "$1" in
	vp9-small) name=vp9-352x288 ;;
	vp9-1080p) name=vp9-1920x1080 ;;
	h264-small) name=h264-352x288 ;;
	vp9-b) name=vp9-176x144 ;;
	h264-b) name=h264-176x144 ;;
	vp9-long) name=vp9-long-320x240 ;;
	esac
	for f in "$SL/$name".*; do
		case "$f" in *.framemd5) continue ;; esac
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

decoder_for() { # CLIP -> GStreamer element, from the host's clip names
	case ${1##*/} in
	h264-* | *.h264) echo v4l2slh264dec ;;
	av1-*) echo v4l2slav1dec ;;
	*.ivf | *.webm) echo v4l2slvp9dec ;;
	*) return 1 ;;
	esac
}

# framemd5 column of md5s, one per frame.
md5s() { grep -v '^#' | awk -F', *' '{ print $NF }'; }

# decode_and_compare NAME CLIP [EXTRA-ELEMENT]: gst-launch through the
# module, every frame compared with CLIP.framemd5 (daedalus-gst-md5 --raw).
# SRC_STDIN=1: read the stream from stdin (CLIP, fed by the caller) instead.
# GST_QUIET= (empty): let gst-launch log its state changes to the gst log.
# Prints the result; returns 1 on mismatch.
decode_and_compare() {
	local name=$1 clip=$2 extra=${3:-} dec out glog r
	dec=$(decoder_for "$clip") || { echo "unknown codec in $clip"; return 1; }
	[ -f "$clip.framemd5" ] || { echo "no $clip.framemd5 (run make-stateless-clips.sh)"; return 1; }
	[ -x "${GST_MD5:-}" ] || { echo "no daedalus-gst-md5 in the build (libgstreamer1.0-dev missing?)"; return 1; }
	out="$WORK/$name.nv12"
	glog="$LOGS/gst-$name.txt"
	local src=(filesrc location="$clip")
	[ -n "${SRC_STDIN:-}" ] && src=(fdsrc)
	# shellcheck disable=SC2086
	if ! timeout -k 5 240 gst-launch-1.0 ${GST_QUIET--q} "${src[@]}" ! parsebin ! $extra "$dec" ! \
		video/x-raw,format=NV12 ! filesink location="$out" >"$glog" 2>&1; then
		echo "gst-launch-1.0 ($dec) failed: $(grep -m1 -i 'error' "$glog" | cut -c1-160)"
		return 1
	fi
	if has "$glog" "resource busy" EBUSY; then
		echo "EBUSY seen, log $glog"
		return 1
	fi
	if r=$("$GST_MD5" --raw "$out" --expect "$clip.framemd5"); then
		rm -f "$out"
		echo "${r% (*} ($dec ${r##* (}"
		return 0
	fi
	echo "$r ($dec)"
	return 1
}

# gst_compare NAME WANT-FRAMEMD5... -- PIPELINE-HEAD: runs PIPELINE-HEAD !
# v4l2slvp9dec ! NV12 filesink, compares per frame with the concatenated
# framemd5 files (the first one's #dimensions for all).
gst_compare() {
	local name=$1 out="$WORK/$1.nv12" glog="$LOGS/gst-$1.txt" want=()
	shift
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	cat "${want[@]}" >"$WORK/$name.framemd5"
	# shellcheck disable=SC2068
	if ! timeout -k 5 300 gst-launch-1.0 -q $@ v4l2slvp9dec ! video/x-raw,format=NV12 ! \
		filesink location="$out" >"$glog" 2>&1; then
		echo "gst-launch-1.0 failed: $(grep -m1 -i 'error' "$glog" | cut -c1-160)"
		return 1
	fi
	"$GST_MD5" --raw "$out" --expect "$WORK/$name.framemd5" || return 1
	rm -f "$out"
}

# --- preconditions ----------------------------------------------------------
if [ ! -x "$DAEMON" ]; then
	skip daemon-tests "daemon $DAEMON not built (set DAEDALUS_BUILD_DIR)"
	exit 0
fi
if [ ! -e /dev/daedalus-v4l2 ]; then
	fail daemon-tests "/dev/daedalus-v4l2 missing: module not loaded"
	exit 1
fi
for tool in gst-launch-1.0 gst-inspect-1.0; do
	command -v "$tool" >/dev/null || { fail daemon-tests "$tool not installed"; exit 1; }
done

DAEMON_LOG="$LOGS/daemon.txt"  # the running daemon's log; each restart starts another
if ! start_daemon "$DAEMON_LOG"; then
	fail daemon-start "$START_ERR"
	exit 1
fi
pass daemon-start "pid $DAEMON_PID"

# The v4l2codecs plugin registers its elements per device when it scans,
# so scan now that the module is loaded (fresh registry).
gst-inspect-1.0 v4l2codecs >"$LOGS/gst-inspect.txt" 2>&1
have_element() { grep -q "$1" "$LOGS/gst-inspect.txt"; }

# --- (a) single decodes -----------------------------------------------------
want decode && for kind in vp9-small vp9-1080p h264-small; do
	c=$(clip "$kind")
	name="decode/$(basename "$c")"
	el=$(decoder_for "$c")
	if ! have_element "$el"; then
		fail "$name" "$el not registered by GStreamer (log $LOGS/gst-inspect.txt)"
		continue
	fi
	if r=$(decode_and_compare "$kind" "$c"); then pass "$name" "$r"; else fail "$name" "$r"; fi
done

# --- (b) four clients at once -------------------------------------------------
if want concurrent; then
	# shellcheck disable=SC2206
	kinds=(${DAEDALUS_CONCURRENT_CLIPS:-vp9-small h264-small vp9-b h264-b})
	declare -A cpath cpid
	for k in "${kinds[@]}"; do cpath[$k]=$(clip "$k"); done
	for k in "${kinds[@]}"; do
		( r=$(decode_and_compare "conc-$k" "${cpath[$k]}"); rc=$?; echo "$r" >"$WORK/conc-$k.result"; exit $rc ) &
		cpid[$k]=$!
	done
	conc_ok=1
	conc_reasons=""
	for k in "${kinds[@]}"; do
		if ! wait "${cpid[$k]}"; then
			conc_ok=0
			conc_reasons+="$k: $(cat "$WORK/conc-$k.result" 2>/dev/null); "
		fi
	done
	if [ $conc_ok = 1 ]; then pass concurrent-4 "${#kinds[@]} clients (${kinds[*]}) bit-exact, no EBUSY"
	else fail concurrent-4 "$conc_reasons"; fi
fi

# The guest's CPU is emulated (TCG): some bounds and clip lists depend on it.
UNDER_TCG=0
grep -q 'QEMU TCG' /proc/cpuinfo && UNDER_TCG=1

# The module's job watchdog, raised for a test and put back after it.
JOB_TIMEOUT=/sys/module/daedalus_v4l2/parameters/job_timeout_ms
SAVED_JOB_TIMEOUT=""
raise_job_timeout() { # raise_job_timeout MS
	SAVED_JOB_TIMEOUT=$(cat $JOB_TIMEOUT 2>/dev/null)
	[ -z "$SAVED_JOB_TIMEOUT" ] || echo "$1" >$JOB_TIMEOUT
}
restore_job_timeout() {
	[ -z "$SAVED_JOB_TIMEOUT" ] || echo "$SAVED_JOB_TIMEOUT" >$JOB_TIMEOUT
	SAVED_JOB_TIMEOUT=""
}

# --- (c) daemon killed mid-stream ---------------------------------------------
# The module's job outcome counters (kernel/daedalus_debugfs.c).
STATS=/sys/kernel/debug/daedalus_v4l2/stats
stat_of() { # stat_of "STATS TEXT" NAME -> count of jobs_error_NAME (0 if absent)
	local v
	v=$(printf '%s\n' "$1" | awk -v k="jobs_error_$2" '$1 == k { print $2 }')
	echo "${v:-0}"
}

# kill_midstream NAME SIGNAL LOG: a GStreamer client plays vp9-long at its
# frame rate (identity sync=true) into a file, as a player would; SIGNAL
# hits the daemon (log LOG) about a second after the client's context
# opened: KILL (a crash, the OOM killer) or STOP (a hung daemon: the
# module's watchdog or GStreamer's one-second request wait ends the job).
# Asserted:
#  - the client reports an error and exits non-zero within 2 s of the kill
#    (4 s under TCG: there the killed daemon's own exit, its address space
#    torn down under KASAN before its files close, takes most of 2 s:
#    docs/perf-log/2026-12.md), or, for
#    STOP, within 2 s of the job timeout;
#  - every frame it wrote is libavcodec's frame of that number: no stale
#    CAPTURE contents shown as a new picture (daedalus-gst-md5 --prefix);
#  - KILL: the module is held by nobody (it could be removed);
#  - the daemon, restarted (KILL) or continued (STOP), decodes a new client
#    bit-exact.
# GStreamer 1.22's v4l2codecs ignores V4L2_BUF_FLAG_ERROR on CAPTURE; it
# notices the module's answer, DQBUF failing with EIO (docs/kernel.md).
kill_midstream() {
	local name=$1 sig=$2 dlog=$3 long out glog client i t0 err_ms=-1 crc r frames bound logfd
	local file=${name//\//-}
	long=$(clip vp9-long)
	out="$WORK/$file.nv12"
	glog="$LOGS/gst-$file.txt"
	# The daemon log from its current end: only the client's CTX_OPEN counts
	# (rereading a -v log whole on every poll is too slow under TCG).
	exec {logfd}<"$dlog"
	COUNT=0 FOLLOW_PART=
	follow_count $logfd ': open VP9'
	COUNT=0
	gst-launch-1.0 filesrc location="$long" ! ivfparse ! vp9parse ! v4l2slvp9dec ! video/x-raw,format=NV12 ! \
		identity sync=true ! filesink location="$out" >"$glog" 2>&1 &
	client=$!
	for ((i = 0; i < 600; i++)); do
		follow_count $logfd ': open VP9'
		[ "$COUNT" -gt 0 ] && break
		kill -0 $client 2>/dev/null || break
		nap 0.1
	done
	exec {logfd}<&-
	nap 1
	if ! kill -0 $client 2>/dev/null; then
		fail "$name" "client finished before the kill: $(tail -n 2 "$glog" | tr '\n' ' ')"
		return
	fi
	now_ms
	t0=$NOW_MS
	kill -"$sig" "$DAEMON_PID"
	if [ "$sig" = KILL ]; then
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=""
		bound=2000
		[ $UNDER_TCG = 1 ] && bound=4000
	else
		bound=$(( $(cat $JOB_TIMEOUT) + 2000 ))
	fi
	# The client's error line and its exit, timed with builtins only.
	while now_ms && [ $((NOW_MS - t0)) -lt 30000 ]; do
		if [ $err_ms -lt 0 ] && has "$glog" "ERROR: from element"; then err_ms=$((NOW_MS - t0)); fi
		kill -0 $client 2>/dev/null || break
		nap 0.05
	done
	now_ms
	local exit_ms=$((NOW_MS - t0))
	if kill -0 $client 2>/dev/null; then
		kill -KILL $client 2>/dev/null
		wait $client 2>/dev/null
		fail "$name" "client still running 30 s after SIG$sig to the daemon (state $(cut -d' ' -f3 /proc/$client/stat 2>/dev/null))"
		[ "$sig" = STOP ] && kill -CONT "$DAEMON_PID"
		return
	fi
	wait $client
	crc=$?
	[ $err_ms -lt 0 ] && has "$glog" "ERROR: from element" && err_ms=$exit_ms
	frames=$("$GST_MD5" --raw "$out" --expect "$long.framemd5" --prefix)
	local frames_ok=$?
	rm -f "$out"
	r="SIG$sig: client error after ${err_ms} ms ($(gst_error_of "$glog" | cut -c1-90)), exit $crc after ${exit_ms} ms; written: $frames"
	local ok=1
	[ $crc != 0 ] && [ $err_ms -ge 0 ] && [ $exit_ms -le $bound ] || ok=0
	[ $frames_ok = 0 ] || ok=0
	if [ "$sig" = KILL ]; then
		local refs
		refs=$(cat /sys/module/daedalus_v4l2/refcnt 2>/dev/null)
		r+="; module refcnt ${refs:-?}"
		[ "$refs" = 0 ] || ok=0
		if ! start_daemon "$dlog.restarted"; then
			fail "$name" "$r; restart failed: $START_ERR"
			return
		fi
	else
		kill -CONT "$DAEMON_PID"
	fi
	if r2=$(decode_and_compare "$file-after" "$(clip vp9-small)"); then
		r+="; then $r2"
	else
		r+="; then FAILED: $r2"
		ok=0
	fi
	if [ $ok = 1 ]; then pass "$name" "$r"; else fail "$name" "$r (bound ${bound} ms)"; fi
}

# gst_repeat NAME N CLIP: CLIP through v4l2slvp9dec N times in one
# daedalus-gst-md5 process, every run bit-exact: a failure that depends on
# timing shows in some runs only.
gst_repeat() {
	local name=$1 n=$2 c=$3 runs=() i log npass
	log="$LOGS/${1//\//-}.txt"
	for ((i = 0; i < n; i++)); do runs+=("$c"); done
	"$GST_MD5" --timeout 120 "${runs[@]}" >"$log" 2>&1
	npass=$(grep -c '^PASS' "$log")
	if [ "$npass" = "$n" ]; then
		pass "$name" "$n of $n runs bit-exact ($(grep -m1 '^PASS' "$log" | sed 's/^[^(]*(//; s/)$//'))"
	else
		fail "$name" "$npass of $n runs bit-exact; first failure: $(grep -m1 -v '^PASS' "$log" | cut -c1-200)"
	fi
}

# gst_launch_repeat NAME N CLIP: the same, each run its own gst-launch-1.0
# process writing to a file, as the clip was first seen failing
# (filesrc ! ivfparse ! vp9parse ! v4l2slvp9dec ! NV12 ! filesink).
gst_launch_repeat() {
	local name=$1 n=$2 c=$3 i r npass=0 first=""
	for ((i = 0; i < n; i++)); do
		if r=$(gst_compare "${name//\//-}" "$c.framemd5" -- filesrc location="$c" ! ivfparse ! vp9parse !); then
			npass=$((npass + 1))
		else
			[ -n "$first" ] || first="run $((i + 1)): $r"
		fi
	done
	if [ $npass = "$n" ]; then pass "$name" "$n of $n gst-launch runs bit-exact"
	else fail "$name" "$npass of $n gst-launch runs bit-exact; $first"; fi
}

# gst_sweep NAME CLIP...: every CLIP once through v4l2slvp9dec in one
# process; a line per clip (NAME/CLIP) and one for the sweep.
gst_sweep() {
	local name=$1 log npass=0 nfail=0 st rest
	shift
	log="$LOGS/${name//\//-}.txt"
	"$GST_MD5" --timeout 120 "$@" >"$log" 2>&1
	while read -r st rest; do
		case $st in
		PASS) pass "$name/${rest%%:*}" "${rest#*: }"; npass=$((npass + 1)) ;;
		FAIL) fail "$name/${rest%%:*}" "${rest#*: }"; nfail=$((nfail + 1)) ;;
		SKIP) skip "$name/${rest%%:*}" "${rest#*: }" ;;
		esac
	done <"$log"
	if [ $nfail = 0 ] && [ $npass = $# ]; then pass "$name" "$npass of $# clips bit-exact"
	else fail "$name" "$npass of $# clips bit-exact, log $log"; fi
}

# --- (d) a client that starts before the daemon has attached ----------------------
# lossless-34x18 once came out with frames 0-6 all zero and 7-11 wrong, in
# some runs only: its first requests reached the module before the daemon
# had attached, the module failed them with ERROR buffers (fresh, zeroed
# CAPTURE memory) that GStreamer showed as frames, and the later frames
# were decoded from those as references. Now the first failed job fails the
# stream: gst-launch must exit with an error, and every frame it wrote (none,
# or those decoded) must be libavcodec's.
if want nodaemon; then
	stop_daemon
	out="$WORK/no-daemon-yet.nv12"
	glog="$LOGS/gst-no-daemon-yet.txt"
	now_ms
	t0=$NOW_MS
	timeout -k 5 120 gst-launch-1.0 filesrc location="$SL/lossless-34x18.ivf" ! ivfparse ! vp9parse ! v4l2slvp9dec ! \
		video/x-raw,format=NV12 ! filesink location="$out" >"$glog" 2>&1
	rc=$?
	now_ms
	frames=$("$GST_MD5" --raw "$out" --expect "$SL/lossless-34x18.ivf.framemd5" --prefix)
	frc=$?
	r="gst-launch exit $rc after $((NOW_MS - t0)) ms ($(gst_error_of "$glog" | cut -c1-80)); written: $frames"
	if [ $rc != 0 ] && [ $frc = 0 ]; then pass no-daemon-yet "$r"; else fail no-daemon-yet "$r"; fi
	DAEMON_LOG="$LOGS/daemon-after-no-daemon-yet.txt"
	start_daemon "$DAEMON_LOG" || fail no-daemon-yet "daemon restart failed: $START_ERR"
fi

# --- (e) the clips that went wrong through the device, and every size class ------
# lossless-34x18 came out all-zero, altref-er-720p ran GStreamer 1.22 out of
# bitstream buffers; both in some runs only, so each runs 20 times.
if want repeat; then
	gst_sweep sizes "$SL"/small/*.ivf
	gst_repeat lossless-34x18-x20 20 "$SL/lossless-34x18.ivf"
	gst_repeat altref-er-720p-x20 20 "$SL/altref-er-720p.ivf"
fi

if want sigkill; then
	kill_midstream daemon-sigkill KILL "$DAEMON_LOG"
	[ -n "$DAEMON_PID" ] && kill_midstream daemon-sigstop STOP "$DAEMON_LOG.restarted"
fi

# The 2 s bound with the real daemon and a client that reads the flags:
# v4l2_client (tests/vm/guest) blocks in DQBUF on a job the daemon holds
# (SIGSTOPped, so the job is certainly queued to it and unanswered), then
# the daemon is SIGKILLed. The client must see ERROR within 2 s and exit;
# the module must count the job as daemon_gone. Then restart for the rest.
ktest_bin() { # directory holding v4l2_client: prebuilt, or built now
	local d
	for d in ${DAEDALUS_KTEST_BIN:-} "${DAEDALUS_REPO:-/nonexistent}/build-ktests" /tmp/daedalus-ktests; do
		[ -x "$d/v4l2_client" ] && { echo "$d"; return 0; }
	done
	make -s -C "${DAEDALUS_REPO:-/nonexistent}/tests/vm/guest" O="$WORK/ktests" >"$LOGS/ktests-build.txt" 2>&1 \
		&& echo "$WORK/ktests"
}
uptime_ms() { local u; read -r u _ </proc/uptime; u=${u/./}; echo $((10#$u * 10)); }
if want sigkill && [ -n "$DAEMON_PID" ]; then
	if ! kbin=$(ktest_bin); then
		fail daemon-sigkill-dqbuf "could not build tests/vm/guest's v4l2_client: $(tail -n 2 "$LOGS/ktests-build.txt" | tr '\n' ' ')"
	else
		clog="$LOGS/v4l2-client-sigkill.txt"
		stats_before=$(cat "$STATS" 2>/dev/null)
		# The job must still be waiting for the daemon when it dies: keep
		# the watchdog (3 s by default) out of the way meanwhile.
		raise_job_timeout 60000
		kill -STOP "$DAEMON_PID"
		# Not under timeout(1): $! must be the client, whose wchan is read.
		DAEDALUS_VIDEO=${DAEDALUS_VIDEO:-/dev/video0} DAEDALUS_MEDIA=${DAEDALUS_MEDIA:-/dev/media0} \
			"$kbin/v4l2_client" --expect error --max-ms 30000 >"$clog" 2>&1 &
		client_pid=$!
		# In DQBUF: asleep in vb2's wait for a done buffer (its request
		# is queued by then). Slow under TCG: up to 20 s.
		wchan=""
		deadline=$((SECONDS + 20))
		while [ $SECONDS -lt $deadline ] && [ -e /proc/$client_pid ]; do
			read -r wchan </proc/$client_pid/wchan 2>/dev/null
			case "$wchan" in *vb2*) break ;; esac
			nap 0.1
		done
		nap 0.2
		k0=$(uptime_ms)
		now_ms
		t0=$NOW_MS
		kill -KILL "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=""
		deadline=$((SECONDS + 30))
		while [ -e /proc/$client_pid ] && [ $SECONDS -lt $deadline ]; do nap 0.1; done
		kill -KILL "$client_pid" 2>/dev/null  # only if it hangs: then the test fails below
		wait "$client_pid"
		crc=$?
		now_ms
		dt=$((NOW_MS - t0))
		done_ms=$(sed -n 's/.*dqbuf_done_boottime_ms=\([0-9]*\).*/\1/p' "$clog")
		ddq=$(( ${done_ms:-999999999} - k0 ))
		restore_job_timeout
		stats_after=$(cat "$STATS" 2>/dev/null)
		gone=$(( $(stat_of "$stats_after" daemon_gone) - $(stat_of "$stats_before" daemon_gone) ))
		r="DQBUF returned ERROR ${ddq} ms after SIGKILL of the stopped daemon, client exited $crc after ${dt} ms, module counted $gone daemon_gone job(s) (client was in ${wchan:-?})"
		# 2 s, as the issue asks. Under TCG with KASAN the real daemon's exit
		# alone (its address space torn down before its files are closed)
		# takes most of that (docs/perf-log/2026-12.md), so there the bound
		# is 4 s; the module's own part is kernel/daemon-killed's.
		bound=2000
		[ $UNDER_TCG = 1 ] && bound=4000
		if [ $crc = 0 ] && [ "$ddq" -ge 0 ] && [ "$ddq" -le $bound ] && [ $dt -le 5000 ] && [ "$gone" -ge 1 ]; then
			pass daemon-sigkill-dqbuf "$r"
		else
			fail daemon-sigkill-dqbuf "$r: $(tail -n 1 "$clog")"
		fi
	fi
	start_daemon "$LOGS/daemon-restarted-2.txt" || fail daemon-sigkill-dqbuf "restart failed: $START_ERR"
fi

# --- clean shutdown -------------------------------------------------------------
if [ -z "$DAEMON_PID" ]; then
	skip daemon-sigterm "daemon not running"
elif stop_daemon; then
	pass daemon-sigterm "exit 0 within 5 s"
else
	fail daemon-sigterm "daemon did not exit 0 within 5 s of SIGTERM (log $LOGS/daemon-restarted.txt)"
fi

# --- stateless VP9 (--decoder daedalus) ------------------------------------------
if want stateless; then
	[ -n "$DAEMON_PID" ] && stop_daemon
	saved_args=$DAEMON_ARGS
	# Which clips each backend decodes: see the note at the top of this file.
	for backend in ${DAEDALUS_STATELESS_BACKENDS:-cpu vulkan}; do
		slog="$LOGS/daemon-stateless-$backend.txt"
		DAEMON_ARGS="--decoder daedalus --backend $backend -v"
		if [ $backend = vulkan ]; then
			# lavapipe from the host root; no other ICD has a device here.
			lvp=$(ls /usr/share/vulkan/icd.d/lvp_icd*.json 2>/dev/null | head -n1)
			[ -n "$lvp" ] && export VK_ICD_FILENAMES=$lvp
			# The guest's own shader cache (tmpfs): the host's, read-only
			# over 9p, is for another CPU; the file decode below reuses what
			# the daemon's warm-up compiled.
			export MESA_SHADER_CACHE_DIR=/tmp/mesa-shader-cache
			# Under TCG llvmpipe JITs 256-bit AVX2 code for -cpu max: its
			# compile (the daemon's warm-up) takes about twice as long as
			# with LP_NATIVE_VECTOR_WIDTH=128, but its frames run faster,
			# which the 1080p key frame needs against GStreamer's one
			# second (docs/perf-log/2026-12.md). lavapipe under TCG:
			# creating the backend (pipeline compiles) takes tens of
			# seconds and a 1080p frame seconds; the kernel's 3 s job
			# watchdog is about hung daemons, not slow emulated CPUs.
			raise_job_timeout 120000
		fi
		wait_s=5
		[ $backend = vulkan ] && wait_s=900  # pipelines compile and warm up before attach
		if ! START_WAIT_S=$wait_s start_daemon "$slog"; then
			fail "stateless-$backend/daemon-start" "$START_ERR"
			continue
		fi
		if [ $backend = vulkan ]; then
			grep -m1 "vulkan backend ready" "$slog" | sed 's/.*\[info\] /  note: /'
			# The same decoder and backend on a file, no V4L2 or dmabuf in
			# the way: tells a slow or stuck lavapipe from a bridge problem.
			dec=${BUILD_DIR:+$BUILD_DIR/tools/decode/daedalus-decode}
			c98=$(clip vp9-98x66)
			if [ -x "${dec:-}" ] && [ -f "$c98" ]; then
				now_ms
				t0=$NOW_MS
				timeout -k 5 300 "$dec" "$c98" --decoder daedalus --backend vulkan --md5 --profile \
					>"$WORK/vk-file.md5" 2>"$LOGS/vk-file-decode.txt"
				drc=$?
				now_ms
				dms=$((NOW_MS - t0))
				md5s <"$c98.framemd5" >"$WORK/vk-file.want"
				awk '{print $2}' "$WORK/vk-file.md5" >"$WORK/vk-file.got"
				if [ $drc = 0 ] && cmp -s "$WORK/vk-file.want" "$WORK/vk-file.got"; then
					pass stateless-vulkan/file-decode "$(wc -l <"$WORK/vk-file.got") frames bit-exact in ${dms} ms (daedalus-decode, no V4L2)"
				else
					fail stateless-vulkan/file-decode "rc $drc after ${dms} ms, $(wc -l <"$WORK/vk-file.got") of $(wc -l <"$WORK/vk-file.want") frames: $(tail -n 2 "$LOGS/vk-file-decode.txt" | tr '\n' ' ')"
				fi
			fi
		fi
		# The sweep: every VP9 clip of the corpus (sizes 2x2 to 1080p,
		# quantizers, sharpness, tiles, alt-refs, error resilience, resizes,
		# lossless, WebM) and altref-64, through GStreamer's v4l2slvp9dec,
		# one clip after another in one process (daedalus-gst-md5).
		# GStreamer 1.22 gives a request one second. lavapipe in the TCG
		# guest decodes a 720p key frame within it, the 1080p one only
		# sometimes (docs/perf-log/2026-12.md): under TCG the
		# Vulkan sweep stops at 1280x720 (the larger clips follow, see
		# below), and a clip that the deadline ended, with every frame
		# until then bit-exact, is decoded once more (guest runs vary by
		# up to 1.5x).
		sweep=() larger=() retry=()
		[ $UNDER_TCG = 1 ] && retry=(--retry-deadline)
		for c in "$SL"/corpus/vp9-* "$SL/altref-64.ivf"; do
			case $c in *.framemd5) continue ;; esac
			[ -f "$c.framemd5" ] || continue
			if [ $backend = vulkan ] && [ $UNDER_TCG = 1 ] && dims_of "$c.framemd5" && [ $((W * H)) -gt $((1280 * 720)) ]; then
				larger+=("$c")
				continue
			fi
			sweep+=("$c")
		done
		if [ ${#sweep[@]} = 0 ]; then
			fail "stateless-$backend/corpus" "no clips in $SL/corpus (run make-stateless-clips.sh)"
		elif [ ! -x "${GST_MD5:-}" ]; then
			fail "stateless-$backend/corpus" "no daedalus-gst-md5 in the build (libgstreamer1.0-dev missing?)"
		else
			now_ms
			t0=$NOW_MS
			"$GST_MD5" --timeout 300 "${retry[@]}" "${sweep[@]}" >"$LOGS/corpus-$backend.txt" 2>&1
			sweep_rc=$?
			now_ms
			npass=0 nfail=0 nskip=0
			while read -r st rest; do
				case $st in
				PASS) pass "stateless-$backend/corpus/${rest%%:*}" "${rest#*: }"; npass=$((npass + 1)) ;;
				FAIL) fail "stateless-$backend/corpus/${rest%%:*}" "${rest#*: }"; nfail=$((nfail + 1)) ;;
				SKIP) skip "stateless-$backend/corpus/${rest%%:*}" "${rest#*: }"; nskip=$((nskip + 1)) ;;
				esac
			done <"$LOGS/corpus-$backend.txt"
			r="$npass of ${#sweep[@]} clips bit-exact, $nskip not played through by GStreamer (SKIP lines), in $(( (NOW_MS - t0) / 1000 )) s (one GStreamer process)"
			if [ $sweep_rc = 0 ] && [ $nfail = 0 ] && [ $npass -gt 0 ]; then pass "stateless-$backend/corpus" "$r"
			else fail "stateless-$backend/corpus" "$r; daedalus-gst-md5 exit $sweep_rc, log $LOGS/corpus-$backend.txt"; fi
			# The larger clips under TCG: their key frame takes about
			# GStreamer's one second here (docs/perf-log/2026-12.md).
			# Decoded all the same, and
			# every frame GStreamer outputs is checked; a clip that only
			# the deadline ended, all its frames so far bit-exact, is a
			# SKIP that says so (--deadline-skips), a wrong frame a FAIL.
			if [ ${#larger[@]} -gt 0 ]; then
				"$GST_MD5" --timeout 300 --retry-deadline --deadline-skips "${larger[@]}" \
					>"$LOGS/corpus-$backend-larger.txt" 2>&1
				larger_rc=$?
				while read -r st rest; do
					case $st in
					PASS) pass "stateless-$backend/corpus/${rest%%:*}" "${rest#*: }" ;;
					FAIL) fail "stateless-$backend/corpus/${rest%%:*}" "${rest#*: }" ;;
					SKIP) skip "stateless-$backend/corpus/${rest%%:*}" "under TCG: ${rest#*: }" ;;
					esac
				done <"$LOGS/corpus-$backend-larger.txt"
				grep -q '^FAIL' "$LOGS/corpus-$backend-larger.txt" || [ $larger_rc = 0 ] ||
					fail "stateless-$backend/corpus-larger" "daedalus-gst-md5 exit $larger_rc, log $LOGS/corpus-$backend-larger.txt"
			fi
		fi
		# Every size class below a superblock through the device, and the
		# two clips that went wrong in some runs only, 20 times each (720p
		# under TCG only on the CPU backend: lavapipe there needs about
		# GStreamer's one second for a 720p key frame).
		gst_sweep "stateless-$backend/sizes" "$SL"/small/*.ivf
		gst_repeat "stateless-$backend/lossless-34x18-x20" 20 "$SL/lossless-34x18.ivf"
		# As first seen failing: separate gst-launch processes into a file.
		[ $backend = cpu ] && gst_launch_repeat stateless-cpu/lossless-34x18-launch-x20 20 "$SL/lossless-34x18.ivf"
		if [ $backend = cpu ] || [ $UNDER_TCG = 0 ]; then
			gst_repeat "stateless-$backend/altref-er-720p-x20" 20 "$SL/altref-er-720p.ivf"
		fi
		if [ $backend = vulkan ]; then
			# The real-dmabuf import test: CAPTURE buffers of the V4L2 device
			# as Vulkan external memory.
			if grep -q "destination CAPTURE dmabufs imported as Vulkan external memory" "$slog"; then
				refs=$(grep -m1 -o "reference CAPTURE dmabufs [a-z ]*" "$slog")
				pass stateless-vulkan/dmabuf-import "destination imported in place; ${refs:-no reference log line}"
			else
				fail stateless-vulkan/dmabuf-import "daemon did not import the CAPTURE dmabuf: $(grep -m1 'CAPTURE' "$slog")"
			fi
			# References through the imports the daemon kept from decoding
			# into those buffers (GET_BUF_ID), not exported and copied
			# every frame; per context "references read in place N times,
			# copied M times" when it closes.
			counts=$(grep -o "references read in place [0-9]* times, copied [0-9]* times" "$slog" |
				awk '{ k += $5; c += $8 } END { print k + 0, c + 0 }')
			read -r kept copied <<<"$counts"
			if grep -q "reference CAPTURE buffers read through the Vulkan imports kept" "$slog" && [ "$kept" -gt 0 ]; then
				pass stateless-vulkan/references-kept-imports "$kept reference surfaces read in place, $copied copied, over the contexts that closed"
			else
				fail stateless-vulkan/references-kept-imports "no reference read through a kept import ($kept in place, $copied copied): $(grep -m1 'reference CAPTURE' "$slog")"
			fi
			unset VK_ICD_FILENAMES MESA_SHADER_CACHE_DIR LP_NATIVE_VECTOR_WIDTH
			restore_job_timeout
		fi
		if [ $backend = cpu ]; then
			# Seek: the whole clip, then its tail from a mid-stream key frame,
			# through one decoder (concat): the context resumes at the key frame.
			# Always-pads parsers, so concat's pads are requested in this order
			# (parsebin's delayed pads put the tail first now and then).
			if [ -f "$SL/seek-tail.ivf" ]; then
				if r=$(gst_compare sl-seek "$SL/seek-full.ivf.framemd5" "$SL/seek-tail.ivf.framemd5" -- \
					filesrc location="$SL/seek-full.ivf" ! ivfparse ! vp9parse ! c.sink_0 \
					filesrc location="$SL/seek-tail.ivf" ! ivfparse ! vp9parse ! c.sink_1 concat name=c !); then
					pass stateless-cpu/seek-to-key-frame "$r"
				else
					fail stateless-cpu/seek-to-key-frame "$r"
				fi
			else
				skip stateless-cpu/seek-to-key-frame "no $SL/seek-tail.ivf (run make-stateless-clips.sh)"
			fi
			# Dropped frames: a client that never sends the non-reference frames.
			if [ -f "$SL/tl-dropped.ivf" ]; then
				for c in tl tl-dropped; do
					if r=$(gst_compare "sl-$c" "$SL/$c.ivf.framemd5" -- filesrc location="$SL/$c.ivf" ! parsebin !); then
						pass "stateless-cpu/$c" "$r"
					else
						fail "stateless-cpu/$c" "$r"
					fi
				done
			else
				skip stateless-cpu/tl-dropped "no $SL/tl-dropped.ivf (run make-stateless-clips.sh)"
			fi
			# Two clients at once: a 1080p one and a small one; the small
			# one's per-frame decode time while the big one runs is reported,
			# not asserted. Both clips have host-made framemd5s (no reference
			# decode in the guest delays either start). The small client
			# (176x144, 150 frames, paced at one frame per 300 ms) reads a
			# pipe. GStreamer waits at most 1 s for a request, so the
			# emulated CPU's busiest moments are kept apart: under KVM the
			# pipe is fed once the big key frame is decoded; under TCG it is
			# fed at once and the big client starts after the small one's
			# first frames, so that the small client's start-up (parsing,
			# negotiation, buffers: it made the big client's frames slow
			# when it came after the key frame) is over. What a 1080p frame
			# takes beside the small client is in docs/perf-log/2026-12.md.
			# The daemon log proves the overlap: the test
			# fails when no small frame was decoded between the big client's
			# first and last frame.
			big=$SL/vp9-1920x1080.ivf small=$SL/small-long.ivf
			dims_of "$big.framemd5"
			bdims=${W}x$H
			dims_of "$small.framemd5"
			sdims=${W}x$H
			after_key=1
			[ $UNDER_TCG = 1 ] && after_key=0
			nlog=$(wc -l <"$slog")
			# The daemon log, followed from here (the wait below counts the
			# small client's frames without rereading the whole log).
			exec {logfd}<"$slog"
			COUNT=0 FOLLOW_PART=
			follow_count $logfd "VP9 $sdims "
			small_before=$COUNT
			# The small client first: its pipeline comes up (tens of seconds
			# of process start under TCG) and waits on an empty pipe, so that
			# it takes no CPU from the big client's start and key frame.
			( r=$( {
					# Wait for the big key frame in the daemon log: one tail
					# process and shell builtins (a fork per poll would take the
					# emulated CPU from the key frame).
					[ $after_key = 1 ] && timeout -k 5 300 tail -n +"$((nlog + 1))" -f "$slog" | while IFS= read -r l; do
						case $l in *"VP9 $bdims intra frame"*"decoded in"*) break ;; esac
					done
					cat "$small"
				} | SRC_STDIN=1 GST_QUIET='' decode_and_compare sl-two-small "$small" "identity sleep-time=300000 !"); rc=$?
				echo "$r" >"$WORK/sl-two-small.result"; exit $rc ) &
			psmall=$!
			for ((i = 0; i < 600; i++)); do
				if [ $after_key = 1 ]; then
					has "$LOGS/gst-sl-two-small.txt" PREROLLING && break
				else
					follow_count $logfd "VP9 $sdims "
					[ "$COUNT" -ge $((small_before + 5)) ] && break
				fi
				kill -0 $psmall 2>/dev/null || break
				nap 0.5
			done
			exec {logfd}<&-
			( r=$(decode_and_compare sl-two-big "$big"); rc=$?; echo "$r" >"$WORK/sl-two-big.result"; exit $rc ) &
			pbig=$!
			two_ok=1
			wait $pbig || two_ok=0
			wait $psmall || two_ok=0
			# Small frames decoded while the big context was decoding, and
			# their decode times.
			lat=$(tail -n +"$((nlog + 1))" "$slog" | awk -v big="VP9 $bdims " -v small="VP9 $sdims " '
				function ms(t, a) { split(t, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
				/ decoded in / {
					t = ms($1)
					if (index($0, big)) { if (!bf) bf = t; bl = t }
					else if (index($0, small)) { n++; st[n] = t; sd[n] = $(NF - 1) + 0 }
				}
				END {
					for (i = 1; i <= n; i++) if (bf && st[i] >= bf && st[i] <= bl) d[++k] = sd[i]
					for (i = 2; i <= k; i++) { v = d[i]; for (j = i - 1; j >= 1 && d[j] > v; j--) d[j + 1] = d[j]; d[j + 1] = v }
					if (k) printf "%d of %d frames: min %.1f median %.1f max %.1f ms", k, n, d[1], d[int((k + 1) / 2)], d[k]
					else printf "0 of %d frames", n
				}')
			if [ $two_ok = 1 ] && [ "${lat#0 of}" = "$lat" ]; then
				pass stateless-cpu/two-clients "$bdims: $(cat "$WORK/sl-two-big.result"); $sdims: $(cat "$WORK/sl-two-small.result"); $sdims decode per frame while $bdims was decoding: $lat"
			elif [ $two_ok = 1 ]; then
				fail stateless-cpu/two-clients "both bit-exact, but they did not overlap: $sdims $lat decoded while $bdims was decoding"
			else
				fail stateless-cpu/two-clients "$bdims: $(cat "$WORK/sl-two-big.result"); $sdims: $(cat "$WORK/sl-two-small.result")"
			fi
		fi
		# The daemon dying or hanging under a player, with our decoder (a
		# Vulkan daemon's restart would compile its pipelines again).
		if [ $backend = cpu ]; then
			kill_midstream stateless-cpu/daemon-sigkill KILL "$slog"
			[ -n "$DAEMON_PID" ] && kill_midstream stateless-cpu/daemon-sigstop STOP "$slog.restarted"
		fi
		stop_daemon || fail "stateless-$backend/daemon-exit" "daemon did not exit 0 on SIGTERM (log $slog)"
	done
	DAEMON_ARGS=$saved_args
fi

# --- GStreamer 1.26 (group gst126) ------------------------------------------------
# The GStreamer a current distribution ships (Debian 13: 1.26), built from
# source on the host (tests/clients/build-gstreamer.sh, run by run.sh), with
# only its own plugins (GST_PLUGIN_SYSTEM_PATH, a registry of its own: none
# of the host's 1.22 plugins mixed in). Per decoder of the daemon, CPU
# backend, daedalus-gst-md5 (built against 1.22, run on 1.26's libraries)
# names the v4l2sl element itself, so there is no software fallback to
# pass by: VP9, with resize-inter, whose inter frames change the frame
# size (GStreamer >= 1.25.1 renegotiates without STREAMOFF and reallocates
# CAPTURE buffers, with VIDIOC_REMOVE_BUFS: docs/kernel.md; --decoder
# daedalus reads each reference in the layout it was written with), and
# H.264 (--decoder daedalus sends H.264 to libavcodec as well), and AV1
# through v4l2slav1dec (both daemon decoders: the frame header rebuilt from
# the controls, daemon/bridge/av1_frame_header.*): tiles, a key frame in the
# middle, hidden frames shown again, an odd size, an SVT-AV1 stream
# (skipped under TCG with AVX2: see below).
G=${DAEDALUS_GST126_PREFIX:-}
GST126_SKIP=${DAEDALUS_GST126_SKIP:-no GStreamer 1.26 build (tests/clients/build-gstreamer.sh)}
gst126=(env GST_PLUGIN_SYSTEM_PATH="$G/lib/gstreamer-1.0" GST_PLUGIN_PATH=
	GST_PLUGIN_SCANNER="$G/libexec/gstreamer-1.0/gst-plugin-scanner"
	GST_REGISTRY="$WORK/gst126-registry.bin" LD_LIBRARY_PATH="$G/lib")
if want gst126; then
	[ -n "$DAEMON_PID" ] && stop_daemon
	saved_args=$DAEMON_ARGS
	if [ -z "$G" ]; then
		skip gst126 "$GST126_SKIP"
	elif [ ! -x "${GST_MD5:-}" ]; then
		fail gst126 "no daedalus-gst-md5 in the build (libgstreamer1.0-dev missing?)"
	else
		ver=$("${gst126[@]}" "$G/bin/gst-inspect-1.0" --version 2>&1 | sed -n 's/^GStreamer //p')
		for decoder in ffmpeg daedalus; do
			name=gst126/$decoder
			DAEMON_ARGS="--decoder $decoder --backend cpu"
			if ! start_daemon "$LOGS/daemon-gst126-$decoder.txt"; then
				fail "$name/daemon-start" "$START_ERR"
				continue
			fi
			# Elements register per device when the plugin scans: scan
			# with the module loaded, in this registry.
			rm -f "$WORK/gst126-registry.bin"
			"${gst126[@]}" "$G/bin/gst-inspect-1.0" v4l2codecs >"$LOGS/gst126-inspect.txt" 2>&1
			els=(v4l2slvp9dec v4l2slav1dec)
			[ $decoder = ffmpeg ] && els+=(v4l2slh264dec)
			missing=()
			for el in "${els[@]}"; do grep -q "$el" "$LOGS/gst126-inspect.txt" || missing+=("$el"); done
			if [ "${ver#1.26}" = "$ver" ]; then
				fail "$name/registered" "gst-inspect-1.0 of $G is GStreamer '$ver', not 1.26"
			elif [ ${#missing[@]} -gt 0 ]; then
				fail "$name/registered" "${missing[*]} not registered for our device by GStreamer $ver (log $LOGS/gst126-inspect.txt)"
			else
				pass "$name/registered" "GStreamer $ver: ${els[*]}"
			fi
			for el in v4l2slvp9dec v4l2slh264dec v4l2slav1dec; do
				clips=()
				case $el in
				v4l2slvp9dec) clips=("$(clip vp9-small)" "$SL/resize-inter.ivf") ;;
				v4l2slh264dec) [ $decoder = ffmpeg ] && clips=("$(clip h264-small)") ;;
				v4l2slav1dec)
					# QEMU 7.2's TCG emulates AVX2's vpgatherdq wrongly: libdav1d's
					# AVX2 code faults in it (segfault at the gather, 2 GiB off),
					# so under TCG AV1 decodes only on a CPU model without AVX2.
					if grep -q 'QEMU TCG' /proc/cpuinfo && grep -qw avx2 /proc/cpuinfo; then
						skip "$name/v4l2slav1dec" "TCG with AVX2: libdav1d faults in QEMU 7.2's vpgatherdq; run with DAEDALUS_VM_CPU=max,-avx2"
						continue
					fi
					clips=("$SL/av1-tiles-352x288.ivf" "$SL/av1-208x120.ivf" "$SL/av1-svt-320x240.ivf") ;;
				esac
				[ ${#clips[@]} -gt 0 ] || continue
				log=$LOGS/gst126-$decoder-$el.txt
				"${gst126[@]}" "$GST_MD5" --timeout 120 --decoder "$el" "${clips[@]}" >"$log" 2>&1
				rc=$? seen=0
				while read -r st rest; do
					case $st in
					PASS) pass "$name/${rest%%:*}" "${rest#*: }"; seen=$((seen + 1)) ;;
					FAIL | SKIP) fail "$name/${rest%%:*}" "${rest#*: }"; seen=$((seen + 1)) ;;
					esac
				done <"$log"
				if [ $rc != 0 ] && [ $seen = 0 ]; then
					fail "$name/$el" "daedalus-gst-md5 exit $rc: $(tail -n 2 "$log" | tr '\n' ' ')"
				fi
			done
			stop_daemon || fail "$name/daemon-exit" "daemon did not exit 0 on SIGTERM"
		done
	fi
	DAEMON_ARGS=$saved_args
fi


# --- Fluster (group fluster, only when named) -----------------------------------
# Fluster's GStreamer V4L2 stateless decoders (GStreamer 1.26 above, its
# videocodectestsink md5 of each stream's yuv420p output) over the suites
# tests/clients/fluster-suites.sh made on the host: JVT-AVC_V1's vectors
# that cisco/openh264 carries, through --decoder ffmpeg, and the VP9 corpus
# and the AV1 clips through --decoder daedalus (AV1 goes to the reference
# decoder there too), CPU backend, 300 s per vector (JVT's 1700-frame
# LS_SVA_D needs more than 120 s under TCG). The score is the result
# (docs/conformance.md); it fails when Fluster does not run or passes none.
if want fluster; then
	[ -n "$DAEMON_PID" ] && stop_daemon
	saved_args=$DAEMON_ARGS
	F=${DAEDALUS_FLUSTER_DIR:-}
	if [ -z "$G" ]; then
		skip fluster "$GST126_SKIP"
	elif [ -z "$F" ]; then
		skip fluster "no Fluster suites (tests/clients/fluster-suites.sh: fluster not installed, or no streams)"
	else
		for spec in "ffmpeg GStreamer-H.264-V4L2SL-Gst1.0 h264/JVT-AVC_V1" \
			"daedalus GStreamer-VP9-V4L2SL-Gst1.0 vp9/DAEDALUS-VP9" \
			"daedalus GStreamer-AV1-V4L2SL-Gst1.0 av1/DAEDALUS-AV1"; do
			read -r decoder fdec suite <<<"$spec"
			[ -f "$F/test_suites/$suite.json" ] || continue
			suite=${suite#*/}
			name=fluster/$suite
			DAEMON_ARGS="--decoder $decoder --backend cpu"
			if ! start_daemon "$LOGS/daemon-fluster-$suite.txt"; then
				fail "$name" "$START_ERR"
				continue
			fi
			now_ms
			t0=$NOW_MS
			"${gst126[@]}" PATH="$G/bin:$PATH" timeout -k 10 1500 fluster -ne -r "$F/resources" \
				-tsd "$F/test_suites" -o "$WORK/fluster-out" run -j 2 -t 300 -th 1 -d "$fdec" -ts "$suite" \
				-s -so "$LOGS/fluster-$suite.md" >"$LOGS/fluster-$suite.txt" 2>&1
			rc=$?
			now_ms
			score=$(sed -n 's/^|TOTAL|\([0-9]*\/[0-9]*\)|$/\1/p' "$LOGS/fluster-$suite.md" 2>/dev/null | head -n 1)
			r="$fdec, daemon --decoder $decoder --backend cpu: ${score:-no score} in $(( (NOW_MS - t0) / 1000 )) s (log $LOGS/fluster-$suite.md)"
			# -th 1: exit 0 once a vector passed (a failed vector is part of
			# the score), 2 when none did.
			if [ $rc = 0 ] && [ -n "$score" ]; then pass "$name" "$r"
			else fail "$name" "fluster exit $rc; $r"; fi
			stop_daemon || fail "$name/daemon-exit" "daemon did not exit 0 on SIGTERM"
		done
	fi
	DAEMON_ARGS=$saved_args
fi

# --- FFmpeg's v4l2-request hwaccel ----------------------------------------------
if want ffmpeg; then
	. "$(dirname "${BASH_SOURCE[0]}")/ffmpeg-v4l2request.sh"
	ffmpeg_v4l2request_group
fi

[ $FAILS -eq 0 ]
