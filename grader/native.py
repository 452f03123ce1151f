#!/usr/bin/env python3
"""Native Linux beside ours (issue 15): the same static i386 programs that
Lab 5 runs under the Linux server, run on a real Linux kernel in the same
QEMU, under the same -icount shift=0, so that the figures compare.

The kernel is Debian's own: the linux-image-*-amd64 package that
linux-image-amd64 depends on, fetched once with `apt-get download` and
cached in build/native/ (vmlinuz, its config, kernel.json, and vmlinux,
the image without its compression, which QEMU boots).  An amd64
kernel runs i386 programs through its 32-bit compatibility (IA32_EMULATION);
each benchmark enters it with `int $0x80`, as it enters our server.  The
kernel boots with an initramfs made here (newc cpio, written by
cpio_newc()) whose /init is tools/native-init.c: it runs a list of
commands, marks each one's output and exit status on the serial console,
and powers the machine off.

    grader/native.py bench       make bench-native: the five lx.* figures,
                                 written to build/native-bench.json
    grader/native.py fetch       only fetch the kernel into build/native/
    grader/native.py run PROG [ARGS...]
                                 run one static i386 program on native
                                 Linux and print what it printed

For other tests (an oracle: what does real Linux print?):
    run_native({"/bin/prog": host_path, "/bin/p2": Symlink("prog"), ...},
               [["/bin/prog", "arg"], ...])
returns, per command, {"output": text, "status": exit status, or
"signal=N"}; it raises Unavailable when no kernel is cached (a test then
skips, never passes) and NativeError when the boot went wrong.
"""

import argparse
import concurrent.futures
import json
import lzma
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradelib  # noqa: E402
import qemu  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NATIVE_DIR = os.path.join(TOP, "build", "native")
RESULT = os.path.join(TOP, "build", "native-bench.json")
INIT = os.path.join(NATIVE_DIR, "init")
QEMU = "qemu-system-x86_64"
META_PACKAGE = "linux-image-amd64"

# The kernel's command line.  mitigations=off: no page-table isolation or
# other speculation defences on the entry path (ours has none either);
# vdso32=0: no vDSO in i386 processes, so glibc's own calls use int $0x80
# too (lxbench's timed calls always do); nokaslr and norandmaps: the same
# addresses on every boot, so that the instruction counts repeat; quiet:
# the console carries the programs' output; panic=-1: a panic reboots,
# which -no-reboot turns into QEMU's exit; cryptomgr.notests: no self-tests
# of the crypto algorithms at boot (half the boot's instructions).
CMDLINE = ("console=ttyS0 mitigations=off vdso32=0 nokaslr norandmaps quiet panic=-1 "
           "cryptomgr.notests")

BOOT_RE = re.compile(r"^@@native boot tsc=(\d+)$", re.M)
START_RE = re.compile(r"^@@native (\d+) start\n", re.M)
END_RE = re.compile(r"@@native (\d+) end status=(\S+)\n")


class Symlink(str):
    """In run_native's binaries, a symbolic link rather than a host file:
    {"/bin/sh": Symlink("busybox")} (busybox's applet links, say)."""


class Unavailable(Exception):
    """No native kernel is cached in build/native/ (make bench-native fetches it)."""


class NativeError(Exception):
    """The native boot did not run every command; output is the console log."""

    def __init__(self, reason, output=""):
        super().__init__(reason)
        self.reason, self.output = reason, output


# ---- The kernel: Debian's package, cached ----

def kernel_info():
    """What build/native/kernel.json says of the cached kernel, or None."""
    path = os.path.join(NATIVE_DIR, "kernel.json")
    if not (os.path.exists(path) and os.path.exists(os.path.join(NATIVE_DIR, "vmlinuz"))):
        return None
    with open(path) as f:
        return json.load(f)


def _kernel_package():
    """The linux-image-*-amd64 package that linux-image-amd64 depends on."""
    for attempt in range(2):
        out = subprocess.run(["apt-cache", "depends", META_PACKAGE],
                             capture_output=True, text=True).stdout
        m = re.search(r"Depends: (linux-image-\S+-amd64)\b", out)
        if m:
            return m.group(1)
        if attempt == 0 and os.geteuid() == 0:
            # A fresh machine's package lists may be empty; a failing
            # security index does not matter for apt-get download.
            subprocess.run(["apt-get", "update", "-q"], capture_output=True)
    raise NativeError("apt-cache knows no package %s depends on: is Debian's archive "
                      "reachable, and has `apt-get update` run?" % META_PACKAGE)


def fetch_kernel():
    """Downloads and unpacks the kernel into build/native/ unless it is
    there already; returns kernel_info().  Only vmlinuz and its config are
    kept (not the package's modules: the initramfs needs none)."""
    info = kernel_info()
    if info:
        return info
    package = _kernel_package()
    os.makedirs(NATIVE_DIR, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=NATIVE_DIR) as tmp:
        os.chmod(tmp, 0o755)            # apt-get download may run as _apt
        p = subprocess.run(["apt-get", "download", package], cwd=tmp,
                           capture_output=True, text=True)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if p.returncode != 0 or not debs:
            raise NativeError("apt-get download %s failed: %s" % (package, p.stderr.strip()))
        deb = os.path.join(tmp, debs[0])
        version = subprocess.run(["dpkg-deb", "-f", deb, "Version"], capture_output=True,
                                 text=True, check=True).stdout.strip()
        release = _unpack_boot(deb, tmp)
    info = {"package": package, "version": version, "release": release}
    with open(os.path.join(NATIVE_DIR, "kernel.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    return info


def _unpack_boot(deb, tmp):
    """Takes ./boot/vmlinuz-R and ./boot/config-R out of the package's
    data (dpkg-deb --fsys-tarfile: the same files dpkg-deb -x would write,
    without the 400 MB of modules); returns R."""
    release = None
    with subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE) as p:
        with tarfile.open(fileobj=p.stdout, mode="r|") as tar:
            for member in tar:
                m = re.fullmatch(r"\./boot/(vmlinuz|config)-(.+)", member.name)
                if m and member.isfile():
                    release = m.group(2)
                    dest = "vmlinuz" if m.group(1) == "vmlinuz" else "config"
                    with open(os.path.join(NATIVE_DIR, dest), "wb") as out:
                        shutil.copyfileobj(tar.extractfile(member), out)
    if release is None:
        raise NativeError("%s holds no ./boot/vmlinuz-*" % os.path.basename(deb))
    return release


def kernel_image():
    """What QEMU boots: the kernel's ELF image (build/native/vmlinux, taken
    out of vmlinuz's XZ stream once), which QEMU enters directly through its
    PVH note, for a kernel built with CONFIG_PVH; else vmlinuz itself.
    The compressed kernel would first spend 4.5 billion guest instructions
    (a minute under TCG) decompressing itself."""
    vmlinuz, vmlinux = (os.path.join(NATIVE_DIR, f) for f in ("vmlinuz", "vmlinux"))
    with open(os.path.join(NATIVE_DIR, "config")) as f:
        if "CONFIG_PVH=y\n" not in f.read():
            return vmlinuz
    if os.path.exists(vmlinux):
        return vmlinux
    with open(vmlinuz, "rb") as f:
        packed = f.read()
    at = packed.find(b"\xfd7zXZ\x00")
    if at < 0:
        return vmlinuz
    image = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(packed[at:])
    if not image.startswith(b"\x7fELF"):
        return vmlinuz
    # Written under a name of its own and renamed: two boots may start at once.
    with tempfile.NamedTemporaryFile(dir=NATIVE_DIR, prefix="vmlinux.", delete=False) as f:
        f.write(image)
    os.replace(f.name, vmlinux)
    return vmlinux


def qemu_version():
    out = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else "?"


# ---- The initramfs ----

def cpio_newc(entries):
    """An archive in the newc format (what the kernel unpacks as an
    initramfs) of entries (path, mode, data, rdev): mode with its file type
    bits, data the bytes of a regular file or a link's target, rdev a
    (major, minor) pair for a device.  Owner root, time 0, so that the same
    entries always give the same bytes."""
    out = bytearray()

    def put(ino, path, mode, data=b"", rdev=(0, 0)):
        name = path.encode() + b"\0"
        fields = [ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, len(data),
                  0, 0, rdev[0], rdev[1], len(name), 0]
        out.extend(b"070701" + b"".join(b"%08X" % v for v in fields) + name)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for ino, (path, mode, data, rdev) in enumerate(entries, 1):
        put(ino, path.lstrip("/"), mode, data, rdev)
    put(0, "TRAILER!!!", 0)
    return bytes(out)


def encode_commands(argv_list):
    """/etc/native-cmds (tools/native-init.c): each argument NUL-ended, an
    empty string after each command."""
    out = b""
    for argv in argv_list:
        if not argv or any("\0" in a or a == "" for a in argv):
            raise ValueError("a native command needs non-empty arguments without NUL: %r"
                             % (argv,))
        out += b"".join(a.encode() + b"\0" for a in argv) + b"\0"
    return out


def initramfs(binaries, argv_list):
    """The initramfs bytes: /init, the host files binaries maps guest paths
    to (/bin/prog -> its path here, or a Symlink), the command list, /dev/console and
    /dev/null (the kernel opens the console for init before any devtmpfs
    could be mounted), and empty /proc and /tmp."""
    dirs = {"/bin", "/dev", "/etc", "/proc", "/tmp"}
    for guest in binaries:
        d = os.path.dirname(guest)
        while d not in ("/", ""):
            dirs.add(d)
            d = os.path.dirname(d)
    entries = [(d, stat.S_IFDIR | 0o755, b"", (0, 0)) for d in sorted(dirs)]
    entries += [("/dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
                ("/dev/null", stat.S_IFCHR | 0o666, b"", (1, 3))]
    with open(INIT, "rb") as f:
        entries.append(("/init", stat.S_IFREG | 0o755, f.read(), (0, 0)))
    for guest, host in sorted(binaries.items()):
        if isinstance(host, Symlink):
            entries.append((guest, stat.S_IFLNK | 0o777, host.encode(), (0, 0)))
            continue
        with open(host, "rb") as f:
            entries.append((guest, stat.S_IFREG | 0o755, f.read(), (0, 0)))
    entries.append(("/etc/native-cmds", stat.S_IFREG | 0o644, encode_commands(argv_list),
                    (0, 0)))
    return cpio_newc(entries)


# ---- The boot ----

def qemu_command(initrd):
    """The native machine: as qemu.qemu_command's, but 64-bit, a Linux
    kernel and no default devices (no network card: nothing is fetched at
    run time), under the same -icount shift=0 (rdtsc counts guest
    instructions).  Two options make a run repeat exactly, which the
    timer ticks that land inside pipe_rtt and fork_wait need: sleep=off
    (an idle guest's clock jumps to its next timer instead of following
    the host's) and an RTC that starts at a fixed date and runs on the
    guest's clock (the kernel reads the date at boot)."""
    return [QEMU, "-machine", "pc", "-m", "256M", "-no-reboot", "-nodefaults",
            "-kernel", kernel_image(), "-initrd", initrd,
            "-append", CMDLINE, "-display", "none", "-serial", "stdio", "-monitor", "none",
            "-rtc", "base=2020-01-01T00:00:00,clock=vm",
            "-accel", "tcg", "-icount", "shift=0,sleep=off"]


def build_init():
    """make builds tools/native-init.c into build/native/init."""
    p = subprocess.run(["make", "-s", "build/native/init"], cwd=TOP,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise NativeError("make build/native/init failed", p.stdout + p.stderr)


def boot(initrd, timeout):
    """Boots the native kernel with initrd; returns (output, seconds, how it
    ended) as qemu.run does, reading with its loop and cleaning with its
    clean()."""
    cmd = qemu_command(initrd)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    qemu._running.add(proc)
    chunks = []
    try:
        reason = qemu.read_output(proc, start + timeout, 4 * 1024 * 1024, chunks)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        qemu._running.discard(proc)
        proc.stdout.close()
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return qemu.clean(text, limit=0), time.monotonic() - start, reason


def run_native(binaries, argv_list, timeout=120):
    """Runs argv_list's commands one after the other on native Linux, in one
    boot, with the files of binaries ({guest path: host path}) in the
    initramfs.  Returns one {"output", "status"} per command, and sets
    run_native.last to boot()'s details (see boot_and_run)."""
    results, run_native.last = boot_and_run(binaries, argv_list, timeout)
    return results


def boot_and_run(binaries, argv_list, timeout=120):
    """run_native's work: (the results, {"log": the whole console log,
    "seconds": the boot's wall time, "boot_instructions": the guest
    instructions before /init ran}); safe to call from several threads."""
    if not kernel_info():
        raise Unavailable("no native kernel in build/native/ (make bench-native fetches "
                          "Debian's with apt-get)")
    build_init()
    with tempfile.NamedTemporaryFile(dir=NATIVE_DIR, suffix=".cpio") as f:
        f.write(initramfs(binaries, argv_list))
        f.flush()
        log, seconds, reason = boot(f.name, timeout * gradelib.timeout_scale())
    info = {"log": log, "seconds": seconds}
    m = BOOT_RE.search(log)
    if not m:
        raise NativeError("the native kernel did not start /init (%s)" % reason, log)
    info["boot_instructions"] = int(m.group(1))
    results = []
    for i in range(len(argv_list)):
        start = re.search(r"^@@native %d start\n" % i, log, re.M)
        end = re.compile(r"@@native %d end status=(\S+)\n" % i).search(log, start.end()) \
            if start else None
        if not end:
            raise NativeError("command %d (%s) did not finish on native Linux (%s)" % (
                i, " ".join(argv_list[i]), reason if reason != "exit" else "QEMU ended"), log)
        status = end.group(1)
        results.append({"output": log[start.end():end.start()],
                        "status": int(status) if status.isdigit() else status})
    return results, info


# ---- make bench-native ----

def lx_benches():
    """Lab 5's benchmarks as (name, argv): the very commands `make bench
    LAB=5` gives the Linux server (grader/lab5.py BENCHES), unit instructions."""
    import lab5
    out = []
    for b in lab5.BENCHES:
        cmd = next(p for p in b.programs if p.startswith("linux "))
        argv = gradelib.fill(cmd[len("linux "):], {"unit": "instructions"}).split()
        out.append((b.name, argv))
    return out


def bench():
    """Boots native Linux once for each lx.* benchmark, writes
    build/native-bench.json; returns it."""
    info = fetch_kernel()
    p = subprocess.run(["make", "-s", "build/linux-progs/lxbench"], cwd=TOP,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise NativeError("make build/linux-progs/lxbench failed", p.stdout + p.stderr)
    build_init()
    kernel_image()
    benches = lx_benches()
    lxbench = {"/bin/lxbench": os.path.join(TOP, "build", "linux-progs", "lxbench")}

    def one(argv):
        results, info = boot_and_run(lxbench, [argv])
        return results[0], info

    # One boot per benchmark, as make bench boots once per benchmark: a
    # figure must not depend on what ran before it (lx.fault after
    # lx.fork_wait in the same boot finds the page allocator's lists in
    # another state, and costs a fifth more).  Two boots at a time.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(one, [argv for _, argv in benches]))
    results = [r for r, _ in runs]
    run_native.last = max((last for _, last in runs), key=lambda last: last["seconds"])
    figures = {}
    for (name, argv), r, (_, booted) in zip(benches, results, runs):
        m = next((m for m in gradelib.BENCH_RE.finditer(r["output"]) if m.group(1) == name), None)
        if not m or r["status"] != 0:
            raise NativeError("%s printed no BENCH %s line on native Linux (status %s)"
                              % (" ".join(argv), name, r["status"]), r["output"])
        figures[name] = {"value": int(m.group(2)), "unit": m.group(3), "runs": int(m.group(4)),
                         "command": " ".join(argv), "boot_instructions": booted["boot_instructions"]}
    data = {"what": "Lab 5's lx.* benchmarks (build/linux-progs/lxbench) on native Linux, "
                    "guest instructions under QEMU -icount shift=0 (make bench-native)",
            "kernel": info, "cmdline": CMDLINE, "qemu": qemu_version(),
            "qemu_command": [os.path.relpath(c, TOP) if c.startswith(TOP) else c
                             for c in qemu_command("INITRAMFS")],
            "benchmarks": figures}
    with open(RESULT, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    return data


def figures_entry(old=None):
    """The "native" part of grader/figures.json, which make figures writes
    so that the handouts can quote native figures (docscheck: native.NAME):
    build/native-bench.json's figures when it exists, else old (kept)."""
    data = load()
    if not data:
        return old
    k = data["kernel"]
    return {"about": "Lab 5's lx.* benchmarks on native Linux (make bench-native, "
                     "grader/native.py); quoted as native.NAME",
            "kernel": "%s (Debian %s)" % (k["release"], k["version"]), "cmdline": data["cmdline"],
            "qemu": data["qemu"],
            "benchmarks": {n: b["value"] for n, b in sorted(data["benchmarks"].items())}}


def load():
    """build/native-bench.json, or None when make bench-native has not run."""
    if not os.path.exists(RESULT):
        return None
    with open(RESULT) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("bench", "fetch", "run"))
    ap.add_argument("argv", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    try:
        if a.what == "fetch":
            print("native: %(package)s %(version)s in build/native/" % fetch_kernel())
        elif a.what == "run":
            if not a.argv:
                sys.exit("usage: grader/native.py run PROG [ARGS...]")
            fetch_kernel()
            guest = "/bin/" + os.path.basename(a.argv[0])
            r = run_native({guest: os.path.abspath(a.argv[0])}, [[guest] + a.argv[1:]])[0]
            sys.stdout.write(r["output"])
            print("native: %s ended with status %s (%.1f s)" % (guest, r["status"],
                                                               run_native.last["seconds"]))
        else:
            data = bench()
            k = data["kernel"]
            print("Native Linux %s (Debian %s %s), %s" % (k["release"], k["package"],
                                                        k["version"], data["qemu"]))
            print("  -icount shift=0, kernel command line: %s" % data["cmdline"])
            print("  each benchmark boots anew: /init starts after %d guest instructions; "
                  "the longest boot took %.1f s" % (
                      data["benchmarks"]["lx.getpid"]["boot_instructions"],
                      run_native.last["seconds"]))
            for name, b in data["benchmarks"].items():
                print("  %-16s %10d %s  (%s)" % (name, b["value"], b["unit"], b["command"]))
            print("Written to %s" % os.path.relpath(RESULT))
    except NativeError as e:
        tail = "\n".join(qemu.clean(e.output).splitlines()[-25:])
        sys.exit("native: %s%s" % (e.reason, "\n" + tail if tail else ""))


if __name__ == "__main__":
    main()
