#!/usr/bin/env python3
"""Checks the transcripts the handouts quote against what the code prints now.

    python3 grader/transcripts.py [--update] [--list] [FILE...]

A handout shows what a command prints; when a message in the code changes,
the handout must change with it.  This script finds the quoted transcripts,
runs what they show, and compares.  Two kinds are checked:

1. Console transcripts: a fenced block whose first line is
   `$ make qemu [SOLUTION=N] RUN="..."` (possibly inside a shell pipeline
   that types into the console, like `(sleep 4; printf 'x.') | make qemu ...`).
   The command is run with the same grader/qemu.py command line the
   Makefile uses, on the reference build of the lab the handout teaches
   (build/solN, where N is the handout's lab, or the SOLUTION= the command
   names; docs/*.md use the highest lab, 4).  Without SOLUTION= in the
   command, the transcript shows the student's own build: paths
   build/solN/ in the output are shown as build/student/.
   An output-only block (a fault report, a deadlock report) names its
   command in a marker on the line before its fence:
       <!--transcript: make qemu SOLUTION=3 RUN="sigma0,lab3_pager readonly x 8 1234"-->
   and a block that cannot be reproduced by a reference build (a stage
   in the middle of a lab, a machine-specific message) says why instead:
       <!--transcript: skip an intermediate stage of Lab 1: ipc_timeout still a stub-->
   and a `$ make qemu` block whose run depends on time (a timer tick,
   text typed by a shell) says so, and is compared without its numbers
   (and run once more before a mismatch counts):
       <!--transcript: vary the tick a sleeping thread wakes in depends on the host's speed-->
   Every `$ make qemu` block is checked or skipped with a reason; no other
   way exists to leave one out.

   The block's lines, split at lines that are just "...", must each
   appear in the output, in order, each piece as consecutive lines
   (trailing blanks ignored).  The output is deterministic for a given
   build, so addresses and figures are compared exactly.

2. GDB source lines: in a block with `(gdb)` prompts, a line like
   `Breakpoint 1, ipc_send (...) at kernel/ipc.c:65` or `0x... in f () at
   kernel/sched.c:218` names a file and a line; the line after it that
   starts with that number must show that line of the file (of the
   student's file or of any solutions/labN/ copy of it).

Prints one line per mismatch naming the handout and the line, e.g.
    labs/lab0-boot/README.md:113: `make qemu RUN="fault null,hello"` no longer prints
        'boot: thread 1 runs fault (entry 0x01400ed0)'; it prints
        'boot: thread 1 runs fault (entry 0x01400ef0)'
and exits 1 if there is any.  --update rewrites a console block whose
lines changed only in their numbers (addresses, counts) with the lines
printed now; a changed message must be edited by hand.  make test runs
this script (grader/testall.py); it needs the reference builds of labs
0..4 and skips the blocks of a lab whose reference is not in the tree.
"""

import argparse
import concurrent.futures
import glob
import os
import re
import shlex
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docscheck  # noqa: E402
import gradelib  # noqa: E402
import qemu  # noqa: E402

TOP = gradelib.TOP
FENCE = "```"
MARKER_RE = re.compile(r"^<!--transcript:\s*(.*?)\s*-->\s*$")
MAKE_QEMU_RE = re.compile(r"\bmake qemu(?![\w-])((?:\s+[A-Z]+=(?:\"[^\"]*\"|\S+))*)")
NUMBER_RE = re.compile(r"0x[0-9a-fA-F]+|\d+")
GDB_AT_RE = re.compile(r"(?:\bat |is in \w+ \()((?:kernel|user|solutions)/[\w/.-]+\.(?:c|h|asm)):(\d+)(?:\)\.)?\s*$")
GDB_SRC_RE = re.compile(r"^(\d+)\t?\s+(.*)$")
TIMEOUT = 90


class Block:
    """One fenced block: where it is, its lines, and the marker before it."""

    def __init__(self, path, line, lines, marker):
        self.path, self.line, self.lines, self.marker = path, line, lines, marker

    def where(self, offset=0):
        return "%s:%d" % (os.path.relpath(self.path, TOP), self.line + 1 + offset)


def blocks(path):
    """Every fenced block of a Markdown file (line = the index of its first
    line, after the fence)."""
    text = open(path, encoding="utf-8").read().split("\n")
    found, i = [], 0
    while i < len(text):
        if text[i].startswith(FENCE):
            j = i + 1
            while j < len(text) and not text[j].startswith(FENCE):
                j += 1
            m = MARKER_RE.match(text[i - 1]) if i else None
            found.append(Block(path, i + 1, text[i + 1:j], m.group(1) if m else None))
            i = j
        i += 1
    return found


def handout_lab(path):
    """The lab a handout teaches (labs/labN-*/README.md), or 4 for docs."""
    m = re.search(r"labs/lab(\d+)-", path.replace(os.sep, "/"))   # README.md and its companions
    return int(m.group(1)) if m else 4


def parse_make(command):
    """('make qemu' variables as a dict, the text of 'make qemu ...') from a
    shell command, or None if it does not run make qemu."""
    m = MAKE_QEMU_RE.search(command)
    if not m:
        return None
    vars_ = {}
    for word in shlex.split(m.group(1)):
        k, _, v = word.partition("=")
        vars_[k] = v
    return vars_, m.group(0)


def qemu_line(build, vars_):
    """What `make qemu` runs for these variables (the Makefile's recipe)."""
    progs = [p for p in vars_.get("RUN", "hello").split(",")]
    words = ["python3", "grader/qemu.py", "--build", build]
    if vars_.get("KVM"):
        words.append("--kvm")
    if vars_.get("ICOUNT"):
        words.append("--icount")
    return " ".join(words) + " --interactive -- " + " ".join("'%s'" % p for p in progs)


class Transcript:
    """A console block to check: the command, the build, the expected lines."""

    def __init__(self, block, command, expected, first, vary=False):
        # first: the index in the block of expected[0]; vary: the run depends
        # on time (a timer, typed input), so numbers are not compared and a
        # mismatch is run once more before it counts
        self.block, self.command, self.expected, self.first = block, command, expected, first
        self.vary = vary
        vars_, self.make_text = parse_make(command)
        self.vars = vars_
        self.solution = int(vars_["SOLUTION"]) if "SOLUTION" in vars_ else handout_lab(block.path)
        self.build = "build/sol%d" % self.solution
        self.shown_build = self.build if "SOLUTION" in vars_ else "build/student"

    def shell(self):
        """The command as the shell runs it: make qemu replaced by what it runs."""
        return self.command.replace(self.make_text, qemu_line(self.build, self.vars))

    def run(self, top, raw=None):
        """The lines the command prints now, as the handout would show them;
        raw: what the shell command printed, if it has run already."""
        out = raw if raw is not None else run_shell(self.shell(), top)
        out = out.replace(self.build + "/", self.shown_build + "/")
        lines = [l.rstrip() for l in out.split("\n")]
        # `make` echoes its recipe before running it.
        return [qemu_line(self.shown_build, self.vars)] + lines


def run_shell(shell, top):
    """What a shell command prints (stdout and stderr), within TIMEOUT."""
    # One boot's slot (most commands are a make and a boot), and a session
    # of its own, so that a hang ends with every process of the pipeline
    # (QEMU would otherwise keep the output pipe open).
    with qemu.slot():
        return _run_shell(shell, top)


def _run_shell(shell, top):
    p = subprocess.Popen(["bash", "-c", shell], cwd=top, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    try:
        out = p.communicate(timeout=TIMEOUT)[0].decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out = p.communicate()[0].decode("utf-8", "replace") + "\n(timed out)"
    return out.replace("\r\n", "\n").replace("\r", "")


def chunks(lines):
    """The block's lines split at '...' lines, as (offset in block, lines)."""
    out, cur, start = [], [], 0
    for i, line in enumerate(lines):
        if line.strip() == "...":
            if cur:
                out.append((start, cur))
            cur, start = [], i + 1
        else:
            if not cur:
                start = i
            cur.append(line.rstrip())
    if cur:
        out.append((start, cur))
    return out


def shape(line):
    return NUMBER_RE.sub("#", line)


def find(chunk, actual, start, same):
    """The first index >= start where chunk appears in actual (lines
    compared by same), or -1."""
    for k in range(start, len(actual) - len(chunk) + 1):
        if all(same(a, b) for a, b in zip(chunk, actual[k:k + len(chunk)])):
            return k
    return -1


def compare(t, actual):
    """([mismatch lines], {block line index: replacement line}) for a transcript."""
    problems, fixes, pos = [], {}, 0
    for offset, chunk in chunks(t.expected):
        k = find(chunk, actual, pos, (lambda a, b: shape(a) == shape(b)) if t.vary else
                 (lambda a, b: a == b))
        if k >= 0:
            pos = k + len(chunk)
            continue
        k = find(chunk, actual, pos, lambda a, b: shape(a) == shape(b))
        if k >= 0:
            for i, (a, b) in enumerate(zip(chunk, actual[k:k + len(chunk)])):
                if a != b:
                    fixes[offset + i] = b
            bad = next(i for i, (a, b) in enumerate(zip(chunk, actual[k:])) if a != b)
            problems.append("%s: `%s` prints other numbers now: the handout has\n    %r; now\n    %r"
                            "\n  (python3 grader/transcripts.py --update rewrites it)"
                            % (t.block.where(offset + bad + t.first), t.make_text,
                               chunk[bad], actual[k + bad]))
            pos = k + len(chunk)
            continue
        # Say which line of the piece is not printed.
        first_missing = next((i for i, line in enumerate(chunk)
                              if find([line], actual, pos, lambda a, b: a == b) < 0), 0)
        near = [a for a in actual if shape(a) == shape(chunk[first_missing])]
        problems.append("%s: `%s` no longer prints\n    %r%s"
                        % (t.block.where(offset + first_missing + t.first),
                           t.make_text, chunk[first_missing],
                           "; it prints\n    %r" % near[0] if near else
                           " (is the message changed, or the lines around it? run the command)"))
    return problems, fixes


def console_transcripts(path):
    """(transcripts to run, skipped blocks (block, reason), problems)."""
    found, skipped, problems = [], [], []
    for b in blocks(path):
        runs_make = bool(b.lines) and b.lines[0].startswith("$ ") and parse_make(b.lines[0])
        if b.marker is None and not runs_make:
            continue
        if b.marker is not None and b.marker.startswith("skip"):
            reason = b.marker[4:].strip()
            if not reason:
                problems.append("%s: a transcript skipped without a reason" % b.where(-1))
            skipped.append((b, reason))
            continue
        vary = b.marker is not None and b.marker.startswith("vary")
        if vary and not b.marker[4:].strip():
            problems.append("%s: `vary` without a reason (say what makes the run vary)" % b.where(-1))
        if b.marker is not None and not vary:
            if not parse_make(b.marker):
                problems.append("%s: the transcript marker must name a `make qemu` command: %r"
                                % (b.where(-1), b.marker))
                continue
            found.append(Transcript(b, b.marker, b.lines, 0))
            continue
        # One block may show several commands, each with its output.
        starts = [i for i, l in enumerate(b.lines) if l.startswith("$ ")] + [len(b.lines)]
        for i, j in zip(starts, starts[1:]):
            out = b.lines[i + 1:j]
            if parse_make(b.lines[i]) and any(l.strip() for l in out):
                found.append(Transcript(b, b.lines[i][2:], out, i + 1, vary))
    return found, skipped, problems


def source_line(top, file, n):
    """Line n of file (or of each solutions/labN/ copy), whitespace-normalised:
    a list of what it may be."""
    texts = []
    for c in [os.path.join(top, file)] + sorted(glob.glob(os.path.join(top, "solutions", "lab*", file))):
        if os.path.isfile(c):
            src = open(c, encoding="utf-8", errors="replace").read().split("\n")
            if n <= len(src):
                texts.append(" ".join(src[n - 1].split()))
    return texts


def relocate(top, file, n, shown, function):
    """Where the line GDB showed is now: the line of file with the same
    text nearest to n ('{' is looked for after function's definition), or None."""
    path = os.path.join(top, file)
    if not os.path.isfile(path):
        return None
    src = [" ".join(l.split()) for l in open(path, encoding="utf-8", errors="replace")]
    if shown in ("{", "}", ""):
        if shown != "{" or not function:
            return None
        defs = [i for i, l in enumerate(src) if re.match(r"^(?:\w[\w\s*]*\s\**)?%s\(" % re.escape(function), l)]
        for d in defs:
            k = next((i for i in range(d, min(d + 8, len(src))) if src[i] == "{"), None)
            if k is not None:
                return k + 1
        return None
    same = [i + 1 for i, l in enumerate(src) if l == shown]
    return min(same, key=lambda i: abs(i - n)) if same else None


def gdb_source_lines(path, top=TOP):
    """(problems, fixes) for the source lines GDB transcripts quote: after a
    line that says `at FILE:N`, every line that starts with a line number
    shows that line of FILE as it is now."""
    problems, fixes = [], {}
    for b in blocks(path):
        if not any(l.startswith("(gdb)") for l in b.lines):
            continue
        file = function = None
        listed = False          # a `list` shows ten lines: renumber it by hand
        for i, line in enumerate(b.lines):
            m = GDB_AT_RE.search(line)
            if m:
                file, listed = m.group(1), "is in " in line
                ctx = " ".join(b.lines[max(0, i - 1):i + 1])
                f = re.findall(r"(\w+) \(", ctx.replace("is in ", ""))
                function = f[-1] if f else None
                continue
            if re.match(r"\(gdb\) (continue|c|run|r|list|l)\b", line):
                file = None       # the next location comes with its own file name
                continue
            m = GDB_SRC_RE.match(line)
            if not (m and file and "  " in line[:12] + "  "):
                continue
            n, shown = int(m.group(1)), " ".join(m.group(2).split())
            texts = source_line(top, file, n)
            if shown in texts:
                continue
            now = relocate(top, file, n, shown, function)
            problems.append("%s: GDB shows line %d of %s as %r, but that line is now %r%s"
                            % (b.where(i), n, file, m.group(2).strip(),
                               texts[0] if texts else "(no such line)",
                               " (the text is at line %d now%s)"
                               % (now, "" if listed else ": --update renumbers it") if now else ""))
            if now and not listed:
                fixes[b.line + i] = (str(n), str(now), file)
    return problems, fixes


def renumber(path, fixes):
    """Applies GDB line fixes: the source line's number, and the same
    number in `FILE:N` and `line N.` on the lines of its block before it."""
    text = open(path, encoding="utf-8").read().split("\n")
    for i, (old, new, file) in sorted(fixes.items()):
        text[i] = re.sub(r"^%s(?=\s)" % old, new.ljust(len(old)) if len(new) < len(old) else new, text[i])
        for k in range(i - 1, max(-1, i - 6), -1):
            if text[k].startswith(FENCE):
                break
            text[k] = text[k].replace("%s:%s" % (file, old), "%s:%s" % (file, new))
            text[k] = re.sub(r"(file %s, line )%s\." % (re.escape(file), old), r"\g<1>%s." % new, text[k])
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(text))


def update(path, fixes):
    """Rewrites block lines: fixes is {file line index: new text}."""
    text = open(path, encoding="utf-8").read().split("\n")
    for i, new in fixes.items():
        text[i] = new
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(text))


def run(top=TOP, paths=None, jobs=None, do_update=False):
    """(ok, [problem lines], [skip lines]) for make test.  A block skipped
    by its marker is not reported; blocks that need a reference the tree
    lacks give one skip line per missing lab."""
    paths = paths or docscheck.documents(top)
    problems, todo, missing = [], [], {}
    for p in paths:
        found, _, bad = console_transcripts(p)
        gdb_problems, gdb_fixes = gdb_source_lines(p, top)
        problems += bad + gdb_problems
        if do_update and gdb_fixes:
            renumber(p, gdb_fixes)
        for t in found:
            lack = gradelib.missing_solution(t.solution, top)
            if lack is None:
                todo.append(t)
            else:
                missing.setdefault(lack, []).append(t.block.where(-1))
    skips = ["the transcripts at %s need solutions/lab%d, which this tree lacks"
             % (", ".join(dict.fromkeys(w)), lab) for lab, w in sorted(missing.items())]
    for n in sorted({t.solution for t in todo}):
        if top == TOP:
            ok, log = gradelib.build(str(n))      # once per process, with the others
        else:
            r = subprocess.run(["make", "-s", "SOLUTION=%d" % n, "all"], cwd=top,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            ok, log = r.returncode == 0, r.stdout.decode("utf-8", "replace")
        if not ok:
            problems.append("transcripts: make SOLUTION=%d failed:\n%s" % (n, log[-2000:]))
            return False, problems, skips
    fixes = {}
    # Handouts quote one command in several places (and a SOLUTION=N block
    # runs what the same block without it runs): each command runs once.
    shells = list(dict.fromkeys(t.shell() for t in todo))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
        printed = dict(zip(shells, pool.map(lambda sh: run_shell(sh, top), shells)))
    results = [(t, t.run(top, printed[t.shell()])) for t in todo]
    for t, actual in results:
        bad, fix = compare(t, actual)
        if bad and t.vary:                      # a slow moment: once more
            bad, fix = compare(t, t.run(top))
        problems += bad
        for i, new in fix.items():
            fixes.setdefault(t.block.path, {})[t.block.line + i + t.first] = new
    if do_update:
        for p, f in fixes.items():
            update(p, f)
    return not problems, problems, skips


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--update", action="store_true",
                    help="rewrite transcripts whose numbers changed")
    ap.add_argument("--list", action="store_true", help="list the transcripts and skips")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    paths = [os.path.abspath(f) for f in a.files] or None
    if a.list:
        for p in paths or docscheck.documents():
            found, skipped, _ = console_transcripts(p)
            for t in found:
                print("%s: %s (build/sol%d)" % (t.block.where(-1), t.command, t.solution))
            for b, reason in skipped:
                print("%s: skipped: %s" % (b.where(-1), reason))
        return
    ok, lines, skips = run(paths=paths, do_update=a.update)
    for line in skips:
        print("skipped: " + line)
    for line in lines:
        print(line)
    if a.update and not ok:
        print("(--update rewrote what differed only in numbers; run again to see what is left)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
