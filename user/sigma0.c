/*
 * sigma0: the first task, owner of the physical memory the kernel does not
 * keep (l4/sigma0.h).  The kernel has mapped each of its frames at
 * L4_SIGMA0_BASE + pa and listed them in the info page; sigma0 hands each
 * one out at most once, by map IPC, to whoever asks first.  It has no
 * policy of its own: pagers above it decide who gets memory.  (Given code:
 * Lab 3 builds on it, labs/lab3-pagers/README.md.)
 */
#include "ulib.h"
#include "l4/sigma0.h"

#define PAGE 4096u
#define MAX_FRAMES (0x30000000u / PAGE)     /* the kernel maps RAM below 768 MiB */

static const struct l4_sigma0_info *info = (const void *)L4_SIGMA0_INFO;
static uint32_t given[MAX_FRAMES / 32];     /* bit set: handed out */
static unsigned next_range;                 /* where GET_PAGE looks first */
static uint32_t next_pa;

static int is_given(uint32_t pa) { return given[pa / PAGE / 32] >> (pa / PAGE % 32) & 1; }
static void set_given(uint32_t pa) { given[pa / PAGE / 32] |= 1u << (pa / PAGE % 32); }

/* Whether pa is one of the frames the kernel gave us. */
static int owned(uint32_t pa)
{
    for (uint32_t i = 0; i < info->nranges; i++)
        if (pa >= info->range[i].start && pa < info->range[i].end)
            return 1;
    return 0;
}

/* The lowest frame not yet handed out, from where the last search ended
   (frames are never returned, so nothing below it is free), or 0. */
static uint32_t any_frame(void)
{
    for (; next_range < info->nranges; next_range++) {
        const uint32_t start = info->range[next_range].start, end = info->range[next_range].end;
        if (next_pa < start)
            next_pa = start;
        for (; next_pa < end; next_pa += PAGE)
            if (!is_given(next_pa))
                return next_pa;
    }
    return 0;
}

/*
 * A frame holds whatever its last user left in it.  QEMU starts with RAM
 * all zero, which would hide a pager that forgets to clear the pages it
 * promises are zero: so before a frame leaves, it is filled with junk,
 * different for every frame, as real memory would be.
 */
static void scribble(uint32_t pa)
{
    uint32_t *p = (uint32_t *)(L4_SIGMA0_BASE + pa);
    for (unsigned i = 0; i < PAGE / 4; i++)
        p[i] = 0xDEAD0000u ^ pa ^ i;
}

/* The reply to one request: MR1 = pa or -error, and the map item. */
static void answer(uint32_t label, uint32_t arg)
{
    int32_t result;
    uint32_t pa = 0;
    if (label == SIGMA0_GET_PAGE) {
        pa = any_frame();
        result = pa ? (int32_t)pa : -L4_ENOMEM;
    } else if (label == SIGMA0_GET_FRAME) {
        pa = arg;
        result = pa % PAGE || !owned(pa) ? -L4_EINVAL : is_given(pa) ? -L4_EPERM : (int32_t)pa;
    } else {
        result = -L4_ENOSYS;
    }
    l4_set_mr(1, (uint32_t)result);
    if (result < 0) {
        l4_set_mr(0, l4_tag_make(0, 1, 0));
        return;
    }
    set_given(pa);
    scribble(pa);
    l4_set_mr(0, l4_tag_make(0, 1, 2));
    l4_set_mr(2, l4_item_word0(L4_ITEM_MAP, 0));
    l4_set_mr(3, l4_fpage(L4_SIGMA0_BASE + pa, 12, L4_FPAGE_RW));
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (info->magic != L4_SIGMA0_MAGIC) {
        printf("sigma0: no memory description from the kernel at %p: was I not the "
               "first boot module?\n", (void *)info);
        return 1;
    }
    printf("sigma0: %u frames (%u KiB) in %u ranges; the kernel kept %u frames\n",
           info->frames, info->frames * (PAGE / 1024), info->nranges, info->kernel_frames);

    l4_tid_t client;
    unsigned failures = 0;
    int32_t err = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
    for (;;) {
        if (err < 0) {
            /* The client vanished before our reply: wait for the next one.
               A receive that keeps failing, though, means IPC itself does
               not work (Lab 1 unfinished?): say so once and stop. */
            if (++failures == 10) {
                printf("sigma0: IPC fails again and again (last error %d); stopping\n", err);
                return 1;
            }
            err = l4_receive(L4_ANYTHREAD, L4_TIMEOUT_NEVER, &client);
            continue;
        }
        failures = 0;
        l4_tag_t tag = l4_mr(0);
        answer(l4_tag_label(tag), l4_tag_untyped(tag) >= 1 ? l4_mr(1) : 0);
        err = l4_reply_wait(client, &client);
    }
}
