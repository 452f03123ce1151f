"""System tests of the tools around the kernel: make profile (grader/profile.py),
make compile_commands.json (tools/compile_commands.py) and the VS Code
configuration (.vscode/).  grader/systests.py adds them to make test.

docs/gdb.md quotes the output of `make profile BENCH=trap.rtt SOLUTION=0`;
the profile test compares it with what the command prints now, and

    python3 grader/tooltests.py --update

rewrites the quoted block after a change to the kernel's entry path.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import gradelib
import qemu
from gradelib import Failure, Skip, Test

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


GDB_MD = os.path.join(TOP, "docs", "gdb.md")
PROFILE_CMD = "$ make profile BENCH=trap.rtt SOLUTION=0"


def quoted_block(path, first):
    """(start, end) line indexes of the lines of the fenced block in path
    whose first line is first (the lines after it, up to the fence)."""
    with open(path) as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line == first and i > 0 and lines[i - 1].startswith("```"):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            return lines, i + 1, end
    raise Failure("%s quotes no block starting %r" % (os.path.relpath(path, TOP), first))


# The Lab 6 handout quotes the fast round trip's table, up to its total.
LAB6_MD = os.path.join(TOP, "labs", "lab6-fastpath", "README.md")
LAB6_CMD = "$ make profile BENCH=ipc.fast.inter_space SOLUTION=6"


def run_profile(bench="trap.rtt", solution="0", listing=False):
    p = subprocess.run([sys.executable, os.path.join(TOP, "grader", "profile.py"), bench,
                        "--solution", solution] + (["--listing"] if listing else []),
                       cwd=TOP, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def table_lines(stdout):
    """The lines of make profile's output up to its first total."""
    lines = stdout.rstrip("\n").split("\n")
    end = next((i for i, line in enumerate(lines) if re.match(r"^ *-?\d+  total$", line)),
               len(lines) - 1)
    return lines[:end + 1]


def test_profile_lab6(build):
    """The Lab 6 handout's table of where the fast round trip's instructions go
    (make profile BENCH=ipc.fast.inter_space SOLUTION=6) is what make profile prints now."""
    missing = gradelib.missing_solution(6, TOP)
    if missing is not None:
        raise Skip("needs solutions/lab6, which this tree lacks")
    rc, stdout, stderr = run_profile("ipc.fast.inter_space", "6")
    if rc != 0:
        raise Failure("make profile BENCH=ipc.fast.inter_space SOLUTION=6 failed", stdout + stderr)
    lines, a, b = quoted_block(LAB6_MD, LAB6_CMD)
    if lines[a:b] != table_lines(stdout):
        raise Failure("labs/lab6-fastpath/README.md quotes another table of `%s` than it prints "
                      "now; python3 grader/tooltests.py --update rewrites the block" % LAB6_CMD[2:],
                      stdout)


def test_profile(build):
    """make profile on the smallest benchmark (trap.rtt, SOLUTION=0): one sample traced
    with GDB, per function, kernel and user; the table's rows add up to its total, and
    the total equals the figure the benchmark itself prints.  With LISTING=1 it also
    lists every instruction with how often it ran: the counts add up to the total and
    the empty sample, and the sample's int $0x30 and iret are among them."""
    missing = gradelib.missing_solution(0, TOP)
    if missing is not None:
        raise Skip("needs solutions/lab0 (the benchmark is Lab 0's hole), which this tree lacks")
    rc, stdout, stderr = run_profile(listing=True)
    stdout, _, listed = stdout.partition("\n\nInstruction by instruction")
    stdout += "\n"
    out = stdout + stderr
    m = re.search(r"^The total equals the benchmark's figure: make bench prints trap\.rtt "
                  r"(\d+)\.$", out, re.M)
    if rc != 0 or not m:
        raise Failure("make profile BENCH=trap.rtt SOLUTION=0 should end saying that its total "
                      "equals the benchmark's figure (exit status %d)" % rc, out)
    rows = re.findall(r"^ *(-?\d+)  (\S+) ", out.split("By source file:")[0], re.M)
    total = re.search(r"^ *(-?\d+)  total$", out, re.M)
    functions = {name for _, name in rows}
    if not total or int(total.group(1)) != int(m.group(1)) or \
            sum(int(n) for n, _ in rows) != int(total.group(1)):
        raise Failure("the function rows should add up to the total, the benchmark's figure %s"
                      % m.group(1), out)
    for want in ("measure_trap_rtt", "(empty"):
        if want not in functions:
            raise Failure("the table should have a row for %s" % want, out)
    if len(functions) < 4:
        raise Failure("the table should name the kernel's functions too", out)
    empty = re.search(r"^ *(-?\d+)  \(empty sample\)", out, re.M)
    counts = re.findall(r"^ *(\d+)  0x[0-9a-f]{8}  (\S.*)$", listed, re.M)
    if not empty or sum(int(n) for n, _ in counts) != int(total.group(1)) - int(empty.group(1)) \
            or not any(i.startswith("int ") for _, i in counts) \
            or not any(i.startswith("iret") for _, i in counts):
        raise Failure("make profile ... LISTING=1 should list every instruction of the sample, "
                      "the int $0x30 and the iret among them, their counts adding up to the "
                      "total and the empty sample", listed)
    lines, a, b = quoted_block(GDB_MD, PROFILE_CMD)
    if lines[a:b] != stdout.rstrip("\n").split("\n"):
        raise Failure("docs/gdb.md quotes another output of `%s` than it prints now; "
                      "python3 grader/tooltests.py --update rewrites the block" % PROFILE_CMD[2:],
                      stdout)


def update():
    """Rewrites docs/gdb.md's quoted make profile output with what it prints now."""
    rc, stdout, stderr = run_profile()
    if rc != 0:
        sys.exit("make profile failed; docs/gdb.md left as it was:\n" + stdout + stderr)
    lines, a, b = quoted_block(GDB_MD, PROFILE_CMD)
    with open(GDB_MD, "w") as f:
        f.write("\n".join(lines[:a] + stdout.rstrip("\n").split("\n") + lines[b:]))
    print("docs/gdb.md: the block after '%s' rewritten; read the sentences around it "
          "(git diff docs/gdb.md)" % PROFILE_CMD)
    rc, stdout, stderr = run_profile("ipc.fast.inter_space", "6")
    if rc != 0:
        sys.exit("make profile failed; %s left as it was:\n%s" % (LAB6_MD, stdout + stderr))
    lines, a, b = quoted_block(LAB6_MD, LAB6_CMD)
    with open(LAB6_MD, "w") as f:
        f.write("\n".join(lines[:a] + table_lines(stdout) + lines[b:]))
    print("labs/lab6-fastpath/README.md: the block after '%s' rewritten; read the sentences "
          "around it" % LAB6_CMD)


def compile_database(dest):
    p = subprocess.run([sys.executable, os.path.join(TOP, "tools", "compile_commands.py"), dest],
                       cwd=TOP, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise Failure("make compile_commands.json failed", p.stdout + p.stderr)
    with open(dest) as f:
        return json.load(f)


def include_dirs(entry):
    """The -I folders of an entry, as absolute paths."""
    args, out = entry["arguments"], []
    for i, a in enumerate(args):
        d = args[i + 1] if a == "-I" and i + 1 < len(args) else a[2:] if a.startswith("-I") else None
        if d:
            out.append(os.path.normpath(os.path.join(entry["directory"], d)))
    return out


def test_compile_commands(build):
    """make compile_commands.json, made from the build's own commands, names every .c
    under kernel/ and user/ with -m32 and the include folders its build uses (kernel/
    and include/ for the kernel; user/include/ and include/ for user programs; the
    Linux programs use the host's C library, so -m32 alone); clangd, if installed, then
    parses a kernel and a user file without an error."""
    tmp = tempfile.mkdtemp(prefix="l4lab-cdb-")
    try:
        db = compile_database(os.path.join(tmp, "compile_commands.json"))
        byfile = {}
        for e in db:
            byfile.setdefault(os.path.relpath(e["file"], TOP), e)
        wanted = sorted(os.path.relpath(f, TOP) for d in ("kernel", "user") for f in
                        glob.glob(os.path.join(TOP, d, "**", "*.c"), recursive=True))
        missing = [f for f in wanted if f not in byfile]
        if missing:
            raise Failure("compile_commands.json does not name %s" % ", ".join(missing))
        for f in wanted:
            e, need = byfile[f], []
            if "-m32" not in e["arguments"]:
                raise Failure("%s is listed without -m32: %s" % (f, " ".join(e["arguments"])))
            if f.startswith("kernel/"):
                need = ["kernel", "include"]
            elif not f.startswith("user/linux-progs/"):
                need = ["user/include", "include"]
            have = include_dirs(e)
            lacking = [d for d in need if os.path.join(TOP, d) not in have]
            if lacking:
                raise Failure("%s is listed without -I for %s: %s" %
                              (f, ", ".join(lacking), " ".join(e["arguments"])))
        lines, a, b = quoted_block(GDB_MD, "$ make compile_commands.json")
        said = "make: compile_commands.json lists %d C files" % len({e["file"] for e in db})
        if not any(line.startswith(said + " ") for line in lines[a:b]):
            raise Failure("docs/gdb.md's `make compile_commands.json` should say '%s ...'" % said)
        if shutil.which("clangd"):
            for f in ("kernel/ipc_syscall.c", "user/lib/ulib.c"):
                p = subprocess.run(["clangd", "--compile-commands-dir=" + tmp, "--check=" + f],
                                   cwd=TOP, capture_output=True, text=True, timeout=120)
                said = p.stdout + p.stderr
                if p.returncode != 0 or not re.search(r"All checks completed, 0 errors", said):
                    raise Failure("clangd --check=%s with this compile_commands.json reports "
                                  "errors" % f, said[-3000:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def make_targets():
    """Every target the Makefile (and its Makefrags) defines, from make's database."""
    p = subprocess.run(["make", "-pRrq", "-f", "Makefile", "__no_such_target__"], cwd=TOP,
                       capture_output=True, text=True, timeout=60)
    return set(re.findall(r"^([\w.-]+):", p.stdout, re.M))


def vscode_json(name):
    path = os.path.join(TOP, ".vscode", name)
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise Failure(".vscode/%s does not parse as JSON: %s" % (name, e))


def test_vscode(build):
    """.vscode/'s launch.json, tasks.json and settings.json parse; every task runs a make
    target the Makefile has; and the launch configuration's GDB commands, run by GDB
    itself against make qemu-gdb's halted QEMU (on a port given as GDBPORT), load the
    kernel's and the programs' symbols and stop at kernel_main."""
    launch, tasks = vscode_json("launch.json"), vscode_json("tasks.json")
    vscode_json("settings.json")
    targets = make_targets()
    labels = set()
    for t in tasks["tasks"]:
        labels.add(t["label"])
        words = t["command"].split()
        if words[0] != "make" or any(w not in targets for w in words[1:] if "=" not in w):
            raise Failure("task %r runs %r: not a target of the Makefile" %
                          (t["label"], t["command"]))
    configs = launch["configurations"]
    for c in configs:
        if c.get("preLaunchTask") and c["preLaunchTask"] not in labels:
            raise Failure("launch configuration %r needs the task %r, which tasks.json lacks" %
                          (c["name"], c["preLaunchTask"]))
    port = gradelib.free_port()
    rel = os.path.relpath(build, TOP)
    p = subprocess.run(["make", "-s", os.path.join(rel, "gdbinit"), "GDBPORT=%d" % port,
                        "SOLUTION=" + ("" if rel == "build/student" else rel[len("build/sol"):])],
                       cwd=TOP, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise Failure("make %s/gdbinit failed" % rel, p.stdout + p.stderr)
    setup = [s["text"].replace("${workspaceFolder}", TOP).replace("${input:build}", rel)
             for s in configs[0]["customLaunchSetupCommands"]]
    q = subprocess.Popen(qemu.qemu_command(build, ["hello"], gdb_port=port),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(0.3)
        cmds = [a for s in setup for a in ("-ex", s)]
        g = subprocess.run(["gdb", "-nx", "-batch"] + cmds +
                           ["-ex", "break kernel_main", "-ex", "continue",
                            "-ex", "info line hello.c:main", "-ex", "kill"],
                           cwd=TOP, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=60)
    finally:
        q.kill()
        q.wait()
    out = g.stdout + g.stderr
    for pattern, what in [(r"Breakpoint 1, kernel_main \(", "the breakpoint at kernel_main"),
                          (r'Line \d+ of "user/hello\.c"', "hello's symbols (user/hello.c)")]:
        if not re.search(pattern, out):
            raise Failure("GDB with the launch configuration's commands (%s): expected %s" %
                          ("; ".join(setup), what), out)


TESTS = [
    Test("profile", doc=test_profile.__doc__, run=test_profile),
    Test("profile_lab6", doc=test_profile_lab6.__doc__, run=test_profile_lab6),
    Test("compile_commands", doc=test_compile_commands.__doc__, run=test_compile_commands),
    Test("vscode", doc=test_vscode.__doc__, run=test_vscode),
]


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python3 grader/tooltests.py --update  (make test runs the tests)")
    update()
