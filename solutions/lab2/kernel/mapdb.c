/*
 * Lab 2: the mapping database's two holes, mapdb_insert and mapdb_revoke.
 * mapdb.h describes the database and lists the given functions you may
 * use (kernel/mapnode.c: node memory, lookups, remove, move, the walk).
 * Reference solution; the contracts are in the student's kernel/mapdb.c.
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
 * Reference solution.  Removal goes down ->child to a leaf, drops it, and
 * goes on from the leaf's parent, so every node is dropped after its
 * children and each is visited a bounded number of times (starting over
 * from n after each leaf would make a long chain quadratic).  Read-only
 * walks the subtree with mapdb_next.  Neither recurses.
 */
void mapdb_revoke(struct mapnode *n, uint32_t rights)
{
    if (rights & L4_FPAGE_R) {
        struct mapnode *c = n->child;
        while (c) {
            while (c->child)
                c = c->child;
            struct mapnode *parent = c->parent;
            drop_mapping(c);
            c = parent == n ? n->child : parent;
        }
    } else if (rights & L4_FPAGE_W) {
        for (struct mapnode *c = mapdb_next(n, n); c; c = mapdb_next(c, n))
            vm_protect_page(c->space, c->va);
    }
}
