/*
 * sigma0, the owner of physical memory (Lab 3), and its protocol.
 *
 * When the first boot module's program is called "sigma0", the kernel
 * keeps a quarter of the free RAM for itself (thread control blocks, page
 * tables, the mapping database) and maps every other free frame into
 * sigma0's space, frame pa at L4_SIGMA0_BASE + pa, owned by sigma0 (the
 * roots of their mapping trees).  It describes what it gave in the page at
 * L4_SIGMA0_INFO.  sigma0 then hands frames out by map IPC, each frame at
 * most once, to whoever asks first: it has no other policy.  A frame comes
 * with junk in it, never zeroed (our sigma0 even fills it with junk, since
 * QEMU's RAM starts out zero and would hide a pager that forgets to clear).
 *
 * Requests (MR0's label; the receive window of the caller says where the
 * page lands: set it to one page before the call):
 *   SIGMA0_GET_PAGE   []        any frame sigma0 still has
 *   SIGMA0_GET_FRAME  [pa]      the frame at physical address pa (a device
 *                               buffer, a known address), if sigma0 still has it
 * Reply: label 0, u = 1, MR1 = the frame's physical address, and on success
 * one map item (t = 2) of that page with rights RW.  On failure t = 0 and
 * MR1 = -error: -L4_ENOMEM (no frame left), -L4_EINVAL (pa is not a frame
 * sigma0 was given, or is not page-aligned), -L4_EPERM (already handed
 * out), -L4_ENOSYS (unknown label).
 */
#ifndef L4_SIGMA0_H
#define L4_SIGMA0_H

#include <stdint.h>
#include "l4/abi.h"

#define SIGMA0_GET_PAGE   0x5301u
#define SIGMA0_GET_FRAME  0x5302u

#define L4_SIGMA0_MAGIC   0x53494730u      /* "SIG0" */
#define L4_SIGMA0_RANGES  500

/* The page at L4_SIGMA0_INFO: the frames the kernel gave sigma0, as
   ranges of physical addresses [start, end), in ascending order. */
struct l4_sigma0_info {
    uint32_t magic;             /* L4_SIGMA0_MAGIC */
    uint32_t frames;            /* how many frames in all */
    uint32_t kernel_frames;     /* how many free frames the kernel kept */
    uint32_t nranges;
    struct { uint32_t start, end; } range[L4_SIGMA0_RANGES];
};

_Static_assert(sizeof(struct l4_sigma0_info) <= 4096, "sigma0 info exceeds its page");

#endif
