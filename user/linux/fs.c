/*
 * The root file system, read-only for now: the entries of a cpio archive
 * in the "newc" format (`cpio -o -H newc`, as a Linux initramfs), which
 * the kernel hands the server as a data module (l4/abi.h,
 * L4_BOOTDATA_BASE).  Each entry is a 110-byte header of ASCII hex fields,
 * the name (NUL-terminated, padded to 4 bytes with the header), then the
 * data (padded to 4 bytes); the entry named "TRAILER!!!" ends the archive.
 * The archive is not trusted: every length is checked against its end.
 */
#include "linux.h"

#define MAX_FILES 128
#define NEWC_HDR  110

struct fs_node {
    const char *name;           /* the path without its leading '/' */
    const uint8_t *data;
    uint32_t size;
    uint32_t mode;              /* Linux st_mode */
};

static struct fs_node files[MAX_FILES];
static unsigned nfiles;

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

#define F_MODE      1
#define F_FILESIZE  6
#define F_NAMESIZE  11

int fs_init(const uint8_t *data, uint32_t size)
{
    uint32_t off = 0;
    while (off <= size && size - off >= NEWC_HDR) {
        const uint8_t *h = data + off;
        uint32_t mode, fsize, nsize;
        if (memcmp(h, "070701", 6) != 0 || hex_field(h, F_MODE, &mode) < 0 ||
            hex_field(h, F_FILESIZE, &fsize) < 0 || hex_field(h, F_NAMESIZE, &nsize) < 0)
            return -1;
        uint32_t name = off + NEWC_HDR;
        if (nsize == 0 || nsize > size - name || h[NEWC_HDR + nsize - 1] != '\0')
            return -1;
        uint32_t body = (name + nsize + 3) & ~3u;
        if (body > size || fsize > size - body)
            return -1;
        const char *n = (const char *)data + name;
        if (strcmp(n, "TRAILER!!!") == 0)
            return (int)nfiles;
        while (n[0] == '.' && n[1] == '/')
            n += 2;
        if (strcmp(n, ".") != 0 && nfiles < MAX_FILES)
            files[nfiles++] = (struct fs_node){n, data + body, fsize, mode};
        off = (body + fsize + 3) & ~3u;
    }
    return -1;      /* no trailer: a truncated archive */
}

struct fs_node *fs_lookup(const char *path)
{
    while (*path == '/')
        path++;
    for (unsigned i = 0; i < nfiles; i++)
        if (strcmp(files[i].name, path) == 0)
            return &files[i];
    return NULL;
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
    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = n->size - off;
    memcpy(buf, n->data + off, len);
    return len;
}

/* No regular files are opened yet (the RAM file system comes next). */
struct fs_node *file_node(struct file *f)
{
    (void)f;
    return NULL;
}

const struct lx_callent lx_fs_calls[] = {
    {0, NULL},
};
