/*
 * The parts of the Linux i386 ABI the server speaks: system-call numbers,
 * errno values, auxiliary-vector types and the layouts of the structures
 * that cross the boundary.  The values are the ABI's, so they are Linux's;
 * the names follow Linux's where a reader would look them up.
 */
#ifndef LINUX_ABI_H
#define LINUX_ABI_H

#include <stdint.h>

/* System-call numbers (i386: arch/x86/entry/syscalls/syscall_32.tbl). */
#define LX_exit             1
#define LX_fork             2
#define LX_read             3
#define LX_write            4
#define LX_open             5
#define LX_close            6
#define LX_waitpid          7
#define LX_creat            8
#define LX_link             9
#define LX_unlink           10
#define LX_execve           11
#define LX_chdir            12
#define LX_time             13
#define LX_mknod            14
#define LX_chmod            15
#define LX_lseek            19
#define LX_getpid           20
#define LX_alarm            27
#define LX_pause            29
#define LX_access           33
#define LX_sync             36
#define LX_kill             37
#define LX_rename           38
#define LX_mkdir            39
#define LX_rmdir            40
#define LX_dup              41
#define LX_pipe             42
#define LX_times            43
#define LX_brk              45
#define LX_signal           48
#define LX_ioctl            54
#define LX_fcntl            55
#define LX_setpgid          57
#define LX_umask            60
#define LX_dup2             63
#define LX_getppid          64
#define LX_getpgrp          65
#define LX_setsid           66
#define LX_sigaction        67
#define LX_gettimeofday     78
#define LX_symlink          83
#define LX_readlink         85
#define LX_mmap             90
#define LX_munmap           91
#define LX_truncate         92
#define LX_ftruncate        93
#define LX_fchmod           94
#define LX_getpriority      96
#define LX_stat             106
#define LX_lstat            107
#define LX_fstat            108
#define LX_wait4            114
#define LX_sysinfo          116
#define LX_fsync            118
#define LX_sigreturn        119
#define LX_clone            120
#define LX_uname            122
#define LX_mprotect         125
#define LX_sigprocmask      126
#define LX_getpgid          132
#define LX_fchdir           133
#define LX__llseek          140
#define LX_getdents         141
#define LX_newselect        142
#define LX_readv            145
#define LX_writev           146
#define LX_getsid           147
#define LX_fdatasync        148
#define LX_sched_yield      158
#define LX_nanosleep        162
#define LX_mremap           163
#define LX_poll             168
#define LX_prctl            172
#define LX_rt_sigreturn     173
#define LX_rt_sigaction     174
#define LX_rt_sigprocmask   175
#define LX_rt_sigpending    176
#define LX_rt_sigsuspend    179
#define LX_pread64          180
#define LX_pwrite64         181
#define LX_getcwd           183
#define LX_sigaltstack      186
#define LX_vfork            190
#define LX_ugetrlimit       191
#define LX_mmap2            192
#define LX_truncate64       193
#define LX_ftruncate64      194
#define LX_stat64           195
#define LX_lstat64          196
#define LX_fstat64          197
#define LX_getuid32         199
#define LX_getgid32         200
#define LX_geteuid32        201
#define LX_getegid32        202
#define LX_getgroups32      205
#define LX_setuid32         213
#define LX_setgid32         214
#define LX_madvise          219
#define LX_getdents64       220
#define LX_fcntl64          221
#define LX_gettid           224
#define LX_tkill            238
#define LX_sched_getaffinity 242
#define LX_set_thread_area  243
#define LX_get_thread_area  244
#define LX_exit_group       252
#define LX_set_tid_address  258
#define LX_clock_gettime    265
#define LX_clock_getres     266
#define LX_clock_nanosleep  267
#define LX_statfs64         268
#define LX_fstatfs64        269
#define LX_tgkill           270
#define LX_waitid           284
#define LX_openat           295
#define LX_mkdirat          296
#define LX_fchownat         298
#define LX_fstatat64        300
#define LX_unlinkat         301
#define LX_renameat         302
#define LX_linkat           303
#define LX_symlinkat        304
#define LX_readlinkat       305
#define LX_fchmodat         306
#define LX_faccessat        307
#define LX_pselect6         308
#define LX_ppoll            309
#define LX_set_robust_list  311
#define LX_utimensat        320
#define LX_pipe2            331
#define LX_dup3             330
#define LX_prlimit64        340
#define LX_renameat2        353
#define LX_getrandom        355
#define LX_statx            383
#define LX_clock_gettime64  403
#define LX_clock_nanosleep_time64 407
#define LX_utimensat_time64 412
#define LX_pselect6_time64  413
#define LX_ppoll_time64     414
#define LX_faccessat2       439
#define LX_NSYSCALLS        450     /* the table's size: any number beyond is -ENOSYS */

/* errno values (returned negated). */
#define LX_EPERM    1
#define LX_ENOENT   2
#define LX_ESRCH    3
#define LX_EINTR    4
#define LX_EIO      5
#define LX_ENXIO    6
#define LX_E2BIG    7
#define LX_ENOEXEC  8
#define LX_EBADF    9
#define LX_ECHILD   10
#define LX_EAGAIN   11
#define LX_ENOMEM   12
#define LX_EACCES   13
#define LX_EFAULT   14
#define LX_EBUSY    16
#define LX_EEXIST   17
#define LX_EXDEV    18
#define LX_ENODEV   19
#define LX_ENOTDIR  20
#define LX_EISDIR   21
#define LX_EINVAL   22
#define LX_ENFILE   23
#define LX_EMFILE   24
#define LX_ENOTTY   25
#define LX_EFBIG    27
#define LX_ENOSPC   28
#define LX_ESPIPE   29
#define LX_EROFS    30
#define LX_EMLINK   31
#define LX_EPIPE    32
#define LX_ERANGE   34
#define LX_ENAMETOOLONG 36
#define LX_ENOSYS   38
#define LX_ENOTEMPTY 39
#define LX_ELOOP    40

/* prctl's options that the server knows. */
#define LX_PR_SET_NAME  15
#define LX_PR_GET_NAME  16
#define LX_TASK_COMM_LEN 16     /* a name's bytes with its NUL */

/* open's flags (i386). */
#define LX_O_ACCMODE    0003
#define LX_O_RDONLY     00
#define LX_O_WRONLY     01
#define LX_O_RDWR       02
#define LX_O_CREAT      0100
#define LX_O_EXCL       0200
#define LX_O_NOCTTY     0400
#define LX_O_TRUNC      01000
#define LX_O_APPEND     02000
#define LX_O_NONBLOCK   04000
#define LX_O_DIRECTORY  0200000
#define LX_O_NOFOLLOW   0400000
#define LX_O_CLOEXEC    02000000
#define LX_O_LARGEFILE  0100000

/* fcntl's commands. */
#define LX_F_DUPFD          0
#define LX_F_GETFD          1
#define LX_F_SETFD          2
#define LX_F_GETFL          3
#define LX_F_SETFL          4
#define LX_F_DUPFD_CLOEXEC  1030
#define LX_FD_CLOEXEC       1

/* Signals (the ones with default actions the server knows). */
#define LX_SIGHUP   1
#define LX_SIGINT   2
#define LX_SIGQUIT  3
#define LX_SIGILL   4
#define LX_SIGTRAP  5
#define LX_SIGABRT  6
#define LX_SIGBUS   7
#define LX_SIGFPE   8
#define LX_SIGKILL  9
#define LX_SIGUSR1  10
#define LX_SIGSEGV  11
#define LX_SIGUSR2  12
#define LX_SIGPIPE  13
#define LX_SIGALRM  14
#define LX_SIGTERM  15
#define LX_SIGCHLD  17
#define LX_SIGCONT  18
#define LX_SIGSTOP  19
#define LX_SIGTSTP  20
#define LX_SIGWINCH 28

/* ioctl requests for terminals. */
#define LX_TCGETS       0x5401
#define LX_TCSETS       0x5402
#define LX_TCSETSW      0x5403
#define LX_TCSETSF      0x5404
#define LX_TIOCGPGRP    0x540F
#define LX_TIOCSPGRP    0x5410
#define LX_TIOCGWINSZ   0x5413
#define LX_TIOCSWINSZ   0x5414
#define LX_FIONREAD     0x541B

/* lseek's whence. */
#define LX_SEEK_SET 0
#define LX_SEEK_CUR 1
#define LX_SEEK_END 2

/* Auxiliary vector entry types (the ELF ABI's AT_*). */
#define LX_AT_NULL      0
#define LX_AT_PHDR      3
#define LX_AT_PHENT     4
#define LX_AT_PHNUM     5
#define LX_AT_PAGESZ    6
#define LX_AT_BASE      7
#define LX_AT_FLAGS     8
#define LX_AT_ENTRY     9
#define LX_AT_UID       11
#define LX_AT_EUID      12
#define LX_AT_GID       13
#define LX_AT_EGID      14
#define LX_AT_PLATFORM  15
#define LX_AT_HWCAP     16
#define LX_AT_CLKTCK    17
#define LX_AT_SECURE    23
#define LX_AT_RANDOM    25
#define LX_AT_EXECFN    31

/* set_thread_area's argument (struct user_desc). */
struct lx_user_desc {
    uint32_t entry_number;      /* -1: choose one */
    uint32_t base_addr;
    uint32_t limit;
    uint32_t flags;             /* seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1
                                   seg_not_present:1 useable:1 */
};
#define LX_UD_32BIT         0x01u
#define LX_UD_CONTENTS      0x06u
#define LX_UD_READ_EXEC     0x08u
#define LX_UD_LIMIT_PAGES   0x10u
#define LX_UD_NOT_PRESENT   0x20u

/* writev's vector element. */
struct lx_iovec {
    uint32_t base;
    uint32_t len;
};

/* uname's buffer: six fields of 65 bytes. */
#define LX_UTS_LEN 65
struct lx_utsname {
    char sysname[LX_UTS_LEN], nodename[LX_UTS_LEN], release[LX_UTS_LEN];
    char version[LX_UTS_LEN], machine[LX_UTS_LEN], domainname[LX_UTS_LEN];
};

/* sysinfo's buffer as i386 Linux fills it (64 bytes). */
struct lx_sysinfo {
    int32_t uptime;             /* seconds since boot */
    uint32_t loads[3];          /* load averages, 1/65536 units */
    uint32_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint32_t totalhigh, freehigh;
    uint32_t mem_unit;          /* the size of the RAM fields' unit, in bytes */
    char reserved[8];
};
_Static_assert(sizeof(struct lx_sysinfo) == 64, "struct sysinfo is 64 bytes on i386");

/* struct stat64 as i386 Linux fills it (96 bytes). */
struct lx_stat64 {
    uint64_t dev;
    uint32_t pad0;
    uint32_t ino32;
    uint32_t mode;
    uint32_t nlink;
    uint32_t uid, gid;
    uint64_t rdev;
    uint32_t pad3;
    int64_t size;
    uint32_t blksize;
    uint64_t blocks;
    uint32_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
    uint64_t ino;
} __attribute__((packed));
_Static_assert(sizeof(struct lx_stat64) == 96, "struct stat64 of i386 Linux");

#define LX_S_IFIFO  0010000u
#define LX_S_IFCHR  0020000u
#define LX_S_IFDIR  0040000u
#define LX_S_IFREG  0100000u
#define LX_S_IFLNK  0120000u
#define LX_S_IFMT   0170000u

#define LX_PROT_READ   1
#define LX_PROT_WRITE  2
#define LX_PROT_EXEC   4

#define LX_AT_FDCWD        (-100)
#define LX_AT_SYMLINK_NOFOLLOW 0x100
#define LX_AT_REMOVEDIR    0x200
#define LX_AT_EACCESS      0x200     /* faccessat2's, same bit as AT_REMOVEDIR */
#define LX_AT_EMPTY_PATH   0x1000

/* access's modes. */
#define LX_X_OK 1
#define LX_W_OK 2
#define LX_R_OK 4

/* renameat2's flags. */
#define LX_RENAME_NOREPLACE 1

/* utimensat's special nanoseconds. */
#define LX_UTIME_NOW  ((1 << 30) - 1)
#define LX_UTIME_OMIT ((1 << 30) - 2)

/* mmap's flags. */
#define LX_MAP_SHARED     0x01
#define LX_MAP_PRIVATE    0x02
#define LX_MAP_FIXED      0x10
#define LX_MAP_ANONYMOUS  0x20

/* Signal dispositions (rt_sigaction's sa_handler). */
#define LX_SIG_DFL  0u
#define LX_SIG_IGN  1u
#define LX_SA_SIGINFO   0x00000004u
#define LX_SA_RESTORER  0x04000000u
#define LX_SA_NODEFER   0x40000000u
#define LX_SA_RESETHAND 0x80000000u

/* wait4's options and status words. */
#define LX_WNOHANG      1
#define LX_WUNTRACED    2

/* clock_gettime's clocks. */
#define LX_CLOCK_REALTIME   0
#define LX_CLOCK_MONOTONIC  1
#define LX_CLOCK_PROCESS_CPUTIME_ID 2
#define LX_CLOCK_THREAD_CPUTIME_ID  3
#define LX_CLOCK_MONOTONIC_RAW      4
#define LX_CLOCK_REALTIME_COARSE    5
#define LX_CLOCK_MONOTONIC_COARSE   6
#define LX_CLOCK_BOOTTIME           7
#define LX_TIMER_ABSTIME    1       /* clock_nanosleep's flag: the time is a deadline */

/* poll's events (struct pollfd). */
struct lx_pollfd {
    int32_t fd;
    int16_t events, revents;
};
#define LX_POLLIN   0x001
#define LX_POLLPRI  0x002
#define LX_POLLOUT  0x004
#define LX_POLLERR  0x008
#define LX_POLLHUP  0x010
#define LX_POLLNVAL 0x020
#define LX_POLLRDNORM 0x040
#define LX_POLLWRNORM 0x100

/* getrandom's flags. */
#define LX_GRND_NONBLOCK    1
#define LX_GRND_RANDOM      2
#define LX_GRND_INSECURE    4

struct lx_timespec32 {
    int32_t sec, nsec;
};
struct lx_timespec64 {
    int64_t sec, nsec;
};
struct lx_timeval {
    int32_t sec, usec;
};

/* getdents64's record: ino, offset of the next, its length, type, name. */
struct lx_dirent64 {
    uint64_t ino;
    int64_t off;
    uint16_t reclen;
    uint8_t type;
    char name[];
} __attribute__((packed));
#define LX_DT_CHR 2
#define LX_DT_DIR 4
#define LX_DT_REG 8
#define LX_DT_FIFO 1
#define LX_DT_LNK 10

/* getdents's (the old call's) record: the type is the record's last byte. */
struct lx_dirent {
    uint32_t ino;
    uint32_t off;
    uint16_t reclen;
    char name[];
} __attribute__((packed));

/* statfs64's buffer (i386: 84 bytes, 4-byte aligned). */
struct lx_statfs64 {
    uint32_t type, bsize;
    uint64_t blocks, bfree, bavail, files, ffree;
    int32_t fsid[2];
    uint32_t namelen, frsize, flags, spare[4];
} __attribute__((packed));
_Static_assert(sizeof(struct lx_statfs64) == 84, "struct statfs64 of i386 Linux");
#define LX_TMPFS_MAGIC 0x01021994u

/* A terminal's settings (TCGETS): struct termios of i386 Linux, 36 bytes. */
struct lx_termios {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t line;
    uint8_t cc[19];
};
/* termios's flags the console's line discipline knows (console.c). */
#define LX_INLCR    0000100     /* iflag: NL -> CR */
#define LX_IGNCR    0000200     /* iflag: drop CR */
#define LX_ICRNL    0000400     /* iflag: CR -> NL */
#define LX_IXON     0002000
#define LX_OPOST    0000001     /* oflag */
#define LX_ONLCR    0000004
#define LX_B38400   0000017     /* cflag */
#define LX_CS8      0000060
#define LX_CREAD    0000200
#define LX_HUPCL    0002000
#define LX_ISIG     0000001     /* lflag: ^C and ^\ send signals */
#define LX_ICANON   0000002     /* lflag: a line at a time, with editing */
#define LX_ECHO     0000010
#define LX_ECHOE    0000020
#define LX_ECHOK    0000040
#define LX_ECHOCTL  0001000
#define LX_ECHOKE   0004000
#define LX_IEXTEN   0100000
/* c_cc's indices. */
#define LX_VINTR    0
#define LX_VQUIT    1
#define LX_VERASE   2
#define LX_VKILL    3
#define LX_VEOF     4
#define LX_VTIME    5
#define LX_VMIN     6
#define LX_VSTART   8
#define LX_VSTOP    9
#define LX_VSUSP    10
#define LX_VEOL     11
#define LX_VREPRINT 12
#define LX_VDISCARD 13
#define LX_VWERASE  14
#define LX_VLNEXT   15
struct lx_winsize {
    uint16_t row, col, xpixel, ypixel;
};

#endif
