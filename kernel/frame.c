/*
 * Physical frame allocator (see frame.h): two bitmaps with one bit per
 * frame.  `ram` says the frame is memory this allocator manages; `used`
 * says it is handed out or reserved; `reserved` marks what frame_reserve()
 * took for good, so that frame_free() can refuse it.  A frame is free when
 * ram && !used.
 * A rotating hint makes consecutive allocations cheap.
 *
 * This file is also compiled for the host and tested there
 * (grader/unit/test_frame.c), so it uses nothing but panic().
 */
#include "kernel.h"
#include "frame.h"
#include "arch/i386/mmu.h"

#define NFRAMES     (PHYS_MAP_LIMIT / PAGE_SIZE)
#define WORD_BITS   32

static uint32_t ram[NFRAMES / WORD_BITS];
static uint32_t used[NFRAMES / WORD_BITS];
static uint32_t reserved[NFRAMES / WORD_BITS];
static unsigned nfree, nram;
static unsigned hint;           /* word index where the next search starts */

static int test_bit(const uint32_t *map, unsigned f) { return (map[f / WORD_BITS] >> (f % WORD_BITS)) & 1; }
static void set_bit(uint32_t *map, unsigned f)       { map[f / WORD_BITS] |= 1u << (f % WORD_BITS); }
static void clear_bit(uint32_t *map, unsigned f)     { map[f / WORD_BITS] &= ~(1u << (f % WORD_BITS)); }

void frame_init(void)
{
    memset(ram, 0, sizeof ram);
    memset(used, 0xFF, sizeof used);
    memset(reserved, 0, sizeof reserved);
    nfree = nram = hint = 0;
}

void frame_add_ram(paddr_t start, paddr_t end)
{
    uint64_t s = PAGE_UP(start), e = (uint64_t)end & ~(uint64_t)(PAGE_SIZE - 1);
    if (start > (paddr_t)-PAGE_SIZE)    /* PAGE_UP would wrap */
        return;
    if (e > PHYS_MAP_LIMIT)
        e = PHYS_MAP_LIMIT;
    for (uint64_t f = s / PAGE_SIZE; f < e / PAGE_SIZE; f++) {
        if (f == 0 || test_bit(ram, f))
            continue;
        set_bit(ram, f);
        clear_bit(used, f);
        nram++;
        nfree++;
    }
}

void frame_reserve(paddr_t start, paddr_t end)
{
    uint64_t s = PAGE_DOWN(start) / PAGE_SIZE;
    uint64_t e = ((uint64_t)end + PAGE_SIZE - 1) / PAGE_SIZE;
    if (e > NFRAMES)
        e = NFRAMES;
    for (uint64_t f = s; f < e; f++) {
        set_bit(reserved, f);
        if (test_bit(ram, f) && !test_bit(used, f)) {
            set_bit(used, f);
            nfree--;
        }
    }
}

paddr_t frame_alloc(void)
{
    const unsigned nwords = NFRAMES / WORD_BITS;
    for (unsigned i = 0; i < nwords; i++) {
        unsigned w = (hint + i) % nwords;
        uint32_t avail = ram[w] & ~used[w];
        if (!avail)
            continue;
        unsigned f = w * WORD_BITS + (unsigned)__builtin_ctz(avail);
        set_bit(used, f);
        nfree--;
        hint = w;
        return (paddr_t)f * PAGE_SIZE;
    }
    return 0;
}

void frame_free(paddr_t pa)
{
    unsigned f = pa / PAGE_SIZE;
    if (pa % PAGE_SIZE || f >= NFRAMES || !test_bit(ram, f) || test_bit(reserved, f))
        panic("frame_free(%p): not a frame of RAM from frame_alloc", (void *)(uintptr_t)pa);
    if (!test_bit(used, f))
        panic("frame_free(%p): frame is already free (double free)", (void *)(uintptr_t)pa);
    clear_bit(used, f);
    nfree++;
}

unsigned frame_count_free(void) { return nfree; }
unsigned frame_count_ram(void)  { return nram; }
