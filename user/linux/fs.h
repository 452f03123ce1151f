/*
 * The RAM file system's insides, shared by fs.c (nodes, paths, the boot
 * archive) and fscalls.c (the system calls and the open files of nodes).
 * The rest of the server sees only linux.h's fs_* functions.
 */
#ifndef FS_H
#define FS_H

#include "linux.h"

#define FS_MAX_NODES    512     /* files, directories, links and devices together */
#define FS_NAME_MAX     255     /* a path component, as Linux's NAME_MAX */
#define FS_PATH_MAX     4096    /* a whole path with its NUL, as Linux's PATH_MAX */
#define FS_FILE_PAGES   1024    /* a file's page table is one page of pointers: */
#define FS_MAX_SIZE     (FS_FILE_PAGES * PAGE)      /* 4 MiB */
#define FS_MAX_LINKS    8       /* symbolic links followed in one lookup */
#define FS_STATFS_PAGES 6144    /* statfs's size: the server's pool (mem.c, POOL_PAGES) */
#define FS_EPOCH        1767225600u     /* 2026-01-01 00:00 UTC: "now" at boot, until clocks */

#define LX_S_ISDIR(m) (((m) & LX_S_IFMT) == LX_S_IFDIR)
#define LX_S_ISREG(m) (((m) & LX_S_IFMT) == LX_S_IFREG)
#define LX_S_ISLNK(m) (((m) & LX_S_IFMT) == LX_S_IFLNK)
#define LX_S_ISCHR(m) (((m) & LX_S_IFMT) == LX_S_IFCHR)

/* What a character device node is (its reads and writes in fscalls.c). */
enum fs_dev { DEV_NONE, DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_CONSOLE };

/* A node: one name in one directory (there are no hard links), so a
   directory's entries are its children, linked through next. */
struct fs_node {
    int used;
    uint32_t ino;               /* unique while the machine runs */
    uint32_t mode;              /* Linux st_mode: type and permissions */
    uint32_t nlink;             /* 0 once unlinked (it lives on while held) */
    uint32_t refs;              /* holders: open files, memory areas (fs_hold) */
    uint32_t size;              /* bytes of data; a symlink's data is its target */
    uint32_t mtime, ctime;
    enum fs_dev dev;            /* for character devices */
    uint32_t rdev;              /* their (major << 8 | minor) */
    int self_exe;               /* /proc/self/exe: its target is the process's p->exe */
    uint32_t arch_ino;          /* a hard-linked archive file's inode number (fs_init), or 0 */
    const uint8_t *adata;       /* the data still in the boot archive, in place (read-only) */
    uint8_t **pages;            /* else a page of FS_FILE_PAGES page pointers, or NULL */
    struct fs_node *parent;     /* NULL once removed from its directory */
    struct fs_node *child;      /* a directory's first entry */
    struct fs_node *next;       /* the next entry of the same directory */
    char name[FS_NAME_MAX + 1];
};

struct fs_node *fs_root(void);
uint32_t fs_now(void);          /* seconds since 1970 for mtime and ctime */
/* A new node of mode (type and permissions) named name in directory dir:
   NULL if no node is left. */
struct fs_node *fs_create(struct fs_node *dir, const char *name, uint32_t mode);
struct fs_node *fs_find(struct fs_node *dir, const char *name, uint32_t len);
/* Takes n out of its directory (unlink, rmdir, rename's victim); it is
   freed when nobody holds it any more. */
void fs_remove(struct fs_node *n);
/* Moves n into dir under name (rename; a node there must be gone first). */
void fs_move(struct fs_node *n, struct fs_node *dir, const char *name);
/* A pointer to n's data at off (off < size) and how many bytes from there
   are in one piece (*avail); NULL for a hole never written (zeros). */
const uint8_t *fs_data(const struct fs_node *n, uint32_t off, uint32_t *avail);
/* The same, writable, a page made if needed (off < FS_MAX_SIZE): NULL with
   *err = -LX_ENOSPC when no page is left. */
uint8_t *fs_data_w(struct fs_node *n, uint32_t off, uint32_t *avail, int *err);
/* Sets n's size (truncate, or the end of a write): 0 or -LX_E*. */
int fs_truncate(struct fs_node *n, uint32_t size);
void fs_stat(const struct fs_node *n, struct lx_stat64 *st);
/* The absolute path of directory n into buf[size]: 0 or -LX_ENAMETOOLONG /
   -LX_ENOENT (removed). */
int fs_path(const struct fs_node *n, char *buf, uint32_t size);
/* A symlink's target: its bytes and length (p's exe for /proc/self/exe). */
const char *fs_link_target(struct proc *p, const struct fs_node *n, uint32_t *len);
/* The start of a lookup of path: root for an absolute one, else the
   directory of dirfd, or p's working directory for LX_AT_FDCWD. */
int fs_start(struct proc *p, int dirfd, const char *path, struct fs_node **out);
/* Splits path into its directory (looked up, from dirfd) and last name,
   for the calls that make or remove a name.  *trailing: the path ended in
   '/'.  "/" gives the root and ".".  0 or -LX_E*. */
int fs_parent(struct proc *p, int dirfd, const char *path, struct fs_node **dir,
              char name[FS_NAME_MAX + 1], int *trailing);

/* How much is in use: the pages files hold, the nodes left. */
void fs_usage(uint32_t *pages, uint32_t *free_nodes);

/* The node of an open file of a node (fscalls.c), or NULL (a pipe, the console). */
struct fs_node *fs_file_node(struct file *f);
int fs_file_is_dir(struct file *f);

#endif
