#!/usr/bin/env bash
# Every VP9 clip of the corpus through `daedalus-decode --decoder daedalus`
# on one dispatch backend, verified bit-exact against libavcodec.
#   vulkan_corpus.sh DAEDALUS_DECODE CORPUS_DIR [FRAMES [BACKEND [ORACLE [MIN_CLIPS]]]]
# FRAMES     the first FRAMES shown frames of each clip (all when 0; default 0)
# BACKEND    vulkan (default) | cpu
# ORACLE     verify (default): daedalus-decode --verify, libavcodec inside the CLI;
#            framemd5: the CLI's --md5 lines against the md5 column of
#            `ffmpeg -i CLIP -pix_fmt nv12 -f framemd5 -`, an oracle outside our code
# MIN_CLIPS  fail unless the corpus lists at least this many VP9 clips (default 1)
set -uo pipefail
usage="usage: vulkan_corpus.sh DAEDALUS_DECODE CORPUS_DIR [FRAMES [BACKEND [verify|framemd5 [MIN_CLIPS]]]]"
decode=${1:?$usage}
corpus=${2:?$usage}
frames=${3:-0}
backend=${4:-vulkan}
oracle=${5:-verify}
min_clips=${6:-1}
[[ $oracle == verify || $oracle == framemd5 ]] || { echo "$usage"; exit 2; }
list="$corpus/corpus.txt"
[[ -r $list ]] || { echo "no corpus list at $list"; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The md5 column of ffmpeg's framemd5; -autoscale 0 keeps frames of clips
# that change size mid-stream at their decoded size, as our decoder does.
ffmpeg_md5s() {
  local limit=()
  ((frames > 0)) && limit=(-frames:v "$frames")
  ffmpeg -nostdin -v error -i "$1" "${limit[@]}" -pix_fmt nv12 -autoscale 0 -f framemd5 - |
    awk -F', *' '!/^#/ && NF { print $NF }'
}

# "<index> <md5>" lines -> md5s; indices must count up from 0.
cli_md5s() {
  awk '$1 != NR - 1 { print "frame index " $1 " out of order" > "/dev/stderr"; exit 1 } { print $2 }'
}

fail=0
count=0
while IFS=$'\t' read -r name codec path; do
  [[ $codec == vp9 ]] || continue
  [[ -r $path ]] || path="$corpus/$(basename "$path")"
  count=$((count + 1))
  args=(--decoder daedalus --backend "$backend")
  ((frames > 0)) && args+=(--frames "$frames")
  if [[ $oracle == verify ]]; then
    out=$("$decode" "${args[@]}" --verify "$path" 2>&1)
    rc=$?
    verdict=$(grep -m1 'verdict' <<<"$out")
    if [[ $rc -ne 0 || $verdict != *bit-exact* ]]; then
      echo "FAILED $name (rc $rc): ${verdict:-$(tail -3 <<<"$out")}"
      fail=1
    else
      echo "ok     $name: $verdict"
    fi
    continue
  fi
  if ! ffmpeg_md5s "$path" >"$scratch/want"; then
    echo "FAILED $name: ffmpeg could not decode it"; fail=1; continue
  fi
  "$decode" "${args[@]}" --md5 "$path" >"$scratch/out" 2>"$scratch/err"
  rc=$?
  if [[ $rc -ne 0 ]] || ! cli_md5s <"$scratch/out" >"$scratch/got" 2>>"$scratch/err"; then
    echo "FAILED $name (rc $rc): $(tail -3 "$scratch/err")"; fail=1; continue
  fi
  want=$(wc -l <"$scratch/want")
  got=$(wc -l <"$scratch/got")
  bad=$(paste -d' ' "$scratch/got" "$scratch/want" | awk '$1 != $2 { print NR - 1; exit }')
  if ((want == 0)) || [[ -n $bad ]]; then
    echo "FAILED $name: ${bad:+first mismatching frame $bad, }$got frames, ffmpeg $want"
    fail=1
  else
    echo "ok     $name: $got frames equal to ffmpeg framemd5"
  fi
done <"$list"
echo "$count VP9 clips ($backend backend, $oracle)"
((count >= min_clips)) || { echo "FAILED: $list has $count VP9 clips, fewer than $min_clips"; exit 1; }
((count > 0)) || { echo "no VP9 clips in $list"; exit 1; }
exit $fail
