#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Fluster (Debian's `fluster` package) test suites whose streams are here
# without a network, in Fluster's layout under OUT (default
# <repo>/build-vm/fluster):
#
#   OUT/test_suites/h264/JVT-AVC_V1.json   the JVT-AVC_V1 vectors of Fluster's
#        own suite whose stream cisco/openh264 carries under the same file
#        name (tests/unit/h264/fetch-openh264-streams.sh), with Fluster's
#        expected md5s, kept only where libavcodec's yuv420p output has that
#        md5 (the same bitstream as the JVT's, not a re-encode)
#   OUT/test_suites/vp9/DAEDALUS-VP9.json  the VP9 clips of the corpus
#        (CORPUS dir, default <repo>/build-vm/stateless-clips/corpus), each
#        with libavcodec's yuv420p md5 as the expected result
#   OUT/test_suites/av1/DAEDALUS-AV1.json  the AV1 clips of the corpus and
#        of the stateless clips (AV1_CLIPS dir, default
#        <repo>/build-vm/stateless-clips: libaom with tiles, a key frame in
#        the middle and alt-refs, an odd size, SVT-AV1), libavcodec's md5s
#   OUT/resources/<suite>/<vector>/<file>  the streams (symbolic links)
#
# Then, e.g. on the host with libavcodec:
#   fluster -r OUT/resources -tsd OUT/test_suites run -d FFmpeg-H.264 -ts JVT-AVC_V1
# and in the QEMU guest through the device: the fluster group of
# tests/vm/daemon/run-daemon-tests.sh. Exits 77 when no suite can be made.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$REPO/build-vm/fluster}
CORPUS=${CORPUS:-$REPO/build-vm/stateless-clips/corpus}
AV1_CLIPS=${AV1_CLIPS:-$REPO/build-vm/stateless-clips}
SUITES=/usr/share/fluster/test_suites
[ -d "$SUITES" ] || { echo "fluster-suites: $SUITES missing (apt install fluster)" >&2; exit 77; }
rm -rf "$OUT/test_suites" "$OUT/resources"
mkdir -p "$OUT/test_suites/h264" "$OUT/test_suites/vp9" "$OUT/test_suites/av1" "$OUT/resources"

# yuv420p md5 of libavcodec's decode: what Fluster compares with.
yuv_md5() {
	ffmpeg -nostdin -v error -i "$1" -autoscale 0 -pix_fmt yuv420p -f rawvideo - | md5sum | cut -d' ' -f1
}

made=0
if h264=$("$REPO/tests/unit/h264/fetch-openh264-streams.sh"); then
	python3 - "$SUITES/h264/JVT-AVC_V1.json" "$h264" >"$OUT/jvt-candidates.txt" <<'EOF'
import json, os, sys
suite, streams = sys.argv[1], sys.argv[2]
for v in json.load(open(suite))['test_vectors']:
    if os.path.isfile(os.path.join(streams, v['input_file'])):
        print(v['name'], v['input_file'], v['result'])
EOF
	keep=()
	while read -r name file want; do
		if [ "$(yuv_md5 "$h264/$file")" = "$want" ]; then
			mkdir -p "$OUT/resources/JVT-AVC_V1/$name"
			ln -sf "$h264/$file" "$OUT/resources/JVT-AVC_V1/$name/$file"
			keep+=("$name")
		else
			echo "fluster-suites: JVT-AVC_V1 $name: openh264's $file is not the conformance stream (libavcodec md5 differs); left out" >&2
		fi
	done <"$OUT/jvt-candidates.txt"
	python3 - "$SUITES/h264/JVT-AVC_V1.json" "${keep[@]}" >"$OUT/test_suites/h264/JVT-AVC_V1.json" <<'EOF'
import json, sys
suite = json.load(open(sys.argv[1]))
keep = set(sys.argv[2:])
total = len(suite['test_vectors'])
suite['test_vectors'] = [v for v in suite['test_vectors'] if v['name'] in keep]
suite['description'] += f" (the {len(keep)} of {total} vectors whose streams cisco/openh264 carries)"
print(json.dumps(suite, indent=4))
EOF
	echo "fluster-suites: JVT-AVC_V1: ${#keep[@]} of $(wc -l <"$OUT/jvt-candidates.txt") openh264 streams are the conformance streams" >&2
	[ ${#keep[@]} -gt 0 ] && made=$((made + 1))
fi

# generated_suite SUITE CODEC DESCRIPTION CLIP...: a suite of our own clips,
# each with libavcodec's yuv420p md5 as the expected result.
generated_suite() {
	local suite=$1 codec=$2 desc=$3 c name dir
	shift 3
	local args=()
	dir=$(echo "$codec" | tr '[:upper:]' '[:lower:]')
	for c in "$@"; do
		[ -f "$c" ] || continue
		name=$(basename "$c")
		mkdir -p "$OUT/resources/$suite/$name"
		ln -sf "$(readlink -f "$c")" "$OUT/resources/$suite/$name/$name"
		args+=("$name" "$(yuv_md5 "$c")")
	done
	[ ${#args[@]} -gt 0 ] || return 0
	python3 - "$suite" "$codec" "$desc" "${args[@]}" >"$OUT/test_suites/$dir/$suite.json" <<'EOF'
import json, sys
suite, codec, desc, a = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
vectors = [{'name': a[i], 'source': 'tests/corpus/make-corpus.sh', 'source_checksum': '',
            'input_file': a[i], 'output_format': 'yuv420p', 'result': a[i + 1]}
           for i in range(0, len(a), 2)]
print(json.dumps({'name': suite, 'codec': codec, 'description': desc, 'test_vectors': vectors}, indent=4))
EOF
	echo "fluster-suites: $suite: $((${#args[@]} / 2)) clips" >&2
	made=$((made + 1))
}
generated_suite DAEDALUS-VP9 VP9 "daedalus' VP9 corpus (tests/corpus), libavcodec's md5s" \
	"$CORPUS"/vp9-*.ivf "$CORPUS"/vp9-*.webm
generated_suite DAEDALUS-AV1 AV1 "daedalus' AV1 clips (tests/corpus, tests/vm/daemon/make-stateless-clips.sh), libavcodec's md5s" \
	"$CORPUS"/av1-*.ivf "$AV1_CLIPS"/av1-*.ivf
[ $made -gt 0 ] || { echo "fluster-suites: no suite (no openh264 streams, no corpus)" >&2; exit 77; }
echo "$OUT"
