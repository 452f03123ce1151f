/*
 * Lab 2: the mapping database's two holes, mapdb_insert and mapdb_revoke.
 * mapdb.h describes the database and lists the given functions you may
 * use (kernel/mapnode.c: node memory, lookups, remove, move, the walk).
 * The reference's, but for mapdb_revoke at the end: see there.
 */
#include "kernel.h"
#include "mapdb.h"
#include "vm.h"
#include "l4/abi.h"

/*
 * Reference solution: a new node becomes the first child of its parent.
 */
struct mapnode *mapdb_insert(struct mapnode *parent, struct space *s, uint32_t va)
{
    struct mapnode *n = mapdb_alloc(s, va);
    if (!n)
        return NULL;
    struct mapnode **slot = vm_node_slot(s, va, 1);
    if (!slot) {
        mapdb_free(n);
        return NULL;
    }
    n->parent = parent;
    n->sibling = parent->child;
    parent->child = n;
    *slot = n;
    return n;
}

/*
 * A MUTANT of the reference, kept for the grader's self-test
 * (grader/selftest.py, mutant_run): the revoke a student would naturally
 * write, correct in every way but one.  It recurses once per level of the
 * mapping tree, and each level takes a stack frame of the thread's 4 KiB
 * kernel stack (kernel/thread.h), which also holds its TCB and trapframe:
 * a chain a few hundred mappings deep runs off the end of it.  The tests of
 * lab2_map pass with it, except longchain, which must fail.
 */
void mapdb_revoke(struct mapnode *n, uint32_t rights)
{
    struct mapnode *c = n->child;
    while (c) {
        struct mapnode *next = c->sibling;
        mapdb_revoke(c, rights);
        if (rights & L4_FPAGE_R)
            drop_mapping(c);
        else if (rights & L4_FPAGE_W)
            vm_protect_page(c->space, c->va);
        c = next;
    }
}
