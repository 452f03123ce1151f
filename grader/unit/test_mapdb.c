/*
 * Host unit tests for the mapping database, kernel/mapdb.c (Lab 2), run on
 * the reference solution in the fake kernel environment of mapdb_fakes.c
 * (mapdb_fakes.h says how it works); grader/unit/Makefrag leaves them out
 * where solutions/lab2/kernel/mapdb.c is missing.  The random trees
 * against a model are in test_mapdb_model.c.
 */
#include <pthread.h>
#include <string.h>

#include "mapdb_fakes.h"

/* The tree of mapdb.h: A owns the frame and maps it to B, then to D; B
   maps it on to C.  Newest first, A's children are D, then B. */
struct tree {
    struct mapnode *a, *b, *c, *d;
};

#define VA_A 0x03000000u
#define VA_B 0x40000000u
#define VA_C 0x50000000u
#define VA_D 0x60000000u

static struct tree build_tree(void)
{
    struct tree t;
    t.a = own(A, VA_A, FRAME(1));
    t.b = map(t.a, B, VA_B);
    t.c = map(t.b, C, VA_C);
    t.d = map(t.a, D, VA_D);
    return t;
}

/* The links of build_tree() are all still there. */
static void assert_tree_links(const struct tree *t)
{
    ck_assert_ptr_null(t->a->parent);
    ck_assert_ptr_eq(t->a->child, t->d);
    ck_assert_ptr_eq(t->d->sibling, t->b);
    ck_assert_ptr_null(t->b->sibling);
    ck_assert_ptr_eq(t->b->parent, t->a);
    ck_assert_ptr_eq(t->d->parent, t->a);
    ck_assert_ptr_eq(t->b->child, t->c);
    ck_assert_ptr_eq(t->c->parent, t->b);
    ck_assert_ptr_null(t->c->child);
    ck_assert_ptr_null(t->c->sibling);
    ck_assert_ptr_null(t->d->child);
}

/*
 * Takes every node that mapdb.c has cut from its pages but not handed out,
 * so that the next mapdb_alloc needs a new page.  The nodes go to the spare
 * space E, whose count is reset whenever its quota would stop the drain;
 * they are never given back.
 */
static void drain_free_nodes(void)
{
    int fails = kpage_alloc_fails;
    kpage_alloc_fails = 1;
    for (;;) {
        if (E->mapnodes == MAPDB_PER_SPACE)
            E->mapnodes = 0;
        if (!mapdb_alloc(E, 0))
            break;
    }
    kpage_alloc_fails = fails;
}

/* --- Nodes, links and lookups ------------------------------------------ */

START_TEST(test_add_root_and_lookup)
{
    /* A root is found at its own page and nowhere else; it has no links
       and counts against its space. */
    struct mapnode *n = own(A, VA_A, FRAME(1));
    ck_assert_ptr_eq(mapdb_lookup(A, VA_A), n);
    ck_assert_uint_eq(A->mapnodes, 1);
    ck_assert_ptr_null(mapdb_lookup(A, VA_A + PAGE_SIZE));     /* the same table */
    ck_assert_ptr_null(mapdb_lookup(A, VA_A - PAGE_SIZE));
    ck_assert_ptr_null(mapdb_lookup(A, 0x70000000));           /* a table never made */
    ck_assert_ptr_null(mapdb_lookup(B, VA_A));                 /* the same page elsewhere */
    ck_assert_uint_eq(B->mapnodes, 0);
}
END_TEST

START_TEST(test_alloc_gives_clean_nodes)
{
    /* mapdb_alloc gives an unlinked node for the page, counted but in no
       slot; mapdb_free takes the count back.  Node memory is reused, so a
       node must be clean even when its memory held another node before. */
    for (int round = 0; round < 2; round++) {
        struct mapnode *n = mapdb_alloc(A, 0x1000);
        ck_assert_ptr_nonnull(n);
        ck_assert_ptr_eq(n->space, A);
        ck_assert_uint_eq(n->va, 0x1000);
        ck_assert_ptr_null(n->parent);
        ck_assert_ptr_null(n->child);
        ck_assert_ptr_null(n->sibling);
        ck_assert_uint_eq(A->mapnodes, 1);
        ck_assert_ptr_null(mapdb_lookup(A, 0x1000));
        n->parent = n->child = n->sibling = n;      /* dirty it for the next round */
        mapdb_free(n);
        ck_assert_uint_eq(A->mapnodes, 0);
    }
}
END_TEST

START_TEST(test_nodes_come_from_kpages)
{
    /* Node memory comes from vm_alloc_kpage, a page at a time, each page
       cut into as many nodes as fit. */
    drain_free_nodes();
    unsigned before = kpages_allocated, per_page = PAGE_SIZE / sizeof(struct mapnode);
    for (unsigned i = 0; i < per_page; i++)
        require(mapdb_alloc(B, i * PAGE_SIZE), "mapdb_alloc failed");
    ck_assert_uint_eq(kpages_allocated, before + 1);
    ck_assert_ptr_nonnull(mapdb_alloc(B, per_page * PAGE_SIZE));
    ck_assert_uint_eq(kpages_allocated, before + 2);
}
END_TEST

START_TEST(test_insert_links_newest_first)
{
    /* mapdb_insert makes the new node the first child of its parent, ahead
       of the older ones, fills its slot, and counts it against its own
       space, not the parent's. */
    struct tree t = build_tree();
    assert_tree_links(&t);
    ck_assert_ptr_eq(mapdb_lookup(B, VA_B), t.b);
    ck_assert_ptr_eq(mapdb_lookup(C, VA_C), t.c);
    ck_assert_ptr_eq(mapdb_lookup(D, VA_D), t.d);
    ck_assert_ptr_eq(t.c->space, C);
    ck_assert_uint_eq(t.c->va, VA_C);
    ck_assert_uint_eq(A->mapnodes, 1);
    ck_assert_uint_eq(B->mapnodes, 1);
    ck_assert_uint_eq(C->mapnodes, 1);
    ck_assert_uint_eq(D->mapnodes, 1);

    /* A space may map a page to itself, at another address. */
    struct mapnode *self = map(t.a, A, VA_A + PAGE_SIZE);
    ck_assert_ptr_eq(t.a->child, self);
    ck_assert_ptr_eq(self->sibling, t.d);
    ck_assert_ptr_eq(mapdb_lookup(A, VA_A), t.a);
    ck_assert_ptr_eq(mapdb_lookup(A, VA_A + PAGE_SIZE), self);
    ck_assert_uint_eq(A->mapnodes, 2);
}
END_TEST

START_TEST(test_in_subtree)
{
    /* A node is in its own subtree and in those of its ancestors, in no
       other, and never in another tree. */
    struct tree t = build_tree();
    struct mapnode *other = own(A, VA_A + PAGE_SIZE, FRAME(2));
    ck_assert(mapdb_in_subtree(t.a, t.a));
    ck_assert(mapdb_in_subtree(t.c, t.c));
    ck_assert(mapdb_in_subtree(t.c, t.b));
    ck_assert(mapdb_in_subtree(t.c, t.a));
    ck_assert(mapdb_in_subtree(t.b, t.a));
    ck_assert(mapdb_in_subtree(t.d, t.a));
    ck_assert(!mapdb_in_subtree(t.a, t.b));
    ck_assert(!mapdb_in_subtree(t.b, t.c));
    ck_assert(!mapdb_in_subtree(t.d, t.b));
    ck_assert(!mapdb_in_subtree(t.c, t.d));
    ck_assert(!mapdb_in_subtree(other, t.a));
    ck_assert(!mapdb_in_subtree(t.c, other));
}
END_TEST

/* mapdb_next, starting at top, visits exactly want[0..n) in that order. */
static void assert_walk(const struct mapnode *top, struct mapnode *const *want, int n)
{
    struct mapnode *c = (struct mapnode *)top;
    for (int i = 0; i < n; i++) {
        c = mapdb_next(c, top);
        require(c, "the walk from %c:%#x ended before %c:%#x", space_name(top->space),
                top->va, space_name(want[i]->space), want[i]->va);
        require(c == want[i], "step %d of the walk from %c:%#x went to %c:%#x, not %c:%#x", i,
                space_name(top->space), top->va, space_name(c->space), c->va,
                space_name(want[i]->space), want[i]->va);
    }
    c = mapdb_next(c, top);
    require(c == NULL, "the walk from %c:%#x went on to %c:%#x", space_name(top->space),
            top->va, space_name(c->space), c->va);
}

START_TEST(test_next_walks_subtree_in_preorder)
{
    /* mapdb_next visits every node below top once, parents before their
       children, children in list order, and ends with NULL instead of
       going on to top's siblings or above. */
    struct tree t = build_tree();
    struct mapnode *e = map(t.d, C, VA_C + PAGE_SIZE);
    struct mapnode *f = map(t.b, D, VA_D + PAGE_SIZE);
    /* A: [D: [E], B: [F, C]] */
    assert_walk(t.a, (struct mapnode *[]){t.d, e, t.b, f, t.c}, 5);
    assert_walk(t.b, (struct mapnode *[]){f, t.c}, 2);
    assert_walk(t.d, (struct mapnode *[]){e}, 1);       /* not on to its sibling B */
    assert_walk(f, NULL, 0);                            /* a leaf with a sibling */
    assert_walk(t.c, NULL, 0);
}
END_TEST

/* --- Revoking and removing ---------------------------------------------- */

START_TEST(test_revoke_read_below_child)
{
    /* Revoking read access at B takes its only descendant, C: node, slot
       and page-table entry.  B and the rest stay as they were, and no
       frame is given back, since C did not own it. */
    struct tree t = build_tree();
    mapdb_revoke(t.b, L4_FPAGE_R);
    assert_unmapped(C, VA_C);
    ck_assert_ptr_null(t.b->child);
    ck_assert_ptr_eq(t.a->child, t.d);
    ck_assert_ptr_eq(t.d->sibling, t.b);
    assert_mapped(t.a, FRAME(1), 1);
    assert_mapped(t.b, FRAME(1), 1);
    assert_mapped(t.d, FRAME(1), 1);
    ck_assert_uint_eq(C->mapnodes, 0);
    ck_assert_uint_eq(B->mapnodes, 1);
    ck_assert_uint_eq(frames_freed, 0);
}
END_TEST

START_TEST(test_revoke_read_below_root)
{
    /* Revoking read access at A takes B, C and D, but never A itself,
       whose page stays mapped and writable, with its frame. */
    struct tree t = build_tree();
    mapdb_revoke(t.a, L4_FPAGE_R);
    assert_unmapped(B, VA_B);
    assert_unmapped(C, VA_C);
    assert_unmapped(D, VA_D);
    assert_mapped(t.a, FRAME(1), 1);
    ck_assert_ptr_null(t.a->child);
    ck_assert_uint_eq(A->mapnodes, 1);
    ck_assert_uint_eq(B->mapnodes + C->mapnodes + D->mapnodes, 0);
    ck_assert_uint_eq(frames_freed, 0);
}
END_TEST

START_TEST(test_revoke_read_wins_over_write)
{
    /* Whenever read access goes, the mappings go, whatever else is in
       rights. */
    const uint32_t rights[] = {L4_FPAGE_R | L4_FPAGE_W, L4_FPAGE_R | L4_FPAGE_X, L4_FPAGE_RWX};
    for (size_t i = 0; i < sizeof rights / sizeof rights[0]; i++) {
        fresh_spaces();
        struct tree t = build_tree();
        mapdb_revoke(t.a, rights[i]);
        assert_unmapped(B, VA_B);
        assert_unmapped(C, VA_C);
        assert_unmapped(D, VA_D);
        assert_mapped(t.a, FRAME(1), 1);
        ck_assert_uint_eq(frames_freed, 0);
    }
}
END_TEST

START_TEST(test_revoke_write_protects_descendants)
{
    /* Revoking only write access leaves every descendant mapped, in its
       place in the tree, but read-only.  The node itself stays writable,
       and so does everything outside its subtree. */
    struct tree t = build_tree();
    mapdb_revoke(t.b, L4_FPAGE_W);
    assert_mapped(t.c, FRAME(1), 0);
    assert_mapped(t.b, FRAME(1), 1);
    assert_mapped(t.a, FRAME(1), 1);
    assert_mapped(t.d, FRAME(1), 1);

    mapdb_revoke(t.a, L4_FPAGE_W | L4_FPAGE_X);
    assert_mapped(t.a, FRAME(1), 1);
    assert_mapped(t.b, FRAME(1), 0);
    assert_mapped(t.c, FRAME(1), 0);
    assert_mapped(t.d, FRAME(1), 0);
    assert_tree_links(&t);
    ck_assert_uint_eq(B->mapnodes + C->mapnodes + D->mapnodes, 3);
    ck_assert_uint_eq(frames_freed, 0);
}
END_TEST

START_TEST(test_revoke_nothing_changes_nothing)
{
    /* Without R or W nothing is revoked (i386 cannot take X away), and
       revoking below a leaf has nothing to do. */
    struct tree t = build_tree();
    mapdb_revoke(t.a, 0);
    mapdb_revoke(t.a, L4_FPAGE_X);
    mapdb_revoke(t.c, L4_FPAGE_RWX);
    mapdb_revoke(t.d, L4_FPAGE_W);
    assert_tree_links(&t);
    assert_mapped(t.a, FRAME(1), 1);
    assert_mapped(t.b, FRAME(1), 1);
    assert_mapped(t.c, FRAME(1), 1);
    assert_mapped(t.d, FRAME(1), 1);
    ck_assert_uint_eq(frames_freed, 0);
}
END_TEST

START_TEST(test_remove_root_frees_frame_once)
{
    /* Removing the owner's mapping takes the whole tree and gives its
       frame back exactly once.  Another tree, even one in the same spaces,
       is not touched. */
    struct tree t = build_tree();
    struct mapnode *other = own(B, VA_B + PAGE_SIZE, FRAME(2));
    struct mapnode *copy = map(other, A, VA_A + PAGE_SIZE);
    mapdb_remove(t.a);
    assert_unmapped(A, VA_A);
    assert_unmapped(B, VA_B);
    assert_unmapped(C, VA_C);
    assert_unmapped(D, VA_D);
    ck_assert_uint_eq(freed(FRAME(1)), 1);
    ck_assert_uint_eq(frames_freed, 1);
    assert_mapped(other, FRAME(2), 1);
    assert_mapped(copy, FRAME(2), 1);
    ck_assert_ptr_eq(other->child, copy);
    ck_assert_uint_eq(A->mapnodes, 1);
    ck_assert_uint_eq(B->mapnodes, 1);
    ck_assert_uint_eq(C->mapnodes + D->mapnodes, 0);
}
END_TEST

START_TEST(test_remove_lone_root)
{
    /* A root without children is removed with its frame. */
    own(A, VA_A, FRAME(3));
    mapdb_remove(mapdb_lookup(A, VA_A));
    assert_unmapped(A, VA_A);
    ck_assert_uint_eq(freed(FRAME(3)), 1);
    ck_assert_uint_eq(frames_freed, 1);
    ck_assert_uint_eq(A->mapnodes, 0);
}
END_TEST

START_TEST(test_remove_child_keeps_frame)
{
    /* Removing B takes B and C; A and D keep their mappings, and the
       frame, still in use, is not given back. */
    struct tree t = build_tree();
    mapdb_remove(t.b);
    assert_unmapped(B, VA_B);
    assert_unmapped(C, VA_C);
    assert_mapped(t.a, FRAME(1), 1);
    assert_mapped(t.d, FRAME(1), 1);
    ck_assert_ptr_eq(t.a->child, t.d);
    ck_assert_ptr_null(t.d->sibling);
    ck_assert_uint_eq(frames_freed, 0);
}
END_TEST

START_TEST(test_remove_any_sibling)
{
    /* Removing a child from the middle, the end or the front of its
       parent's list keeps the others in order. */
    struct mapnode *a = own(A, VA_A, FRAME(1));
    struct mapnode *x = map(a, B, VA_B);
    struct mapnode *y = map(a, C, VA_C);
    struct mapnode *z = map(a, D, VA_D);       /* a's children: z, y, x */
    mapdb_remove(y);
    ck_assert_ptr_eq(a->child, z);
    ck_assert_ptr_eq(z->sibling, x);
    ck_assert_ptr_null(x->sibling);
    mapdb_remove(x);
    ck_assert_ptr_eq(a->child, z);
    ck_assert_ptr_null(z->sibling);
    mapdb_remove(z);
    ck_assert_ptr_null(a->child);
    assert_unmapped(B, VA_B);
    assert_unmapped(C, VA_C);
    assert_unmapped(D, VA_D);
    assert_mapped(a, FRAME(1), 1);
    ck_assert_uint_eq(frames_freed, 0);
}
END_TEST

/* --- Grant: mapdb_move --------------------------------------------------- */

START_TEST(test_move_keeps_links)
{
    /* A grant moves B's node to D, at a page of a table D has not used
       yet: the old page loses its slot and its entry, the node keeps its
       parent and its children, and the count goes from B to D.  Revoking
       at A then finds it in its new place. */
    const uint32_t to = 0x61000000;
    struct tree t = build_tree();
    set_pte(D, to, pte_of(B, VA_B));           /* as map_fpage: the entry first */
    mapdb_move(t.b, D, to);
    assert_unmapped(B, VA_B);
    ck_assert_ptr_eq(mapdb_lookup(D, to), t.b);
    ck_assert_ptr_eq(t.b->space, D);
    ck_assert_uint_eq(t.b->va, to);
    assert_tree_links(&t);
    assert_mapped(t.b, FRAME(1), 1);
    ck_assert_uint_eq(B->mapnodes, 0);
    ck_assert_uint_eq(D->mapnodes, 2);

    mapdb_revoke(t.a, L4_FPAGE_R);
    assert_unmapped(D, to);
    assert_unmapped(C, VA_C);
    assert_unmapped(D, VA_D);
    ck_assert_uint_eq(D->mapnodes, 0);
    ck_assert_uint_eq(frames_freed, 0);
}
END_TEST

START_TEST(test_move_root_then_remove)
{
    /* A granted root still owns the frame: removing it in its new place
       gives the frame back once and takes its children. */
    struct mapnode *a = own(A, VA_A, FRAME(1));
    struct mapnode *b = map(a, B, VA_B);
    set_pte(C, VA_C, pte_of(A, VA_A));
    mapdb_move(a, C, VA_C);
    assert_unmapped(A, VA_A);
    ck_assert_ptr_eq(mapdb_lookup(C, VA_C), a);
    ck_assert_ptr_eq(a->child, b);
    ck_assert_ptr_null(a->parent);
    ck_assert_uint_eq(A->mapnodes, 0);
    ck_assert_uint_eq(C->mapnodes, 1);

    mapdb_remove(a);
    assert_unmapped(C, VA_C);
    assert_unmapped(B, VA_B);
    ck_assert_uint_eq(freed(FRAME(1)), 1);
    ck_assert_uint_eq(frames_freed, 1);
}
END_TEST

START_TEST(test_move_within_space)
{
    /* A grant to another page of the same space keeps the count. */
    struct tree t = build_tree();
    set_pte(B, VA_B + PAGE_SIZE, pte_of(B, VA_B));
    mapdb_move(t.b, B, VA_B + PAGE_SIZE);
    assert_unmapped(B, VA_B);
    ck_assert_ptr_eq(mapdb_lookup(B, VA_B + PAGE_SIZE), t.b);
    ck_assert_uint_eq(B->mapnodes, 1);
    assert_tree_links(&t);
}
END_TEST

/* --- Limits -------------------------------------------------------------- */

START_TEST(test_quota_per_space)
{
    /* A space holds at most MAPDB_PER_SPACE nodes.  Beyond, mapdb_alloc
       and mapdb_insert give NULL and mapdb_add_root -L4_ENOMEM, and
       nothing changes; other spaces can still map.  Giving one node back
       makes room for exactly one more. */
    const uint32_t base = 0x10000000, past = base + MAPDB_PER_SPACE * PAGE_SIZE;
    struct mapnode *root = own(B, VA_B, FRAME(1)), *last = NULL;
    for (unsigned i = 0; i < MAPDB_PER_SPACE; i++)
        last = map(root, A, base + i * PAGE_SIZE);
    ck_assert_uint_eq(A->mapnodes, MAPDB_PER_SPACE);

    ck_assert_ptr_null(mapdb_alloc(A, past));
    ck_assert_ptr_null(mapdb_insert(root, A, past));
    ck_assert_int_eq(mapdb_add_root(A, past), -L4_ENOMEM);
    ck_assert_ptr_null(mapdb_lookup(A, past));
    ck_assert_ptr_eq(root->child, last);
    ck_assert_uint_eq(A->mapnodes, MAPDB_PER_SPACE);
    map(root, C, VA_C);

    mapdb_remove(mapdb_lookup(A, base + 5 * PAGE_SIZE));
    ck_assert_uint_eq(A->mapnodes, MAPDB_PER_SPACE - 1);
    map(root, A, past);
    ck_assert_ptr_null(mapdb_insert(root, A, past + PAGE_SIZE));
    ck_assert_uint_eq(A->mapnodes, MAPDB_PER_SPACE);
    ck_assert_uint_eq(frames_freed, 0);
}
END_TEST

START_TEST(test_quota_extra_for_grant)
{
    /* A space with mapnodes_extra (sigma0: one per frame it owns) holds
       that many nodes more, whichever way they come: a grant into it past
       MAPDB_PER_SPACE works as a map does (issue 13: mapdb_move once
       checked the plain quota only).  Past the extra too, a grant is
       refused and the granted page stays where it was. */
    const uint32_t base = 0x10000000, to = base + MAPDB_PER_SPACE * PAGE_SIZE;
    struct mapnode *root = own(B, VA_B, FRAME(1));
    C->mapnodes_extra = 2;
    for (unsigned i = 0; i < MAPDB_PER_SPACE; i++)
        map(root, C, base + i * PAGE_SIZE);

    struct mapnode *a = own(A, VA_A, FRAME(2));
    set_pte(C, to, pte_of(A, VA_A));
    ck_assert_int_eq(mapdb_move(a, C, to), 0);
    ck_assert_ptr_eq(mapdb_lookup(C, to), a);
    assert_unmapped(A, VA_A);
    ck_assert_uint_eq(A->mapnodes, 0);
    ck_assert_uint_eq(C->mapnodes, MAPDB_PER_SPACE + 1);

    map(root, C, to + PAGE_SIZE);               /* the last node of the extra */
    struct mapnode *a2 = own(A, VA_A, FRAME(3));
    set_pte(C, to + 2 * PAGE_SIZE, pte_of(A, VA_A));
    ck_assert_int_eq(mapdb_move(a2, C, to + 2 * PAGE_SIZE), -L4_ENOMEM);
    ck_assert_ptr_eq(mapdb_lookup(A, VA_A), a2);
    assert_mapped(a2, FRAME(3), 1);
    ck_assert_ptr_null(mapdb_lookup(C, to + 2 * PAGE_SIZE));
    ck_assert_uint_eq(C->mapnodes, MAPDB_PER_SPACE + 2);
    ck_assert_uint_eq(A->mapnodes, 1);
}
END_TEST

START_TEST(test_out_of_node_memory)
{
    /* When no page for nodes can be had, mapdb_alloc, mapdb_insert and
       mapdb_add_root fail and leave the tree, the slots and the counts as
       they were; once memory is back, mapping works again. */
    struct mapnode *root = own(A, VA_A, FRAME(1));
    drain_free_nodes();
    kpage_alloc_fails = 1;
    ck_assert_ptr_null(mapdb_alloc(B, VA_B));
    ck_assert_ptr_null(mapdb_insert(root, B, VA_B));
    ck_assert_int_eq(mapdb_add_root(C, VA_C), -L4_ENOMEM);
    ck_assert_ptr_null(mapdb_lookup(B, VA_B));
    ck_assert_ptr_null(mapdb_lookup(C, VA_C));
    ck_assert_ptr_null(root->child);
    ck_assert_uint_eq(B->mapnodes + C->mapnodes, 0);

    kpage_alloc_fails = 0;
    struct mapnode *b = map(root, B, VA_B);
    ck_assert_ptr_eq(root->child, b);
}
END_TEST

START_TEST(test_out_of_slot_memory)
{
    /* When the table for a slot cannot be had, mapdb_insert gives its node
       back and returns NULL, and mapdb_add_root fails: counts, children
       and slots are as before.  Pages whose table exists still work. */
    struct mapnode *root = own(A, VA_A, FRAME(1));
    struct mapnode *b = map(root, B, VA_B);
    shadow_alloc_fails = 1;
    ck_assert_ptr_null(mapdb_insert(root, B, VA_B + 0x400000));      /* the next table */
    ck_assert_int_eq(mapdb_add_root(C, VA_C), -L4_ENOMEM);
    ck_assert_ptr_null(mapdb_lookup(B, VA_B + 0x400000));
    ck_assert_ptr_null(mapdb_lookup(C, VA_C));
    ck_assert_ptr_eq(root->child, b);
    ck_assert_ptr_null(b->sibling);
    ck_assert_uint_eq(B->mapnodes, 1);
    ck_assert_uint_eq(C->mapnodes, 0);

    struct mapnode *b2 = map(root, B, VA_B + PAGE_SIZE);
    ck_assert_ptr_eq(root->child, b2);
    ck_assert_uint_eq(B->mapnodes, 2);
}
END_TEST

/*
 * A chain of DEPTH mappings through A, B, C, D, A, ..., each made from the
 * one before, at the next page of its space.  Walking it recursively takes
 * at least 16 bytes of stack per level (a return address, aligned), more
 * than the SMALL_STACK the walks run on; the kernel's stack is smaller still.
 */
enum { DEPTH = 10000, SMALL_STACK = 64 * 1024 };
#define VA_CHAIN 0x20000000u

static struct mapnode *chain[DEPTH];

/* Where level i of the chain is. */
static struct space *chain_space(int i)
{
    return &spaces[i % 4].s;
}

static uint32_t chain_va(int i)
{
    return VA_CHAIN + (i / 4) * PAGE_SIZE;
}

static void build_chain(void)
{
    chain[0] = own(chain_space(0), chain_va(0), FRAME(1));
    for (int i = 1; i < DEPTH; i++)
        chain[i] = map(chain[i - 1], chain_space(i), chain_va(i));
}

/* Runs fn on a thread with a stack of SMALL_STACK bytes. */
static void on_small_stack(void *(*fn)(void *))
{
    pthread_attr_t attr;
    pthread_t thread;
    ck_assert_int_eq(pthread_attr_init(&attr), 0);
    ck_assert_int_eq(pthread_attr_setstacksize(&attr, SMALL_STACK), 0);
    ck_assert_int_eq(pthread_create(&thread, &attr, fn, NULL), 0);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    pthread_attr_destroy(&attr);
}

static void *revoke_write_at_top(void *unused)
{
    (void)unused;
    mapdb_revoke(chain[0], L4_FPAGE_W);
    return NULL;
}

static void *revoke_read_below_second(void *unused)
{
    (void)unused;
    mapdb_revoke(chain[1], L4_FPAGE_R);
    return NULL;
}

static void *remove_top(void *unused)
{
    (void)unused;
    mapdb_remove(chain[0]);
    return NULL;
}

START_TEST(test_deep_chain_write)
{
    /* Write revocation reaches the bottom of a deep chain without
       recursing, and mapdb_next walks it from top to bottom. */
    build_chain();
    on_small_stack(revoke_write_at_top);
    assert_mapped(chain[0], FRAME(1), 1);
    for (int i = 1; i < DEPTH; i++)
        assert_mapped(chain[i], FRAME(1), 0);
    struct mapnode *c = chain[0];
    for (int i = 1; i < DEPTH; i++) {
        c = mapdb_next(c, chain[0]);
        require(c == chain[i], "the walk left the chain at level %d", i);
    }
    ck_assert_ptr_null(mapdb_next(c, chain[0]));
    ck_assert(mapdb_in_subtree(chain[DEPTH - 1], chain[0]));
    ck_assert(!mapdb_in_subtree(chain[0], chain[DEPTH - 1]));
}
END_TEST

START_TEST(test_deep_chain_read)
{
    /* Read revocation and removal take a deep chain apart without
       recursing: below the second level first, then everything, with the
       frame given back once. */
    build_chain();
    on_small_stack(revoke_read_below_second);
    assert_mapped(chain[0], FRAME(1), 1);
    assert_mapped(chain[1], FRAME(1), 1);
    ck_assert_ptr_null(chain[1]->child);
    for (int i = 2; i < DEPTH; i++)
        assert_unmapped(chain_space(i), chain_va(i));
    ck_assert_uint_eq(A->mapnodes + B->mapnodes + C->mapnodes + D->mapnodes, 2);
    ck_assert_uint_eq(frames_freed, 0);

    on_small_stack(remove_top);
    assert_unmapped(chain_space(0), chain_va(0));
    assert_unmapped(chain_space(1), chain_va(1));
    ck_assert_uint_eq(A->mapnodes + B->mapnodes, 0);
    ck_assert_uint_eq(freed(FRAME(1)), 1);
    ck_assert_uint_eq(frames_freed, 1);
}
END_TEST

Suite *mapdb_suite(void)
{
    Suite *s = suite_create("mapdb");
    TCase *tc = tcase_create("tree");
    tcase_add_checked_fixture(tc, fresh_spaces, NULL);
    tcase_add_test(tc, test_add_root_and_lookup);
    tcase_add_test(tc, test_alloc_gives_clean_nodes);
    tcase_add_test(tc, test_nodes_come_from_kpages);
    tcase_add_test(tc, test_insert_links_newest_first);
    tcase_add_test(tc, test_in_subtree);
    tcase_add_test(tc, test_next_walks_subtree_in_preorder);
    suite_add_tcase(s, tc);

    tc = tcase_create("revoke");
    tcase_add_checked_fixture(tc, fresh_spaces, NULL);
    tcase_add_test(tc, test_revoke_read_below_child);
    tcase_add_test(tc, test_revoke_read_below_root);
    tcase_add_test(tc, test_revoke_read_wins_over_write);
    tcase_add_test(tc, test_revoke_write_protects_descendants);
    tcase_add_test(tc, test_revoke_nothing_changes_nothing);
    tcase_add_test(tc, test_remove_root_frees_frame_once);
    tcase_add_test(tc, test_remove_lone_root);
    tcase_add_test(tc, test_remove_child_keeps_frame);
    tcase_add_test(tc, test_remove_any_sibling);
    suite_add_tcase(s, tc);

    tc = tcase_create("grant");
    tcase_add_checked_fixture(tc, fresh_spaces, NULL);
    tcase_add_test(tc, test_move_keeps_links);
    tcase_add_test(tc, test_move_root_then_remove);
    tcase_add_test(tc, test_move_within_space);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, fresh_spaces, NULL);
    tcase_add_test(tc, test_quota_per_space);
    tcase_add_test(tc, test_quota_extra_for_grant);
    tcase_add_test(tc, test_out_of_node_memory);
    tcase_add_test(tc, test_out_of_slot_memory);
    suite_add_tcase(s, tc);

    tc = tcase_create("deep");
    tcase_add_checked_fixture(tc, fresh_spaces, NULL);
    tcase_add_test(tc, test_deep_chain_write);
    tcase_add_test(tc, test_deep_chain_read);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, mapdb_model_tcase());
    return s;
}
