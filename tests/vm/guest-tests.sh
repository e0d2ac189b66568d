#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Tests run INSIDE the daedalus test VM (started by tests/vm/guest-init.sh,
# chrooted into the host's root filesystem, so all host tools are available).
# Every test prints one line on the console, "daedalus-vm: PASS|FAIL|SKIP name
# - reason", and appends "PASS|FAIL|SKIP name: reason" to results.txt in the
# results share.  Full tool output goes to logs/ there.  Exit code: 0 when no
# test failed, 1 otherwise.
#
# Order: kmemleak baseline; visl (harness self-check + v4l2-compliance
# baseline); our module (compliance compared with visl's, GStreamer element
# registration, tests/vm/guest/run-kernel-tests.sh, decode through the daemon);
# module unload; kmemleak scan; dmesg dump.
set -u

. /tmp/daedalus-results/guest-env.sh
R=${DAEDALUS_RESULTS:-/tmp/daedalus-results}
LOGS="$R/logs"
mkdir -p "$LOGS"
: >"$R/results.txt"
cd /tmp || exit 1

KMEMLEAK=/sys/kernel/debug/kmemleak
MODROOT=/tmp/modroot
FAILS=0
VISL_VIDEO="" VISL_MEDIA="" OUR_VIDEO="" OUR_MEDIA=""

# report STATUS NAME [REASON]
report() {
	local status=$1 name=$2 reason=${3:-}
	# Paths in the results share, relative to the run directory the host prints.
	reason=${reason//$R\//results/}
	echo "$status $name${reason:+: $reason}" >>"$R/results.txt"
	echo "daedalus-vm: $status $name${reason:+ - $reason}"
	[ "$status" = FAIL ] && FAILS=$((FAILS + 1))
	return 0
}

# detail TEXT: an indented line under the last reported test.
detail() {
	echo "  $*" >>"$R/results.txt"
	echo "daedalus-vm:     $*"
}

# details FILE: one detail line per "name<TAB>reason" line.
details() {
	local name reason
	while IFS=$'\t' read -r name reason; do
		detail "- $name: $reason"
	done <"$1"
}

# want NAME: is NAME selected by DAEDALUS_VM_TESTS (space-separated globs)?
want() {
	[ -z "${DAEDALUS_VM_TESTS:-}" ] && return 0
	local g
	for g in $DAEDALUS_VM_TESTS; do
		# shellcheck disable=SC2053
		[[ $1 == $g ]] && return 0
	done
	return 1
}

# video_by_driver DRIVER-PREFIX: first /dev/videoN whose VIDIOC_QUERYCAP
# driver name starts with the prefix.
video_by_driver() {
	local dev drv
	for dev in /dev/video*; do
		[ -e "$dev" ] || continue
		drv=$(v4l2-ctl -d "$dev" --info 2>/dev/null | sed -n 's/^\s*Driver name\s*:\s*//p' | head -n1)
		case "$drv" in "$1"*) echo "$dev"; return 0 ;; esac
	done
	return 1
}

# media_by_driver DRIVER-PREFIX: first /dev/mediaN whose MEDIA_IOC_DEVICE_INFO
# driver starts with the prefix.
media_by_driver() {
	local dev drv
	for dev in /dev/media*; do
		[ -e "$dev" ] || continue
		drv=$(media-ctl -d "$dev" -p 2>/dev/null | sed -n 's/^driver\s\+//p' | head -n1)
		case "$drv" in "$1"*) echo "$dev"; return 0 ;; esac
	done
	return 1
}

# wait_for CMD...: retry for up to 5 s (device nodes appear asynchronously).
wait_for() {
	local _
	for _ in $(seq 50); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# compliance LABEL ARGS...: run v4l2-compliance, write LABEL.fails with one
# "test name<TAB>reasons" line per failed test.  Returns 0 when the tool ran to
# completion (whatever the failures), 1 when it crashed or hung.
compliance() {
	local label=$1; shift
	local out="$LOGS/compliance-$label.txt"
	timeout -k 5 180 v4l2-compliance "$@" >"$out" 2>&1
	local rc=$?
	awk '
		/^[[:space:]]*fail: / { s = $0; sub(/^[[:space:]]*fail: /, "", s); r = r (r == "" ? "" : "; ") s; next }
		/^[[:space:]]*test .*: FAIL/ {
			n = $0; sub(/^[[:space:]]*test /, "", n); sub(/: FAIL.*/, "", n)
			print n "\t" (r == "" ? "no reason printed" : r); r = ""; next }
		/^[[:space:]]*test .*: / { r = "" }
	' "$out" | sort -u -t "$(printf '\t')" -k1,1 >"$LOGS/$label.fails"
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		echo "timed out after 180 s" >"$LOGS/$label.error"; return 1
	fi
	if ! grep -qE '^(Grand )?Total for ' "$out"; then
		echo "exit $rc without a 'Total for' summary (crashed?)" >"$LOGS/$label.error"; return 1
	fi
	return 0
}

# compliance_baseline LABEL ARGS...: visl run, passes when the tool completes.
compliance_baseline() {
	local label=$1; shift
	if ! compliance "$label" "$@"; then
		report FAIL "$label" "v4l2-compliance $*: $(cat "$LOGS/$label.error"), log $LOGS/compliance-$label.txt"
		return
	fi
	local total
	total=$(grep -E '^(Grand )?Total for ' "$LOGS/compliance-$label.txt" | tail -n1)
	report PASS "$label" "$total; $(wc -l <"$LOGS/$label.fails") baseline failure(s) recorded"
	details "$LOGS/$label.fails"
}

# compliance_vs_visl LABEL BASELINE-LABEL ARGS...: our device; passes when every
# failure also occurs on visl with the same kernel and v4l2-compliance.
compliance_vs_visl() {
	local label=$1 base=$2; shift 2
	if ! compliance "$label" "$@"; then
		report FAIL "$label" "v4l2-compliance $*: $(cat "$LOGS/$label.error"), log $LOGS/compliance-$label.txt"
		return
	fi
	local new="$LOGS/$label.new-fails" total
	total=$(grep -E '^(Grand )?Total for ' "$LOGS/compliance-$label.txt" | tail -n1)
	if [ -f "$LOGS/$base.fails" ]; then
		awk -F'\t' 'NR == FNR { known[$1] = 1; next } !($1 in known)' "$LOGS/$base.fails" "$LOGS/$label.fails" >"$new"
	else
		cp "$LOGS/$label.fails" "$new"
		total="$total (no visl baseline available: every failure counts)"
	fi
	local n_new n_all
	n_new=$(wc -l <"$new")
	n_all=$(wc -l <"$LOGS/$label.fails")
	if [ "$n_new" -gt 0 ]; then
		report FAIL "$label" "$total; $n_new failure(s) visl does not have (log $LOGS/compliance-$label.txt)"
		details "$new"
	else
		report PASS "$label" "$total; $n_all failure(s), all shared with visl"
	fi
	if [ "$n_all" -gt "$n_new" ]; then
		detail "also failing on visl (not counted):"
		awk -F'\t' 'NR == FNR { known[$1] = 1; next } ($1 in known)' "$LOGS/$base.fails" "$LOGS/$label.fails" >"$LOGS/$label.shared-fails"
		details "$LOGS/$label.shared-fails"
	fi
}

# gst_has_vp9 LABEL: v4l2codecs registers v4l2slvp9dec for the present device.
# Element registration happens at plugin scan, so every check uses a fresh
# registry in /tmp (the host's ~/.cache is read-only here anyway).
gst_has_vp9() {
	local label=$1 out="$LOGS/gst-inspect-$1.txt"
	GST_REGISTRY="/tmp/gst-registry-$label.bin" timeout -k 5 300 gst-inspect-1.0 v4l2codecs >"$out" 2>&1
	if grep -q 'v4l2slvp9dec' "$out"; then
		report PASS "$label" "$(grep -o 'v4l2sl[a-z0-9]*dec' "$out" | sort -u | tr '\n' ' ')"
	else
		report FAIL "$label" "gst-inspect-1.0 v4l2codecs lists no v4l2slvp9dec (log $out; empty log = timed out)"
	fi
}

# ---------------------------------------------------------------------------------
echo "daedalus-vm: guest tests on $(uname -r), $(v4l2-compliance --version 2>&1 | head -n1)"

# GStreamer: scanning all ~250 host plugins over 9p takes minutes under TCG +
# KASAN (gst-inspect timed out), so register only what the tests use.  The
# daemon tests inherit this; DAEDALUS_GST_ALL_PLUGINS=1 scans everything.
if [ "${DAEDALUS_GST_ALL_PLUGINS:-0}" != 1 ]; then
	gst_sysdir=$(dirname "$(ls /usr/lib/*/gstreamer-1.0/libgstcoreelements.so 2>/dev/null | head -n1)")
	mkdir -p /tmp/gst-plugins
	for p in coreelements typefindfunctions playback videoparsersbad matroska ivfparse isomp4 \
		v4l2codecs videoconvertscale videotestsrc app debugutilsbad rawparse multifile pbtypes \
		audioparsers; do
		[ -f "$gst_sysdir/libgst$p.so" ] && ln -sf "$gst_sysdir/libgst$p.so" /tmp/gst-plugins/
	done
	export GST_PLUGIN_SYSTEM_PATH=/tmp/gst-plugins
fi

# A private module tree: the cached one plus our module, with fresh depmod
# data, so modprobe resolves videobuf2/v4l2-mem2mem dependencies for both.
cp -a "$DAEDALUS_KERNEL_DIR/modroot" "$MODROOT"
if [ -n "$DAEDALUS_MODULE_KO" ]; then
	mkdir -p "$MODROOT/lib/modules/$DAEDALUS_KREL/extra"
	cp "$DAEDALUS_MODULE_KO" "$MODROOT/lib/modules/$DAEDALUS_KREL/extra/"
fi
depmod -b "$MODROOT" "$DAEDALUS_KREL"

# kmemleak: forget what boot left behind, so the final scan shows only leaks
# from the tests.  (Automatic scanning is off in the test kernel.)
KMEMLEAK_OK=0
if [ -w "$KMEMLEAK" ]; then
	echo scan >"$KMEMLEAK" && echo clear >"$KMEMLEAK" && KMEMLEAK_OK=1
fi

# Extra environment for the tests (DAEDALUS_VM_GUEST_ENV on the host).
for kv in ${DAEDALUS_VM_GUEST_ENV:-}; do
	export "${kv?}"
done

# --- lavapipe in the guest: the Vulkan backend's warm-up under validation -------
# The same test the host runs, here on the emulated CPU: lavapipe JITs for
# the CPU it sees, so this tells a guest-only driver fault from a daemon or
# bridge problem (issue #5). Only when named in DAEDALUS_VM_TESTS: it takes
# minutes under TCG, and the daemon's stateless-vulkan group runs the same
# warm-up (without the validation layer) on every run.
if [ -n "${DAEDALUS_VM_TESTS:-}" ] && want vulkan-warm-up; then
	vbt=$DAEDALUS_BUILD_DIR/tests/unit/vulkan/vulkan_backend_test
	lvp=$(ls /usr/share/vulkan/icd.d/lvp_icd*.json 2>/dev/null | head -n1)
	if [ ! -x "$vbt" ] || [ -z "$lvp" ]; then
		report SKIP vulkan-warm-up "no $vbt or no lavapipe ICD"
	else
		t0=$(date +%s)
		VK_ICD_FILENAMES=$lvp XDG_RUNTIME_DIR=/tmp DAEDALUS_VK_VALIDATION=1 \
			timeout -k 5 900 "$vbt" --gtest_filter='VulkanBackend.WarmUp*' \
			>"$LOGS/vulkan-warm-up.txt" 2>&1
		rc=$?
		if [ $rc = 0 ]; then
			report PASS vulkan-warm-up "backend created and warmed up under validation in $(( $(date +%s) - t0 )) s on$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2-)"
		else
			report FAIL vulkan-warm-up "rc $rc after $(( $(date +%s) - t0 )) s: $(grep -m3 -E 'Failure|error|Segmentation|signal' "$LOGS/vulkan-warm-up.txt" | tr '\n' ' ')"
		fi
	fi
fi

# DAEDALUS_VM_SCRIPT (passed with DAEDALUS_VM_GUEST_ENV): a script of the
# host tree to run here before the other tests, e.g. to time something in
# the emulated guest. Its output goes to logs/script.txt.
if [ -n "${DAEDALUS_VM_SCRIPT:-}" ]; then
	if timeout -k 5 900 bash "$DAEDALUS_VM_SCRIPT" >"$LOGS/script.txt" 2>&1; then
		report PASS script "$DAEDALUS_VM_SCRIPT, log $LOGS/script.txt"
	else
		report FAIL script "$DAEDALUS_VM_SCRIPT exited $?, log $LOGS/script.txt"
	fi
fi

# Opt-in (only when named in DAEDALUS_VM_TESTS): per-frame, per-stage times
# of the Vulkan backend on lavapipe in this guest (daedalus-decode
# --profile, no V4L2), with the guest settings of the stateless group.
if [ -n "${DAEDALUS_VM_TESTS:-}" ] && want vulkan-profile; then
	dec=$DAEDALUS_BUILD_DIR/tools/decode/daedalus-decode
	lvp=$(ls /usr/share/vulkan/icd.d/lvp_icd*.json 2>/dev/null | head -n1)
	if [ ! -x "$dec" ] || [ -z "$lvp" ] || [ -z "${DAEDALUS_CORPUS_DIR:-}" ]; then
		report SKIP vulkan-profile "no $dec, lavapipe ICD or corpus"
	else
		for c in vp9-98x66 vp9-352x288; do
			f=$DAEDALUS_CORPUS_DIR/$c.ivf
			[ -f "$f" ] || continue
			t0=$(date +%s)
			env VK_ICD_FILENAMES=$lvp XDG_RUNTIME_DIR=/tmp MESA_SHADER_CACHE_DIR=/tmp/mesa-shader-cache \
				timeout -k 5 900 "$dec" "$f" --decoder daedalus --backend vulkan \
				--profile --md5 >/dev/null 2>"$LOGS/vulkan-profile-$c.txt"
			rc=$?
			# Medians over the packets after the first two (shader compiles).
			sum=
			for k in total residual.gpu inter_pred.gpu intra_recon.gpu loop_filter.gpu; do
				m=$(awk '/^profile packet/ && $3 >= 2' "$LOGS/vulkan-profile-$c.txt" | grep -o " $k  *[0-9.]*" |
					awk '{ print $2 }' | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }')
				sum="$sum$k ${m:-n/a} "
			done
			if [ $rc = 0 ]; then
				report PASS "vulkan-profile-$c" "$(( $(date +%s) - t0 )) s; medians (ms): $sum"
			else
				report FAIL "vulkan-profile-$c" "rc $rc: $(tail -n 2 "$LOGS/vulkan-profile-$c.txt" | tr '\n' ' ')"
			fi
		done
	fi
fi

# --- visl: proves the harness and gives the compliance baseline -----------------
if modprobe -d "$MODROOT" visl 2>"$LOGS/visl-load.txt" && wait_for video_by_driver visl >/dev/null; then
	VISL_VIDEO=$(video_by_driver visl)
	VISL_MEDIA=$(media_by_driver visl)
	report PASS visl-load "$VISL_VIDEO ${VISL_MEDIA:-(no media node)}"
else
	report FAIL visl-load "modprobe visl: $(tr '\n' ' ' <"$LOGS/visl-load.txt")"
fi
if [ -n "$VISL_VIDEO" ]; then
	# The module's compliance tests need visl's failures as their baseline.
	if want visl-compliance-video || { [ -n "$DAEDALUS_MODULE_KO" ] && want module-compliance-video; }; then
		compliance_baseline visl-compliance-video -d "$VISL_VIDEO"
	fi
	if [ -n "$VISL_MEDIA" ]; then
		if want visl-compliance-media || { [ -n "$DAEDALUS_MODULE_KO" ] && want module-compliance-media; }; then
			compliance_baseline visl-compliance-media -m "$VISL_MEDIA"
		fi
	else
		report FAIL visl-compliance-media "visl registered no /dev/media node"
	fi
	want gst-v4l2codecs-visl && gst_has_vp9 gst-v4l2codecs-visl
	# Unload so that our device is the only stateless decoder left (GStreamer
	# names only the first device's elements plainly v4l2slvp9dec).
	if rmmod visl 2>"$LOGS/visl-unload.txt"; then
		report PASS visl-unload
	else
		report FAIL visl-unload "$(tr '\n' ' ' <"$LOGS/visl-unload.txt")"
	fi
fi

# --- our module ---------------------------------------------------------------------
MODNAME=daedalus_v4l2
if [ -z "$DAEDALUS_MODULE_KO" ]; then
	for t in module-load module-compliance-video module-compliance-media gst-v4l2codecs-daedalus kernel-tests daemon-tests module-unload; do
		want "$t" && report SKIP "$t" "kernel/daedalus_v4l2.ko not built (no kernel/Makefile yet, or build failed)"
	done
else
	if modprobe -d "$MODROOT" "$MODNAME" 2>"$LOGS/module-load.txt"; then
		if wait_for video_by_driver "$DAEDALUS_DRIVER_NAME" >/dev/null; then
			OUR_VIDEO=$(video_by_driver "$DAEDALUS_DRIVER_NAME")
			OUR_MEDIA=$(media_by_driver "$DAEDALUS_DRIVER_NAME")
			report PASS module-load "$OUR_VIDEO ${OUR_MEDIA:-(no media node)}"
		else
			report FAIL module-load "loaded, but no /dev/video* has a driver name starting with '$DAEDALUS_DRIVER_NAME' (set DAEDALUS_DRIVER_NAME?)"
		fi
	else
		report FAIL module-load "modprobe $MODNAME: $(tr '\n' ' ' <"$LOGS/module-load.txt")"
	fi

	if [ -n "$OUR_VIDEO" ]; then
		want module-compliance-video && compliance_vs_visl module-compliance-video visl-compliance-video -d "$OUR_VIDEO"
		if want module-compliance-media; then
			if [ -n "$OUR_MEDIA" ]; then
				compliance_vs_visl module-compliance-media visl-compliance-media -m "$OUR_MEDIA"
			else
				report FAIL module-compliance-media "no /dev/media* with driver name '$DAEDALUS_DRIVER_NAME*' (the Request API needs a media device)"
			fi
		fi
		want gst-v4l2codecs-daedalus && gst_has_vp9 gst-v4l2codecs-daedalus
	else
		for t in module-compliance-video module-compliance-media gst-v4l2codecs-daedalus; do
			want "$t" && report FAIL "$t" "our device did not appear"
		done
	fi

	# The kernel helper's tests (chardev, no daemon, watchdog, daemon killed,
	# fuzz).  They get the same environment and report PASS/FAIL lines, which
	# are folded into results.txt as kernel/<name>.
	KT="$DAEDALUS_REPO/tests/vm/guest/run-kernel-tests.sh"
	if want kernel-tests; then
		if [ -f "$KT" ]; then
			export DAEDALUS_REPO DAEDALUS_KREL DAEDALUS_MODULE_KO DAEDALUS_DAEMON DAEDALUS_DAEMON_ARGS \
				DAEDALUS_BUILD_DIR DAEDALUS_DRIVER_NAME DAEDALUS_RESULTS=$R DAEDALUS_MODROOT=$MODROOT \
				DAEDALUS_VIDEO=$OUR_VIDEO DAEDALUS_MEDIA=$OUR_MEDIA
			timeout -k 10 600 bash "$KT" >"$LOGS/kernel-tests.txt" 2>&1
			rc=$?
			while IFS= read -r line; do
				case "$line" in
					PASS\ *|FAIL\ *|SKIP\ *) report "${line%% *}" "kernel/${line#* }" ;;
				esac
			done <"$LOGS/kernel-tests.txt"
			case $rc in
				0) report PASS kernel-tests "log $LOGS/kernel-tests.txt" ;;
				124|137) report FAIL kernel-tests "timed out after 600 s, log $LOGS/kernel-tests.txt" ;;
				*) report FAIL kernel-tests "exit $rc, log $LOGS/kernel-tests.txt" ;;
			esac
			# The tests may leave the module unloaded; put it back for the rest.
			grep -q "^$MODNAME " /proc/modules || modprobe -d "$MODROOT" "$MODNAME"
		else
			report SKIP kernel-tests "tests/vm/guest/run-kernel-tests.sh does not exist yet"
		fi
	fi

	# The daemon side's tests (tests/vm/daemon/run-daemon-tests.sh: per-frame
	# md5 decode, concurrency, SIGKILL/SIGTERM).  Folded in like the kernel
	# tests, as daemon/<name>.
	DT="$DAEDALUS_REPO/tests/vm/daemon/run-daemon-tests.sh"
	if [ -f "$DT" ] && want daemon-tests; then
		if [ ! -x "$DAEDALUS_DAEMON" ]; then
			report SKIP daemon-tests "daemon $DAEDALUS_DAEMON not built (set DAEDALUS_BUILD_DIR)"
		elif [ -z "$OUR_VIDEO" ]; then
			report FAIL daemon-tests "our device did not appear"
		else
			[ -n "${DAEDALUS_DAEMON_TESTS:-}" ] && export DAEDALUS_DAEMON_TESTS
			export DAEDALUS_FFMPEG_V4L2REQUEST DAEDALUS_FFMPEG_V4L2REQUEST_SKIP
			[ -n "${DAEDALUS_STATELESS_BACKENDS:-}" ] && export DAEDALUS_STATELESS_BACKENDS
			export DAEDALUS_GST126_PREFIX DAEDALUS_GST126_SKIP DAEDALUS_FLUSTER_DIR
			export DAEDALUS_REPO DAEDALUS_KREL DAEDALUS_MODULE_KO DAEDALUS_DAEMON DAEDALUS_DAEMON_ARGS \
				DAEDALUS_BUILD_DIR DAEDALUS_DRIVER_NAME DAEDALUS_RESULTS=$R DAEDALUS_MODROOT=$MODROOT \
				DAEDALUS_VIDEO=$OUR_VIDEO DAEDALUS_MEDIA=$OUR_MEDIA
			timeout -k 10 2100 bash "$DT" >"$LOGS/daemon-tests.txt" 2>&1
			rc=$?
			while IFS= read -r line; do
				case "$line" in
					PASS\ *|FAIL\ *|SKIP\ *) report "${line%% *}" "daemon/${line#* }" ;;
				esac
			done <"$LOGS/daemon-tests.txt"
			case $rc in
				0) report PASS daemon-tests "log $LOGS/daemon-tests.txt" ;;
				124|137) report FAIL daemon-tests "timed out after 2100 s, log $LOGS/daemon-tests.txt" ;;
				*) report FAIL daemon-tests "exit $rc, log $LOGS/daemon-tests.txt" ;;
			esac
			grep -q "^$MODNAME " /proc/modules || modprobe -d "$MODROOT" "$MODNAME"
		fi
	fi

	# Decode through module + daemon with GStreamer, whole-output md5 against
	# libavcodec.  Only when the daemon side has no test script of its own.
	if [ ! -f "$DT" ] && want decode; then
		if [ ! -x "$DAEDALUS_DAEMON" ]; then
			report SKIP decode "daemon $DAEDALUS_DAEMON not built (set DAEDALUS_BUILD_DIR)"
		elif [ -z "$OUR_VIDEO" ]; then
			report FAIL decode "our device did not appear"
		else
			# shellcheck disable=SC2086
			"$DAEDALUS_DAEMON" $DAEDALUS_DAEMON_ARGS >"$LOGS/daemon.txt" 2>&1 &
			daemon_pid=$!
			sleep 1
			if ! kill -0 $daemon_pid 2>/dev/null; then
				wait $daemon_pid
				report FAIL decode "daemon exited at start with $?, log $LOGS/daemon.txt"
			else
				n_clips=0
				# corpus.txt (name<TAB>codec<TAB>path) from make-corpus.sh, else
				# whatever VP9 files ffprobe finds in the directory.
				if [ -f "$DAEDALUS_CORPUS_DIR/corpus.txt" ]; then
					clips=$(awk -F'\t' '$2 == "vp9" { print $3 }' "$DAEDALUS_CORPUS_DIR/corpus.txt")
				else
					clips=$(for f in "$DAEDALUS_CORPUS_DIR"/*; do
						[ "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name \
							-of csv=p=0 "$f" 2>/dev/null)" = vp9 ] && echo "$f"; done)
				fi
				for clip in $clips; do
					[ -f "$clip" ] || continue
					n_clips=$((n_clips + 1))
					name="decode-vp9/$(basename "$clip")"
					want "$name" || continue
					want_md5=$(ffmpeg -nostdin -v error -i "$clip" -pix_fmt nv12 -f rawvideo - | md5sum | cut -d' ' -f1)
					out="/tmp/$(basename "$clip").nv12"
					glog="$LOGS/gst-$(basename "$clip").txt"
					if ! GST_REGISTRY=/tmp/gst-registry-gst-v4l2codecs-daedalus.bin timeout -k 5 120 gst-launch-1.0 -q \
						filesrc location="$clip" ! parsebin ! v4l2slvp9dec ! video/x-raw,format=NV12 ! \
						filesink location="$out" >"$glog" 2>&1; then
						report FAIL "$name" "gst-launch-1.0 failed or timed out: $(tail -n 2 "$glog" | tr '\n' ' ')"
					else
						got_md5=$(md5sum <"$out" | cut -d' ' -f1)
						if [ "$got_md5" = "$want_md5" ]; then
							report PASS "$name" "md5 $got_md5 matches libavcodec"
						else
							report FAIL "$name" "md5 $got_md5 != libavcodec $want_md5 ($(stat -c %s "$out") bytes)"
						fi
					fi
					rm -f "$out"
				done
				[ "$n_clips" -gt 0 ] || report FAIL decode "no VP9 clips in '$DAEDALUS_CORPUS_DIR'"
				kill -TERM $daemon_pid 2>/dev/null
				for _ in $(seq 50); do kill -0 $daemon_pid 2>/dev/null || break; sleep 0.1; done
				if kill -0 $daemon_pid 2>/dev/null; then
					kill -KILL $daemon_pid
					report FAIL daemon-exit "daemon ignored SIGTERM for 5 s"
				fi
				wait $daemon_pid 2>/dev/null
			fi
		fi
	fi

	if want module-unload; then
		if ! grep -q "^$MODNAME " /proc/modules; then
			report FAIL module-unload "module is not loaded any more (a test unloaded it and reloading failed)"
		elif rmmod "$MODNAME" 2>"$LOGS/module-unload.txt"; then
			report PASS module-unload
		else
			report FAIL module-unload "$(tr '\n' ' ' <"$LOGS/module-unload.txt") (refcount leak?)"
		fi
	fi
fi

# --- kmemleak --------------------------------------------------------------------------
if want kmemleak; then
	if [ "$KMEMLEAK_OK" != 1 ]; then
		report FAIL kmemleak "$KMEMLEAK not usable (kernel config?)"
	else
		# kmemleak ignores objects younger than 5 s; two scans as the
		# documentation recommends to weed out transient false positives.
		sleep 6
		echo scan >"$KMEMLEAK"
		echo scan >"$KMEMLEAK"
		cat "$KMEMLEAK" >"$R/kmemleak.txt"
		n=$(grep -c '^unreferenced object' "$R/kmemleak.txt")
		if [ "$n" = 0 ]; then
			report PASS kmemleak "no new leaks"
		else
			report FAIL kmemleak "$n unreferenced objects, first: $(grep -m1 -A12 'backtrace' "$R/kmemleak.txt" | grep -m3 -E '\[<' | sed 's/^ *//' | tr '\n' ' '); see $R/kmemleak.txt"
		fi
	fi
fi

dmesg >"$R/dmesg.txt" 2>&1
echo "daedalus-vm: guest tests done, $FAILS failed"
[ "$FAILS" = 0 ]
