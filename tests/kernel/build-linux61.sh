#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# CTest kernel.build_linux61: compile kernel/ against Debian bookworm's 6.1
# headers (linux-headers-amd64 -> linux-headers-6.1.0-NN-amd64), the oldest
# kernel the LINUX_VERSION_CODE guards support. Compile only (seconds).
#
# Debian's 6.1 config builds no v4l2-mem2mem (no driver selects it), so its
# Module.symvers lacks v4l2_m2m_* and modpost may only warn. Every other
# symbol the module imports must be exported by that kernel.
#
# Exit: 0 pass, 1 fail, 77 no 6.1 headers installed (scripts/setup-debian.sh).
# Environment: DAEDALUS_KDIR_61 a 6.1 build tree to use instead of /usr/src's.
set -euo pipefail
KT_NAME=kernel.build_linux61
# shellcheck source=tests/kernel/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kdir=${DAEDALUS_KDIR_61:-}
if [ -z "$kdir" ]; then
  # The flavour directories have a .config, linux-headers-*-common has not;
  # with several installed, the newest.
  kdir=$(for d in /usr/src/linux-headers-6.1.*; do
           if [ -f "$d/.config" ] && [ -f "$d/Makefile" ]; then echo "$d"; fi
         done | sort -V | tail -n1)
  [ -n "$kdir" ] || kt_skip "no /usr/src/linux-headers-6.1.* (apt-get install linux-headers-amd64 on bookworm)"
fi
[ -f "$kdir/Module.symvers" ] || kt_fail "$kdir has no Module.symvers"
for tool in make gcc nm strings comm; do
  command -v "$tool" >/dev/null || kt_fail "'$tool' not found: run scripts/setup-debian.sh"
done

kt_mktemp
kt_stage_sources "$KT_TMP/src"
mod=$KT_TMP/src/kernel
kt_build "$kdir" "$mod" "$KT_TMP/build.log"
kt_check_modpost "$KT_TMP/build.log"
ko=$mod/daedalus_v4l2.ko

vermagic=$(kt_vermagic "$ko")
case $vermagic in
  6.1.*) ;;
  *) kt_fail "vermagic '$vermagic': not built for a 6.1 kernel" ;;
esac

# The 6.1 side of the version guards: AV1 (6.5 uAPI) is compiled out, so the
# module offers VP9 + H.264 only; the int-returning .remove (< 6.3) is checked
# by the compile itself (-Werror=incompatible-pointer-types).
! kt_has_av1 "$ko" || kt_fail "AV1 tables compiled in against 6.1, whose uAPI has no AV1 controls"

missing=$(comm -23 <(nm -u "$ko" | awk '{print $2}' | sort -u) \
                   <(awk '{print $2}' "$kdir/Module.symvers" | sort -u) \
          | grep -v '^v4l2_m2m_' || true)
[ -z "$missing" ] || kt_fail "imports that 6.1 does not export: $(echo "$missing" | tr '\n' ' ')"

kt_log "PASS: $vermagic, $(nm -u "$ko" | grep -c ' v4l2_m2m_') v4l2_m2m_* imports left to v4l2-mem2mem, all others exported"
