/*
 * The physical frame allocator: hands out 4 KiB frames of RAM below
 * PHYS_MAP_LIMIT, which the kernel reaches through the direct map (P2V).
 *
 * Boot builds it in three steps: frame_init() marks every frame as not RAM,
 * frame_add_ram() adds each usable range of the Multiboot memory map, and
 * frame_reserve() takes back what is already in use (the kernel image, the
 * boot modules).  Frame 0 is never handed out, so 0 can mean "none".
 */
#ifndef FRAME_H
#define FRAME_H

#include <stdint.h>

typedef uint32_t paddr_t;

void frame_init(void);
/* [start, end) is RAM; partial frames at the edges are left out. */
void frame_add_ram(paddr_t start, paddr_t end);
/* [start, end) is in use for good (the kernel image, boot modules); partial
   frames at the edges are included.  frame_free() of a reserved frame panics. */
void frame_reserve(paddr_t start, paddr_t end);
/* A free frame's physical address, now in use, or 0 if there is none. */
paddr_t frame_alloc(void);
/* Gives back a frame from frame_alloc(); panics on anything else. */
void frame_free(paddr_t pa);
unsigned frame_count_free(void);
unsigned frame_count_ram(void);

#endif
