/*
 * Map and grant items in IPC, and SYS_UNMAP (Lab 2).  map_fpage is Lab 2's.
 *
 * ipc_map_items() runs at the rendezvous, after ipc_transfer has copied
 * the message words: for each typed item it works out, from the sender's
 * flexpage and the receiver's receive window, which pages go where
 * (docs/abi.md, "Map and grant"), lets map_fpage() move them, and tells
 * the receiver what landed by rewriting the item's flexpage word.
 */
#include "kernel.h"
#include "ipc.h"
#include "map.h"
#include "mapdb.h"
#include "sched.h"
#include "vm.h"
#include "l4/abi.h"

static int in_utcb_area(uint32_t va)
{
    return va >= L4_UTCB_AREA && va < L4_UTCB_AREA_END;
}

int map_item_valid(uint32_t word0, l4_fpage_t fp)
{
    uint32_t type = word0 & 0xF;
    return (type == L4_ITEM_MAP || type == L4_ITEM_GRANT) && l4_fpage_valid(fp);
}

/*
 * The L4 rule for items and windows of different sizes: the smaller side
 * decides the size; on the larger side, the send base (taken modulo the
 * larger size, rounded down to the smaller size) says where.
 */
static void place(l4_fpage_t fp, uint32_t snd_base, l4_fpage_t window,
                  uint32_t *src, uint32_t *dst, uint32_t *log2size)
{
    uint32_t s = l4_fpage_log2size(fp), w = l4_fpage_log2size(window);
    if (s <= w) {
        uint32_t off = snd_base & ((1u << w) - 1) & ~((1u << s) - 1);
        *src = l4_fpage_base(fp);
        *dst = l4_fpage_base(window) + off;
        *log2size = s;
    } else {
        uint32_t off = snd_base & ((1u << s) - 1) & ~((1u << w) - 1);
        *src = l4_fpage_base(fp) + off;
        *dst = l4_fpage_base(window);
        *log2size = w;
    }
}

void ipc_map_items(struct thread *snd, struct thread *rcv)
{
    l4_tag_t tag = thread_tf(rcv)->esi;
    if (!l4_tag_typed(tag))
        return;                                     /* the common case: no items */
    unsigned first = 1 + l4_tag_untyped(tag), end = first + l4_tag_typed(tag);
    l4_fpage_t window = rcv->utcb->rcv_window;      /* user-written: check it */
    int have_window = l4_fpage_valid(window);

    for (unsigned i = first; i + 1 < end; i += 2) {
        uint32_t word0 = ipc_get_mr(rcv, i);
        l4_fpage_t fp = ipc_get_mr(rcv, i + 1), landed = L4_NILPAGE;
        /* sys_ipc checked the items when the send began, but a blocked
           sender's UTCB can be rewritten meanwhile by another of its
           threads: check the words that were actually copied. */
        if (have_window && map_item_valid(word0, fp)) {
            uint32_t src, dst, s;
            place(fp, word0, window, &src, &dst, &s);
            int n = map_fpage(snd->space, src, rcv->space, dst, 1u << s,
                              l4_fpage_rights(fp), (word0 & 0xF) == L4_ITEM_GRANT);
            if (n > 0)
                landed = l4_fpage(dst, s, l4_fpage_rights(fp));
        }
        ipc_set_mr(rcv, i + 1, landed);
    }
}

/*
 * LAB 2: map (or grant) `size` bytes of snd's space at snd_va to rcv's
 * space at rcv_va, page by page, with at most `rights`.
 *
 * For each page: nothing lands if either address is in the UTCB area
 * (in_utcb_area), if snd has no mapping there (nothing to give), or if
 * it would map a page onto itself.  The receiver's page is writable only
 * if rights has L4_FPAGE_W and snd's own entry is writable: rights only
 * shrink.  A mapping rcv already has at the address is replaced, with
 * everything derived from it, but never by a page derived from itself
 * (skip the page then).  A map records the new mapping as a child of the
 * sender's node; a grant moves the sender's node to rcv, and write access
 * rcv does not get is taken from the node's descendants too.
 * Return how many pages were mapped, or -L4_ENOMEM if memory ran out:
 * the page in hand is left as it was, the pages mapped so far stay.
 * Tested by: make grade LAB=2 (every test).
 * Hints (the order of the steps): labs/lab2-spaces/README.md, "Hints".
 */
int map_fpage(struct space *snd, uint32_t snd_va, struct space *rcv, uint32_t rcv_va,
              uint32_t size, uint32_t rights, int grant)
{
    (void)snd, (void)snd_va, (void)rcv, (void)rcv_va, (void)size, (void)rights, (void)grant;
    (void)in_utcb_area;
    kprintf("LAB 2: map_fpage not implemented (kernel/map.c)\n");
    return 0;
}

/* Calls fn for each page of [base, base + size) that s has mapped,
   skipping page tables that do not exist, and the UTCB area. */
static void for_each_mapped(struct space *s, uint32_t base, uint32_t size,
                            void (*fn)(struct mapnode *n, uint32_t arg), uint32_t arg)
{
    uint32_t end = base + size;
    for (uint32_t va = base; va < end && va >= base; ) {
        if (!vm_node_slot(s, va, 0)) {
            va = (va | ((1u << PGDIR_SHIFT) - 1)) + 1;     /* the next page table */
            continue;
        }
        struct mapnode *n = mapdb_lookup(s, va);
        if (n && !in_utcb_area(va))
            fn(n, arg);
        va += PAGE_SIZE;
    }
}

#define UNMAP_SELF_FLAG 0x80000000u

static void unmap_one(struct mapnode *n, uint32_t how)
{
    uint32_t rights = how & L4_FPAGE_RWX;
    if (rights & L4_FPAGE_R) {
        if (how & UNMAP_SELF_FLAG)
            mapdb_remove(n);
        else if (n->child)
            mapdb_revoke(n, L4_FPAGE_RWX);
    } else if (rights & L4_FPAGE_W) {
        if (n->child)
            mapdb_revoke(n, L4_FPAGE_W);
        if (how & UNMAP_SELF_FLAG)
            vm_protect_page(n->space, n->va);
    }
}

int32_t sys_unmap(struct trapframe *tf)
{
    l4_fpage_t fp = tf->ebx;
    uint32_t flags = tf->ecx;
    if (!l4_fpage_valid(fp) || (flags & ~L4_UNMAP_SELF))
        return -L4_EINVAL;
    uint32_t how = l4_fpage_rights(fp) | ((flags & L4_UNMAP_SELF) ? UNMAP_SELF_FLAG : 0);
    for_each_mapped(current->space, l4_fpage_base(fp), l4_fpage_size(fp), unmap_one, how);
    return 0;
}
