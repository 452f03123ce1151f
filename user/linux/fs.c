/*
 * The root file system: a tree of nodes in the server's memory (fs.h),
 * made at boot from the cpio archive in the "newc" format (`cpio -o -H
 * newc`, as a Linux initramfs) that the kernel hands the server as a data
 * module (l4/abi.h, L4_BOOTDATA_BASE), and then written, grown and
 * shrunk by the programs (fscalls.c).  Nothing survives a reboot.
 *
 * A file's data stays in the archive, read-only and in place, until the
 * file is first changed; then it moves to pages of the server's own
 * (page_alloc), a page table of FS_FILE_PAGES pointers per file.  Pages a
 * file never wrote are holes and read as zeros.
 *
 * Each archive entry is a 110-byte header of ASCII hex fields, the name
 * (NUL-terminated, padded to 4 bytes with the header), then the data
 * (padded to 4 bytes); "TRAILER!!!" ends the archive.  The archive is not
 * trusted: every length is checked against its end.
 */
#include "fs.h"

static struct fs_node nodes[FS_MAX_NODES];
static struct fs_node *root;
static uint32_t next_ino = 1;

struct fs_node *fs_root(void)
{
    return root;
}

uint32_t fs_now(void)
{
    return FS_EPOCH + l4_clock() / L4_TICK_HZ;
}

/* ---- Nodes ---- */

static struct fs_node *node_alloc(uint32_t mode)
{
    for (unsigned i = 0; i < FS_MAX_NODES; i++)
        if (!nodes[i].used) {
            uint32_t now = fs_now();
            nodes[i] = (struct fs_node){.used = 1, .ino = next_ino++, .mode = mode,
                                        .nlink = LX_S_ISDIR(mode) ? 2 : 1, .mtime = now,
                                        .ctime = now};
            return &nodes[i];
        }
    return NULL;
}

/* Gives back n's pages (all from first on) to the pool. */
static void free_pages_from(struct fs_node *n, uint32_t first)
{
    if (!n->pages)
        return;
    for (uint32_t i = first; i < FS_FILE_PAGES; i++)
        if (n->pages[i]) {
            page_free(n->pages[i]);
            n->pages[i] = NULL;
        }
    if (first == 0) {
        page_free(n->pages);
        n->pages = NULL;
    }
}

/* A node out of every directory and held by nobody is gone. */
static void node_maybe_free(struct fs_node *n)
{
    if (n->nlink || n->refs || n == root)
        return;
    free_pages_from(n, 0);
    n->used = 0;
}

void fs_hold(struct fs_node *n)
{
    if (n)
        n->refs++;
}

void fs_put(struct fs_node *n)
{
    if (n && n->refs) {
        n->refs--;
        node_maybe_free(n);
    }
}

struct fs_node *fs_find(struct fs_node *dir, const char *name, uint32_t len)
{
    for (struct fs_node *c = dir->child; c; c = c->next)
        if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
            return c;
    return NULL;
}

/* Links n into dir under name (at most FS_NAME_MAX bytes, checked by the
   callers), as its last entry: a listing shows the oldest first. */
static void attach(struct fs_node *n, struct fs_node *dir, const char *name)
{
    strlcpy(n->name, name, sizeof n->name);
    n->parent = dir;
    n->next = NULL;
    struct fs_node **pp = &dir->child;
    while (*pp)
        pp = &(*pp)->next;
    *pp = n;
    if (LX_S_ISDIR(n->mode))
        dir->nlink++;
    dir->mtime = dir->ctime = fs_now();
}

static void detach(struct fs_node *n)
{
    struct fs_node *dir = n->parent;
    if (!dir)
        return;
    for (struct fs_node **pp = &dir->child; *pp; pp = &(*pp)->next)
        if (*pp == n) {
            *pp = n->next;
            break;
        }
    if (LX_S_ISDIR(n->mode))
        dir->nlink--;
    dir->mtime = dir->ctime = fs_now();
    n->parent = n->next = NULL;
}

struct fs_node *fs_create(struct fs_node *dir, const char *name, uint32_t mode)
{
    struct fs_node *n = node_alloc(mode);
    if (n)
        attach(n, dir, name);
    return n;
}

void fs_remove(struct fs_node *n)
{
    detach(n);
    n->nlink = 0;
    n->ctime = fs_now();
    node_maybe_free(n);
}

void fs_move(struct fs_node *n, struct fs_node *dir, const char *name)
{
    detach(n);
    attach(n, dir, name);
    n->ctime = fs_now();
}

/* ---- Data ---- */

const uint8_t *fs_data(const struct fs_node *n, uint32_t off, uint32_t *avail)
{
    uint32_t left = n->size - off;
    if (n->adata) {
        *avail = left;
        return n->adata + off;
    }
    uint32_t in_page = PAGE - (off & (PAGE - 1));
    *avail = in_page < left ? in_page : left;
    if (!n->pages || !n->pages[off / PAGE])
        return NULL;
    return n->pages[off / PAGE] + (off & (PAGE - 1));
}

/* Moves n's data out of the archive into pages of its own, before the
   first change: 0 or -LX_EFBIG / -LX_ENOSPC. */
static int own_data(struct fs_node *n)
{
    if (!n->adata)
        return 0;
    if (n->size > FS_MAX_SIZE)
        return -LX_EFBIG;       /* an archive file too big to change (ROOTFS_EXTRA) */
    if (!n->pages && !(n->pages = page_alloc()))
        return -LX_ENOSPC;
    for (uint32_t off = 0; off < n->size; off += PAGE) {
        uint8_t *page = page_alloc();
        if (!page) {
            free_pages_from(n, 0);
            return -LX_ENOSPC;
        }
        uint32_t len = n->size - off < PAGE ? n->size - off : PAGE;
        memcpy(page, n->adata + off, len);
        n->pages[off / PAGE] = page;
    }
    n->adata = NULL;
    return 0;
}

uint8_t *fs_data_w(struct fs_node *n, uint32_t off, uint32_t *avail, int *err)
{
    if ((*err = own_data(n)) < 0)
        return NULL;
    *err = -LX_ENOSPC;
    if (!n->pages && !(n->pages = page_alloc()))
        return NULL;
    uint8_t **slot = &n->pages[off / PAGE];
    if (!*slot && !(*slot = page_alloc()))
        return NULL;
    *err = 0;
    *avail = PAGE - (off & (PAGE - 1));
    return *slot + (off & (PAGE - 1));
}

int fs_truncate(struct fs_node *n, uint32_t size)
{
    if (size > FS_MAX_SIZE)
        return -LX_EFBIG;
    if (size == 0 && n->adata)
        n->adata = NULL;        /* nothing of the archive's is kept: no copy needed */
    int err = own_data(n);
    if (err)
        return err;
    if (size < n->size && n->pages) {
        /* Pages past the end go; the rest of the last one is zeroed, so
           that growing the file again shows zeros, as Linux does. */
        free_pages_from(n, PAGE_UP(size) / PAGE);
        if ((size & (PAGE - 1)) && n->pages[size / PAGE])
            memset(n->pages[size / PAGE] + (size & (PAGE - 1)), 0, PAGE - (size & (PAGE - 1)));
    }
    n->size = size;
    n->mtime = n->ctime = fs_now();
    return 0;
}

/* The pages a node's data takes, in 512-byte blocks as st_blocks counts. */
static uint32_t node_blocks(const struct fs_node *n)
{
    if (n->adata)
        return PAGE_UP(n->size) / 512;
    uint32_t pages = 0;
    if (n->pages)
        for (uint32_t i = 0; i < FS_FILE_PAGES; i++)
            pages += n->pages[i] != NULL;
    return pages * (PAGE / 512);
}

void fs_usage(uint32_t *pages, uint32_t *free_nodes)
{
    *pages = *free_nodes = 0;
    for (unsigned i = 0; i < FS_MAX_NODES; i++) {
        if (!nodes[i].used)
            ++*free_nodes;
        else if (!nodes[i].adata)
            *pages += node_blocks(&nodes[i]) / (PAGE / 512);
    }
}

void fs_stat(const struct fs_node *n, struct lx_stat64 *st)
{
    *st = (struct lx_stat64){0};
    st->dev = 0x0f;             /* one device for the whole file system */
    st->ino = st->ino32 = n->ino;
    st->mode = n->mode;
    st->nlink = n->nlink;
    st->rdev = n->rdev;
    st->size = LX_S_ISDIR(n->mode) ? PAGE : n->size;
    st->blksize = PAGE;
    st->blocks = node_blocks(n);
    st->atime = st->mtime = n->mtime;
    st->ctime = n->ctime;
}

uint32_t fs_size(const struct fs_node *n)
{
    return n->size;
}

uint32_t fs_mode(const struct fs_node *n)
{
    return n->mode;
}

uint32_t fs_pread(const struct fs_node *n, uint32_t off, void *buf, uint32_t len)
{
    uint32_t done = 0;
    while (done < len && off + done < n->size) {
        uint32_t avail;
        const uint8_t *src = fs_data(n, off + done, &avail);
        if (avail > len - done)
            avail = len - done;
        if (src)
            memcpy((uint8_t *)buf + done, src, avail);
        else
            memset((uint8_t *)buf + done, 0, avail);
        done += avail;
    }
    return done;
}

/* ---- Paths ---- */

const char *fs_link_target(struct proc *p, const struct fs_node *n, uint32_t *len)
{
    if (n->self_exe) {
        const char *exe = p ? p->exe : "";
        *len = strlen(exe);
        return exe;
    }
    uint32_t avail = 0;
    const uint8_t *t = n->size ? fs_data(n, 0, &avail) : NULL;
    *len = t ? avail : 0;       /* a target is at most a page: one piece */
    return (const char *)t;
}

int fs_is_self_exe(const struct fs_node *n)
{
    return n->self_exe;
}

int fs_path(const struct fs_node *n, char *buf, uint32_t size)
{
    /* Each name is put in front of what is there, from the node up. */
    uint32_t at = size - 1;
    buf[at] = '\0';
    for (; n != root; n = n->parent) {
        if (!n->parent)
            return -LX_ENOENT;
        uint32_t len = strlen(n->name);
        if (len + 1 > at)
            return -LX_ENAMETOOLONG;
        at -= len;
        memcpy(buf + at, n->name, len);
        buf[--at] = '/';
    }
    if (buf[at] == '\0')
        buf[--at] = '/';
    memmove(buf, buf + at, size - at);
    return 0;
}

/* Looks up path[0..len) from directory cur; follow: a symlink as the last
   component is followed too (it always is before a '/').  *links counts
   the symlinks followed so far in the whole lookup. */
static int walk(struct proc *p, struct fs_node *cur, const char *path, uint32_t len, int follow,
                int *links, struct fs_node **out)
{
    if (len == 0)
        return -LX_ENOENT;
    if (path[0] == '/')
        cur = root;
    uint32_t i = 0;
    for (;;) {
        while (i < len && path[i] == '/')
            i++;
        if (i == len)
            break;
        uint32_t start = i;
        while (i < len && path[i] != '/')
            i++;
        uint32_t n = i - start;
        if (n > FS_NAME_MAX)
            return -LX_ENAMETOOLONG;
        if (!LX_S_ISDIR(cur->mode))
            return -LX_ENOTDIR;
        struct fs_node *next;
        if (n == 1 && path[start] == '.')
            next = cur;
        else if (n == 2 && path[start] == '.' && path[start + 1] == '.')
            next = cur->parent ? cur->parent : cur;     /* the root's, and a removed dir's */
        else if (!(next = fs_find(cur, path + start, n)))
            return -LX_ENOENT;
        if (LX_S_ISLNK(next->mode) && (follow || i < len)) {
            if (++*links > FS_MAX_LINKS)
                return -LX_ELOOP;
            uint32_t tlen;
            const char *target = fs_link_target(p, next, &tlen);
            int err = walk(p, cur, target, tlen, 1, links, &next);
            if (err)
                return err;
        }
        cur = next;
    }
    if (path[len - 1] == '/' && !LX_S_ISDIR(cur->mode))
        return -LX_ENOTDIR;
    *out = cur;
    return 0;
}

int fs_start(struct proc *p, int dirfd, const char *path, struct fs_node **out)
{
    if (path[0] == '/' || !p) {
        *out = root;
        return 0;
    }
    if (dirfd == LX_AT_FDCWD) {
        int links = 0;      /* the cwd is kept as a path: a removed one is ENOENT */
        return walk(p, root, p->cwd, strlen(p->cwd), 1, &links, out);
    }
    struct file *f = fd_file(p, (uint32_t)dirfd);
    if (!f)
        return -LX_EBADF;
    if (!fs_file_is_dir(f))
        return -LX_ENOTDIR;
    *out = fs_file_node(f);
    return 0;
}

int fs_resolve(struct proc *p, int dirfd, const char *path, int follow, struct fs_node **out)
{
    struct fs_node *start;
    uint32_t len = strnlen(path, FS_PATH_MAX);
    if (len == FS_PATH_MAX)
        return -LX_ENAMETOOLONG;
    int err = fs_start(p, dirfd, path, &start);
    if (err)
        return err;
    int links = 0;
    return walk(p, start, path, len, follow, &links, out);
}

int fs_parent(struct proc *p, int dirfd, const char *path, struct fs_node **dir,
              char name[FS_NAME_MAX + 1], int *trailing)
{
    uint32_t len = strnlen(path, FS_PATH_MAX);
    if (len == FS_PATH_MAX)
        return -LX_ENAMETOOLONG;
    if (len == 0)
        return -LX_ENOENT;
    struct fs_node *start;
    int err = fs_start(p, dirfd, path, &start);
    if (err)
        return err;
    *trailing = 0;
    while (len > 1 && path[len - 1] == '/') {
        len--;
        *trailing = 1;
    }
    uint32_t base = len;
    while (base > 0 && path[base - 1] != '/')
        base--;
    if (len - base > FS_NAME_MAX)
        return -LX_ENAMETOOLONG;
    if (base == len) {                  /* "/" or "///": the root itself */
        *dir = root;
        strlcpy(name, ".", FS_NAME_MAX + 1);
        return 0;
    }
    memcpy(name, path + base, len - base);
    name[len - base] = '\0';
    if (base == 0) {
        *dir = start;
    } else {
        int links = 0;
        err = walk(p, start, path, base, 1, &links, dir);
        if (err)
            return err;
    }
    return LX_S_ISDIR((*dir)->mode) ? 0 : -LX_ENOTDIR;
}

struct fs_node *fs_lookup(const char *path)
{
    struct fs_node *n;
    return fs_resolve(NULL, LX_AT_FDCWD, path, 1, &n) == 0 ? n : NULL;
}

/* ---- The archive, and the tree at boot ---- */

#define NEWC_HDR  110

/* The 8-hex-digit field i of a newc header (the magic "070701" is 6
   bytes; then ino, mode, uid, gid, nlink, mtime, filesize, ...). */
static int hex_field(const uint8_t *h, unsigned i, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned k = 0; k < 8; k++) {
        uint8_t c = h[6 + 8 * i + k];
        unsigned d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
                     c >= 'A' && c <= 'F' ? c - 'A' + 10 : 16;
        if (d == 16)
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

#define F_INO       0
#define F_MODE      1
#define F_NLINK     4
#define F_MTIME     5
#define F_FILESIZE  6
#define F_NAMESIZE  11

/* The directory for path[0..len) (no leading '/'), made with its parents
   as needed; NULL if a node is missing or a file is in the way. */
static struct fs_node *make_dirs(const char *path, uint32_t len)
{
    struct fs_node *dir = root;
    uint32_t i = 0;
    while (i < len) {
        uint32_t start = i;
        while (i < len && path[i] != '/')
            i++;
        char name[FS_NAME_MAX + 1];
        uint32_t n = i - start;
        if (n > FS_NAME_MAX)
            return NULL;
        memcpy(name, path + start, n);
        name[n] = '\0';
        i++;
        if (n == 0 || strcmp(name, ".") == 0)
            continue;
        if (strcmp(name, "..") == 0)
            return NULL;        /* an archive may not climb out of the root */
        struct fs_node *next = fs_find(dir, name, n);
        if (!next)
            next = fs_create(dir, name, LX_S_IFDIR | 0755);
        if (!next || !LX_S_ISDIR(next->mode))
            return NULL;
        dir = next;
    }
    return dir;
}

/* Hard links: cpio writes a file with several names once per name, and
   its data with one of them only (the last, for GNU cpio); the others have
   size 0.  Each name becomes a node of its own (a copy, for us) with the
   data: n, a name of archive inode ino, gets it or gives it. */
static void share_hard_link(struct fs_node *n, uint32_t ino)
{
    n->arch_ino = ino;
    for (unsigned i = 0; i < FS_MAX_NODES; i++) {
        struct fs_node *o = &nodes[i];
        if (!o->used || o == n || o->arch_ino != ino)
            continue;
        if (n->size && !o->size) {
            o->adata = n->adata;
            o->size = n->size;
        } else if (!n->size && o->size) {
            n->adata = o->adata;
            n->size = o->size;
        }
    }
}

/* Adds one archive entry to the tree: 0, or -1 to skip it (no room, a
   kind of file the server does not have, a file in the way). */
static int add_entry(const char *path, uint32_t mode, uint32_t mtime, const uint8_t *data,
                     uint32_t size, uint32_t ino, uint32_t nlink)
{
    uint32_t len = strlen(path);
    while (len > 0 && path[len - 1] == '/')
        len--;
    uint32_t base = len;
    while (base > 0 && path[base - 1] != '/')
        base--;
    struct fs_node *dir = make_dirs(path, base);
    if (!dir || len == base || len - base > FS_NAME_MAX)
        return -1;
    char name[FS_NAME_MAX + 1];
    memcpy(name, path + base, len - base);
    name[len - base] = '\0';
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return -1;
    struct fs_node *old = fs_find(dir, name, len - base);
    if (LX_S_ISDIR(mode)) {
        if (old && LX_S_ISDIR(old->mode)) {
            old->mode = mode;   /* made earlier for a path inside it */
            old->mtime = old->ctime = mtime;
            return 0;
        }
    } else if (!LX_S_ISREG(mode) && !LX_S_ISLNK(mode)) {
        return -1;
    }
    if (old) {
        if (LX_S_ISDIR(old->mode))
            return -1;          /* a later file does not replace a whole directory */
        fs_remove(old);         /* a later entry of the same name wins */
    }
    struct fs_node *n = fs_create(dir, name, mode);
    if (!n)
        return -1;
    if (!LX_S_ISDIR(mode)) {
        n->adata = data;
        n->size = size;
    }
    if (LX_S_ISREG(mode) && nlink > 1 && ino)
        share_hard_link(n, ino);
    n->mtime = n->ctime = mtime;
    return 0;
}

/* The nodes that are not in the archive: /dev, /proc/self/exe, /tmp. */
static void add_system_nodes(void)
{
    static const struct {
        const char *name;
        enum fs_dev dev;
        uint32_t rdev;          /* Linux's numbers for them */
        uint32_t perm;
    } devs[] = {
        {"null", DEV_NULL, 1 << 8 | 3, 0666},   {"zero", DEV_ZERO, 1 << 8 | 5, 0666},
        {"full", DEV_FULL, 1 << 8 | 7, 0666},   {"random", DEV_RANDOM, 1 << 8 | 8, 0666},
        {"urandom", DEV_RANDOM, 1 << 8 | 9, 0666}, {"tty", DEV_CONSOLE, 5 << 8 | 0, 0666},
        {"console", DEV_CONSOLE, 5 << 8 | 1, 0620},
    };
    struct fs_node *dev = make_dirs("dev", 3);
    for (unsigned i = 0; dev && i < sizeof devs / sizeof devs[0]; i++) {
        struct fs_node *old = fs_find(dev, devs[i].name, strlen(devs[i].name));
        if (old && !LX_S_ISDIR(old->mode))
            fs_remove(old);
        struct fs_node *n = fs_create(dev, devs[i].name, LX_S_IFCHR | devs[i].perm);
        if (n) {
            n->dev = devs[i].dev;
            n->rdev = devs[i].rdev;
        }
    }
    struct fs_node *self = make_dirs("proc/self", 9);
    if (self && !fs_find(self, "exe", 3)) {
        struct fs_node *exe = fs_create(self, "exe", LX_S_IFLNK | 0777);
        if (exe)
            exe->self_exe = 1;
    }
    struct fs_node *tmp = make_dirs("tmp", 3);
    if (tmp)
        tmp->mode = LX_S_IFDIR | 01777;     /* anybody's, sticky: as on Linux */
}

int fs_init(const uint8_t *data, uint32_t size)
{
    root = node_alloc(LX_S_IFDIR | 0755);
    root->parent = NULL;
    int entries = 0;
    uint32_t off = 0;
    while (off <= size && size - off >= NEWC_HDR) {
        const uint8_t *h = data + off;
        uint32_t ino, mode, nlink, mtime, fsize, nsize;
        if (memcmp(h, "070701", 6) != 0 || hex_field(h, F_INO, &ino) < 0 ||
            hex_field(h, F_MODE, &mode) < 0 || hex_field(h, F_NLINK, &nlink) < 0 ||
            hex_field(h, F_MTIME, &mtime) < 0 || hex_field(h, F_FILESIZE, &fsize) < 0 ||
            hex_field(h, F_NAMESIZE, &nsize) < 0)
            return -1;
        uint32_t name = off + NEWC_HDR;
        if (nsize == 0 || nsize > size - name || h[NEWC_HDR + nsize - 1] != '\0')
            return -1;
        uint32_t body = (name + nsize + 3) & ~3u;
        if (body > size || fsize > size - body)
            return -1;
        const char *n = (const char *)data + name;
        if (strcmp(n, "TRAILER!!!") == 0) {
            add_system_nodes();
            return entries;
        }
        if (add_entry(n, mode, mtime, data + body, fsize, ino, nlink) == 0)
            entries++;
        else if (strcmp(n, ".") != 0)
            printf("linux: %s in the root file system is left out (no room, or a kind of "
                   "file the server does not have)\n", n);
        off = (body + fsize + 3) & ~3u;
    }
    return -1;      /* no trailer: a truncated archive */
}
