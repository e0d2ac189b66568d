# SPDX-License-Identifier: MIT
#
# Group "ffmpeg" of run-daemon-tests.sh (sourced by it, uses its helpers):
# FFmpeg's v4l2-request hwaccel (Kwiboo/FFmpeg, built on the host by
# tests/clients/build-ffmpeg-v4l2request.sh) through our module + daemon,
# CPU backend:
#   ffmpeg-v4l2request/ffmpeg/<clip>    daemon --decoder ffmpeg: VP9, H.264
#   ffmpeg-v4l2request/daedalus/<clip>  daemon --decoder daedalus: VP9
# Every frame's md5 equals libavcodec's software decode of the clip
# (CLIP.framemd5, made on the host). The hardware path is forced: frames
# leave the decoder as DRM PRIME dmabufs (EXPBUF of our CAPTURE buffers) and
# are mapped by hwdownload, so a software fallback cannot produce frames;
# the log must also name our media driver and show no failed hwaccel setup.
# AV1 is not in the group: FFmpeg (like GStreamer's v4l2slav1dec) sends bare
# tile data, which the daemon's AV1 path cannot decode yet.
#
# DAEDALUS_FFMPEG_V4L2REQUEST: the ffmpeg binary (empty: the host build was
# skipped, DAEDALUS_FFMPEG_V4L2REQUEST_SKIP says why).

# ffmpeg_v4l2request_clip NAME CLIP: decode CLIP through the device, compare
# per frame; prints the result line.
ffmpeg_v4l2request_clip() {
	local name=$1 clip=$2 log out want got n
	[ -f "$clip.framemd5" ] || { fail "$name" "no $clip.framemd5 (run make-stateless-clips.sh)"; return; }
	log="$LOGS/ffmpeg-${name//\//-}.txt"
	out="$WORK/ffmpeg.framemd5"
	rm -f "$out"  # no earlier clip's frames can pass for this one's
	timeout -k 5 240 "$DAEDALUS_FFMPEG_V4L2REQUEST" -y -nostdin -hide_banner -nostats -loglevel info \
		-hwaccel v4l2request -hwaccel_output_format drm_prime -i "$clip" \
		-vf hwdownload,format=nv12 -f framemd5 "$out" >"$log" 2>&1
	local rc=$?
	if [ $rc != 0 ]; then
		fail "$name" "ffmpeg exited $rc: $(grep -m2 -iE 'error|failed' "$log" | tr '\n' ' ' | cut -c1-200) (log $log)"
		return
	fi
	if has "$log" "Failed setup for format" "hwaccel initialisation returned error"; then
		fail "$name" "ffmpeg fell back from the v4l2request hwaccel (log $log)"
		return
	fi
	if ! has "$log" "Using V4L2 media driver $DAEDALUS_DRIVER_NAME"; then
		fail "$name" "ffmpeg did not name our media driver: not decoded through the device (log $log)"
		return
	fi
	want=$(md5s <"$clip.framemd5")
	got=$(md5s <"$out")
	n=$(printf '%s\n' "$want" | grep -c .)
	if [ -z "$got" ]; then
		fail "$name" "no frames (log $log)"
	elif [ "$got" = "$want" ]; then
		pass "$name" "$n frames, every md5 equal to libavcodec's"
	else
		local first
		first=$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | grep -m1 -o '^[0-9]*')
		fail "$name" "$(printf '%s\n' "$got" | grep -c .) frames against libavcodec's $n, first difference at frame $((first - 1)) (log $log, output kept in $LOGS)"
		cp "$out" "$LOGS/ffmpeg-${name//\//-}.framemd5"
	fi
}

ffmpeg_v4l2request_group() {
	if [ -z "${DAEDALUS_FFMPEG_V4L2REQUEST:-}" ]; then
		skip ffmpeg-v4l2request "${DAEDALUS_FFMPEG_V4L2REQUEST_SKIP:-no FFmpeg v4l2-request build}"
		return
	fi
	[ -n "$DAEMON_PID" ] && stop_daemon
	local saved_args=$DAEMON_ARGS decoder clips c dlog
	for decoder in ffmpeg daedalus; do
		DAEMON_ARGS="--decoder $decoder --backend cpu -v"
		dlog="$LOGS/daemon-ffmpeg-v4l2request-$decoder.txt"
		if ! start_daemon "$dlog"; then
			fail "ffmpeg-v4l2request/$decoder/daemon-start" "$START_ERR"
			continue
		fi
		clips="vp9-352x288 vp9-176x144"
		[ $decoder = ffmpeg ] && clips="$clips h264-352x288 h264-176x144"
		for c in $clips; do
			if ! c=$(clip "$c"); then
				fail "ffmpeg-v4l2request/$decoder/$c" "clip missing in $SL"
				continue
			fi
			ffmpeg_v4l2request_clip "ffmpeg-v4l2request/$decoder/$(basename "$c")" "$c"
		done
		stop_daemon || fail "ffmpeg-v4l2request/$decoder/daemon-exit" "daemon did not exit 0 on SIGTERM (log $dlog)"
	done
	DAEMON_ARGS=$saved_args
}
