#!/usr/bin/env bash
# Every VP9 clip of the corpus through --decoder daedalus --backend vulkan,
# verified bit-exact against libavcodec (daedalus-decode --verify). The
# first FRAMES shown frames of each clip (all when 0).
#   vulkan_corpus.sh DAEDALUS_DECODE CORPUS_DIR [FRAMES]
set -uo pipefail
decode=${1:?usage: vulkan_corpus.sh DAEDALUS_DECODE CORPUS_DIR [FRAMES]}
corpus=${2:?usage: vulkan_corpus.sh DAEDALUS_DECODE CORPUS_DIR [FRAMES]}
frames=${3:-0}
list="$corpus/corpus.txt"
[[ -r $list ]] || { echo "no corpus list at $list"; exit 1; }
fail=0
count=0
while IFS=$'\t' read -r name codec path; do
  [[ $codec == vp9 ]] || continue
  [[ -r $path ]] || path="$corpus/$(basename "$path")"
  args=(--decoder daedalus --backend vulkan --verify)
  ((frames > 0)) && args+=(--frames "$frames")
  out=$("$decode" "${args[@]}" "$path" 2>&1)
  rc=$?
  verdict=$(grep -m1 'verdict' <<<"$out")
  count=$((count + 1))
  if [[ $rc -ne 0 || $verdict != *bit-exact* ]]; then
    echo "FAILED $name (rc $rc): ${verdict:-$(tail -3 <<<"$out")}"
    fail=1
  else
    echo "ok     $name: $verdict"
  fi
done <"$list"
((count > 0)) || { echo "no VP9 clips in $list"; exit 1; }
exit $fail
