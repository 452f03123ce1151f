#!/usr/bin/env python3
"""make bench-chart: one picture of Lab 5's comparison with native Linux.

For each lx.* benchmark it draws, with gnuplot (tools/deps chart installs
Debian's gnuplot-nox), two panels into build/bench-chart.svg:

  left:  our figure and native Linux's, in guest instructions under QEMU
         -icount shift=0 (a logarithmic axis: they span 355 to 272,295);
  right: the ratio ours/native beside the paper's ratios L4Linux/native
         and L4Linux-with-trampoline/native for the same operation
         (Härtig et al. 1997, Tables 2 and 3; PAPER below names the row).

Native figures come from build/native-bench.json (make bench-native).
Ours come from build/bench.json when the last `make bench` measured every
lx.* benchmark (its tree is named in the legend), else from the reference
figures in grader/figures.json (make bench LAB=5 SOLUTION=5 prints the same).
"""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figures  # noqa: E402
import native  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "build", "bench-chart.svg")
BENCH_JSON = os.path.join(TOP, "build", "bench.json")

# name: (the paper's row, native, L4Linux, L4Linux with trampoline).  Our
# server runs unmodified binaries whose int $0x80 is reflected to it, so its
# counterpart is the trampoline column; L4Linux proper had a modified libc.
PAPER = {
    "lx.getpid": ("getpid, Table 2 (cycles)", 223, 526, 753),
    "lx.write_null": ("write to /dev/null, Table 3 (us)", 2.00, 5.26, 7.80),
    "lx.pipe_rtt": ("pipe latency, Table 3 (us)", 29.0, 52.1, 69.4),
    "lx.fork_wait": ("null process (fork+exit), Table 3 (us)", 973, 2749, 2765),
    "lx.fault": ("mmap latency, Table 3 (us): the nearest row; Table 5's 6.2 us "
                 "user-level fault has no native figure", 52.2, 64.3, 69.4),
}
NAMES = list(PAPER)
# Where the paper's row is not the same operation, the axis says so.
TICS = {"lx.fault": "fault\\n(paper: mmap)"}


def ours():
    """({name: figure}, label) of our side."""
    if os.path.exists(BENCH_JSON):
        with open(BENCH_JSON) as f:
            last = json.load(f)
        got = {b["name"]: b["value"] for b in last.get("benchmarks", [])
               if b["name"] in PAPER and b.get("value") and b.get("unit") == "instructions"}
        if len(got) == len(NAMES):
            tree = last.get("tree", "a tree")
            return got, "ours (%s, the last make bench)" % tree
    ref = figures.load().get("benchmarks", {})
    missing = [n for n in NAMES if n not in ref]
    if missing:
        sys.exit("bench-chart: no figure of ours for %s: run make bench LAB=5" % ", ".join(missing))
    return {n: ref[n]["value"] for n in NAMES}, "ours (reference, grader/figures.json)"


def script(mine, label, nat, kernel):
    """The gnuplot program, with its data inline (datablocks)."""
    rows = []
    for n in NAMES:
        _, p_nat, p_l4, p_tramp = PAPER[n]
        rows.append('"%s" %d %d %.2f %.2f %.2f' % (
            TICS.get(n, n[3:]), mine[n], nat[n]["value"], mine[n] / nat[n]["value"],
            p_l4 / p_nat, p_tramp / p_nat))
    return "\n".join([
        "$data << EOD", *rows, "EOD",
        'set terminal svg size 1200,540 dynamic noenhanced font "sans,12" background "white"',
        'set output "%s"' % OUT,
        "set multiplot layout 1,2 title "
        '"Lab 5: the same static i386 binaries under our Linux server and on native Linux %s'
        '\\n(QEMU -icount shift=0: guest instructions, not cycles)"' % kernel,
        "set style data histogram", "set style histogram clustered gap 1",
        "set style fill solid 0.8 border -1", "set boxwidth 0.9", "set grid ytics",
        "set key below Left reverse", "set bmargin 7",
        'set title "Instructions per operation (log scale)"', "set logscale y",
        'set ylabel "guest instructions"', "set yrange [100:1000000]", 'set format y "%.0f"',
        'plot $data using 2:xtic(1) title "%s" lc rgb "#d95f02", '
        '"" using 3 title "native Linux" lc rgb "#1b9e77"' % label.replace('"', "'"),
        "unset logscale y", 'set format y "%g"', 'set title "Slowdown against native (1 = as fast)"',
        'set ylabel "ratio"', "set yrange [0:*]",
        'plot $data using 4:xtic(1) title "ours / native" lc rgb "#d95f02", '
        '"" using 6 title "paper: L4Linux trampoline / Linux" lc rgb "#7570b3", '
        '"" using 5 title "paper: L4Linux / Linux" lc rgb "#e7298a"',
        "unset multiplot", ""])


def main():
    data = native.load()
    if not data:
        sys.exit("bench-chart: no native figures: run make bench-native first "
                 "(it writes build/native-bench.json)")
    if not shutil.which("gnuplot"):
        sys.exit("bench-chart: gnuplot is not installed: run tools/deps chart")
    mine, label = ours()
    nat = data["benchmarks"]
    text = script(mine, label, nat, data["kernel"]["release"])
    p = subprocess.run(["gnuplot"], input=text, capture_output=True, text=True)
    if p.returncode != 0 or not os.path.exists(OUT):
        sys.exit("bench-chart: gnuplot failed:\n" + p.stderr)
    print("%-14s %10s %10s %12s %12s   %s" % ("name", "ours", "native", "ours/native",
                                              "paper tramp.", "paper row"))
    for n in NAMES:
        row, p_nat, _, p_tramp = PAPER[n]
        print("%-14s %10d %10d %12.2f %12.2f   %s" % (n, mine[n], nat[n]["value"],
                                                     mine[n] / nat[n]["value"],
                                                     p_tramp / p_nat, row))
    print("Written to %s (%s)" % (os.path.relpath(OUT), label))


if __name__ == "__main__":
    main()
