/*
 * Address spaces and their i386 page tables.
 *
 * A space is a page directory whose kernel half (entries 768..1023) is a
 * copy of kernel_pgdir's, so the kernel is mapped identically everywhere.
 * Every page mapped in the user half has a node in the mapping database
 * (kernel/mapdb.h): pages the kernel allocated for the space are owned by
 * it (roots), pages mapped from other spaces are children of the sender's
 * mapping.  Beside each page table, a shadow page holds the node pointer
 * of every page (vm_node_slot).  Destroying a space removes all its
 * mappings, and with them everything mapped from them.
 */
#ifndef VM_H
#define VM_H

#include <stddef.h>
#include <stdint.h>
#include "frame.h"
#include "arch/i386/mmu.h"

struct mapnode;

struct space {
    pde_t *pgdir;           /* kernel-virtual address of the page directory */
    int in_use;
    int privileged;         /* a root task (a boot module's space): its threads may create
                               threads and tasks and set pagers */
    unsigned threads;       /* threads living here; the last one destroys the space */
    uint64_t utcb_slots;    /* bit i: UTCB slot i (L4_UTCB_AREA + i * L4_UTCB_SIZE) in use */
    unsigned mapnodes;      /* mapping-database nodes of this space (quota: mapdb.h) */
    unsigned mapnodes_extra;/* quota beyond MAPDB_PER_SPACE (sigma0: one per frame it owns) */
    unsigned tables;        /* frames of page tables and shadow tables held (quota: below) */
    unsigned tables_extra;  /* quota beyond VM_TABLES_PER_SPACE (sigma0: for its memory) */
    struct mapnode **shadow[KERNBASE >> PGDIR_SHIFT];  /* per page table: node pointers */
};

/*
 * Kernel memory: who pays (docs/abi.md).  Every frame the kernel takes
 * because of what is mapped in a space is charged to that space, so that a
 * task can use up its own share and nobody else's:
 *  - page tables and shadow tables: at most VM_TABLES_PER_SPACE frames
 *    (+ tables_extra), counted in `tables`.  Each 4 MiB region of user
 *    space that holds a page costs two (its page table and its shadow), so
 *    a space may hold pages in 16 regions at once;
 *  - mapping-database nodes: at most MAPDB_PER_SPACE (+ mapnodes_extra),
 *    counted in `mapnodes` (mapdb.h).
 * Past its quota, mapping into the space fails with -L4_ENOMEM (an item
 * then lands L4_NILPAGE).  A table whose region has become empty stays
 * charged and in place (mapping there again is cheap) until the space
 * reaches its quota: then vm.c frees its empty tables and credits them
 * back before it refuses.  All tables go, with the space, at its end.
 * The page directory and the TCBs and UTCB pages of a space's threads are
 * not charged here: only root tasks create spaces and threads, and they
 * are bounded by MAX_SPACES, MAX_THREADS and L4_UTCB_SLOTS.
 */
#define VM_TABLES_PER_SPACE 32

void vm_init(void);

struct space *space_create(void);
void space_destroy(struct space *s);
/* Loads s's page directory into %cr3 (if it is not loaded already). */
void space_activate(struct space *s);

/* The same for a user thread's space (s is never NULL), inline: the IPC
   fast path's switch (fastpath_switch) runs it on every switch, and
   there the call would cost as much as the work.  The slow path keeps
   the named function (the labs' traces and handouts count it). */
extern struct space *vm_active;
static inline void space_activate_inline(struct space *s)
{
    if (s != vm_active) {
        vm_active = s;
        __asm__ volatile("mov %0, %%cr3" : : "r"(V2P((uintptr_t)s->pgdir)) : "memory");
    }
}

/* Allocates zeroed frames for [va, va+len) of user memory and maps them,
   owned by s (roots in the mapping database).  Pages already mapped stay. */
int vm_alloc_range(struct space *s, uint32_t va, uint32_t len, uint32_t flags);

/* The page-table entry of user page va in s, or NULL if no page table. */
pte_t *vm_pte(struct space *s, uint32_t va);
/* Points user page va of s at frame pa, writable if flags has PTE_W,
   replacing what was there.  0 or -L4_ENOMEM (no page table could be had). */
int vm_set_page(struct space *s, uint32_t va, paddr_t pa, uint32_t flags);
/* Removes the page's mapping / its write access (and flushes the TLB entry). */
void vm_clear_page(struct space *s, uint32_t va);
void vm_protect_page(struct space *s, uint32_t va);
/* A frame for the kernel's own use, by its kernel address; NULL if none. */
void *vm_alloc_kpage(void);

/* Where s keeps the mapping-database node of page va; with create, a
   missing shadow page is allocated (NULL if memory ran out). */
struct mapnode **vm_node_slot(struct space *s, uint32_t va, int create);

/*
 * Takes a free UTCB slot of s, mapping its page if needed, and returns
 * the slot number (or -L4_ENOMEM); *uva and *kva receive the UTCB's user
 * and kernel addresses.  The UTCB is zeroed.
 */
int space_utcb_alloc(struct space *s, uint32_t *uva, void **kva);
void space_utcb_free(struct space *s, uint32_t uva);

/*
 * Copies between kernel memory and user memory of space s, checking every
 * page: the range must lie below L4_USER_TOP and be mapped user-accessible
 * (and writable, for copy_to_user).  Returns 0 or -L4_EFAULT, having copied
 * nothing past the first bad page.  The kernel never dereferences a user
 * pointer in any other way.
 */
int copy_from_user(struct space *s, void *dst, uint32_t usrc, size_t len);
int copy_to_user(struct space *s, uint32_t udst, const void *src, size_t len);

#endif
