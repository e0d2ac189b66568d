#!/usr/bin/env bash
# Gets the H.264 conformance streams of cisco/openh264's res/ folder (the
# JVT streams and a few of Cisco's) at a fixed commit into a per-machine
# cache, ~/.cache/daedalus/openh264-<commit>/, and prints that folder. Each
# stream is downloaded once; none is committed to this repository.
#
#   tests/unit/h264/fetch-openh264-streams.sh
#
# DAEDALUS_OPENH264_GIT=<a clone or bare mirror of cisco/openh264> copies
# the streams from it instead of downloading them (blobs it lacks are left
# out). Exits 77 (CTest's skip) when no stream can be had: offline with
# an empty cache.
set -euo pipefail

commit=cf568c83f71a18778f9a16e344effaf40c11b752
cache=${XDG_CACHE_HOME:-$HOME/.cache}/daedalus/openh264-$commit
streams=(
  Adobe_PDF_sample_a_1024x768_50Frms.264 BA1_FT_C.264 BA1_Sony_D.jsv BAMQ1_JVC_C.264 BAMQ2_JVC_C.264
  BANM_MW_D.264 BASQP1_Sony_C.jsv BA_MW_D.264 BA_MW_D_IDR_LOST.264 BA_MW_D_P_LOST.264 CI1_FT_B.264
  CI_MW_D.264 CVFC1_Sony_C.jsv CVPCMNL1_SVA_C.264 Cisco_Adobe_PDF_sample_a_1024x768_CAVLC_Bframe_9.264
  Cisco_Men_whisper_640x320_CABAC_Bframe_9.264 Cisco_Men_whisper_640x320_CAVLC_Bframe_9.264 Error_I_P.264
  LS_SVA_D.264 MIDR_MW_D.264 MPS_MW_A.264 MR1_BT_A.h264 MR1_MW_A.264 MR2_MW_A.264 MR2_TANDBERG_E.264
  NL1_Sony_D.jsv NLMQ1_JVC_C.264 NLMQ2_JVC_C.264 NRF_MW_E.264 QCIF_2P_I_allIPCM.264 SVA_BA1_B.264
  SVA_BA2_D.264 SVA_Base_B.264 SVA_CL1_E.264 SVA_FM1_E.264 SVA_NL1_B.264 SVA_NL2_E.264 SarVui.264
  Static.264 VID_1280x544_cabac_temporal_direct.264 VID_1280x544_cavlc_temporal_direct.264
  VID_1280x720_cabac_temporal_direct.264 VID_1280x720_cavlc_temporal_direct.264
  VID_1920x1080_cabac_temporal_direct.264 VID_1920x1080_cavlc_temporal_direct.264 Zhling_1280x720.264
  jm_1080p_allslice.264 sps_subsetsps_bothVUI.264 test_cif_I_CABAC_PCM.264 test_cif_I_CABAC_slice.264
  test_cif_P_CABAC_slice.264 test_qcif_cabac.264 test_scalinglist_jm.264 test_vd_1d.264 test_vd_rc.264
)

mkdir -p "$cache"
if [ -f "$cache/.complete" ]; then
  echo "$cache"
  exit 0
fi

for name in "${streams[@]}"; do
  out="$cache/$name"
  [ -s "$out" ] && continue
  if [ -n "${DAEDALUS_OPENH264_GIT:-}" ]; then
    if git --git-dir="$DAEDALUS_OPENH264_GIT" cat-file -e "$commit:res/$name" 2>/dev/null &&
       git --git-dir="$DAEDALUS_OPENH264_GIT" show "$commit:res/$name" > "$out.tmp" 2>/dev/null && [ -s "$out.tmp" ]; then
      mv "$out.tmp" "$out"
    else
      rm -f "$out.tmp"
      echo "fetch-openh264-streams: $name is not in $DAEDALUS_OPENH264_GIT" >&2
    fi
    continue
  fi
  if curl -fsSL --retry 2 --connect-timeout 10 -o "$out.tmp" \
       "https://raw.githubusercontent.com/cisco/openh264/$commit/res/$name"; then
    mv "$out.tmp" "$out"
  else
    rm -f "$out.tmp"
    echo "fetch-openh264-streams: cannot download $name (offline?); using the streams cached" >&2
    break
  fi
done

got=0
for name in "${streams[@]}"; do
  [ -s "$cache/$name" ] && got=$((got + 1))
done
echo "fetch-openh264-streams: $got of ${#streams[@]} streams in $cache" >&2
if [ "$got" -eq 0 ]; then
  echo "fetch-openh264-streams: no streams" >&2
  exit 77
fi
# A partial set is used as it is; the missing streams are tried again next time.
[ "$got" -eq "${#streams[@]}" ] && touch "$cache/.complete"
echo "$cache"
