/*
 * The mapping database (mapdb.h), the given half: node memory and the
 * quota, lookups, roots, and the tree operations other than Lab 2's
 * mapdb_insert and mapdb_revoke (kernel/mapdb.c).
 *
 * Nodes come from whole frames cut into MAPNODES_PER_FRAME pieces, kept on
 * a free list; a frame, once used for nodes, stays with the database.
 * Where a space's node for a page is: vm_node_slot() (kernel/vm.c), a
 * shadow of the page table with one node pointer per page.
 */
#include "kernel.h"
#include "mapdb.h"
#include "vm.h"
#include "l4/abi.h"

#define MAPNODES_PER_FRAME (PAGE_SIZE / sizeof(struct mapnode))

static struct mapnode *free_nodes;

/* Whether s may hold one more node (its quota: mapdb.h).  The one rule
   for every way a node comes to a space: a new mapping or a grant. */
static int has_room(const struct space *s)
{
    return s->mapnodes < MAPDB_PER_SPACE + s->mapnodes_extra;
}

struct mapnode *mapdb_alloc(struct space *s, uint32_t va)
{
    if (!has_room(s))
        return NULL;
    if (!free_nodes) {
        struct mapnode *n = vm_alloc_kpage();
        if (!n)
            return NULL;
        for (unsigned i = 0; i < MAPNODES_PER_FRAME; i++) {
            n[i].sibling = free_nodes;
            free_nodes = &n[i];
        }
    }
    struct mapnode *n = free_nodes;
    free_nodes = n->sibling;
    *n = (struct mapnode){.space = s, .va = va};
    s->mapnodes++;
    return n;
}

void mapdb_free(struct mapnode *n)
{
    n->space->mapnodes--;
    n->space = NULL;
    n->sibling = free_nodes;
    free_nodes = n;
}

struct mapnode *mapdb_lookup(struct space *s, uint32_t va)
{
    struct mapnode **slot = vm_node_slot(s, va, 0);
    return slot ? *slot : NULL;
}

int mapdb_add_root(struct space *s, uint32_t va)
{
    struct mapnode **slot = vm_node_slot(s, va, 1);
    struct mapnode *n = slot ? mapdb_alloc(s, va) : NULL;
    if (!n)
        return -L4_ENOMEM;
    *slot = n;
    return 0;
}

int mapdb_in_subtree(const struct mapnode *n, const struct mapnode *top)
{
    for (; n; n = n->parent)
        if (n == top)
            return 1;
    return 0;
}

struct mapnode *mapdb_next(struct mapnode *n, const struct mapnode *top)
{
    if (n->child)
        return n->child;
    for (; n != top; n = n->parent)
        if (n->sibling)
            return n->sibling;
    return NULL;
}

/* Unlinks n from its parent's list of children. */
static void unlink_child(struct mapnode *n)
{
    if (!n->parent)
        return;
    struct mapnode **pp = &n->parent->child;
    while (*pp != n)
        pp = &(*pp)->sibling;
    *pp = n->sibling;
    n->sibling = NULL;
    n->parent = NULL;
}

/* The end of one mapping (mapdb.h); mapdb_revoke, the hole, uses it too. */
void drop_mapping(struct mapnode *n)
{
    pte_t *pte = vm_pte(n->space, n->va);
    paddr_t pa = pte ? PTE_ADDR(*pte) : 0;
    assert(!n->child);
    *vm_node_slot(n->space, n->va, 0) = NULL;
    vm_clear_page(n->space, n->va);
    if (!n->parent && pa)
        frame_free(pa);
    unlink_child(n);
    mapdb_free(n);
}

void mapdb_remove(struct mapnode *n)
{
    if (n->child)
        mapdb_revoke(n, L4_FPAGE_RWX);
    drop_mapping(n);
}

int mapdb_move(struct mapnode *n, struct space *s, uint32_t va)
{
    if (s != n->space && !has_room(s))
        return -L4_ENOMEM;              /* nothing has changed */
    struct mapnode **to = vm_node_slot(s, va, 1);
    if (!to)
        return -L4_ENOMEM;
    *vm_node_slot(n->space, n->va, 0) = NULL;
    vm_clear_page(n->space, n->va);
    n->space->mapnodes--;
    n->space = s;
    n->va = va;
    s->mapnodes++;
    *to = n;
    return 0;
}
