/*
 * The file system's calls, and the open files of its nodes: regular
 * files, directories and the character devices of /dev.  The nodes and
 * the lookups of paths are in fs.c.  Everybody is root, so permission
 * bits are kept and shown but only the execute bits matter (access X_OK,
 * and execve).  The server is one thread, so the calls share two static
 * buffers for the paths they copy in.
 */
#include "fs.h"

static char path_a[FS_PATH_MAX], path_b[FS_PATH_MAX];

static const struct file_ops reg_ops, dir_ops, dev_ops;

struct fs_node *fs_file_node(struct file *f)
{
    return f->ops == &reg_ops || f->ops == &dir_ops || f->ops == &dev_ops ? f->priv : NULL;
}

int fs_file_is_dir(struct file *f)
{
    return f->ops == &dir_ops;
}

/* Copies the path at upath from p into buf[FS_PATH_MAX]: 0 or -LX_EFAULT,
   -LX_ENAMETOOLONG, -LX_ENOENT (empty, unless allow_empty). */
static int get_path(struct proc *p, uint32_t upath, char *buf, int allow_empty)
{
    int n = copy_in_str(&p->mm, buf, upath, FS_PATH_MAX);
    if (n == -LX_ERANGE)
        return -LX_ENAMETOOLONG;
    if (n < 0)
        return n;
    return n == 0 && !allow_empty ? -LX_ENOENT : 0;
}

/* The entry name of dir ("." and ".." too), or NULL. */
static struct fs_node *entry(struct fs_node *dir, const char *name)
{
    if (strcmp(name, ".") == 0)
        return dir;
    if (strcmp(name, "..") == 0)
        return dir->parent ? dir->parent : dir;
    return fs_find(dir, name, strlen(name));
}

static int is_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Writes len zero bytes to the process at buf. */
static int zero_out(struct proc *p, uint32_t buf, uint32_t len)
{
    static const uint8_t zeros[512];
    for (uint32_t done = 0; done < len; ) {
        uint32_t n = len - done < sizeof zeros ? len - done : sizeof zeros;
        int err = copy_out(&p->mm, buf + done, zeros, n);
        if (err)
            return err;
        done += n;
    }
    return 0;
}

/* ---- Regular files ---- */

static int32_t reg_read(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    struct fs_node *n = f->priv;
    uint32_t done = 0;
    if (len > 0x7FFFF000)
        len = 0x7FFFF000;       /* as Linux: a result must fit a positive int */
    while (done < len && f->pos < n->size) {
        uint32_t avail;
        const uint8_t *src = fs_data(n, (uint32_t)f->pos, &avail);
        if (avail > len - done)
            avail = len - done;
        int err = src ? copy_out(&p->mm, buf + done, src, avail) : zero_out(p, buf + done, avail);
        if (err)
            return done ? (int32_t)done : err;
        done += avail;
        f->pos += avail;
    }
    return (int32_t)done;
}

static int32_t reg_write(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    struct fs_node *n = f->priv;
    if (f->flags & LX_O_APPEND)
        f->pos = n->size;
    if (len == 0)
        return 0;
    if (f->pos >= FS_MAX_SIZE)
        return -LX_EFBIG;
    if (len > FS_MAX_SIZE - f->pos)
        len = FS_MAX_SIZE - (uint32_t)f->pos;      /* a short write, up to the limit */
    uint32_t done = 0;
    int err = 0;
    while (done < len) {
        uint32_t avail;
        uint8_t *dst = fs_data_w(n, (uint32_t)f->pos, &avail, &err);
        if (!dst)
            break;
        if (avail > len - done)
            avail = len - done;
        if ((err = copy_in(&p->mm, dst, buf + done, avail)) < 0)
            break;
        done += avail;
        f->pos += avail;
        if (f->pos > n->size)
            n->size = (uint32_t)f->pos;
    }
    if (done)
        n->mtime = n->ctime = fs_now();
    return done ? (int32_t)done : err;
}

static int64_t node_seek(struct file *f, int64_t off, int whence)
{
    struct fs_node *n = f->priv;
    int64_t base = whence == LX_SEEK_SET ? 0 : whence == LX_SEEK_CUR ? (int64_t)f->pos : n->size;
    if (off > 0 && base + off < base)
        return -LX_EINVAL;
    if (base + off < 0)
        return -LX_EINVAL;
    f->pos = (uint64_t)(base + off);
    return base + off;
}

static int node_stat(struct file *f, struct lx_stat64 *st)
{
    fs_stat(f->priv, st);
    return 0;
}

static void node_release(struct file *f)
{
    fs_put(f->priv);
}

static const struct file_ops reg_ops = {
    .kind = "file",
    .read = reg_read,
    .write = reg_write,
    .stat = node_stat,
    .seek = node_seek,
    .release = node_release,
};

/* ---- Directories: read by getdents64, the position counts entries ---- */

static int32_t dir_read(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    (void)p, (void)f, (void)buf, (void)len;
    return -LX_EISDIR;
}

static const struct file_ops dir_ops = {
    .kind = "directory",
    .read = dir_read,
    .stat = node_stat,
    .seek = node_seek,
    .release = node_release,
};

/* ---- Character devices ---- */

/* Random bytes for /dev/urandom and /dev/random: an xorshift generator
   seeded from the time-stamp counter at the first read.  Not for keys. */
static uint32_t random_word(void)
{
    static uint32_t x;
    if (!x)
        x = (uint32_t)rdtsc() | 1;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

static int32_t dev_read(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    struct fs_node *n = f->priv;
    if (n->dev == DEV_NULL)
        return 0;
    if (len > 0x7FFFF000)
        len = 0x7FFFF000;
    if (n->dev != DEV_RANDOM) {
        int err = zero_out(p, buf, len);
        return err ? err : (int32_t)len;
    }
    uint8_t chunk[256];
    for (uint32_t done = 0; done < len; ) {
        uint32_t k = len - done < sizeof chunk ? len - done : sizeof chunk;
        for (uint32_t i = 0; i < k; i += 4) {
            uint32_t w = random_word();
            memcpy(chunk + i, &w, k - i < 4 ? k - i : 4);
        }
        int err = copy_out(&p->mm, buf + done, chunk, k);
        if (err)
            return done ? (int32_t)done : err;
        done += k;
    }
    return (int32_t)len;
}

/* Writes vanish (/dev/null, zero, random), except to /dev/full. */
static int32_t dev_write(struct proc *p, struct file *f, uint32_t buf, uint32_t len)
{
    (void)p, (void)buf;
    struct fs_node *n = f->priv;
    return n->dev == DEV_FULL ? -LX_ENOSPC : (int32_t)(len > 0x7FFFF000 ? 0x7FFFF000 : len);
}

static int64_t dev_seek(struct file *f, int64_t off, int whence)
{
    (void)f, (void)off, (void)whence;
    return 0;           /* as Linux's memory devices: the position stays 0 */
}

static const struct file_ops dev_ops = {
    .kind = "device",
    .read = dev_read,
    .write = dev_write,
    .stat = node_stat,
    .seek = dev_seek,
    .release = node_release,
};

/* ---- open ---- */

/* The node open opens: the one at path, or a new regular file with O_CREAT. */
static int open_node(struct proc *p, int dirfd, const char *path, uint32_t flags, uint32_t mode,
                     struct fs_node **out)
{
    int follow = !(flags & LX_O_NOFOLLOW);
    if (!(flags & LX_O_CREAT))
        return fs_resolve(p, dirfd, path, follow, out);
    struct fs_node *dir;
    char name[FS_NAME_MAX + 1];
    int trailing;
    int err = fs_parent(p, dirfd, path, &dir, name, &trailing);
    if (err)
        return err;
    struct fs_node *n = entry(dir, name);
    if (n && (flags & LX_O_EXCL))
        return -LX_EEXIST;
    if (n && LX_S_ISLNK(n->mode) && follow)
        return fs_resolve(p, dirfd, path, 1, out);     /* a dangling link: ENOENT */
    if (n) {
        *out = n;
        return LX_S_ISDIR(n->mode) ? -LX_EISDIR : 0;
    }
    if (trailing)
        return -LX_EISDIR;      /* "new/" names a directory, which open cannot make */
    if (dir->nlink == 0)
        return -LX_ENOENT;      /* a removed directory takes no new names */
    n = fs_create(dir, name, LX_S_IFREG | (mode & 07777 & ~p->umask));
    if (!n)
        return -LX_ENOSPC;
    *out = n;
    return 0;
}

static int32_t do_open(struct proc *p, int dirfd, uint32_t upath, uint32_t flags, uint32_t mode)
{
    int err = get_path(p, upath, path_a, 0);
    if (err)
        return err;
    uint32_t acc = flags & LX_O_ACCMODE;
    if (acc == LX_O_ACCMODE)
        return -LX_EINVAL;
    int fd = 0;
    while (fd < MAX_FDS && p->fd[fd])
        fd++;
    if (fd == MAX_FDS)
        return -LX_EMFILE;
    struct fs_node *n;
    if ((err = open_node(p, dirfd, path_a, flags, mode, &n)) < 0)
        return err;
    if (LX_S_ISLNK(n->mode))
        return -LX_ELOOP;       /* O_NOFOLLOW on a link */
    if ((flags & LX_O_DIRECTORY) && !LX_S_ISDIR(n->mode))
        return -LX_ENOTDIR;
    if (LX_S_ISDIR(n->mode) && acc != LX_O_RDONLY)
        return -LX_EISDIR;
    if (LX_S_ISREG(n->mode) && (flags & LX_O_TRUNC) && acc != LX_O_RDONLY &&
        (err = fs_truncate(n, 0)) < 0)
        return err;
    uint32_t keep = flags & (LX_O_ACCMODE | LX_O_APPEND | LX_O_NONBLOCK | LX_O_DIRECTORY |
                             LX_O_LARGEFILE | LX_O_NOFOLLOW);
    struct file *f;
    if (n->dev == DEV_CONSOLE) {
        if ((f = console_open()))
            f->flags = keep;
    } else {
        const struct file_ops *ops = LX_S_ISDIR(n->mode) ? &dir_ops :
                                     LX_S_ISCHR(n->mode) ? &dev_ops : &reg_ops;
        if ((f = file_new(ops, keep, n)))
            fs_hold(n);
    }
    if (!f)
        return -LX_ENFILE;
    fd = fd_install(p, f, fd);
    if (flags & LX_O_CLOEXEC)
        p->cloexec |= 1u << fd;
    return fd;
}

static int32_t sys_open(struct proc *p, struct regs *r)
{
    return do_open(p, LX_AT_FDCWD, r->ebx, r->ecx, r->edx);
}

static int32_t sys_openat(struct proc *p, struct regs *r)
{
    return do_open(p, (int)r->ebx, r->ecx, r->edx, r->esi);
}

static int32_t sys_creat(struct proc *p, struct regs *r)
{
    return do_open(p, LX_AT_FDCWD, r->ebx, LX_O_CREAT | LX_O_WRONLY | LX_O_TRUNC, r->ecx);
}

/* ---- stat and access ---- */

static int32_t stat_out(struct proc *p, struct fs_node *n, uint32_t buf)
{
    struct lx_stat64 st;
    fs_stat(n, &st);
    return copy_out(&p->mm, buf, &st, sizeof st);
}

/* stat of path from dirfd (flags: LX_AT_SYMLINK_NOFOLLOW, LX_AT_EMPTY_PATH). */
static int32_t do_stat(struct proc *p, int dirfd, uint32_t upath, uint32_t buf, uint32_t flags)
{
    if (flags & ~(uint32_t)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return -LX_EINVAL;
    int err = get_path(p, upath, path_a, flags & LX_AT_EMPTY_PATH);
    if (err)
        return err;
    struct fs_node *n;
    if (path_a[0] == '\0' && dirfd != LX_AT_FDCWD) {
        struct file *f = fd_file(p, (uint32_t)dirfd);     /* fstat, as glibc asks for it */
        return f ? file_fstat(p, f, buf) : -LX_EBADF;
    }
    if (path_a[0] == '\0')
        strlcpy(path_a, ".", sizeof path_a);
    if ((err = fs_resolve(p, dirfd, path_a, !(flags & LX_AT_SYMLINK_NOFOLLOW), &n)) < 0)
        return err;
    return stat_out(p, n, buf);
}

static int32_t sys_stat64(struct proc *p, struct regs *r)
{
    return do_stat(p, LX_AT_FDCWD, r->ebx, r->ecx, 0);
}

static int32_t sys_lstat64(struct proc *p, struct regs *r)
{
    return do_stat(p, LX_AT_FDCWD, r->ebx, r->ecx, LX_AT_SYMLINK_NOFOLLOW);
}

static int32_t sys_fstatat64(struct proc *p, struct regs *r)
{
    return do_stat(p, (int)r->ebx, r->ecx, r->edx, r->esi);
}

/* access: everybody is root, so a file that exists may be read and
   written; executed if it is a directory or has an execute bit. */
static int32_t do_access(struct proc *p, int dirfd, uint32_t upath, uint32_t mode, uint32_t flags)
{
    if (mode & ~(uint32_t)(LX_R_OK | LX_W_OK | LX_X_OK) ||
        flags & ~(uint32_t)(LX_AT_EACCESS | LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return -LX_EINVAL;
    int err = get_path(p, upath, path_a, flags & LX_AT_EMPTY_PATH);
    if (err)
        return err;
    struct fs_node *n;
    if (path_a[0] == '\0' && dirfd != LX_AT_FDCWD) {     /* AT_EMPTY_PATH: the fd's own file */
        struct file *f = fd_file(p, (uint32_t)dirfd);
        if (!f)
            return -LX_EBADF;
        if (!(n = fs_file_node(f)))
            return 0;           /* a pipe or the console: there */
    } else if ((err = fs_resolve(p, dirfd, path_a[0] ? path_a : ".",
                                 !(flags & LX_AT_SYMLINK_NOFOLLOW), &n)) < 0) {
        return err;
    }
    if ((mode & LX_X_OK) && !LX_S_ISDIR(n->mode) && !(n->mode & 0111))
        return -LX_EACCES;
    return 0;
}

static int32_t sys_access(struct proc *p, struct regs *r)
{
    return do_access(p, LX_AT_FDCWD, r->ebx, r->ecx, 0);
}

static int32_t sys_faccessat(struct proc *p, struct regs *r)
{
    return do_access(p, (int)r->ebx, r->ecx, r->edx, 0);
}

static int32_t sys_faccessat2(struct proc *p, struct regs *r)
{
    return do_access(p, (int)r->ebx, r->ecx, r->edx, r->esi);
}

/* ---- Directories ---- */

/* The entry at position pos of directory dir ("." and ".." first): its
   name and node, or 0 past the end. */
static int dir_entry(struct fs_node *dir, uint64_t pos, const char **name, struct fs_node **n)
{
    if (pos < 2) {
        *name = pos ? ".." : ".";
        *n = pos ? (dir->parent ? dir->parent : dir) : dir;
        return 1;
    }
    struct fs_node *c = dir->child;
    for (uint64_t i = 2; c && i < pos; i++)
        c = c->next;
    if (!c)
        return 0;
    *name = c->name;
    *n = c;
    return 1;
}

static uint8_t dirent_type(uint32_t mode)
{
    return LX_S_ISDIR(mode) ? LX_DT_DIR : LX_S_ISLNK(mode) ? LX_DT_LNK :
           LX_S_ISCHR(mode) ? LX_DT_CHR : LX_DT_REG;
}

/* getdents64 (wide) and getdents: as many whole records as fit in count
   bytes; -LX_EINVAL if not even the first one does. */
static int32_t do_getdents(struct proc *p, struct regs *r, int wide)
{
    struct file *f = fd_file(p, r->ebx);
    if (!f)
        return -LX_EBADF;
    if (!fs_file_is_dir(f))
        return -LX_ENOTDIR;
    struct fs_node *dir = f->priv, *n;
    const char *name;
    uint32_t done = 0;
    while (dir_entry(dir, f->pos, &name, &n)) {
        union {
            struct lx_dirent64 d64;
            struct lx_dirent d;
            uint8_t bytes[sizeof(struct lx_dirent64) + FS_NAME_MAX + 16];
        } rec;
        uint32_t len = strlen(name), reclen;
        memset(&rec, 0, sizeof rec);
        if (wide) {
            reclen = (sizeof rec.d64 + len + 1 + 7) & ~7u;
            rec.d64 = (struct lx_dirent64){n->ino, (int64_t)f->pos + 1, (uint16_t)reclen,
                                           dirent_type(n->mode)};
            memcpy(rec.d64.name, name, len);
        } else {       /* the type is the last byte, after the name's NUL */
            reclen = (sizeof rec.d + len + 2 + 3) & ~3u;
            rec.d = (struct lx_dirent){n->ino, (uint32_t)f->pos + 1, (uint16_t)reclen};
            memcpy(rec.d.name, name, len);
            rec.bytes[reclen - 1] = dirent_type(n->mode);
        }
        if (reclen > r->edx - done)
            return done ? (int32_t)done : -LX_EINVAL;
        int err = copy_out(&p->mm, r->ecx + done, &rec, reclen);
        if (err)
            return done ? (int32_t)done : err;
        done += reclen;
        f->pos++;
    }
    return (int32_t)done;
}

static int32_t sys_getdents64(struct proc *p, struct regs *r)
{
    return do_getdents(p, r, 1);
}

static int32_t sys_getdents(struct proc *p, struct regs *r)
{
    return do_getdents(p, r, 0);
}

/* A new node of mode at path (in path_a) for mkdir and symlink: 0 and
   *out, -LX_EEXIST if the name is taken, -LX_ENOENT in a removed
   directory, -LX_ENOSPC with no node left. */
static int new_entry(struct proc *p, int dirfd, uint32_t mode, struct fs_node **out)
{
    struct fs_node *dir;
    char name[FS_NAME_MAX + 1];
    int trailing;
    int err = fs_parent(p, dirfd, path_a, &dir, name, &trailing);
    if (err)
        return err;
    if (entry(dir, name))
        return -LX_EEXIST;
    if (dir->nlink == 0)
        return -LX_ENOENT;
    *out = fs_create(dir, name, mode);
    return *out ? 0 : -LX_ENOSPC;
}

static int32_t do_mkdir(struct proc *p, int dirfd, uint32_t upath, uint32_t mode)
{
    struct fs_node *n;
    int err = get_path(p, upath, path_a, 0);
    return err ? err : new_entry(p, dirfd, LX_S_IFDIR | (mode & 07777 & ~p->umask), &n);
}

static int32_t sys_mkdir(struct proc *p, struct regs *r)
{
    return do_mkdir(p, LX_AT_FDCWD, r->ebx, r->ecx);
}

static int32_t sys_mkdirat(struct proc *p, struct regs *r)
{
    return do_mkdir(p, (int)r->ebx, r->ecx, r->edx);
}

/* unlink (dir = 0) and rmdir (dir = 1) of path from dirfd. */
static int32_t do_remove(struct proc *p, int dirfd, uint32_t upath, int rmdir)
{
    struct fs_node *dir, *n;
    char name[FS_NAME_MAX + 1];
    int trailing;
    int err = get_path(p, upath, path_a, 0);
    if (!err)
        err = fs_parent(p, dirfd, path_a, &dir, name, &trailing);
    if (err)
        return err;
    if (is_dot(name))
        return !rmdir ? -LX_EISDIR : strcmp(name, ".") == 0 ? -LX_EINVAL : -LX_ENOTEMPTY;
    if (!(n = entry(dir, name)))
        return -LX_ENOENT;
    if (rmdir) {
        if (!LX_S_ISDIR(n->mode))
            return -LX_ENOTDIR;
        if (n->child)
            return -LX_ENOTEMPTY;
    } else {
        if (LX_S_ISDIR(n->mode))
            return -LX_EISDIR;
        if (trailing)
            return -LX_ENOTDIR;
    }
    fs_remove(n);
    return 0;
}

static int32_t sys_unlink(struct proc *p, struct regs *r)
{
    return do_remove(p, LX_AT_FDCWD, r->ebx, 0);
}

static int32_t sys_rmdir(struct proc *p, struct regs *r)
{
    return do_remove(p, LX_AT_FDCWD, r->ebx, 1);
}

static int32_t sys_unlinkat(struct proc *p, struct regs *r)
{
    if (r->edx & ~(uint32_t)LX_AT_REMOVEDIR)
        return -LX_EINVAL;
    return do_remove(p, (int)r->ebx, r->ecx, r->edx & LX_AT_REMOVEDIR);
}

/* rename: the old name's node takes the new name, replacing what was there
   (a file by a file, an empty directory by a directory). */
static int32_t do_rename(struct proc *p, int olddirfd, uint32_t uold, int newdirfd,
                         uint32_t unew, uint32_t flags)
{
    struct fs_node *odir, *ndir, *on, *nn, *d;
    char oname[FS_NAME_MAX + 1], nname[FS_NAME_MAX + 1];
    int otrail, ntrail;
    if (flags & ~(uint32_t)LX_RENAME_NOREPLACE)
        return -LX_EINVAL;
    int err = get_path(p, uold, path_a, 0);
    if (!err)
        err = get_path(p, unew, path_b, 0);
    if (!err)
        err = fs_parent(p, olddirfd, path_a, &odir, oname, &otrail);
    if (!err)
        err = fs_parent(p, newdirfd, path_b, &ndir, nname, &ntrail);
    if (err)
        return err;
    if (is_dot(oname) || is_dot(nname))
        return -LX_EBUSY;
    if (!(on = entry(odir, oname)))
        return -LX_ENOENT;
    nn = entry(ndir, nname);
    if (nn && (flags & LX_RENAME_NOREPLACE))
        return -LX_EEXIST;
    if ((otrail || ntrail) && !LX_S_ISDIR(on->mode))
        return -LX_ENOTDIR;
    if (nn == on)
        return 0;
    if (LX_S_ISDIR(on->mode)) {
        for (d = ndir; d; d = d->parent == d ? NULL : d->parent)
            if (d == on)
                return -LX_EINVAL;      /* a directory into itself */
        if (nn && !LX_S_ISDIR(nn->mode))
            return -LX_ENOTDIR;
        if (nn && nn->child)
            return -LX_ENOTEMPTY;
    } else if (nn && LX_S_ISDIR(nn->mode)) {
        return -LX_EISDIR;
    }
    if (ndir->nlink == 0)
        return -LX_ENOENT;
    if (nn)
        fs_remove(nn);
    fs_move(on, ndir, nname);
    return 0;
}

static int32_t sys_rename(struct proc *p, struct regs *r)
{
    return do_rename(p, LX_AT_FDCWD, r->ebx, LX_AT_FDCWD, r->ecx, 0);
}

static int32_t sys_renameat(struct proc *p, struct regs *r)
{
    return do_rename(p, (int)r->ebx, r->ecx, (int)r->edx, r->esi, 0);
}

static int32_t sys_renameat2(struct proc *p, struct regs *r)
{
    return do_rename(p, (int)r->ebx, r->ecx, (int)r->edx, r->esi, r->edi);
}

/* ---- Symbolic links ---- */

static int32_t do_symlink(struct proc *p, uint32_t utarget, int dirfd, uint32_t upath)
{
    struct fs_node *n;
    int err = get_path(p, utarget, path_b, 0);
    if (!err)
        err = get_path(p, upath, path_a, 0);
    if (!err)
        err = new_entry(p, dirfd, LX_S_IFLNK | 0777, &n);
    if (err)
        return err;
    uint32_t len = strlen(path_b), avail;   /* < FS_PATH_MAX: one page */
    uint8_t *data = fs_data_w(n, 0, &avail, &err);
    if (!data) {
        fs_remove(n);
        return err;
    }
    memcpy(data, path_b, len);
    n->size = len;
    return 0;
}

static int32_t sys_symlink(struct proc *p, struct regs *r)
{
    return do_symlink(p, r->ebx, LX_AT_FDCWD, r->ecx);
}

static int32_t sys_symlinkat(struct proc *p, struct regs *r)
{
    return do_symlink(p, r->ebx, (int)r->ecx, r->edx);
}

static int32_t do_readlink(struct proc *p, int dirfd, uint32_t upath, uint32_t buf, int32_t size)
{
    struct fs_node *n;
    int err = get_path(p, upath, path_a, 0);
    if (err)
        return err;
    if (size <= 0)
        return -LX_EINVAL;
    if ((err = fs_resolve(p, dirfd, path_a, 0, &n)) < 0)
        return err;
    if (!LX_S_ISLNK(n->mode))
        return -LX_EINVAL;
    uint32_t len;
    const char *target = fs_link_target(p, n, &len);
    if (len > (uint32_t)size)
        len = (uint32_t)size;       /* cut short, without a NUL: as Linux */
    err = copy_out(&p->mm, buf, target, len);
    return err ? err : (int32_t)len;
}

static int32_t sys_readlink(struct proc *p, struct regs *r)
{
    return do_readlink(p, LX_AT_FDCWD, r->ebx, r->ecx, (int32_t)r->edx);
}

static int32_t sys_readlinkat(struct proc *p, struct regs *r)
{
    return do_readlink(p, (int)r->ebx, r->ecx, r->edx, (int32_t)r->esi);
}

/* ---- The working directory ---- */

/* Makes directory n p's working directory (kept as its path). */
static int32_t set_cwd(struct proc *p, struct fs_node *n)
{
    if (!LX_S_ISDIR(n->mode))
        return -LX_ENOTDIR;
    int err = fs_path(n, path_b, sizeof p->cwd);
    if (err)
        return err;
    strlcpy(p->cwd, path_b, sizeof p->cwd);
    return 0;
}

static int32_t sys_chdir(struct proc *p, struct regs *r)
{
    struct fs_node *n;
    int err = get_path(p, r->ebx, path_a, 0);
    if (!err)
        err = fs_resolve(p, LX_AT_FDCWD, path_a, 1, &n);
    return err ? err : set_cwd(p, n);
}

static int32_t sys_fchdir(struct proc *p, struct regs *r)
{
    struct file *f = fd_file(p, r->ebx);
    if (!f)
        return -LX_EBADF;
    struct fs_node *n = fs_file_node(f);
    return n ? set_cwd(p, n) : -LX_ENOTDIR;
}

/* getcwd(buf, size): the length with the NUL (the call's, not glibc's, result). */
static int32_t sys_getcwd(struct proc *p, struct regs *r)
{
    struct fs_node *n;
    if (fs_resolve(p, LX_AT_FDCWD, ".", 1, &n) < 0)
        return -LX_ENOENT;      /* it was removed */
    uint32_t len = strlen(p->cwd) + 1;
    if (r->ecx < len)
        return -LX_ERANGE;
    int err = copy_out(&p->mm, r->ebx, p->cwd, len);
    return err ? err : (int32_t)len;
}

/* ---- Sizes, modes, times ---- */

static int32_t truncate_node(struct fs_node *n, int64_t len)
{
    if (len < 0)
        return -LX_EINVAL;
    if (LX_S_ISDIR(n->mode))
        return -LX_EISDIR;
    if (!LX_S_ISREG(n->mode))
        return -LX_EINVAL;
    return len > FS_MAX_SIZE ? -LX_EFBIG : fs_truncate(n, (uint32_t)len);
}

static int32_t do_truncate(struct proc *p, uint32_t upath, int64_t len)
{
    struct fs_node *n;
    int err = get_path(p, upath, path_a, 0);
    if (!err)
        err = fs_resolve(p, LX_AT_FDCWD, path_a, 1, &n);
    return err ? err : truncate_node(n, len);
}

static int32_t do_ftruncate(struct proc *p, uint32_t fd, int64_t len)
{
    struct file *f = fd_file(p, fd);
    if (!f)
        return -LX_EBADF;
    if (f->ops != &reg_ops || !file_writable(f))
        return -LX_EINVAL;
    return truncate_node(f->priv, len);
}

static int32_t sys_truncate(struct proc *p, struct regs *r)
{
    return do_truncate(p, r->ebx, (int32_t)r->ecx);
}

static int32_t sys_truncate64(struct proc *p, struct regs *r)
{
    return do_truncate(p, r->ebx, (int64_t)((uint64_t)r->edx << 32 | r->ecx));
}

static int32_t sys_ftruncate(struct proc *p, struct regs *r)
{
    return do_ftruncate(p, r->ebx, (int32_t)r->ecx);
}

static int32_t sys_ftruncate64(struct proc *p, struct regs *r)
{
    return do_ftruncate(p, r->ebx, (int64_t)((uint64_t)r->edx << 32 | r->ecx));
}

static void set_mode(struct fs_node *n, uint32_t mode)
{
    n->mode = (n->mode & LX_S_IFMT) | (mode & 07777);
    n->ctime = fs_now();
}

static int32_t do_chmod(struct proc *p, int dirfd, uint32_t upath, uint32_t mode)
{
    struct fs_node *n;
    int err = get_path(p, upath, path_a, 0);
    if (!err)
        err = fs_resolve(p, dirfd, path_a, 1, &n);
    if (!err)
        set_mode(n, mode);
    return err;
}

static int32_t sys_chmod(struct proc *p, struct regs *r)
{
    return do_chmod(p, LX_AT_FDCWD, r->ebx, r->ecx);
}

static int32_t sys_fchmodat(struct proc *p, struct regs *r)
{
    return do_chmod(p, (int)r->ebx, r->ecx, r->edx);
}

static int32_t sys_fchmod(struct proc *p, struct regs *r)
{
    struct file *f = fd_file(p, r->ebx);
    if (!f)
        return -LX_EBADF;
    struct fs_node *n = fs_file_node(f);
    if (n)
        set_mode(n, r->ecx);
    return 0;           /* a pipe's or the console's mode is not kept */
}

static int32_t sys_umask(struct proc *p, struct regs *r)
{
    uint32_t old = p->umask;
    p->umask = r->ebx & 0777;
    return (int32_t)old;
}

/* utimensat(dirfd, path, times, flags): the node must be there and times
   readable; the modification time becomes times[1] (or now). */
static int32_t do_utimensat(struct proc *p, struct regs *r, int wide)
{
    struct fs_node *n = NULL;
    int err;
    if (r->esi & ~(uint32_t)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return -LX_EINVAL;
    if (r->ecx == 0 || (r->esi & LX_AT_EMPTY_PATH)) {  /* futimens: the fd's own file */
        if (r->ecx && (err = get_path(p, r->ecx, path_a, 1)) < 0)
            return err;
        if (!r->ecx || path_a[0] == '\0') {
            struct file *f = fd_file(p, r->ebx);
            if (!f)
                return -LX_EBADF;
            n = fs_file_node(f);
        }
    }
    if (!n && r->ecx) {
        if ((err = get_path(p, r->ecx, path_a, 0)) < 0 ||
            (err = fs_resolve(p, (int)r->ebx, path_a, !(r->esi & LX_AT_SYMLINK_NOFOLLOW), &n)))
            return err;
    }
    int64_t sec = fs_now(), nsec = LX_UTIME_NOW;
    if (r->edx) {
        if (wide) {
            struct lx_timespec64 t[2];
            if (copy_in(&p->mm, t, r->edx, sizeof t) < 0)
                return -LX_EFAULT;
            sec = t[1].sec, nsec = t[1].nsec;
        } else {
            struct lx_timespec32 t[2];
            if (copy_in(&p->mm, t, r->edx, sizeof t) < 0)
                return -LX_EFAULT;
            sec = t[1].sec, nsec = t[1].nsec;
        }
    }
    if (n && nsec != LX_UTIME_OMIT)
        n->mtime = nsec == LX_UTIME_NOW ? fs_now() : (uint32_t)sec;
    return 0;
}

static int32_t sys_utimensat(struct proc *p, struct regs *r)
{
    return do_utimensat(p, r, 0);
}

static int32_t sys_utimensat_time64(struct proc *p, struct regs *r)
{
    return do_utimensat(p, r, 1);
}

/* fsync, fdatasync: a RAM file system has nothing to write back. */
static int32_t sys_fsync(struct proc *p, struct regs *r)
{
    return fd_file(p, r->ebx) ? 0 : -LX_EBADF;
}

static int32_t sys_sync(struct proc *p, struct regs *r)
{
    (void)p, (void)r;
    return 0;
}

/* statfs64 and fstatfs64: the blocks are the largest a file may have
   (the pool, shared with the processes, may run out first), the inodes
   the node table. */
static int32_t statfs_out(struct proc *p, uint32_t size, uint32_t buf)
{
    if (size != sizeof(struct lx_statfs64))
        return -LX_EINVAL;
    uint32_t pages, free_nodes;
    fs_usage(&pages, &free_nodes);
    struct lx_statfs64 s = {0};
    s.type = LX_TMPFS_MAGIC;
    s.bsize = s.frsize = PAGE;
    s.blocks = FS_STATFS_PAGES;
    s.bfree = s.bavail = pages < FS_STATFS_PAGES ? FS_STATFS_PAGES - pages : 0;
    s.files = FS_MAX_NODES;
    s.ffree = free_nodes;
    s.namelen = FS_NAME_MAX;
    return copy_out(&p->mm, buf, &s, sizeof s);
}

static int32_t sys_statfs64(struct proc *p, struct regs *r)
{
    struct fs_node *n;
    int err = get_path(p, r->ebx, path_a, 0);
    if (!err)
        err = fs_resolve(p, LX_AT_FDCWD, path_a, 1, &n);
    return err ? err : statfs_out(p, r->ecx, r->edx);
}

static int32_t sys_fstatfs64(struct proc *p, struct regs *r)
{
    return fd_file(p, r->ebx) ? statfs_out(p, r->ecx, r->edx) : -LX_EBADF;
}

/* pread64 and pwrite64(fd, buf, count, offset low, high): at the offset,
   leaving the file position where it was. */
static int32_t do_pio(struct proc *p, struct regs *r, int write)
{
    struct file *f = fd_file(p, r->ebx);
    if (!f || !(write ? file_writable(f) : file_readable(f)))
        return -LX_EBADF;
    int64_t off = (int64_t)((uint64_t)r->edi << 32 | r->esi);
    if (f->ops == &dir_ops)
        return -LX_EISDIR;
    if (!f->ops->seek)
        return -LX_ESPIPE;
    if (off < 0)
        return -LX_EINVAL;
    uint64_t pos = f->pos;
    f->pos = (uint64_t)off;
    int32_t n = write ? f->ops->write(p, f, r->ecx, r->edx) : f->ops->read(p, f, r->ecx, r->edx);
    f->pos = pos;
    return n;
}

static int32_t sys_pread64(struct proc *p, struct regs *r)
{
    return do_pio(p, r, 0);
}

static int32_t sys_pwrite64(struct proc *p, struct regs *r)
{
    return do_pio(p, r, 1);
}

const struct lx_callent lx_fs_calls[] = {
    {LX_open, sys_open},
    {LX_openat, sys_openat},
    {LX_creat, sys_creat},
    {LX_stat64, sys_stat64},
    {LX_lstat64, sys_lstat64},
    {LX_fstatat64, sys_fstatat64},
    {LX_access, sys_access},
    {LX_faccessat, sys_faccessat},
    {LX_faccessat2, sys_faccessat2},
    {LX_getdents64, sys_getdents64},
    {LX_getdents, sys_getdents},
    {LX_mkdir, sys_mkdir},
    {LX_mkdirat, sys_mkdirat},
    {LX_rmdir, sys_rmdir},
    {LX_unlink, sys_unlink},
    {LX_unlinkat, sys_unlinkat},
    {LX_rename, sys_rename},
    {LX_renameat, sys_renameat},
    {LX_renameat2, sys_renameat2},
    {LX_symlink, sys_symlink},
    {LX_symlinkat, sys_symlinkat},
    {LX_readlink, sys_readlink},
    {LX_readlinkat, sys_readlinkat},
    {LX_chdir, sys_chdir},
    {LX_fchdir, sys_fchdir},
    {LX_getcwd, sys_getcwd},
    {LX_truncate, sys_truncate},
    {LX_truncate64, sys_truncate64},
    {LX_ftruncate, sys_ftruncate},
    {LX_ftruncate64, sys_ftruncate64},
    {LX_chmod, sys_chmod},
    {LX_fchmod, sys_fchmod},
    {LX_fchmodat, sys_fchmodat},
    {LX_umask, sys_umask},
    {LX_utimensat, sys_utimensat},
    {LX_utimensat_time64, sys_utimensat_time64},
    {LX_fsync, sys_fsync},
    {LX_fdatasync, sys_fsync},
    {LX_sync, sys_sync},
    {LX_statfs64, sys_statfs64},
    {LX_fstatfs64, sys_fstatfs64},
    {LX_pread64, sys_pread64},
    {LX_pwrite64, sys_pwrite64},
    {0, NULL},
};
