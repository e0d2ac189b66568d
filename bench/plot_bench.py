#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Charts a daedalus-bench JSON report into one PNG:
  - per-frame stacked stage times of our decoder on each backend (CPU
    backend: parse+entropy + stage wall times; Vulkan backend: parse+entropy,
    stage recording, GPU time per stage from timestamp queries, submission
    overhead), with libavcodec's single-threaded time per frame as a line;
  - every decoder's ms/frame per clip, labelled with its ratio to
    libavcodec (1 thread);
  - the synthetic per-stage comparison, CPU backend vs Vulkan GPU time.

    plot_bench.py REPORT.json OUT.png [--clip NAME]
Needs python3-matplotlib (Debian); run with /usr/bin/python3.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STAGES = ["residual", "inter_pred", "intra_recon", "loop_filter", "pack_nv12"]
COLORS = {"parse+entropy": "#4c72b0", "residual": "#dd8452", "inter_pred": "#55a868", "intra_recon": "#c44e52",
          "loop_filter": "#8172b3", "pack_nv12": "#937860", "recording": "#da8bc3", "submit": "#8c8c8c"}


def pick_clip(report, name):
    clips = report["clips"]
    if name:
        return next(c for c in clips if c["name"] == name)
    # The largest clip our decoder decoded, else the largest one.
    def ok(c):
        return any(r["decoder"] == "daedalus" and r["available"] and "profile_summary" in r for r in c["runs"])
    cands = [c for c in clips if ok(c)] or clips
    return max(cands, key=lambda c: (c["width"] * c["height"], c["packets"]))


def run(clip, rid):
    return next((r for r in clip["runs"] if r["id"] == rid and r["available"]), None)


def stacked_frames(ax, clip, rid, title):
    r = run(clip, rid)
    ref = run(clip, "libavcodec-1t")
    if r is None or not any("profile_ms" in f for f in r["frames"]):
        why = next((x.get("error") for x in clip["runs"] if x["id"] == rid), None) or "no per-stage profile"
        ax.text(0.5, 0.5, f"{rid}: unavailable\n{why}", ha="center", va="center", transform=ax.transAxes, wrap=True)
        ax.set_title(title)
        return
    frames = [f for f in r["frames"] if "profile_ms" in f]
    x = [f["index"] for f in frames]
    gpu = any(v is not None for f in frames for v in f["stage_gpu_ms"].values())
    layers = [("parse+entropy", [f["parse_entropy_ms"] for f in frames])]
    if gpu:
        layers.append(("recording", [sum(f["stage_cpu_ms"].values()) for f in frames]))
        for s in STAGES:
            layers.append((s, [f["stage_gpu_ms"][s] or 0 for f in frames]))
        layers.append(("submit", [f["submit_ms"] for f in frames]))
    else:
        for s in STAGES:
            layers.append((s, [f["stage_cpu_ms"][s] for f in frames]))
    bottom = [0.0] * len(frames)
    for name, vals in layers:
        label = f"{name} (GPU)" if gpu and name in STAGES else name
        ax.bar(x, vals, bottom=bottom, width=0.85, color=COLORS[name], label=label)
        bottom = [b + v for b, v in zip(bottom, vals)]
    if ref:
        rf = ref["frames"][:len(r["frames"])]  # the same packets as this run
        ax.plot([f["index"] for f in rf], [f["wall_ms"] for f in rf], color="black",
                lw=1.2, label="libavcodec 1 thread (whole decode)")
    ps = r["profile_summary"]
    on_cpu = ps.get("cpu_part_judged_on") == "thread_cpu" and ps.get("cpu_part_thread_cpu_ratio_vs_reference") is not None
    ratio = ps["cpu_part_thread_cpu_ratio_vs_reference"] if on_cpu else ps["cpu_part_ratio_vs_reference"]
    ax.set_title(f"{title}: {r['ms_per_frame']:.1f} ms/frame (wall), CPU part = {ratio:.2f}x libavcodec-1t "
                 f"({'CPU time' if on_cpu else 'wall'}; target <= 0.40)", fontsize=10)
    ax.set_xlabel("frame (decode call)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("ms")
    ax.set_yscale("log" if max(bottom) > 50 * max(1e-3, min(b for b in bottom if b > 0)) else "linear")
    ax.legend(fontsize=7, ncol=3, loc="upper right")


def decoder_comparison(ax, report):
    clips = report["clips"]
    ids = []
    for c in clips:
        for r in c["runs"]:
            if r["id"] not in ids:
                ids.append(r["id"])
    width = 0.8 / max(1, len(clips))
    for ci, c in enumerate(clips):
        ys, vals, labels = [], [], []
        for i, rid in enumerate(ids):
            r = run(c, rid)
            if r is None:
                continue
            ys.append(i + ci * width)
            vals.append(r["ms_per_frame"])
            exact = "" if rid == c["reference"] else (" exact" if r["bitexact"]["all_match"] else " MISMATCH")
            labels.append(f"{r['time_ratio_vs_reference']:.2f}x{exact}")
        bars = ax.barh(ys, vals, height=width, label=c["name"])
        for b, lab in zip(bars, labels):
            ax.text(b.get_width() * 1.05, b.get_y() + b.get_height() / 2, lab, va="center", fontsize=7)
    ax.set_yticks([i + width * (len(clips) - 1) / 2 for i in range(len(ids))])
    ax.set_yticklabels(ids)
    ax.invert_yaxis()
    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi * 8)  # room for the ratio labels
    ax.set_xlabel("ms per frame (log); label: time ratio to libavcodec-1t on the same packets")
    ax.set_title("decoders, same clips, same run", fontsize=10)
    ax.legend(fontsize=7, loc="upper right")


def stage_comparison(ax, report):
    sb = [s for s in report.get("stage_bench", []) if s["available"]]
    if not sb:
        ax.text(0.5, 0.5, "stage bench not run", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    series = []
    for s in sb:
        vals = s["stage_gpu_ms"] if s["backend"] != "cpu" and any(v is not None for v in s["stage_gpu_ms"].values()) \
            else s["call_ms"]
        kind = "GPU ts" if vals is s["stage_gpu_ms"] else "wall"
        exact = "" if s["backend"] == "cpu" else (" exact" if s.get("bitexact_vs_cpu") else " MISMATCH")
        series.append((f"{s['backend']}/{s['frame_kind']} ({kind}{exact})", [vals[k] or 0 for k in STAGES]))
    width = 0.8 / len(series)
    for i, (label, vals) in enumerate(series):
        ax.bar([j + i * width for j in range(len(STAGES))], vals, width=width, label=label)
    ax.set_xticks([j + width * (len(series) - 1) / 2 for j in range(len(STAGES))])
    ax.set_xticklabels(STAGES, fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("ms per frame (log)")
    ax.set_title(f"stages on synthetic {report['settings'].get('stage_size', '')} work, per backend", fontsize=10)
    ax.legend(fontsize=7)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    report = json.load(open(sys.argv[1]))
    name = sys.argv[sys.argv.index("--clip") + 1] if "--clip" in sys.argv else None
    clip = pick_clip(report, name)
    fig, axes = plt.subplots(4, 1, figsize=(13, 20))
    stacked_frames(axes[0], clip, "daedalus-cpu", f"{clip['name']} - daedalus, CPU backend")
    stacked_frames(axes[1], clip, "daedalus-vulkan", f"{clip['name']} - daedalus, Vulkan backend")
    decoder_comparison(axes[2], report)
    stage_comparison(axes[3], report)
    m = report.get("machine", {})
    fig.suptitle(f"daedalus-bench  {m.get('cpu', '')}, {m.get('threads', '?')} threads, {m.get('date', '')}", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(sys.argv[2], dpi=90)
    print(f"plot_bench: wrote {sys.argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
