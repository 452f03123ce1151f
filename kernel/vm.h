/*
 * Address spaces and their i386 page tables.
 *
 * A space is a page directory whose kernel half (entries 768..1023) is a
 * copy of kernel_pgdir's, so the kernel is mapped identically everywhere.
 * The user half maps pages allocated for the space; a space owns the
 * frames its page tables point to and gives them back when destroyed.
 * (Lab 2 brings shared mappings and a mapping database.)
 */
#ifndef VM_H
#define VM_H

#include <stddef.h>
#include <stdint.h>
#include "frame.h"
#include "arch/i386/mmu.h"

struct space {
    pde_t *pgdir;           /* kernel-virtual address of the page directory */
    int in_use;
    unsigned threads;       /* threads living here; the last one destroys the space */
    uint64_t utcb_slots;    /* bit i: UTCB slot i (L4_UTCB_AREA + i * L4_UTCB_SIZE) in use */
};

void vm_init(void);

struct space *space_create(void);
void space_destroy(struct space *s);
/* Loads s's page directory into %cr3 (if it is not loaded already). */
void space_activate(struct space *s);

/*
 * Maps the user page at va to frame pa with PTE_* flags (PTE_P and PTE_U
 * are implied).  Returns 0 or -L4_ENOMEM / -L4_EINVAL; nothing changes on
 * error.
 */
int vm_map(struct space *s, uint32_t va, paddr_t pa, uint32_t flags);

/* Allocates zeroed frames for [va, va+len) of user memory and maps them. */
int vm_alloc_range(struct space *s, uint32_t va, uint32_t len, uint32_t flags);

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
