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
#define LX_read             3
#define LX_write            4
#define LX_open             5
#define LX_close            6
#define LX_getpid           20
#define LX_brk              45
#define LX_ioctl            54
#define LX_readlink         85
#define LX_uname            122
#define LX_writev           146
#define LX_mprotect         125
#define LX_mmap2            192
#define LX_fstat64          197
#define LX_getuid32         199
#define LX_getgid32         200
#define LX_geteuid32        201
#define LX_getegid32        202
#define LX_set_thread_area  243
#define LX_exit_group       252
#define LX_set_tid_address  258
#define LX_fstatat64        300
#define LX_set_robust_list  311
#define LX_NSYSCALLS        450     /* the table's size: any number beyond is -ENOSYS */

/* errno values (returned negated). */
#define LX_EPERM    1
#define LX_ENOENT   2
#define LX_EIO      5
#define LX_ENOEXEC  8
#define LX_EBADF    9
#define LX_ENOMEM   12
#define LX_EFAULT   14
#define LX_EINVAL   22
#define LX_ENOTTY   25
#define LX_ERANGE   34
#define LX_ENOSYS   38

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

#define LX_S_IFCHR  0020000u
#define LX_S_IFDIR  0040000u
#define LX_S_IFREG  0100000u
#define LX_S_IFMT   0170000u

#define LX_PROT_READ   1
#define LX_PROT_WRITE  2
#define LX_PROT_EXEC   4

#define LX_AT_FDCWD        (-100)
#define LX_AT_EMPTY_PATH   0x1000

#endif
