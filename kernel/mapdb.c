/*
 * Lab 2: the mapping database's two holes, mapdb_insert and mapdb_revoke.
 * mapdb.h describes the database and lists the given functions you may
 * use (kernel/mapnode.c: node memory, lookups, remove, move, the walk).
 */
#include "kernel.h"
#include "mapdb.h"
#include "vm.h"
#include "l4/abi.h"

/*
 * LAB 2: record that page va of space s was mapped from parent.
 *
 * Returns the new node, or NULL if memory ran out (mapdb_alloc: the
 * space's quota or the kernel's memory; vm_node_slot: a shadow page).
 * The new node is parent's first child (children are newest first), its
 * parent pointer is parent, and s's slot for va points at it, so that
 * mapdb_lookup finds it and an unmap of parent reaches it.  On failure
 * the tree must look as if nothing had happened.
 * Tested by: make grade LAB=2 (share, chain, and every test that maps).
 * Hints: labs/lab2-spaces/hints.md.
 */
struct mapnode *mapdb_insert(struct mapnode *parent, struct space *s, uint32_t va)
{
    (void)parent, (void)s, (void)va;
    kprintf("LAB 2: mapdb_insert not implemented (kernel/mapdb.c)\n");
    return NULL;
}

/*
 * LAB 2: revoke rights from everything derived from n (not n itself).
 *
 * With L4_FPAGE_R in rights, every descendant goes, each by drop_mapping(),
 * which takes only a node without children.  With only L4_FPAGE_W, every
 * descendant stays but loses write access (vm_protect_page).  n itself
 * is left as it is.
 * It must not recurse: the depth of the tree is up to user programs, and
 * the kernel stack is less than 4 KiB, in one frame with the thread's
 * control block, so a recursive walk overflows it on a long chain and
 * overwrites the TCB.  Its time should grow linearly with the subtree.
 * Tested by: grant, chain, rights, and longchain (a chain of 1200 to 2000
 * hops, where a recursive version panics); also by make check.
 */
void mapdb_revoke(struct mapnode *n, uint32_t rights)
{
    (void)n, (void)rights;
    kprintf("LAB 2: mapdb_revoke not implemented (kernel/mapdb.c)\n");
}
