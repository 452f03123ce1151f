/*
 * A small fake kernel environment for the host tests of the mapping
 * database, kernel/mapdb.c (Lab 2): test_mapdb.c (unit tests) and
 * test_mapdb_model.c (random trees against a model) link with
 * mapdb_fakes.c and with the Lab 2 reference of mapdb.c, which
 * grader/unit/Makefrag compiles on its own.
 *
 * mapdb.c reaches the rest of the kernel through a few functions, faked in
 * mapdb_fakes.c:
 *  - vm_node_slot keeps the node pointers in the real struct space's
 *    shadow[] tables, one per 4 MiB, allocated on first use with create
 *    (shadow_alloc_fails makes that fail, as running out of memory would);
 *  - vm_pte, vm_clear_page and vm_protect_page work on fake page tables
 *    beside each space.  A test sets a page's entry (present, writable, a
 *    frame) before it records the page in the database, as vm_set_page
 *    does in the kernel, and checks that mapdb.c clears it or takes PTE_W;
 *  - vm_alloc_kpage hands out aligned host pages (kpage_alloc_fails: none);
 *  - frame_free and panic_at are renamed fake_frame_free and fake_panic_at
 *    when mapdb.c is compiled, because kernel/frame.c and test_frame.c
 *    define the real names in the same program.  fake_frame_free counts
 *    what is given back, per frame; fake_panic_at fails the test, since
 *    nothing mapdb.c is asked to do here may panic.
 * The tests' frames are never really used: FRAME(k) is just a distinct,
 * page-aligned address for the k-th frame a test owns.
 *
 * Every test starts from empty spaces (fresh_spaces, the fixture).
 * mapdb.c never gives node memory back, so that is not reset: under
 * CK_FORK=no, a test may get nodes that an earlier one used.
 */
#ifndef MAPDB_FAKES_H
#define MAPDB_FAKES_H

#include <check.h>

#include "vm.h"
#include "mapdb.h"
#include "l4/abi.h"

#define require(cond, ...) \
    do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

#define NSPACES     5
#define NTABLES     (KERNBASE >> PGDIR_SHIFT)   /* 4 MiB regions of user space */
#define MAX_FRAMES  4096
#define FRAME(k)    (0x100000u + (paddr_t)(k) * PAGE_SIZE)

/* A space with its fake page tables (struct space must come first). */
struct fake_space {
    struct space s;
    pte_t *pt[NTABLES];
};

extern struct fake_space spaces[NSPACES];
/* The first four are the spaces of mapdb.h's picture; E only takes spare
   nodes (test_mapdb.c's drain_free_nodes). */
extern struct space *A, *B, *C, *D, *E;

/* Set to make vm_alloc_kpage or vm_node_slot(create) fail; the count of
   pages vm_alloc_kpage handed out. */
extern int kpage_alloc_fails, shadow_alloc_fails;
extern unsigned kpages_allocated;
/* All frames given back (fake_frame_free). */
extern unsigned frames_freed;

void fake_frame_free(paddr_t pa);
__attribute__((noreturn, format(printf, 3, 4)))
void fake_panic_at(const char *file, int line, const char *fmt, ...);

/* s as the fake it is (the test fails if mapdb.c made up a space), and
   its letter A..E for messages. */
struct fake_space *fake(struct space *s);
char space_name(struct space *s);
/* How often frame pa was given back. */
unsigned freed(paddr_t pa);
/* The fixture: empty spaces, nothing failing, nothing freed. */
void fresh_spaces(void);

/* What the fake page table holds for page va of s (0: nothing), and
   setting it, as vm_set_page does. */
pte_t pte_of(struct space *s, uint32_t va);
void set_pte(struct space *s, uint32_t va, pte_t e);
/* s is given frame pa at page va, writable: the root of a new tree. */
struct mapnode *own(struct space *s, uint32_t va, paddr_t pa);
/* from's page mapped on to page va of s with the same access, as
   map_fpage does it: the page-table entry first, then the node. */
struct mapnode *map(struct mapnode *from, struct space *s, uint32_t va);
/* n is the node of its page, mapped to frame pa, writable or not. */
void assert_mapped(const struct mapnode *n, paddr_t pa, int writable);
/* Nothing is left at page va of s: no node and no page-table entry. */
void assert_unmapped(struct space *s, uint32_t va);

/* The random-trees test (test_mapdb_model.c), for mapdb_suite. */
TCase *mapdb_model_tcase(void);

#endif
