#!/usr/bin/env python3
"""What V3D's compiler made of each pipeline, and the check on it.

    v3d_stats.py COMPILE.stderr ALLOWLIST OUT_DIR [--known-spills FILE] [--max-compile-s 60]

COMPILE.stderr: the stderr of `daedalus-checkasm --compile-only` run on
Mesa V3DV + the v3d noop shim with V3D_DEBUG=shaderdb,qpu. The backend
frames each pipeline creation with "daedalus-pipeline begin LABEL" /
"daedalus-pipeline end LABEL ms=..." and its driver statistics
("daedalus-pipeline stat LABEL NAME=VALUE"); between them the compiler
prints the QPU disassembly of each register-allocated attempt, one
SHADER-DB line for the program it kept, and, from tests/v3d/patches/0002,
V3D-OPT-LOOP-CAP when its NIR optimisation loop would never have ended.

Writes OUT_DIR/stats.json (a list, one object per pipeline; loop_bodies:
[first, last, instructions, TMU accesses] of each loop of the kept program, for
bench/pi5_model.py) and
OUT_DIR/stats.md (the same as a table). Exit 1, naming each problem, when a
pipeline did not compile, hit the optimisation-loop bound, took longer than
--max-compile-s, spills or fills registers, or runs at fewer than 4 threads
without an ALLOWLIST line for it; 0 otherwise.

ALLOWLIST: "LABEL THREADS reason..." lines ('#' comments): LABEL may run at
THREADS (2 or 1) threads, for the measured reason given.

--known-spills FILE: a ratchet for spills that are open issue-19 debts, not
accepted states: "LABEL SPILLS:FILLS THREADS reason..." lines, the exact
counts measured. A listed pipeline fails when it spills or fills more, or
runs at fewer threads, than its line says; when it does better, the check
fails too until the line is lowered to the new counts (or removed once it
no longer spills): the list only shrinks. Listed pipelines are reported
as open debts on every run.
"""
import json
import re
import sys

BEGIN = re.compile(r"^daedalus-pipeline begin (\S+)$")
END = re.compile(r"^daedalus-pipeline end (\S+) ms=([0-9.]+)$")
STAT = re.compile(r"^daedalus-pipeline stat (\S+) (.+)=([^=]*)$")
SHADERDB = re.compile(
    r"SHADER-DB-\S* - \S+ shader: (\d+) inst, (\d+) threads, (\d+) loops, (\d+) uniforms, (\d+) max-temps, "
    r"(\d+):(\d+) spills:fills, (\d+) sfu-stalls, (\d+) inst-and-stalls, (\d+) nops")
QPU_HEADER = re.compile(r"^\S+ prog \d+/\d+ QPU:$")
INST = re.compile(r"^0x[0-9a-f]{16} (.*)$")

COLUMNS = [
    ("pipeline", "pipeline"), ("instructions", "QPU inst"), ("threads", "threads"), ("loops", "loops"),
    ("uniforms", "uniforms"), ("max_temps", "max temps"), ("spills", "spills"), ("fills", "fills"),
    ("scratch_bytes_per_lane", "scratch B/lane"), ("tmu_accesses", "TMU accesses"),
    ("tmu_read_words", "TMU words read"), ("tmu_write_words", "TMU words written"),
    ("thread_switches", "thrsw"), ("compile_strategy", "strategy"), ("compile_ms", "compile ms"),
]


def count_qpu(insts):
    """Counts in one program's disassembly. A TMU access is a write to tmua
    or tmuau (one per load, store or atomic: buffers, scratch and spills);
    words read are ldtmu results, words written tmud writes."""
    c = {"tmu_accesses": 0, "tmu_read_words": 0, "tmu_write_words": 0, "thread_switches": 0}
    for body in insts:
        c["tmu_accesses"] += len(re.findall(r"\btmuau?\b", body))
        c["tmu_read_words"] += len(re.findall(r"\bldtmu\b", body))
        c["tmu_write_words"] += len(re.findall(r"\btmud\b", body))
        c["thread_switches"] += len(re.findall(r"\bthrsw\b", body))
    return c


BRANCH = re.compile(r"\bbu?\.\w+\s+(-?\d+),")


def loop_bodies(insts):
    """The loops of one program's disassembly, from its backward branches:
    [first, last, instructions, TMU accesses] per loop, innermost (shortest)
    first. A branch's offset is in bytes from the end of its three delay
    slots, so the body runs from the target to the last delay slot."""
    loops = []
    for i, body in enumerate(insts):
        m = BRANCH.search(body)
        if m and int(m.group(1)) < 0:
            first = i + 4 + int(m.group(1)) // 8
            last = min(i + 3, len(insts) - 1)
            if 0 <= first <= i:
                loops.append([first, last, last - first + 1,
                              count_qpu(insts[first:last + 1])["tmu_accesses"]])
    return sorted(loops, key=lambda l: l[2])


def parse(lines):
    rows, cur, dump = [], None, None
    for line in lines:
        m = BEGIN.match(line)
        if m:
            cur = {"pipeline": m.group(1), "dumps": [], "shaderdb": None, "capped": 0, "stats": {}, "ms": None}
            rows.append(cur)
            dump = None
            continue
        if cur is None:
            continue
        m = END.match(line)
        if m and m.group(1) == cur["pipeline"]:
            cur["ms"] = float(m.group(2))
            cur = None
            continue
        m = STAT.match(line)
        if m and m.group(1) == cur["pipeline"]:
            cur["stats"][m.group(2)] = m.group(3)
            continue
        if QPU_HEADER.match(line):
            dump = []
            cur["dumps"].append(dump)
            continue
        m = INST.match(line)
        if m and dump is not None:
            dump.append(m.group(1))
            continue
        if "V3D-OPT-LOOP-CAP" in line:
            cur["capped"] += 1
        m = SHADERDB.search(line)
        if m:
            cur["shaderdb"] = [int(x) for x in m.groups()]
    return rows


def summarize(r):
    out = {"pipeline": r["pipeline"], "compiled": r["ms"] is not None and r["shaderdb"] is not None,
           "compile_ms": r["ms"], "opt_loop_capped": r["capped"]}
    if r["shaderdb"]:
        sdb = r["shaderdb"]
        out.update(instructions=sdb[0], threads=sdb[1], loops=sdb[2], uniforms=sdb[3], max_temps=sdb[4],
                   spills=sdb[5], fills=sdb[6], sfu_stalls=sdb[7], nops=sdb[9])
        # The kept program's disassembly: the last attempt as long as it.
        kept = [d for d in r["dumps"] if len(d) == sdb[0]]
        if kept:
            out.update(count_qpu(kept[-1]))
            out["loop_bodies"] = loop_bodies(kept[-1])
    st = r["stats"]
    if "Spill Size" in st:
        # V3DV's "Spill Size": scratch for all 16 lanes (private arrays the
        # compiler could not keep in registers, plus register spills).
        out["scratch_bytes_per_lane"] = int(st["Spill Size"]) // 16
    if "Compile Strategy" in st:
        out["compile_strategy"] = int(st["Compile Strategy"])
    return out


def entries(path):
    """(line number, text) of each line of a list file, '#' comments and blank lines left out."""
    for n, line in enumerate(open(path), 1):
        line = line.split("#", 1)[0].strip()
        if line:
            yield n, line


def read_allowlist(path):
    allow = {}
    for n, line in entries(path):
        parts = line.split(None, 2)
        if len(parts) < 3 or not parts[1].isdigit():
            raise SystemExit(f"{path}:{n}: expected 'LABEL THREADS reason'")
        allow[parts[0]] = (int(parts[1]), parts[2])
    return allow


def read_known_spills(path):
    known = {}
    for n, line in entries(path):
        parts = line.split(None, 3)
        m = re.fullmatch(r"(\d+):(\d+)", parts[1]) if len(parts) >= 4 else None
        if not m or not parts[2].isdigit():
            raise SystemExit(f"{path}:{n}: expected 'LABEL SPILLS:FILLS THREADS reason'")
        known[parts[0]] = (int(m.group(1)), int(m.group(2)), int(parts[2]), parts[3])
    return known


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    log, allow_path, out_dir = argv[1:4]
    max_s = float(argv[argv.index("--max-compile-s") + 1]) if "--max-compile-s" in argv else 60.0
    rows = [summarize(r) for r in parse(open(log, errors="replace").read().splitlines())]
    allow = read_allowlist(allow_path)
    known = read_known_spills(argv[argv.index("--known-spills") + 1]) if "--known-spills" in argv else {}

    with open(f"{out_dir}/stats.json", "w") as f:
        json.dump(rows, f, indent=1)
    md = ["| " + " | ".join(h for _, h in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        md.append("| " + " | ".join(
            (f"{r[k]:.0f}" if k == "compile_ms" and r.get(k) is not None else str(r.get(k, "-")))
            for k, _ in COLUMNS) + " |")
    open(f"{out_dir}/stats.md", "w").write("\n".join(md) + "\n")
    print("\n".join(md))

    problems, notes, debts = [], [], []
    if not rows:
        problems.append("no pipeline was created (no 'daedalus-pipeline begin' line)")
    for r in rows:
        p = r["pipeline"]
        if r["opt_loop_capped"]:
            problems.append(f"{p}: V3D's NIR optimisation loop never ends on it (V3D-OPT-LOOP-CAP: unpatched "
                            "V3DV hangs creating it; dispatch/vulkan/README.md, patterns to avoid)")
        if not r["compiled"]:
            problems.append(f"{p}: did not compile (no SHADER-DB line or no end of vkCreateComputePipelines)")
            continue
        if r["compile_ms"] > max_s * 1000:
            problems.append(f"{p}: compile took {r['compile_ms'] / 1000:.1f} s (limit {max_s:.0f} s)")
        k = known.get(p)
        if k:
            ks, kf, kt, _ = k
            got = f"{r['spills']}:{r['fills']} spills:fills at {r['threads']} threads"
            want = f"{ks}:{kf} at {kt} threads"
            if r["spills"] > ks or r["fills"] > kf or r["threads"] < kt:
                problems.append(f"{p}: {got}, worse than its known-spills.txt line ({want})")
            elif (r["spills"], r["fills"], r["threads"]) != (ks, kf, kt):
                problems.append(f"{p}: improved to {got} (known-spills.txt: {want}): lower its line to the new "
                                "counts, or remove it if it no longer spills (the list only shrinks)")
            if r["spills"] or r["fills"]:
                debts.append(f"{p}: {got} (strategy {r.get('compile_strategy', '?')}); not fixed yet, "
                             "tests/v3d/known-spills.txt")
        elif r["spills"] or r["fills"]:
            problems.append(f"{p}: spills registers ({r['spills']}:{r['fills']} spills:fills, strategy "
                            f"{r.get('compile_strategy', '?')})")
        if r["threads"] < 4 and not k:
            a = allow.get(p)
            if not a:
                problems.append(f"{p}: runs at {r['threads']} threads (max temps {r['max_temps']}); fewer than 4 "
                                "needs a line in tests/v3d/allowlist.txt with the measured reason")
            elif r["threads"] < a[0]:
                problems.append(f"{p}: runs at {r['threads']} threads, the allowlist allows {a[0]}")
        elif p in allow:
            notes.append(f"{p}: now runs at {r['threads']} threads; its allowlist line can go")
    for p in allow:
        if p not in {r["pipeline"] for r in rows}:
            notes.append(f"allowlist: no pipeline {p}")
    for p in known:
        if p not in {r["pipeline"] for r in rows}:
            problems.append(f"known-spills.txt: no pipeline {p}; remove its line")
    for d in debts:
        print(f"OPEN DEBT (issue 19, spills are not an accepted state): {d}")
    for n in notes:
        print(f"note: {n}")
    for pr in problems:
        print(f"FAILED: {pr}")
    total = sum(r["compile_ms"] or 0 for r in rows) / 1000
    print(f"{len(rows)} pipelines, compiled in {total:.1f} s in total, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
