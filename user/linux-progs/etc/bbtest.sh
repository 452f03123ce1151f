# Busybox under the Linux server (issue 15): `sh /etc/bbtest.sh NONCE` in
# the root file system of `make busybox` (rootfs-busybox.cpio), where sh
# and the applets are busybox's.  Each case prints its output between two
# marker lines carrying the nonce, the second with the case's status; the
# grader (grader/systests.py, busybox_*) compares the output exactly.
N=$1
begin() { echo "bbtest $1 $N {"; }
end() { echo "bbtest $1 $N } status=$2"; }

begin pipe; sh -c 'echo a | cat'; end pipe $?
begin ls; ls -l /bin; end ls $?
begin grep; cat /etc/passwd | grep root; end grep $?
begin sort; seq 1 50 | sort -rn | head -3; end sort $?
begin for; for i in 1 2 3; do echo $i; done | wc -l; end for $?
begin exit; sh -c 'exit 7'; end exit $?
begin redirect; echo "written $N" > /tmp/bb.$N; cat /tmp/bb.$N; end redirect $?
begin testd; test -d /tmp && echo yes; end testd $?
# A program started through /proc/self/exe starts another the same way
# (no PATH to fall back on): /proc/self/exe must still name busybox.
begin reexec; sh -c 'PATH=/nonexistent; echo b | cat'; end reexec $?
echo "bbtest done $N"
