/*
 * The fake kernel environment of the mapping database's host tests: the
 * functions of vm.c, frame.c and panic that mapdb.c calls, on fake spaces
 * with fake page tables, and the helpers the tests build trees with.
 * mapdb_fakes.h says what each fake does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapdb_fakes.h"

struct fake_space spaces[NSPACES];
struct space *A, *B, *C, *D, *E;

int kpage_alloc_fails, shadow_alloc_fails;
unsigned kpages_allocated;

/* How often each test frame was given back, and all frames given back. */
static unsigned times_freed[MAX_FRAMES];
unsigned frames_freed;

struct fake_space *fake(struct space *s)
{
    struct fake_space *f = (struct fake_space *)s;
    require(f >= spaces && f < spaces + NSPACES, "mapdb.c used a space (%p) that is not the tests'",
            (void *)s);
    return f;
}

char space_name(struct space *s)
{
    return "ABCDE"[fake(s) - spaces];
}

pte_t *vm_pte(struct space *s, uint32_t va)
{
    pte_t *pt = va < L4_USER_TOP ? fake(s)->pt[PDX(va)] : NULL;
    return pt ? &pt[PTX(va)] : NULL;
}

void vm_clear_page(struct space *s, uint32_t va)
{
    pte_t *pte = vm_pte(s, va);
    if (pte)
        *pte = 0;
}

void vm_protect_page(struct space *s, uint32_t va)
{
    pte_t *pte = vm_pte(s, va);
    if (pte)
        *pte &= ~PTE_W;
}

/* The page's contents are left as garbage, as a frame's would be. */
void *vm_alloc_kpage(void)
{
    if (kpage_alloc_fails)
        return NULL;
    void *page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
    require(page != NULL, "the host is out of memory");
    memset(page, 0xA5, PAGE_SIZE);
    kpages_allocated++;
    return page;
}

struct mapnode **vm_node_slot(struct space *s, uint32_t va, int create)
{
    require(va < KERNBASE, "mapdb.c asked for the slot of kernel address %#x", va);
    struct mapnode ***table = &fake(s)->s.shadow[PDX(va)];
    if (!*table) {
        if (!create || shadow_alloc_fails)
            return NULL;
        *table = calloc(PT_ENTRIES, sizeof **table);
        require(*table != NULL, "the host is out of memory");
    }
    return &(*table)[PTX(va)];
}

void fake_frame_free(paddr_t pa)
{
    unsigned k = (pa - FRAME(0)) / PAGE_SIZE;
    require(pa >= FRAME(0) && pa % PAGE_SIZE == 0 && k < MAX_FRAMES,
            "frame_free(%#x): not a frame of the tests", pa);
    times_freed[k]++;
    frames_freed++;
}

void fake_panic_at(const char *file, int line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ck_abort_msg("unexpected panic at %s:%d: %s", file, line, msg);
}

/* What mapdb.c prints (a hole's "LAB 2: ... not implemented", in a
   student's copy run with MAPDB_REF=kernel/mapdb.c) goes to the host's
   output, so that such a copy links, and its tests fail with the line. */
int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

unsigned freed(paddr_t pa)
{
    return times_freed[(pa - FRAME(0)) / PAGE_SIZE];
}

void fresh_spaces(void)
{
    for (int i = 0; i < NSPACES; i++) {
        for (unsigned t = 0; t < NTABLES; t++) {
            free(spaces[i].s.shadow[t]);
            free(spaces[i].pt[t]);
        }
        memset(&spaces[i], 0, sizeof spaces[i]);
        spaces[i].s.in_use = 1;
    }
    A = &spaces[0].s, B = &spaces[1].s, C = &spaces[2].s, D = &spaces[3].s, E = &spaces[4].s;
    kpage_alloc_fails = shadow_alloc_fails = 0;
    memset(times_freed, 0, sizeof times_freed);
    frames_freed = 0;
}

/* --- Helpers for the tests ---------------------------------------------- */

/* What the fake page table holds for page va of s (0: nothing). */
pte_t pte_of(struct space *s, uint32_t va)
{
    pte_t *pte = vm_pte(s, va);
    return pte ? *pte : 0;
}

/* Sets a page-table entry, as vm_set_page does. */
void set_pte(struct space *s, uint32_t va, pte_t e)
{
    pte_t **pt = &fake(s)->pt[PDX(va)];
    if (!*pt) {
        *pt = calloc(PT_ENTRIES, sizeof **pt);
        require(*pt != NULL, "the host is out of memory");
    }
    (*pt)[PTX(va)] = e;
}

/* s is given frame pa at page va, writable: the root of a new tree. */
struct mapnode *own(struct space *s, uint32_t va, paddr_t pa)
{
    set_pte(s, va, pa | PTE_P | PTE_W | PTE_U);
    require(mapdb_add_root(s, va) == 0, "mapdb_add_root(%c, %#x) failed", space_name(s), va);
    struct mapnode *n = mapdb_lookup(s, va);
    require(n && n->space == s && n->va == va && !n->parent && !n->child && !n->sibling,
            "the root at %c:%#x is not an unlinked node of its own", space_name(s), va);
    return n;
}

/* from's page is mapped on to page va of s with the same access, as
   map_fpage does it: the page-table entry first, then the node. */
struct mapnode *map(struct mapnode *from, struct space *s, uint32_t va)
{
    set_pte(s, va, pte_of(from->space, from->va));
    struct mapnode *n = mapdb_insert(from, s, va);
    require(n != NULL, "mapdb_insert(%c:%#x -> %c:%#x) failed",
            space_name(from->space), from->va, space_name(s), va);
    return n;
}

/* n is the node of its page, which is mapped to frame pa, and writable
   or not. */
void assert_mapped(const struct mapnode *n, paddr_t pa, int writable)
{
    char s = space_name(n->space);
    pte_t e = pte_of(n->space, n->va);
    require(mapdb_lookup(n->space, n->va) == n, "%c:%#x has lost its node", s, n->va);
    require(e & PTE_P, "%c:%#x is no longer mapped", s, n->va);
    require(PTE_ADDR(e) == pa, "%c:%#x is mapped to %#x, not %#x", s, n->va, PTE_ADDR(e), pa);
    require(!!(e & PTE_W) == writable, "%c:%#x is %s", s, n->va,
            writable ? "no longer writable" : "still writable");
}

/* Nothing is left at page va of s: no node and no page-table entry. */
void assert_unmapped(struct space *s, uint32_t va)
{
    require(mapdb_lookup(s, va) == NULL, "%c:%#x still has a node", space_name(s), va);
    require(pte_of(s, va) == 0, "%c:%#x still has page-table entry %#x",
            space_name(s), va, pte_of(s, va));
}
