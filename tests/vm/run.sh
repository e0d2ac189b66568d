#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Boot the daedalus test kernel in QEMU and run tests/vm/guest-tests.sh inside
# it against visl and (when it exists) kernel/daedalus_v4l2.ko.
#
#   tests/vm/run.sh            # build/reuse kernel + module, boot, test
#
# Exit codes: 0 all tests passed (SKIPs allowed), 1 a test failed or the kernel
# log has a KASAN/lockdep/WARNING/BUG/kmemleak report, 2 the harness itself
# failed (kernel build, QEMU, boot, timeout), 77 this machine lacks what the VM
# needs (qemu, busybox-static, kernel source).  See tests/vm/README.md.
#
# Environment (all optional):
#   DAEDALUS_CACHE          kernel cache root (default ~/.cache/daedalus)
#   DAEDALUS_KERNEL_DIR     use this kernel (a build-kernel.sh cache dir) as is
#   DAEDALUS_BUILD_DIR      CMake build dir holding daemon/bridge/daedalus-daemon
#                           (default <repo>/build)
#   DAEDALUS_VM_OUT         where run directories go (default <repo>/build-vm)
#   DAEDALUS_VM_TIMEOUT     hard limit for the whole VM run in seconds
#                           (default 600 with KVM, 2700 with TCG)
#   DAEDALUS_VM_ACCEL       kvm or tcg (default: kvm when /dev/kvm is usable and
#                           not remembered as too slow, else tcg)
#   DAEDALUS_VM_LOCK_WAIT   seconds to wait for another VM run (default 3600)
#   DAEDALUS_VM_MEM         guest memory (default 2G)
#   DAEDALUS_VM_SMP         guest CPUs (default 2)
#   DAEDALUS_DRIVER_NAME    V4L2 driver name of our device (default daedalus)
#   DAEDALUS_DAEMON_ARGS    extra arguments for the daemon in the decode tests
#   DAEDALUS_VM_CORPUS_SET  clip set for tests/corpus/make-corpus.sh (default quick)
#   DAEDALUS_VM_FULL_CORPUS a make-corpus.sh "all" directory: the stateless
#                           group's alt-ref/tiles clips come from it (CTest
#                           sets it to the build tree's corpus)
#   DAEDALUS_VM_TESTS       space-separated test-name globs to run (default all)
#   DAEDALUS_VM_CPU         TCG guest CPU model (default max,-avx2)
#   DAEDALUS_VM_APPEND      extra guest kernel command line (e.g. kmemleak=off
#                           lockdep.prove_locking=0, to time what they cost)
#   DAEDALUS_VM_GUEST_ENV   space-separated NAME=VALUE pairs exported in the guest
#                           before the tests (e.g. GALLIUM_OVERRIDE_CPU_CAPS=sse4.1)
#   DAEDALUS_DAEMON_TESTS   daemon test groups (see tests/vm/daemon/run-daemon-tests.sh);
#                           with group ffmpeg (a default) this builds or reuses
#                           tests/clients/build-ffmpeg-v4l2request.sh's FFmpeg
#   DAEDALUS_STATELESS_BACKENDS backends of the stateless VP9 group (default "cpu vulkan")
#   DAEDALUS_SKIP_MODULE=1  do not build/load kernel/daedalus_v4l2.ko
set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
OUT_ROOT=${DAEDALUS_VM_OUT:-$REPO/build-vm}
BUILD_DIR=${DAEDALUS_BUILD_DIR:-$REPO/build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$REPO/$BUILD_DIR" ;; esac

log() { printf '[vm %(%H:%M:%S)T] %s\n' -1 "$*"; }
harness_fail() { log "HARNESS ERROR: $*"; exit 2; }

# Exit 77 (CTest SKIP_RETURN_CODE) when this machine cannot run the VM at all.
skip() { log "SKIPPED: $*"; exit 77; }
for tool in qemu-system-x86_64 busybox timeout flock gzip bc make gcc; do
  command -v "$tool" >/dev/null || skip "'$tool' not found: run scripts/setup-debian.sh"
done
[ -f "${DAEDALUS_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}" ] \
  || skip "kernel source tarball missing: run scripts/setup-debian.sh (linux-source-6.12)"
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  skip "$BUSYBOX is dynamically linked: install busybox-static"
fi

# Paths are handed to the guest through a shell-sourced env file; keep them simple.
case "$REPO$BUILD_DIR$OUT_ROOT" in
  *[!A-Za-z0-9_./+-]*) harness_fail "repository/build/output paths must not contain spaces or shell metacharacters" ;;
esac

# --- 1. kernel -------------------------------------------------------------------
if [ -n "${DAEDALUS_KERNEL_DIR:-}" ]; then
  # A kernel built elsewhere (same layout as build-kernel.sh's cache dirs).
  KERNEL_DIR=$DAEDALUS_KERNEL_DIR
  [ -f "$KERNEL_DIR/release" ] && [ -d "$KERNEL_DIR/build" ] \
    || harness_fail "DAEDALUS_KERNEL_DIR=$KERNEL_DIR lacks release or build/"
else
  KERNEL_DIR=$("$SCRIPT_DIR/build-kernel.sh") || harness_fail "kernel build failed"
fi
KREL=$(cat "$KERNEL_DIR/release")
log "kernel $KREL: $KERNEL_DIR/bzImage"

# --- 2. run directory (results share) -------------------------------------------
mkdir -p "$OUT_ROOT"
RUN_DIR=$(mktemp -d "$OUT_ROOT/run-$(date +%Y%m%d-%H%M%S)-XXXX")
RESULTS="$RUN_DIR/results"
mkdir -p "$RESULTS"
ln -sfn "$(basename "$RUN_DIR")" "$OUT_ROOT/latest"
log "run directory: $RUN_DIR"

host_failures=()

# --- 3. our module ------------------------------------------------------------------
MODULE_KO=""
if [ "${DAEDALUS_SKIP_MODULE:-0}" = 1 ]; then
  log "module: skipped (DAEDALUS_SKIP_MODULE=1)"
elif [ ! -f "$REPO/kernel/Makefile" ] && [ ! -f "$REPO/kernel/Kbuild" ]; then
  log "module: kernel/ has no Makefile yet, skipping our module (visl-only run)"
else
  log "module: make -C kernel KDIR=$KERNEL_DIR/build"
  if make -C "$REPO/kernel" KDIR="$KERNEL_DIR/build" -j2 >"$RUN_DIR/module-build.log" 2>&1 \
     && [ -f "$REPO/kernel/daedalus_v4l2.ko" ]; then
    # Copy so that a concurrent rebuild in kernel/ cannot change it under the guest.
    cp "$REPO/kernel/daedalus_v4l2.ko" "$RUN_DIR/daedalus_v4l2.ko"
    MODULE_KO="$RUN_DIR/daedalus_v4l2.ko"
    log "module: built $MODULE_KO"
  else
    tail -n 20 "$RUN_DIR/module-build.log"
    log "module: BUILD FAILED, see $RUN_DIR/module-build.log"
    host_failures+=("module-build: make -C kernel failed (log: $RUN_DIR/module-build.log)")
  fi
fi

# The guest's kernel test programs, built here (static): gcc in the TCG guest
# takes about a minute for them. run-kernel-tests.sh and the daemon tests use
# <repo>/build-ktests when it is newer than the sources, else build their own.
if make -s -C "$REPO/tests/vm/guest" O="$REPO/build-ktests" >"$RUN_DIR/ktests-build.log" 2>&1; then
  log "kernel test programs: built in build-ktests"
else
  log "kernel test programs: host build failed (the guest builds them; log $RUN_DIR/ktests-build.log)"
fi

# --- 4. test clips for the decode tests (only when the daemon exists) --------------
DAEMON="$BUILD_DIR/daemon/bridge/daedalus-daemon"
CORPUS_DIR=""
if [ -x "$DAEMON" ] && [ -n "$MODULE_KO" ]; then
  # Kept across runs: make-corpus.sh only re-makes clips whose settings changed.
  CORPUS_DIR="$OUT_ROOT/corpus"
  mkdir -p "$CORPUS_DIR"
  exec 7>"$OUT_ROOT/corpus.lock"
  flock 7
  if [ -x "$REPO/tests/corpus/make-corpus.sh" ]; then
    log "corpus: tests/corpus/make-corpus.sh $CORPUS_DIR ${DAEDALUS_VM_CORPUS_SET:-quick}"
    "$REPO/tests/corpus/make-corpus.sh" "$CORPUS_DIR" "${DAEDALUS_VM_CORPUS_SET:-quick}" >"$RUN_DIR/corpus.log" 2>&1 \
      || host_failures+=("corpus: make-corpus.sh failed (log: $RUN_DIR/corpus.log)")
  else
    log "corpus: tests/corpus/make-corpus.sh absent, generating one VP9 clip with ffmpeg"
    ffmpeg -nostdin -loglevel error -f lavfi -i testsrc2=size=320x240:rate=30 -frames:v 10 \
      -c:v libvpx-vp9 -b:v 200k -deadline realtime "$CORPUS_DIR/testsrc2-320x240-10f.webm" \
      >"$RUN_DIR/corpus.log" 2>&1 \
      || host_failures+=("corpus: ffmpeg clip generation failed (log: $RUN_DIR/corpus.log)")
  fi
  # The stateless VP9 tests' clips and their libavcodec md5s (TCG guests
  # are too slow to make references themselves); the guest reads them from
  # <repo>/build-vm/stateless-clips.
  log "stateless clips: tests/vm/daemon/make-stateless-clips.sh"
  CORPUS="${DAEDALUS_VM_FULL_CORPUS:-$CORPUS_DIR}" "$REPO/tests/vm/daemon/make-stateless-clips.sh" "$REPO/build-vm/stateless-clips" \
    >"$RUN_DIR/stateless-clips.log" 2>&1 \
    || host_failures+=("stateless clips: make-stateless-clips.sh failed (log: $RUN_DIR/stateless-clips.log)")
  exec 7>&-
  # GStreamer 1.26 for the gst126 and fluster groups, built from source once
  # per machine (tests/clients/build-gstreamer.sh; its time is in
  # tests/vm/README.md). A machine that cannot get the source skips them.
  groups=" ${DAEDALUS_DAEMON_TESTS:-gst126} "
  if [[ $groups == *" gst126 "* || $groups == *" fluster "* ]]; then
    log "GStreamer 1.26: tests/clients/build-gstreamer.sh (log $RUN_DIR/gstreamer-build.log)"
    GST126_PREFIX=$("$REPO/tests/clients/build-gstreamer.sh" 2>"$RUN_DIR/gstreamer-build.log")
    case $? in
      0) log "GStreamer 1.26: $GST126_PREFIX" ;;
      77) GST126_PREFIX=""
          GST126_SKIP=$(tail -n 1 "$RUN_DIR/gstreamer-build.log")
          log "GStreamer 1.26: $GST126_SKIP" ;;
      *) GST126_PREFIX=""
         host_failures+=("gstreamer: build-gstreamer.sh failed (log: $RUN_DIR/gstreamer-build.log)") ;;
    esac
  fi
  if [[ $groups == *" fluster "* ]]; then
    log "fluster suites: tests/clients/fluster-suites.sh $OUT_ROOT/fluster"
    CORPUS="$REPO/build-vm/stateless-clips/corpus" "$REPO/tests/clients/fluster-suites.sh" "$OUT_ROOT/fluster" \
      >/dev/null 2>"$RUN_DIR/fluster-suites.log" && FLUSTER_DIR="$OUT_ROOT/fluster"
  fi
fi

# --- 4b. FFmpeg with the v4l2-request hwaccel, for the daemon tests' group
# "ffmpeg" (built once per machine and cached like the kernel) ------------------
FFMPEG_V4L2REQUEST="" FFMPEG_V4L2REQUEST_SKIP=""
if [ -n "$CORPUS_DIR" ] && [[ " ${DAEDALUS_DAEMON_TESTS:-ffmpeg} " == *" ffmpeg "* ]]; then
  log "ffmpeg v4l2-request: tests/clients/build-ffmpeg-v4l2request.sh"
  if ffdir=$("$REPO/tests/clients/build-ffmpeg-v4l2request.sh" 2>"$RUN_DIR/ffmpeg-v4l2request-build.log"); then
    FFMPEG_V4L2REQUEST="$ffdir/bin/ffmpeg"
    log "ffmpeg v4l2-request: $FFMPEG_V4L2REQUEST ($(cat "$ffdir/.complete"))"
  else
    rc=$?
    FFMPEG_V4L2REQUEST_SKIP="build-ffmpeg-v4l2request.sh: $(grep -m1 -E 'SKIP|ERROR' "$RUN_DIR/ffmpeg-v4l2request-build.log" | sed 's/^\[[^]]*\] //')"
    if [ "$rc" = 77 ]; then
      log "ffmpeg v4l2-request: skipped ($FFMPEG_V4L2REQUEST_SKIP)"
    else
      host_failures+=("ffmpeg v4l2-request: build failed (log: $RUN_DIR/ffmpeg-v4l2request-build.log)")
    fi
  fi
fi

# --- 5. initramfs: static busybox + guest-init.sh ----------------------------------
GEN_CPIO="$KERNEL_DIR/build/usr/gen_init_cpio"
[ -x "$GEN_CPIO" ] || harness_fail "$GEN_CPIO missing (kernel build tree incomplete)"
cat >"$RUN_DIR/initramfs.list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/null 0666 0 0 c 1 3
dir /bin 0755 0 0
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 1777 0 0
dir /host 0755 0 0
dir /results 0755 0 0
file /bin/busybox $BUSYBOX 0755 0 0
file /init $SCRIPT_DIR/guest-init.sh 0755 0 0
EOF
"$GEN_CPIO" "$RUN_DIR/initramfs.list" | gzip -1 >"$RUN_DIR/initramfs.cpio.gz" \
  || harness_fail "could not pack the initramfs"

# --- 6. what the guest needs to know ------------------------------------------------
q() { printf "%q" "$1"; }
cat >"$RESULTS/guest-env.sh" <<EOF
# Written by tests/vm/run.sh for this run; sourced by guest-init.sh and guest-tests.sh.
DAEDALUS_REPO=$(q "$REPO")
DAEDALUS_GUEST_TESTS=$(q "$SCRIPT_DIR/guest-tests.sh")
DAEDALUS_KERNEL_DIR=$(q "$KERNEL_DIR")
DAEDALUS_KREL=$(q "$KREL")
DAEDALUS_MODULE_KO=$(q "$MODULE_KO")
DAEDALUS_BUILD_DIR=$(q "$BUILD_DIR")
DAEDALUS_DAEMON=$(q "$DAEMON")
DAEDALUS_DAEMON_ARGS=$(q "${DAEDALUS_DAEMON_ARGS:-}")
DAEDALUS_DAEMON_TESTS=$(q "${DAEDALUS_DAEMON_TESTS:-}")
DAEDALUS_FFMPEG_V4L2REQUEST=$(q "$FFMPEG_V4L2REQUEST")
DAEDALUS_FFMPEG_V4L2REQUEST_SKIP=$(q "$FFMPEG_V4L2REQUEST_SKIP")
DAEDALUS_STATELESS_BACKENDS=$(q "${DAEDALUS_STATELESS_BACKENDS:-}")
DAEDALUS_GST126_PREFIX=$(q "${GST126_PREFIX:-}")
DAEDALUS_GST126_SKIP=$(q "${GST126_SKIP:-}")
DAEDALUS_FLUSTER_DIR=$(q "${FLUSTER_DIR:-}")
DAEDALUS_CORPUS_DIR=$(q "$CORPUS_DIR")
DAEDALUS_DRIVER_NAME=$(q "${DAEDALUS_DRIVER_NAME:-daedalus}")
DAEDALUS_VM_TESTS=$(q "${DAEDALUS_VM_TESTS:-}")
DAEDALUS_VM_GUEST_ENV=$(q "${DAEDALUS_VM_GUEST_ENV:-}")
EOF

# --- 7. boot --------------------------------------------------------------------------
# One VM at a time on this machine: parallel TCG guests on 2 cores only make
# every run time out.
VM_LOCK="${DAEDALUS_CACHE:-$HOME/.cache/daedalus}/vm.lock"
mkdir -p "$(dirname "$VM_LOCK")"
exec 8>"$VM_LOCK" || harness_fail "cannot open $VM_LOCK"
if ! flock -n 8; then
  log "waiting for another tests/vm/run.sh to finish (one VM at a time; lock $VM_LOCK)"
  flock -w "${DAEDALUS_VM_LOCK_WAIT:-3600}" 8 || harness_fail "gave up waiting for $VM_LOCK"
fi

# KVM when /dev/kvm works, TCG otherwise.  Nested KVM on some hosts runs the
# guest so slowly that it never prints a line; remember that for a day (per
# host kernel + QEMU) and use TCG.
KERNEL_IMAGE="$KERNEL_DIR/bzImage"
KVM_MEMO="${DAEDALUS_CACHE:-$HOME/.cache/daedalus}/kvm-unusable-$(uname -r)-qemu$(qemu-system-x86_64 --version | head -n1 | awk '{print $4}')-$(basename "$KERNEL_IMAGE")"
ACCEL=${DAEDALUS_VM_ACCEL:-}
ACCEL_AUTO=0
if [ -z "$ACCEL" ]; then
  ACCEL_AUTO=1
  ACCEL=tcg
  if [ -r /dev/kvm ] && [ -w /dev/kvm ] && \
     python3 -c 'import fcntl,os; fd=os.open("/dev/kvm",os.O_RDWR); fcntl.ioctl(fd,0xAE01,0)' 2>/dev/null; then
    if [ -n "$(find "$KVM_MEMO" -mmin -1440 2>/dev/null)" ]; then
      log "NOTE: KVM was found too slow to boot on this host earlier ($KVM_MEMO); using TCG"
    else
      ACCEL=kvm
    fi
  fi
fi

CONSOLE_LOG="$RUN_DIR/console.log"

# Never leave a guest running behind us (Ctrl-C, CTest timeout, kill).
QEMU_PID=""
trap '[ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null' EXIT
trap 'log "interrupted, stopping the VM"; exit 2' INT TERM

# boot_vm ACCEL: run QEMU; sets qemu_rc (124: timed out, 125: no kernel output
# in time, 126: no shell in time).
boot_vm() {
  local accel=$1 accel_args timeout boot_timeout first_line_timeout
  if [ "$accel" = kvm ]; then
    # -arch-capabilities: nested KVM on some hosts refuses MSR 0x10a and QEMU aborts.
    accel_args=(-accel kvm -cpu "host,-arch-capabilities")
    timeout=${DAEDALUS_VM_TIMEOUT:-600}; boot_timeout=120; first_line_timeout=30
  else
    # -cpu max without AVX2: QEMU 7.2's TCG emulates AVX2's vpgatherdq
    # wrongly and libdav1d's AVX2 code segfaults in it (AV1 in group
    # gst126); llvmpipe JITs for what CPUID claims, so lavapipe takes its
    # SSE4 paths.  DAEDALUS_VM_CPU picks another model (e.g. max, Nehalem).
    accel_args=(-accel tcg -cpu "${DAEDALUS_VM_CPU:-max,-avx2}")
    timeout=${DAEDALUS_VM_TIMEOUT:-2700}; boot_timeout=400; first_line_timeout=200
  fi
  TIMEOUT=$timeout
  QEMU_CMD=(qemu-system-x86_64 "${accel_args[@]}" -machine pc -nodefaults -no-user-config
    -smp "${DAEDALUS_VM_SMP:-2}" -m "${DAEDALUS_VM_MEM:-2G}"
    -kernel "$KERNEL_IMAGE" -initrd "$RUN_DIR/initramfs.cpio.gz"
    -append "console=ttyS0 loglevel=5 panic=-1 kasan.fault=report kmemleak=on${DAEDALUS_VM_APPEND:+ $DAEDALUS_VM_APPEND}"
    -nographic -monitor none -serial stdio -no-reboot
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
    -virtfs "local,path=$RESULTS,mount_tag=results,security_model=none")
  printf '%q ' "${QEMU_CMD[@]}" >"$RUN_DIR/qemu-cmdline.txt"; echo >>"$RUN_DIR/qemu-cmdline.txt"
  log "boot: $accel, $(basename "$KERNEL_IMAGE"), timeout ${timeout}s, console log: $CONSOLE_LOG"

  local start now elapsed
  start=$(date +%s.%N)
  timeout -k 10 "$timeout" "${QEMU_CMD[@]}" </dev/null >"$CONSOLE_LOG" 2>&1 &
  local pid=$!
  QEMU_PID=$pid
  # Boot watchdog: a guest that hangs before the tests start is killed early.
  while kill -0 "$pid" 2>/dev/null; do
    grep -aq 'daedalus-vm: shell ready' "$CONSOLE_LOG" && break
    elapsed=$(( $(date +%s) - ${start%.*} ))
    if [ "$elapsed" -ge "$first_line_timeout" ] && ! grep -aqE '\[ *[0-9]+\.[0-9]{6}\] ' "$CONSOLE_LOG"; then
      kill "$pid"; wait "$pid"; QEMU_PID=""; qemu_rc=125; return
    fi
    if [ "$elapsed" -ge "$boot_timeout" ]; then
      kill "$pid"; wait "$pid"; QEMU_PID=""; qemu_rc=126; return
    fi
    sleep 0.2
  done
  now=$(date +%s.%N)
  if grep -aq 'daedalus-vm: shell ready' "$CONSOLE_LOG"; then
    printf '[vm %(%H:%M:%S)T] boot-to-shell: %.1fs wall (%s)\n' -1 "$(echo "$now - $start" | bc)" \
      "$(grep -a -m1 -o 'shell ready.*' "$CONSOLE_LOG" | tr -d '\r')"
  fi
  # Live view: guest test lines, one per test (plus indented details).
  # (In the background so that `wait` stays interruptible by INT/TERM.)
  tail -n +1 -F --pid="$pid" "$CONSOLE_LOG" 2>/dev/null | while IFS= read -r line; do
    line=${line%$'\r'}
    case "$line" in
      *"daedalus-vm: shell ready"*) ;;
      *"daedalus-vm: "*) printf '  %s\n' "${line#*daedalus-vm: }" ;;
    esac
  done &
  local viewer=$!
  wait "$pid"
  qemu_rc=$?
  QEMU_PID=""
  wait "$viewer" 2>/dev/null
  log "VM finished after $(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")s (qemu exit $qemu_rc)"
}

boot_vm "$ACCEL"
if { [ "$qemu_rc" = 125 ] || [ "$qemu_rc" = 126 ]; } && [ "$ACCEL" = kvm ] && [ "$ACCEL_AUTO" = 1 ]; then
  log "NOTE: KVM guest too slow (no kernel output in 30 s or no shell in 120 s; nested KVM?); retrying with TCG"
  touch "$KVM_MEMO"
  ACCEL=tcg
  cp "$CONSOLE_LOG" "$RUN_DIR/console-kvm-attempt.log"
  boot_vm tcg
fi

# --- 8. verdict ------------------------------------------------------------------------
status=0
if [ "$qemu_rc" = 125 ]; then
  log "FAIL: no kernel output in time; console: $CONSOLE_LOG"
  status=2
elif [ "$qemu_rc" = 126 ]; then
  log "FAIL: guest did not reach its test shell in time; last console lines:"
  tail -n 25 "$CONSOLE_LOG" | sed 's/^/    /'
  status=2
elif [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
  log "FAIL: VM did not finish within ${TIMEOUT}s (hang?); last console lines:"
  tail -n 25 "$CONSOLE_LOG" | sed 's/^/    /'
  status=2
elif [ "$qemu_rc" != 0 ]; then
  log "FAIL: qemu exited with $qemu_rc; last console lines:"
  tail -n 25 "$CONSOLE_LOG" | sed 's/^/    /'
  status=2
fi
if [ -f "$RESULTS/init-error" ]; then
  log "FAIL: guest init: $(cat "$RESULTS/init-error")"
  status=2
fi

# Kernel log problems.  Kernel lines on the console carry a printk timestamp
# ("[   12.345678] "), which keeps test program output (e.g. v4l2-compliance
# "warn:" lines) out of the check; dmesg.txt (written by the guest at the end)
# additionally has the info-level kmemleak lines.
KLOG_PATTERN='BUG:|WARNING:|Oops|Kernel panic|general protection fault|Call Trace:|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|lock held when returning|bad unlock balance|DEBUG_LOCKS_WARN_ON|INFO: task .* blocked for more than|soft lockup|hard LOCKUP|list_(add|del) corruption|ODEBUG:|refcount_t:|kmemleak: [0-9]+ new suspected memory leaks|Unable to handle kernel'
KERNEL_PROBLEMS="$RUN_DIR/kernel-problems.txt"
{
  grep -aE '^\[ *[0-9]+\.[0-9]+\] ' "$CONSOLE_LOG" | grep -aE "$KLOG_PATTERN" || true
  [ -f "$RESULTS/dmesg.txt" ] && { grep -aE "$KLOG_PATTERN" "$RESULTS/dmesg.txt" || true; }
} | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' | awk '!seen[$0]++' >"$KERNEL_PROBLEMS"
if [ -s "$KERNEL_PROBLEMS" ]; then
  log "FAIL: kernel log has $(wc -l <"$KERNEL_PROBLEMS") problem line(s) (all in $KERNEL_PROBLEMS):"
  head -n 15 "$KERNEL_PROBLEMS" | sed 's/^/    /'
  [ "$status" = 0 ] && status=1
fi
if [ -s "$RESULTS/kmemleak.txt" ]; then
  log "FAIL: kmemleak reports leaks, see $RESULTS/kmemleak.txt"
  [ "$status" = 0 ] && status=1
fi

for f in "${host_failures[@]}"; do
  log "FAIL: $f"
  [ "$status" = 0 ] && status=1
done

# Guest test results.
if [ -f "$RESULTS/results.txt" ]; then
  n_pass=$(grep -c '^PASS ' "$RESULTS/results.txt")
  n_fail=$(grep -c '^FAIL ' "$RESULTS/results.txt")
  n_skip=$(grep -c '^SKIP ' "$RESULTS/results.txt")
  log "guest tests: $n_pass passed, $n_fail failed, $n_skip skipped ($RESULTS/results.txt)"
  grep '^FAIL ' "$RESULTS/results.txt" | cut -c1-200 | sed 's/^/    /'
  [ "$n_fail" -gt 0 ] && [ "$status" = 0 ] && status=1
else
  log "FAIL: guest wrote no results (boot or init failure)"
  status=2
fi
guest_rc=$(cat "$RESULTS/guest-rc" 2>/dev/null || echo missing)
if [ "$guest_rc" != 0 ]; then
  log "FAIL: guest test script exit code: $guest_rc"
  [ "$status" = 0 ] && status=1
fi

log "kernel log: $CONSOLE_LOG (serial console), $RESULTS/dmesg.txt (full dmesg)"
if [ "$status" = 0 ]; then log "RESULT: PASS"; else log "RESULT: FAIL (exit $status)"; fi
exit "$status"
