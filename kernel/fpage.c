/*
 * Map and grant items in IPC, and SYS_UNMAP (Lab 2): the given half.
 *
 * ipc_map_items() runs at the rendezvous, after ipc_transfer has copied
 * the message words: for each typed item it works out, from the sender's
 * flexpage and the receiver's receive window, which pages go where
 * (docs/abi.md, "Map and grant"), lets map_fpage() (the hole, kernel/map.c)
 * move them, and tells the receiver what landed by rewriting the item's
 * flexpage word.  sys_unmap() walks a flexpage of the caller's space and
 * revokes through the mapping database.
 */
#include "kernel.h"
#include "ipc.h"
#include "map.h"
#include "mapdb.h"
#include "sched.h"
#include "vm.h"
#include "l4/abi.h"

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
