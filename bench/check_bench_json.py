#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validates a daedalus-bench JSON report against the schema documented in
docs/performance.md: every field present with the right type, an md5
verdict for every frame of every available run. No timing assertions.

    check_bench_json.py REPORT.json [--require-run ID ...]
"""
import json
import sys

NUM = (int, float)
STAGES = ["residual", "inter_pred", "intra_recon", "loop_filter", "pack_nv12"]
VERDICTS = {"reference", "match", "mismatch", "missing", "extra"}
errors = []


def need(obj, key, types, where):
    if not isinstance(obj, dict) or key not in obj:
        errors.append(f"{where}: missing '{key}'")
        return None
    if types is not None and not isinstance(obj[key], types):
        errors.append(f"{where}.{key}: expected {types}, got {type(obj[key]).__name__}")
        return None
    return obj[key]


def check_run(run, where, frames_expected):
    for k, t in [("id", str), ("decoder", str), ("variant", str), ("threads", int), ("available", bool),
                 ("failed_packets", int)]:
        need(run, k, t, where)
    need(run, "error", (str, type(None)), where)
    if not run.get("available"):
        if not run.get("error"):
            errors.append(f"{where}: unavailable without a reason")
        return
    for k in ["frames_shown", "total_ms", "thread_cpu_ms", "ms_per_frame", "fps", "time_ratio_vs_reference"]:
        need(run, k, NUM, where)
    need(run, "thread_cpu_ratio_vs_reference", NUM + (type(None),), where)
    frames = need(run, "frames", list, where) or []
    run_n = need(run, "packets_run", int, where)
    if run_n is not None and run_n < frames_expected:
        frames_expected = run_n  # a run limited to the first packets (--vulkan-frames)
    if len(frames) != frames_expected:
        errors.append(f"{where}: {len(frames)} frame records for {frames_expected} packets")
    for i, f in enumerate(frames):
        for k in ["index", "bytes", "wall_ms", "thread_cpu_ms", "shown"]:
            need(f, k, NUM, f"{where}.frames[{i}]")
        if "profile_ms" in f:
            for k in ["parse_ms", "entropy_ms", "parse_entropy_ms", "submit_ms"]:
                need(f, k, NUM, f"{where}.frames[{i}]")
            for k in ["stage_cpu_ms", "stage_gpu_ms"]:
                st = need(f, k, dict, f"{where}.frames[{i}]") or {}
                for s in STAGES:
                    need(st, s, NUM + (type(None),), f"{where}.frames[{i}].{k}")
    if run.get("decoder") == "daedalus" and frames and "profile_summary" in run:
        ps = run["profile_summary"]
        for k in ["parse_entropy_ms_per_frame", "cpu_part_ratio_vs_reference", "cpu_part_target_ratio"]:
            need(ps, k, NUM, f"{where}.profile_summary")
        need(ps, "cpu_part_target_met", bool, f"{where}.profile_summary")
        need(ps, "cpu_part_judged_on", str, f"{where}.profile_summary")
        need(ps, "cpu_part_thread_cpu_ratio_vs_reference", NUM + (type(None),), f"{where}.profile_summary")
    md5 = need(run, "md5", list, where) or []
    shown = run.get("frames_shown", 0)
    if len(md5) < shown or (shown == 0 and run.get("id") != "libavcodec-1t"):
        errors.append(f"{where}: {len(md5)} md5 verdicts for {shown} shown frames")
    for i, m in enumerate(md5):
        v = need(m, "verdict", str, f"{where}.md5[{i}]")
        need(m, "frame", int, f"{where}.md5[{i}]")
        need(m, "md5", (str, type(None)), f"{where}.md5[{i}]")
        if v is not None and v not in VERDICTS:
            errors.append(f"{where}.md5[{i}]: unknown verdict {v}")
    be = need(run, "bitexact", dict, where) or {}
    for k in ["checked", "matched"]:
        need(be, k, int, f"{where}.bitexact")
    need(be, "all_match", bool, f"{where}.bitexact")


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    report = json.load(open(args[0]))
    required = args[args.index("--require-run") + 1:] if "--require-run" in args else []
    if need(report, "schema", str, "report") != "daedalus-bench/1":
        errors.append("report: schema is not daedalus-bench/1")
    need(report, "machine", dict, "report")
    need(report, "settings", dict, "report")
    clips = need(report, "clips", list, "report") or []
    if not clips:
        errors.append("report: no clips")
    for ci, c in enumerate(clips):
        w = f"clips[{ci}]"
        for k, t in [("name", str), ("path", str), ("codec", str), ("width", int), ("height", int),
                     ("packets", int), ("bytes", int), ("reference", str)]:
            need(c, k, t, w)
        runs = need(c, "runs", list, w) or []
        ids = [r.get("id") for r in runs]
        if not runs or ids[0] != "libavcodec-1t":
            errors.append(f"{w}: the first run must be the libavcodec-1t reference")
        for rid in required:
            if rid not in ids:
                errors.append(f"{w}: run {rid} missing")
        for ri, r in enumerate(runs):
            check_run(r, f"{w}.runs[{ri}]({r.get('id')})", c.get("packets", -1))
    for si, s in enumerate(report.get("stage_bench", [])):
        w = f"stage_bench[{si}]"
        for k, t in [("backend", str), ("frame_kind", str), ("available", bool)]:
            need(s, k, t, w)
        if s.get("available"):
            for k in ["call_ms", "stage_cpu_ms", "stage_gpu_ms"]:
                st = need(s, k, dict, w) or {}
                for name in STAGES:
                    need(st, name, NUM + (type(None),), f"{w}.{k}")
            for k in ["end_frame_ms", "frame_ms", "fps"]:
                need(s, k, NUM, w)
            need(s, "md5", str, w)
            need(s, "bitexact_vs_cpu", (bool, type(None)), w)
    if errors:
        for e in errors[:50]:
            print("schema:", e, file=sys.stderr)
        print(f"check_bench_json: {len(errors)} problems", file=sys.stderr)
        return 1
    print(f"check_bench_json: ok ({len(clips)} clips)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
