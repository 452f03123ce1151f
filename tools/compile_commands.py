#!/usr/bin/env python3
"""make compile_commands.json: the compilation database editors read.

clangd (VS Code's C/C++ and clangd extensions, CLion, Emacs, Vim) finds a
file's include folders and flags (-m32, -ffreestanding, -I...) in
compile_commands.json at the top of the tree: one entry per C file with
the command that compiles it.  Without it, an editor parses the kernel as
64-bit host code with the host's headers and marks every
#include "thread.h" as an error.

The commands are the build's own: `make -nB all SOLUTION=` prints every
command of a full build of your tree (build/student) without running one,
and every compiler command in it that names a .c file becomes an entry.
So the flags can never drift from the Makefiles, whatever they become.

    python3 tools/compile_commands.py [OUT]     (default: compile_commands.json)
"""

import json
import os
import re
import shlex
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# GCC's flags that clang does not know (clangd would mark every file with an
# error): they change only how the code is generated (the kernel's stack
# alignment), not what the source means, so the editor is right without them.
GCC_ONLY = ("-mpreferred-stack-boundary=",)


def entries(make_output, cc="gcc"):
    """The database's entries for the compiler commands in make -n's output."""
    out = []
    for line in make_output.splitlines():
        # A rule may chain commands (compile && mv): each part on its own.
        for part in re.split(r"\s*(?:&&|;)\s*", line.strip()):
            try:
                argv = shlex.split(part)
            except ValueError:
                continue
            if not argv or os.path.basename(argv[0]) != cc:
                continue
            sources = [a for a in argv[1:] if a.endswith(".c")]
            if len(sources) != 1:
                continue
            # make writes a Linux program under a temporary name
            # ($$ is the shell's process number): the name it ends up with.
            argv = [a.replace(".$$.tmp", "") for a in argv if not a.startswith(GCC_ONLY)]
            path = os.path.normpath(os.path.join(TOP, sources[0]))
            out.append({"directory": TOP, "file": path, "arguments": argv})
    return out


def main():
    dest = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "compile_commands.json")
    p = subprocess.run(["make", "-nB", "--no-print-directory", "all", "SOLUTION="], cwd=TOP,
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("compile_commands.json: make -nB all failed (is the Makefile broken?):\n"
                 + p.stderr[-2000:])
    found = entries(p.stdout)
    if not found:
        sys.exit("compile_commands.json: make -nB all printed no compiler command with a .c file")
    with open(dest + ".tmp", "w") as f:
        json.dump(found, f, indent=1)
        f.write("\n")
    os.replace(dest + ".tmp", dest)
    print("make: %s lists %d C files of your tree with the build's flags (for clangd, "
          "VS Code, CLion)" % (os.path.relpath(dest), len({e["file"] for e in found})))


if __name__ == "__main__":
    main()
