/*
 * The file system's test program (the RAM file system of user/linux/fs.c
 * and its calls, fscalls.c): ordinary C for Linux, built with gcc -m32
 * -static.  It checks itself and prints the nonce line only when every
 * check held; the first failed check is reported with its line and errno.
 *
 *   fstest TESTS NONCE     TESTS: names joined by "+" (a boot command line has no commas), or "all"
 *
 * files       create, write, seek, read, stat, unlink, rename, O_APPEND,
 *             O_TRUNC, O_EXCL, pread/pwrite, truncate, a file over many
 *             pages, a file of the boot archive changed
 * dirs        mkdir, chdir, getcwd, relative paths, openat, getdents,
 *             rmdir (ENOTEMPTY), renaming a directory (into itself: EINVAL)
 * links       symlinks followed and lstat'ed, readlink, ELOOP, /proc/self/exe
 * devs        /dev/null, /dev/zero, /dev/full, /dev/urandom, /dev/tty
 * errors      EFAULT for bad paths and buffers, EBADF, ENOENT, ENOTDIR,
 *             EISDIR, ENAMETOOLONG, EINVAL
 * calls       the *at calls, old getdents, fsync, umask, chmod, utimensat, statfs64
 * ram-write   makes /tmp/ram-file; ram-absent: it is not there (the next boot)
 *
 * Run it on Linux itself to check the checks: qemu-i386 build/solall/rootfs/bin/fstest
 * (ram-absent then fails, and /tmp/fstest* must not exist).
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64     /* readdir and stat for any inode number and size */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *test;
int main(int argc, char **argv);

#define CHECK(cond) do {                                                                    \
        if (!(cond)) {                                                                      \
            printf("fstest %s: FAIL: line %d: %s (errno %d: %s)\n", test, __LINE__, #cond,   \
                   errno, strerror(errno));                                                 \
            exit(1);                                                                        \
        }                                                                                   \
    } while (0)

/* A call that must fail with errno e (r: its result). */
#define FAILS(r, e) CHECK((r) == -1 && errno == (e))

/* A raw system call's result, -errno on failure: for bad pointers, which
   glibc's wrappers may read or write themselves. */
static long raw5(long nr, long a, long b, long c, long d, long e)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                     : "memory");
    return r;
}

static long raw(long nr, long a, long b, long c, long d)
{
    return raw5(nr, a, b, c, d, 0);
}

#define BAD ((long)0xC0001000)      /* the kernel's half: never a process's */

static void write_file(const char *path, const char *s, int flags)
{
    int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
    CHECK(fd >= 0);
    CHECK(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
    CHECK(close(fd) == 0);
}

/* Whether path holds exactly s. */
static int holds(const char *path, const char *s)
{
    static char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    return n == (ssize_t)strlen(s) && memcmp(buf, s, n) == 0;
}

/* Whether directory path lists name (through readdir: getdents64). */
static int lists(const char *path, const char *name)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        found += strcmp(e->d_name, name) == 0;
    closedir(d);
    return found == 1;
}

static void test_files(void)
{
    const char *p = "/tmp/fstest-a";
    char buf[256];
    struct stat st;
    unlink(p);
    int fd = open(p, O_RDWR | O_CREAT | O_EXCL, 0640);
    CHECK(fd >= 0);
    CHECK(write(fd, "hello, file", 11) == 11);
    CHECK(lseek(fd, 0, SEEK_CUR) == 11);
    CHECK(lseek(fd, 7, SEEK_SET) == 7);
    CHECK(read(fd, buf, sizeof buf) == 4 && memcmp(buf, "file", 4) == 0);
    CHECK(read(fd, buf, sizeof buf) == 0);
    CHECK(lseek(fd, -4, SEEK_END) == 7);
    CHECK(write(fd, "FILE!", 5) == 5);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 12 && S_ISREG(st.st_mode));
    CHECK((st.st_mode & 0777) == 0640 && st.st_nlink == 1);
    CHECK(close(fd) == 0);
    CHECK(holds(p, "hello, FILE!"));
    CHECK(stat(p, &st) == 0 && st.st_size == 12);

    /* O_EXCL on a file that is there; O_APPEND; O_TRUNC */
    FAILS(open(p, O_RDWR | O_CREAT | O_EXCL, 0640), EEXIST);
    write_file(p, " more", O_APPEND);
    CHECK(holds(p, "hello, FILE! more"));
    fd = open(p, O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0);
    CHECK(write(fd, "!", 1) == 1 && lseek(fd, 0, SEEK_CUR) == 18);     /* appended anyway */
    close(fd);
    write_file(p, "short", O_TRUNC);
    CHECK(holds(p, "short"));

    /* pread and pwrite leave the position alone */
    fd = open(p, O_RDWR);
    CHECK(fd >= 0);
    CHECK(pwrite(fd, "SH", 2, 0) == 2 && pread(fd, buf, 3, 2) == 3 && memcmp(buf, "ort", 3) == 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 0);

    /* a hole reads as zeros; truncating cuts and then grows with zeros */
    CHECK(lseek(fd, 10000, SEEK_SET) == 10000 && write(fd, "x", 1) == 1);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 10001);
    CHECK(pread(fd, buf, 4, 5000) == 4 && memcmp(buf, "\0\0\0\0", 4) == 0);
    CHECK(ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3);
    CHECK(ftruncate(fd, 6) == 0 && pread(fd, buf, 10, 0) == 6 && memcmp(buf, "SHo\0\0\0", 6) == 0);
    CHECK(truncate(p, 0) == 0 && fstat(fd, &st) == 0 && st.st_size == 0);
    close(fd);

    /* a file of many pages, written and read in odd pieces */
    static unsigned char big[100000], back[100000];
    for (unsigned i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7 + i / 4096);
    fd = open(p, O_RDWR | O_TRUNC);
    CHECK(fd >= 0);
    for (unsigned off = 0; off < sizeof big; off += 3001) {
        unsigned n = sizeof big - off < 3001 ? sizeof big - off : 3001;
        CHECK(write(fd, big + off, n) == (ssize_t)n);
    }
    CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, back, sizeof back) == (ssize_t)sizeof back);
    CHECK(memcmp(big, back, sizeof big) == 0);
    CHECK(fstat(fd, &st) == 0 && st.st_blocks >= (blkcnt_t)(sizeof big / 512));
    close(fd);

    /* rename: the old name goes, a file in the way is replaced */
    const char *q = "/tmp/fstest-b";
    write_file(q, "in the way", O_TRUNC);
    CHECK(stat(p, &st) == 0);
    ino_t ino = st.st_ino;
    CHECK(rename(p, q) == 0);
    FAILS(stat(p, &st), ENOENT);
    CHECK(stat(q, &st) == 0 && st.st_ino == ino && st.st_size == (off_t)sizeof big);
    CHECK(lists("/tmp", "fstest-b") && !lists("/tmp", "fstest-a"));

    /* an unlinked file lives on while it is open */
    fd = open(q, O_RDONLY);
    CHECK(fd >= 0 && unlink(q) == 0);
    FAILS(stat(q, &st), ENOENT);
    CHECK(!lists("/tmp", "fstest-b"));
    CHECK(read(fd, back, 10) == 10 && memcmp(back, big, 10) == 0);
    CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0);
    close(fd);
    FAILS(unlink(q), ENOENT);

    /* a file of the boot archive: read, then changed (its copy moves to RAM) */
    CHECK(stat("/etc/hostname", &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0);
    int n = (int)st.st_size;
    fd = open("/etc/hostname", O_RDWR | O_APPEND);
    CHECK(fd >= 0 && read(fd, buf, sizeof buf) == n && write(fd, "+", 1) == 1);
    CHECK(pread(fd, back, sizeof buf, 0) == n + 1 && memcmp(back, buf, n) == 0 && back[n] == '+');
    close(fd);
    CHECK(stat("/bin/fstest", &st) == 0 && (st.st_mode & 0111) && st.st_size > 10000);

    /* creat, and access */
    fd = creat("/tmp/fstest-c", 0755);
    CHECK(fd >= 0 && write(fd, "c", 1) == 1 && close(fd) == 0);
    CHECK(access("/tmp/fstest-c", R_OK | W_OK | X_OK) == 0);
    CHECK(chmod("/tmp/fstest-c", 0644) == 0 && stat("/tmp/fstest-c", &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);
    FAILS(access("/tmp/fstest-c", X_OK), EACCES);
    FAILS(access("/tmp/fstest-none", F_OK), ENOENT);
    CHECK(unlink("/tmp/fstest-c") == 0);
}

static void test_dirs(void)
{
    char buf[256];
    struct stat st;
    CHECK(mkdir("/tmp/fsd", 0755) == 0);
    FAILS(mkdir("/tmp/fsd", 0755), EEXIST);
    CHECK(stat("/tmp/fsd", &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 2);
    CHECK(chdir("/tmp/fsd") == 0);
    CHECK(getcwd(buf, sizeof buf) && strcmp(buf, "/tmp/fsd") == 0);
    CHECK(mkdir("sub", 0700) == 0 && stat(".", &st) == 0 && st.st_nlink == 3);
    write_file("sub/f", "in sub", 0);
    CHECK(holds("/tmp/fsd/sub/f", "in sub"));
    CHECK(chdir("sub//") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/tmp/fsd/sub") == 0);
    CHECK(holds("f", "in sub") && holds("../sub/./f", "in sub") && holds("///tmp/../tmp/fsd/sub/f",
                                                                        "in sub"));
    CHECK(chdir("..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/tmp/fsd") == 0);
    CHECK(chdir("/..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0);
    FAILS(chdir("/tmp/fsd/sub/f"), ENOTDIR);
    FAILS(getcwd(buf, 1) ? 0 : -1, ERANGE);

    /* openat and fchdir from a directory's descriptor */
    int dfd = open("/tmp/fsd", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    int fd = openat(dfd, "sub/g", O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0 && write(fd, "g", 1) == 1 && close(fd) == 0);
    CHECK(holds("/tmp/fsd/sub/g", "g"));
    CHECK(fstatat(dfd, "sub", &st, 0) == 0 && S_ISDIR(st.st_mode));
    CHECK(mkdirat(dfd, "other", 0755) == 0 && unlinkat(dfd, "other", AT_REMOVEDIR) == 0);
    CHECK(fchdir(dfd) == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/tmp/fsd") == 0);
    FAILS(read(dfd, buf, sizeof buf), EISDIR);
    close(dfd);

    /* a listing: ".", "..", and the entries, each once */
    CHECK(lists("/tmp/fsd/sub", ".") && lists("/tmp/fsd/sub", "..") && lists("/tmp/fsd/sub", "f"));
    CHECK(lists("/tmp/fsd/sub", "g") && lists("/", "bin") && lists("/bin", "fstest"));
    DIR *d = opendir("/tmp/fsd/sub");
    CHECK(d);
    int entries = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        entries++;
        if (strcmp(e->d_name, "f") == 0)
            CHECK(e->d_type == DT_REG);
        if (strcmp(e->d_name, "..") == 0)
            CHECK(e->d_type == DT_DIR);
    }
    CHECK(entries == 4);
    closedir(d);

    /* rmdir of a non-empty directory; a directory renamed, not into itself */
    FAILS(rmdir("/tmp/fsd/sub"), ENOTEMPTY);
    FAILS(rmdir("/tmp/fsd/sub/f"), ENOTDIR);
    FAILS(unlink("/tmp/fsd/sub"), EISDIR);
    FAILS(rename("/tmp/fsd", "/tmp/fsd/sub/inside"), EINVAL);
    CHECK(rename("/tmp/fsd/sub", "/tmp/fsd/moved") == 0);
    CHECK(holds("/tmp/fsd/moved/f", "in sub"));
    FAILS(stat("/tmp/fsd/sub", &st), ENOENT);
    CHECK(mkdir("/tmp/fsd/empty", 0755) == 0);
    FAILS(rename("/tmp/fsd/empty", "/tmp/fsd/moved"), ENOTEMPTY);
    FAILS(rename("/tmp/fsd/moved/f", "/tmp/fsd/empty"), EISDIR);
    CHECK(unlink("/tmp/fsd/moved/f") == 0 && unlink("/tmp/fsd/moved/g") == 0);
    CHECK(rename("/tmp/fsd/empty", "/tmp/fsd/moved") == 0);        /* replaces an empty one */
    CHECK(rmdir("/tmp/fsd/moved") == 0);

    /* the working directory removed under a process */
    CHECK(mkdir("/tmp/fsd/gone", 0755) == 0 && chdir("/tmp/fsd/gone") == 0);
    CHECK(rmdir("/tmp/fsd/gone") == 0);
    FAILS(open("new", O_WRONLY | O_CREAT, 0644), ENOENT);
    CHECK(chdir("/") == 0 && rmdir("/tmp/fsd") == 0);
    FAILS(stat("/tmp/fsd", &st), ENOENT);
}

static void test_links(void)
{
    char buf[256];
    struct stat st;
    CHECK(mkdir("/tmp/fsl", 0755) == 0);
    write_file("/tmp/fsl/target", "through the link", 0);
    CHECK(symlink("target", "/tmp/fsl/link") == 0);
    CHECK(symlink("/tmp/fsl", "/tmp/fsl/dirlink") == 0);
    FAILS(symlink("x", "/tmp/fsl/link"), EEXIST);
    CHECK(holds("/tmp/fsl/link", "through the link"));
    CHECK(holds("/tmp/fsl/dirlink/dirlink/link", "through the link"));
    CHECK(lstat("/tmp/fsl/link", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 6);
    CHECK(stat("/tmp/fsl/link", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 16);
    CHECK(readlink("/tmp/fsl/link", buf, sizeof buf) == 6 && memcmp(buf, "target", 6) == 0);
    CHECK(readlink("/tmp/fsl/link", buf, 3) == 3 && memcmp(buf, "tar", 3) == 0);
    FAILS(readlink("/tmp/fsl/target", buf, sizeof buf), EINVAL);
    CHECK(lists("/tmp/fsl", "link"));

    /* written through the link; the link removed, the target stays */
    write_file("/tmp/fsl/link", " and more", O_APPEND);
    CHECK(holds("/tmp/fsl/target", "through the link and more"));
    FAILS(open("/tmp/fsl/link", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK(unlink("/tmp/fsl/link") == 0 && stat("/tmp/fsl/target", &st) == 0);

    /* a dangling link, and a loop */
    CHECK(symlink("nowhere", "/tmp/fsl/dangling") == 0);
    FAILS(stat("/tmp/fsl/dangling", &st), ENOENT);
    CHECK(lstat("/tmp/fsl/dangling", &st) == 0);
    CHECK(symlink("loop2", "/tmp/fsl/loop1") == 0 && symlink("loop1", "/tmp/fsl/loop2") == 0);
    FAILS(stat("/tmp/fsl/loop1", &st), ELOOP);
    FAILS(open("/tmp/fsl/loop1/x", O_RDONLY), ELOOP);

    /* chdir through a link: the working directory is the real one */
    CHECK(chdir("/tmp/fsl/dirlink") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/tmp/fsl") == 0);
    CHECK(chdir("/") == 0);

    /* /proc/self/exe names the program */
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf);
    CHECK(n == 11 && memcmp(buf, "/bin/fstest", 11) == 0);

    const char *names[] = {"target", "dirlink", "dangling", "loop1", "loop2"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(buf, sizeof buf, "/tmp/fsl/%s", names[i]);
        CHECK(unlink(buf) == 0);
    }
    CHECK(rmdir("/tmp/fsl") == 0);
}

static void test_devs(void)
{
    char buf[300];
    struct stat st;
    int fd = open("/dev/null", O_RDWR);
    CHECK(fd >= 0 && write(fd, "gone", 4) == 4 && read(fd, buf, sizeof buf) == 0);
    CHECK(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    memset(buf, 'x', sizeof buf);
    CHECK(fd >= 0 && read(fd, buf, sizeof buf) == (ssize_t)sizeof buf);
    for (unsigned i = 0; i < sizeof buf; i++)
        CHECK(buf[i] == 0);
    close(fd);
    fd = open("/dev/full", O_WRONLY);
    FAILS(write(fd, "x", 1), ENOSPC);
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    unsigned char r1[32], r2[32];
    CHECK(fd >= 0 && read(fd, r1, sizeof r1) == 32 && read(fd, r2, sizeof r2) == 32);
    CHECK(memcmp(r1, r2, sizeof r1) != 0);
    close(fd);
    fd = open("/dev/tty", O_WRONLY);
    CHECK(fd >= 0 && write(fd, "", 0) == 0);
    close(fd);
    CHECK(stat("/dev/console", &st) == 0 && S_ISCHR(st.st_mode));
    CHECK(stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 01777) == 01777);
}

static void test_errors(void)
{
    char buf[64];
    struct stat st;
    int fd = open("/tmp/fse", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && write(fd, "data", 4) == 4 && lseek(fd, 0, SEEK_SET) == 0);

    /* bad pointers: -EFAULT, and nothing else happens */
    CHECK(raw(SYS_open, BAD, O_RDONLY, 0, 0) == -EFAULT);
    CHECK(raw(SYS_open, 0, O_RDONLY, 0, 0) == -EFAULT);
    CHECK(raw(SYS_stat64, BAD, (long)&st, 0, 0) == -EFAULT);
    CHECK(raw(SYS_stat64, (long)"/tmp/fse", BAD, 0, 0) == -EFAULT);
    CHECK(raw(SYS_fstatat64, AT_FDCWD, (long)"/tmp/fse", 0, 0) == -EFAULT);
    CHECK(raw(SYS_mkdir, BAD, 0755, 0, 0) == -EFAULT);
    CHECK(raw(SYS_unlink, BAD, 0, 0, 0) == -EFAULT);
    CHECK(raw(SYS_rename, (long)"/tmp/fse", BAD, 0, 0) == -EFAULT);
    CHECK(raw(SYS_chdir, BAD, 0, 0, 0) == -EFAULT);
    CHECK(raw(SYS_getcwd, BAD, 100, 0, 0) == -EFAULT);
    CHECK(raw(SYS_readlink, (long)"/proc/self/exe", BAD, 64, 0) == -EFAULT);
    CHECK(raw(SYS_read, fd, BAD, 4, 0) == -EFAULT);
    CHECK(raw(SYS_read, fd, (long)&main, 4, 0) == -EFAULT);     /* text is read-only */
    CHECK(raw(SYS_write, fd, BAD, 4, 0) == -EFAULT);
    int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0 && raw(SYS_getdents64, dfd, BAD, 4096, 0) == -EFAULT);
    CHECK(raw(SYS_getdents64, dfd, (long)buf, 8, 0) == -EINVAL);        /* too small for one */
    CHECK(raw(SYS_getdents64, fd, (long)buf, sizeof buf, 0) == -ENOTDIR);
    CHECK(read(fd, buf, sizeof buf) == 4 && memcmp(buf, "data", 4) == 0);   /* untouched */

    /* bad descriptors */
    FAILS(read(99, buf, 1), EBADF);
    FAILS(write(-1, buf, 1), EBADF);
    FAILS(fstat(99, &st), EBADF);
    FAILS(close(99), EBADF);
    FAILS(lseek(99, 0, SEEK_SET), EBADF);
    CHECK(raw(SYS_getdents64, 99, (long)buf, sizeof buf, 0) == -EBADF);
    FAILS(openat(99, "x", O_RDONLY), EBADF);
    FAILS(openat(fd, "x", O_RDONLY), ENOTDIR);
    FAILS(fchdir(99), EBADF);
    FAILS(ftruncate(99, 0), EBADF);
    int ro = open("/tmp/fse", O_RDONLY);
    FAILS(write(ro, "x", 1), EBADF);
    close(ro);

    /* names that are not there, or are the wrong kind */
    FAILS(open("/tmp/nothing", O_RDONLY), ENOENT);
    FAILS(open("/nothing/at/all", O_RDWR | O_CREAT, 0644), ENOENT);
    FAILS(open("", O_RDONLY), ENOENT);
    FAILS(stat("/tmp/fse/x", &st), ENOTDIR);
    FAILS(open("/tmp/fse/", O_RDONLY), ENOTDIR);
    FAILS(open("/tmp/fse", O_RDONLY | O_DIRECTORY), ENOTDIR);
    FAILS(open("/tmp", O_WRONLY), EISDIR);
    FAILS(mkdir("/tmp/fse", 0755), EEXIST);
    FAILS(rmdir("/tmp/nothing"), ENOENT);
    FAILS(rmdir("/tmp/."), EINVAL);
    FAILS(unlinkat(AT_FDCWD, "/tmp/fse", 0x4), EINVAL);
    FAILS(lseek(fd, -10, SEEK_SET), EINVAL);
    FAILS(readlink("/tmp/fse", buf, 0), EINVAL);
    FAILS(access("/tmp/fse", 8), EINVAL);
    CHECK(raw(SYS_statfs64, (long)"/", 10, (long)buf, 0) == -EINVAL);

    /* too long: a name over 255 bytes, a path over 4095 */
    static char name[400], path[5000];
    memset(name, 'n', 300);
    snprintf(path, sizeof path, "/tmp/%s", name);
    FAILS(open(path, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
    FAILS(stat(path, &st), ENAMETOOLONG);
    memset(path, 'p', sizeof path - 1);
    path[0] = '/';
    FAILS(stat(path, &st), ENAMETOOLONG);

    close(fd);
    close(dfd);
    CHECK(unlink("/tmp/fse") == 0);
}

/* The calls glibc's common functions do not make, made directly. */
static void test_calls(void)
{
    char buf[512];
    struct stat st;
    CHECK(mkdir("/tmp/fsc", 0777) == 0);
    int dfd = open("/tmp/fsc", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    CHECK(symlinkat("target", dfd, "l") == 0);
    CHECK(readlinkat(dfd, "l", buf, sizeof buf) == 6 && memcmp(buf, "target", 6) == 0);
    int fd = openat(dfd, "f", O_RDWR | O_CREAT | O_EXCL, 0666);
    CHECK(fd >= 0 && write(fd, "abc", 3) == 3 && fsync(fd) == 0 && fdatasync(fd) == 0);
    FAILS(fsync(99), EBADF);
    sync();
    CHECK(faccessat(dfd, "f", R_OK | W_OK, 0) == 0);
    CHECK(raw(439 /* faccessat2 */, dfd, (long)"l", F_OK, AT_SYMLINK_NOFOLLOW) == 0);
    CHECK(raw(439, dfd, (long)"l", F_OK, 0) == -ENOENT);        /* l's target is not there */
    CHECK(raw5(353 /* renameat2 */, dfd, (long)"f", dfd, (long)"l", 1) == -EEXIST);
    CHECK(raw5(353, dfd, (long)"f", dfd, (long)"l", 0) == 0);     /* the link replaced */
    CHECK(raw(SYS_mkdirat, dfd, (long)"d", 0755, 0) == 0);
    CHECK(raw(SYS_renameat, dfd, (long)"l", dfd, (long)"d/g") == 0);
    CHECK(fstatat(dfd, "d/g", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode));
    CHECK(st.st_size == 3 && (st.st_mode & 0777) == 0644);     /* the umask took 022 */
    CHECK(fchmodat(dfd, "d/g", 0600, 0) == 0 && fchmod(fd, 0640) == 0);
    CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0640);
    CHECK(umask(0) == 022 && umask(022) == 0);
    CHECK(utimensat(dfd, "d/g", NULL, 0) == 0 && futimens(fd, NULL) == 0);
    FAILS(utimensat(dfd, "nothing", NULL, 0), ENOENT);

    /* the old getdents: records with the type in their last byte */
    long n = raw(SYS_getdents, dfd, (long)buf, sizeof buf, 0);
    int names = 0;
    for (long off = 0; off < n; ) {
        unsigned short reclen = *(unsigned short *)(buf + off + 8);
        const char *name = buf + off + 10;
        if (strcmp(name, "d") == 0)
            CHECK(buf[off + reclen - 1] == DT_DIR);
        names += strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "d") == 0;
        CHECK(reclen > 10 && off + reclen <= n);
        off += reclen;
    }
    CHECK(n > 0 && names == 3);
    CHECK(raw(SYS_getdents, dfd, (long)buf, sizeof buf, 0) == 0);      /* at the end */
    CHECK(lseek(dfd, 0, SEEK_SET) == 0 && raw(SYS_getdents64, dfd, (long)buf, sizeof buf, 0) > 0);

    /* statfs: the size asked must be the structure's */
    struct statfs64_i386 {
        unsigned type, bsize;
        unsigned long long blocks, bfree, bavail, files, ffree;
        int fsid[2];
        unsigned namelen, frsize, flags, spare[4];
    } __attribute__((packed)) sf;
    CHECK(raw(SYS_statfs64, (long)"/tmp", sizeof sf, (long)&sf, 0) == 0);
    CHECK(sf.bsize > 0 && sf.namelen == 255 && sf.blocks >= sf.bfree);
    CHECK(raw(SYS_fstatfs64, fd, sizeof sf, (long)&sf, 0) == 0 && sf.bsize > 0);
    CHECK(raw(SYS_fstatfs64, 99, sizeof sf, (long)&sf, 0) == -EBADF);

    /* l4lab's limit: a file of 4 MiB at most (Linux has none this small) */
    struct utsname u;
    if (uname(&u) == 0 && strstr(u.release, "l4lab")) {
        FAILS(pwrite(fd, "x", 1, 4 << 20), EFBIG);
        CHECK(pwrite(fd, "xyz", 3, (4 << 20) - 2) == 2);       /* short, up to the limit */
        CHECK(fstat(fd, &st) == 0 && st.st_size == 4 << 20 && st.st_blocks == 16);
        FAILS(ftruncate(fd, (4 << 20) + 1), EFBIG);
    }
    close(fd);
    CHECK(unlinkat(dfd, "d/g", 0) == 0 && unlinkat(dfd, "d", AT_REMOVEDIR) == 0);
    close(dfd);
    CHECK(rmdir("/tmp/fsc") == 0);
}

static void test_ram_write(void)
{
    write_file("/tmp/ram-file", "written before the reboot", O_TRUNC);
    CHECK(holds("/tmp/ram-file", "written before the reboot"));
}

static void test_ram_absent(void)
{
    struct stat st;
    CHECK(stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode));
    FAILS(stat("/tmp/ram-file", &st), ENOENT);
    CHECK(!lists("/tmp", "ram-file"));
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"files", test_files}, {"dirs", test_dirs}, {"links", test_links}, {"devs", test_devs},
    {"errors", test_errors}, {"calls", test_calls}, {"ram-write", test_ram_write}, {"ram-absent", test_ram_absent},
};

static int run(const char *name)
{
    for (unsigned i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (strcmp(tests[i].name, name) == 0) {
            test = name;
            tests[i].fn();
            return 1;
        }
    return 0;
}

int main(int argc, char **argv)
{
    const char *nonce = argc > 2 ? argv[2] : "none";
    if (argc < 2) {
        printf("usage: fstest TEST[+TEST...]|all [NONCE]\n");
        return 2;
    }
    static char list[256];
    snprintf(list, sizeof list, "%s", strcmp(argv[1], "all") == 0 ?
             "files+dirs+links+devs+errors+calls" : argv[1]);
    for (char *name = strtok(list, "+"); name; name = strtok(NULL, "+"))
        if (!run(name)) {
            printf("fstest: no test named %s\n", name);
            return 2;
        }
    printf("fstest %s: nonce=%s ok\n", argv[1], nonce);
    return 0;
}
