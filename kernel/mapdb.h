/*
 * The mapping database: for every page frame that user space can reach,
 * the tree of who mapped it to whom (Lab 2).
 *
 * Each mapping of a page (a space and a page address in it) has a node.
 * The root of a tree is the space that owns the frame: the kernel gave it
 * the page (program image, stack, UTCB).  A node's children are the
 * mappings made from it by map IPC.  Unmapping a page revokes the rights
 * of all its descendants, recursively; removing a root frees the frame.
 *
 *        A: 0x03000000 (root, owns the frame)
 *         |-- B: 0x40000000          (A mapped it to B)
 *         |    `-- C: 0x50000000     (B mapped it on to C)
 *         `-- D: 0x60000000          (A mapped it to D too)
 *
 * Trees can be deep (a chain of maps through many spaces), so nothing here
 * may recurse: the kernel stack is less than 4 KiB.
 */
#ifndef MAPDB_H
#define MAPDB_H

#include <stdint.h>

struct space;

struct mapnode {
    struct space *space;        /* where this mapping is ... */
    uint32_t va;                /* ... and at which page address */
    struct mapnode *parent;     /* whom it was mapped from; NULL: the owner */
    struct mapnode *child;      /* the first mapping made from this one */
    struct mapnode *sibling;    /* the next child of the same parent */
};

/* Every space may hold at most this many mappings (plus its
   mapnodes_extra: sigma0 has one more per frame it owns), so that no task
   can take all of the kernel's memory: beyond it, mapping fails with
   -L4_ENOMEM. */
#define MAPDB_PER_SPACE 8192

/* --- given (kernel/mapnode.c) --- */

/* A fresh, unlinked node for page va of s (counted against s's quota);
   NULL when the quota or the kernel's memory is exhausted. */
struct mapnode *mapdb_alloc(struct space *s, uint32_t va);
void mapdb_free(struct mapnode *n);

/* The node of s's mapping at page va, or NULL if none. */
struct mapnode *mapdb_lookup(struct space *s, uint32_t va);

/* Makes n the root of a new tree: s owns the frame at va. */
int mapdb_add_root(struct space *s, uint32_t va);

/* Whether n lies in the subtree below (or at) top. */
int mapdb_in_subtree(const struct mapnode *n, const struct mapnode *top);

/* The end of one mapping: its page-table entry and slot go, the frame
   too if n owned it, and n is freed.  n must have no children left. */
void drop_mapping(struct mapnode *n);

/* Takes n's mapping away completely: revokes everything derived from it,
   clears its page-table entry, frees the frame if n owned it, and frees n. */
void mapdb_remove(struct mapnode *n);

/* Moves mapping n to page va of space s (a grant): the tree stays as it
   was, only the node's place changes.  Clears n's old page-table entry.
   -L4_ENOMEM (and nothing changes) if s has no room for it. */
int mapdb_move(struct mapnode *n, struct space *s, uint32_t va);

/* The next node after n in a pre-order walk of the subtree below top
   (n == top starts the walk), or NULL at the end.  No recursion. */
struct mapnode *mapdb_next(struct mapnode *n, const struct mapnode *top);

/* --- Lab 2 (kernel/mapdb.c) --- */

/* Records that page va of space s was mapped from parent: a new node, the
   first child of parent.  NULL if no memory (mapdb_alloc failed). */
struct mapnode *mapdb_insert(struct mapnode *parent, struct space *s, uint32_t va);

/* Revokes `rights` (L4_FPAGE_R/W bits) from every mapping below n, not
   from n itself: with L4_FPAGE_R the descendants are removed, with only
   L4_FPAGE_W they become read-only. */
void mapdb_revoke(struct mapnode *n, uint32_t rights);

#endif
