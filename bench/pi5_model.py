#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Projects Raspberry Pi 5 frame time for our decoder from work measured
here: CPU-part instruction counts (callgrind), per-stage instruction counts
of the CPU reference stages, the Vulkan backend's dependent dispatch levels,
and bytes each stage moves, against the Pi 5's figures. Every assumption is
a named constant below and is printed with the result; see
docs/performance.md for the reasoning.

    pi5_model.py BENCH.json CALLGRIND.json [--clip NAME]
"""
import json
import sys

# --- Pi 5 figures (given) -------------------------------------------------
A76_HZ = 2.4e9
V3D_QPUS, V3D_LANES, V3D_HZ = 12, 16, 800e6
V3D_PEAK_FLOPS = 77e9          # 12 QPUs x 4 physical lanes x 2 ALUs x 800 MHz
V3D_COPY_BW = 4e9              # measured QPU copy bandwidth, bytes/s
# --- assumptions (stated, not measured) ----------------------------------
A76_IPC_SERIAL = 1.3     # IPC of A76 on branchy bool-decoding / header code
ISA_FACTOR = 1.1         # AArch64 instructions per x86-64 instruction, scalar C++
GPU_INSTR_PER_CPU_INSTR = 1.0  # scalar shader ops per scalar reference op
GPU_OPS_PER_S = V3D_PEAK_FLOPS / 2  # integer work mostly on the add ALU
GPU_EFFICIENCY = 0.35    # TMU latency, divergence, partial groups
LEVEL_COST_S = 20e-6     # one dependent dispatch + barrier on V3DV
FIXED_DISPATCHES = 10    # residual sizes, inter, add_residual, pack, ...
SUBMIT_S = 0.3e-3        # one vkQueueSubmit + fence wait per frame
FRAME_BYTES_1080P = 1920 * 1080 * 3 // 2  # when the clip's size is unknown
# bytes moved per stage, in frames' worth of 4:2:0 pixels (read + write)
BYTES_FRAMES = {"residual": 0.6, "inter_pred": 3.0, "intra_recon": 0.6,
                "loop_filter": 4.0, "pack_nv12": 2.0}
STAGES = ["residual", "inter_pred", "intra_recon", "loop_filter", "pack_nv12"]


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    bench = json.load(open(sys.argv[1]))
    cg = json.load(open(sys.argv[2]))["callgrind"]
    name = sys.argv[sys.argv.index("--clip") + 1] if "--clip" in sys.argv else None
    decs = cg["decoders"]
    clip = name or next(iter(k for k in decs if "1080" in k), next(iter(decs)))
    d = decs[clip]
    lavc_ir = d["libavcodec-1t"]["ir_mean"]
    ours = d.get("daedalus-cpu")
    if not ours or "parse_entropy_ir_mean" not in ours:
        print(f"pi5_model: no daedalus-cpu instruction counts for {clip}", file=sys.stderr)
        return 1
    cpu_ir = ours["parse_entropy_ir_mean"]
    stage_ir = ours["stage_ir_mean"]
    # The synthetic inter frame (1080p by default) gives the Vulkan
    # planner's levels.
    plan = next((s.get("vulkan_plan") for s in bench.get("stage_bench", [])
                 if s["backend"] == "vulkan" and s["frame_kind"] == "inter" and s.get("vulkan_plan")), None)
    plan_intra = next((s.get("vulkan_plan") for s in bench.get("stage_bench", [])
                       if s["backend"] == "vulkan" and s["frame_kind"] == "intra" and s.get("vulkan_plan")), None)

    # Measured here, for the cross-check of the CPU projection.
    bclip = next((c for c in bench["clips"] if c["name"] == clip), None)
    here = {}
    if bclip:
        for r in bclip["runs"]:
            if r["available"]:
                here[r["id"]] = r
    frame_bytes = bclip["width"] * bclip["height"] * 3 // 2 if bclip else FRAME_BYTES_1080P
    cpu_s = cpu_ir * ISA_FACTOR / (A76_IPC_SERIAL * A76_HZ)
    lavc_s = lavc_ir * ISA_FACTOR / (A76_IPC_SERIAL * A76_HZ)

    rows = []
    gpu_total = 0.0
    for s in STAGES:
        ops = stage_ir.get(s, 0) * GPU_INSTR_PER_CPU_INSTR
        compute = ops / (GPU_OPS_PER_S * GPU_EFFICIENCY)
        memory = BYTES_FRAMES[s] * frame_bytes / V3D_COPY_BW
        levels = 0
        if plan:
            levels = {"intra_recon": plan["intra_levels"], "loop_filter": plan["loop_filter_levels"]}.get(s, 0)
        t = max(compute, memory) + levels * LEVEL_COST_S
        gpu_total += t
        rows.append((s, stage_ir.get(s, 0), ops, compute, memory, levels, t))
    gpu_total += FIXED_DISPATCHES * LEVEL_COST_S + SUBMIT_S

    out = []
    out.append(f"clip: {clip} (callgrind mean over {len(ours['ir_per_frame'])} frames)")
    out.append("")
    out.append("| part | measured work (here) | Pi 5 projection |")
    out.append("| --- | --- | --- |")
    out.append(f"| CPU part (parse + entropy + work building) | {cpu_ir/1e6:.1f} M instr/frame | "
               f"{cpu_s*1e3:.1f} ms on one A76 |")
    out.append(f"| libavcodec vp9, 1 thread (whole decode) | {lavc_ir/1e6:.1f} M instr/frame | "
               f"{lavc_s*1e3:.1f} ms on one A76 (same IPC; NEON vs AVX2 makes this optimistic) |")
    for s, ir, ops, compute, memory, levels, t in rows:
        out.append(f"| GPU {s} | {ir/1e6:.1f} M ref. instr, {BYTES_FRAMES[s]*frame_bytes/1e6:.1f} MB"
                   f"{f', {int(levels)} dependent levels' if levels else ''} | "
                   f"{t*1e3:.2f} ms (compute {compute*1e3:.2f}, memory {memory*1e3:.2f}) |")
    out.append(f"| GPU submit + fixed dispatches | 1 submit, {FIXED_DISPATCHES} dispatches | "
               f"{(FIXED_DISPATCHES*LEVEL_COST_S+SUBMIT_S)*1e3:.2f} ms |")
    out.append(f"| **GPU frame** | | **{gpu_total*1e3:.1f} ms** |")
    out.append(f"| **throughput** (CPU part of frame n+1 overlaps GPU of frame n) | | "
               f"**{max(cpu_s, gpu_total)*1e3:.1f} ms/frame = {1/max(cpu_s, gpu_total):.0f} fps** |")
    out.append(f"| latency (one frame, no overlap) | | {(cpu_s+gpu_total)*1e3:.1f} ms |")
    out.append("")
    out.append(f"CPU part / libavcodec-1t, instructions: {cpu_ir/lavc_ir:.2f} (target <= 0.40)")
    if "daedalus-cpu" in here and "libavcodec-1t" in here:
        ps = here["daedalus-cpu"].get("profile_summary", {})
        if ps:
            line = f"CPU part / libavcodec-1t, wall time here: {ps['cpu_part_ratio_vs_reference']:.2f}"
            if ps.get("cpu_part_thread_cpu_ratio_vs_reference") is not None:
                line += f", thread CPU time here: {ps['cpu_part_thread_cpu_ratio_vs_reference']:.2f}"
            out.append(line)
    if plan_intra:
        out.append(f"key frame: {int(plan_intra['intra_levels'])} intra wavefront levels "
                   f"(+{plan_intra['intra_levels']*LEVEL_COST_S*1e3:.1f} ms of level cost on V3DV)")
    out.append("")
    out.append("assumptions: " + ", ".join(f"{k}={v}" for k, v in [
        ("A76_IPC_SERIAL", A76_IPC_SERIAL), ("ISA_FACTOR", ISA_FACTOR),
        ("GPU_INSTR_PER_CPU_INSTR", GPU_INSTR_PER_CPU_INSTR), ("GPU_OPS_PER_S", f"{GPU_OPS_PER_S:.3g}"),
        ("GPU_EFFICIENCY", GPU_EFFICIENCY), ("LEVEL_COST_S", LEVEL_COST_S), ("SUBMIT_S", SUBMIT_S),
        ("BYTES_FRAMES", BYTES_FRAMES)]))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
