"""System tests of the native comparison (grader/native.py, make bench-native,
make bench's native column), run by make test with the foundation's
(grader/systests.py adds TESTS).

native_tools needs nothing but the host: the initramfs writer, the command
list's encoding, and the table make bench prints with and without native
figures.  native_boot boots Debian's kernel (about 20 s) and is SKIPPED,
never passed, when build/native/ holds none: make test fetches nothing.
"""

import contextlib
import io
import os
import random
import subprocess
import tempfile

import gradelib
import native
from gradelib import Failure, Skip, Test

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def check(ok, what, output=""):
    if not ok:
        raise Failure(what, output)


def cpio_listing(archive):
    """`cpio -itv` of archive's bytes, as the host's cpio reads it."""
    p = subprocess.run(["cpio", "-itv", "--quiet"], input=archive, capture_output=True)
    check(p.returncode == 0, "cpio -itv refused our archive: %s" % p.stderr.decode(errors="replace"))
    return p.stdout.decode()


def test_native_tools(build):
    """The initramfs (native.cpio_newc): the host's cpio lists every entry
    with its type, mode, size, device numbers or link target, and unpacks a file's
    bytes unchanged; the command list keeps arguments with spaces; make
    bench's table has native and ours/native columns for lx.* rows when
    build/native-bench.json exists, and says how to make it when not."""
    data = bytes(random.getrandbits(8) for _ in range(4099))    # not a multiple of 4
    archive = native.cpio_newc([("/bin", 0o40755, b"", (0, 0)),
                                ("/bin/prog", 0o100755, data, (0, 0)),
                                ("/dev/null", 0o20666, b"", (1, 3))])
    listing = cpio_listing(archive)
    for pattern in ("drwxr-xr-x", "-rwxr-xr-x", "crw-rw-rw-"):
        check(pattern in listing, "no %s entry in the listing" % pattern, listing)
    check(" 4099 " in listing and "bin/prog" in listing, "bin/prog is not 4099 bytes", listing)
    links = cpio_listing(native.cpio_newc([("/bin/sh", 0o120777, b"prog", (0, 0))]))
    check("bin/sh -> prog" in links, "a symbolic link is not listed as one", links)
    check("1,   3" in listing or "1, 3" in listing, "/dev/null is not device 1,3", listing)
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run(["cpio", "-id", "--quiet", "bin/prog"], input=archive, cwd=tmp,
                           capture_output=True)
        got = open(os.path.join(tmp, "bin", "prog"), "rb").read() if p.returncode == 0 else b""
        check(got == data, "bin/prog unpacked differs from what was packed")
    cmds = native.encode_commands([["/bin/sh", "-c", "echo a | cat"], ["/bin/true"]])
    check(cmds == b"/bin/sh\0-c\0echo a | cat\0\0/bin/true\0\0",
          "the command list is encoded as %r" % cmds)
    try:
        native.encode_commands([["/bin/x", ""]])
        raise Failure("an empty argument was accepted (init could not tell it from a command's end)")
    except ValueError:
        pass
    check_bench_table()


def check_bench_table():
    """grade.native_column, on a made-up build/native-bench.json and on none."""
    import grade
    benches = [gradelib.Bench("lx.getpid", program=["x"]), gradelib.Bench("trap.rtt",
                                                                             program=["x"])]
    fake = {"kernel": {"release": "9.9.9-test", "version": "9.9.9-1"},
            "benchmarks": {"lx.getpid": {"value": 400, "unit": "instructions", "runs": 200}}}
    saved = native.load
    try:
        out = io.StringIO()
        native.load = lambda: fake
        with contextlib.redirect_stdout(out):
            figs = grade.native_column(benches, kvm=False)
        check(figs == fake["benchmarks"] and "Linux 9.9.9-test" in out.getvalue()
              and "guest instructions under -icount shift=0" in out.getvalue(),
              "the native column's line does not name the kernel and the unit", out.getvalue())
        native.load = lambda: None
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            figs = grade.native_column(benches, kvm=False)
        check(figs is None and "make bench-native" in out.getvalue(),
              "without native figures make bench does not say how to get them", out.getvalue())
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            figs = grade.native_column(benches[1:], kvm=False)
        check(figs is None and out.getvalue() == "",
              "a table without lx.* rows mentions native figures", out.getvalue())
    finally:
        native.load = saved


def test_native_boot(build):
    """Debian's kernel (cached by make bench-native) boots under -icount from
    our initramfs and runs the same static i386 binaries as the Linux
    server: each command's output and exit status come back apart
    (run_native), a symbolic link runs its target, a missing program ends
    with 127, and lxbench prints its figure there."""
    if not native.kernel_info():
        raise Skip("no native kernel in build/native/: make bench-native fetches Debian's "
                   "(the test needs the package archive once)")
    p = subprocess.run(["make", "-s", "build/linux-progs/status", "build/linux-progs/lxbench"],
                       cwd=TOP, capture_output=True, text=True)
    check(p.returncode == 0, "make could not build the Linux programs", p.stdout + p.stderr)
    progs = os.path.join(TOP, "build", "linux-progs")
    n = random.randint(2, 120)
    try:
        res = native.run_native(
            {"/bin/status": os.path.join(progs, "status"), "/bin/st": native.Symlink("status"),
             "/bin/lxbench": os.path.join(progs, "lxbench")},
            [["/bin/status", str(n)], ["/bin/lxbench", "getpid", "20", "instructions"],
             ["/bin/missing"], ["/bin/st", "3"]], timeout=90)
    except native.NativeError as e:
        raise Failure(e.reason, e.output)
    log = native.run_native.last["log"]
    check(res[0] == {"output": "status: exiting with %d\n" % n, "status": n},
          "/bin/status %d on native Linux gave %r" % (n, res[0]), log)
    check(res[1]["status"] == 0 and gradelib.BENCH_RE.search(res[1]["output"]),
          "lxbench getpid printed no BENCH line on native Linux", log)
    check(res[2]["status"] == 127, "a missing program did not end with status 127", log)
    check(res[3] == {"output": "status: exiting with 3\n", "status": 3},
          "/bin/st 3 (a symbolic link to /bin/status) gave %r" % res[3], log)


TESTS = [
    Test("native_tools", doc=test_native_tools.__doc__, run=test_native_tools),
    Test("native_boot", doc=test_native_boot.__doc__, run=test_native_boot),
]
