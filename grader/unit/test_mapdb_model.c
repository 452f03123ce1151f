/*
 * The mapping database (kernel/mapdb.c, the Lab 2 reference) against a
 * model: random trees in four spaces of the fake kernel environment
 * (mapdb_fakes.c), grown and cut by every operation, checked after each
 * step against what the model says the database must hold.
 */
#include <stdlib.h>
#include <string.h>

#include "mapdb_fakes.h"

#include "rng.h"

enum { STEPS = 3000, MAX_MAPPINGS = 1500, MAX_PLACES = 2 * STEPS, MODEL_SPACES = 4 };

/* What the database must hold.  Every mapping made gets an entry in
   mappings[] that it keeps when it dies; every page used gets one in
   places[], and no page is used twice. */
static struct mapping {
    struct mapnode *node;   /* its node, while alive */
    int place;              /* where it is now */
    int parent;             /* the mapping it was made from; -1: a root */
    int alive, writable;
    unsigned frame;         /* FRAME(frame) is the tree's frame */
} mappings[MAX_MAPPINGS];
static struct place {
    struct space *space;
    uint32_t va;
    int owner;              /* the mapping there, or -1 */
} places[MAX_PLACES];
static int nmappings, nplaces;
static unsigned used_pages[MODEL_SPACES];

/* A page never used before in a random one of A..D.  Pages are spread
   over 8 tables of 4 MiB (37 is odd, so k * 37 % 8192 repeats no page). */
static int new_place(int owner)
{
    int s = rng() % MODEL_SPACES;
    require(nplaces < MAX_PLACES && used_pages[s] < 8192, "the model ran out of pages");
    places[nplaces] = (struct place){&spaces[s].s,
                                     0x08000000 + (used_pages[s]++ * 37 % 8192) * PAGE_SIZE, owner};
    return nplaces++;
}

/* Whether mapping x lies strictly below mapping top. */
static int model_below(int x, int top)
{
    for (x = mappings[x].parent; x >= 0; x = mappings[x].parent)
        if (x == top)
            return 1;
    return 0;
}

static int random_alive(void)
{
    int alive = 0;
    for (int i = 0; i < nmappings; i++)
        alive += mappings[i].alive;
    if (alive == 0)
        return -1;
    int k = rng() % alive;
    for (int i = 0; ; i++)
        if (mappings[i].alive && k-- == 0)
            return i;
}

static int newest_alive(void)
{
    int i = nmappings - 1;
    while (!mappings[i].alive)
        i--;
    return i;
}

static void model_kill(int x)
{
    mappings[x].alive = 0;
    places[mappings[x].place].owner = -1;
}

static void step_root(void)
{
    int m = nmappings++, p = new_place(m);
    mappings[m] = (struct mapping){.place = p, .parent = -1, .alive = 1, .writable = 1,
                                   .frame = 10 + m};
    mappings[m].node = own(places[p].space, places[p].va, FRAME(10 + m));
}

static void step_map(int from)
{
    int m = nmappings++, p = new_place(m);
    mappings[m] = (struct mapping){.place = p, .parent = from, .alive = 1,
                                   .writable = mappings[from].writable,
                                   .frame = mappings[from].frame};
    mappings[m].node = map(mappings[from].node, places[p].space, places[p].va);
}

static void step_revoke(int x, uint32_t rights)
{
    mapdb_revoke(mappings[x].node, rights);
    for (int i = 0; i < nmappings; i++)
        if (mappings[i].alive && model_below(i, x)) {
            if (rights & L4_FPAGE_R)
                model_kill(i);
            else
                mappings[i].writable = 0;
        }
}

static void step_remove(int x)
{
    mapdb_remove(mappings[x].node);
    for (int i = 0; i < nmappings; i++)
        if (mappings[i].alive && model_below(i, x))
            model_kill(i);
    model_kill(x);
}

static void step_move(int x)
{
    struct place *from = &places[mappings[x].place];
    int p = new_place(x);
    set_pte(places[p].space, places[p].va, pte_of(from->space, from->va));
    mapdb_move(mappings[x].node, places[p].space, places[p].va);
    from->owner = -1;
    mappings[x].place = p;
}

static int compare_pointers(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(struct mapnode *const *)a, y = (uintptr_t)*(struct mapnode *const *)b;
    return (x > y) - (x < y);
}

/* mapdb_in_subtree and mapdb_next agree with the model about x. */
static void step_query(int x, int y)
{
    static struct mapnode *seen[MAX_MAPPINGS];
    int n = 0, want = 0;
    require(mapdb_in_subtree(mappings[x].node, mappings[y].node) == (x == y || model_below(x, y)),
            "mapdb_in_subtree(mapping %d, mapping %d) is wrong", x, y);
    for (struct mapnode *c = mapdb_next(mappings[x].node, mappings[x].node); c;
         c = mapdb_next(c, mappings[x].node)) {
        require(n < MAX_MAPPINGS, "the walk below mapping %d does not end", x);
        seen[n++] = c;
    }
    qsort(seen, n, sizeof seen[0], compare_pointers);
    for (int i = 1; i < n; i++)
        require(seen[i] != seen[i - 1], "the walk below mapping %d visits a node twice", x);
    for (int i = 0; i < nmappings; i++)
        if (mappings[i].alive && model_below(i, x)) {
            want++;
            require(bsearch(&mappings[i].node, seen, n, sizeof seen[0], compare_pointers),
                    "the walk below mapping %d misses mapping %d", x, i);
        }
    require(n == want, "the walk below mapping %d visits %d nodes, not %d", x, n, want);
}

/* The database, the page tables and the frames given back are exactly
   what the model says. */
static void check_model(int step)
{
    static unsigned children[MAX_MAPPINGS];
    unsigned count[MODEL_SPACES] = {0};
    memset(children, 0, sizeof children);
    for (int i = 0; i < nmappings; i++) {
        const struct mapping *m = &mappings[i];
        if (m->parent < 0)
            require(freed(FRAME(m->frame)) == !m->alive, "step %d: the frame of root %d was "
                    "given back %u times", step, i, freed(FRAME(m->frame)));
        if (!m->alive)
            continue;
        require(m->node->parent == (m->parent < 0 ? NULL : mappings[m->parent].node),
                "step %d: mapping %d has the wrong parent", step, i);
        assert_mapped(m->node, FRAME(m->frame), m->writable);
        count[fake(places[m->place].space) - spaces]++;
        if (m->parent >= 0)
            children[m->parent]++;
    }
    for (int i = 0; i < nmappings; i++) {
        unsigned n = 0;
        if (!mappings[i].alive)
            continue;
        for (struct mapnode *c = mappings[i].node->child; c && n <= children[i]; c = c->sibling) {
            require(c->parent == mappings[i].node, "step %d: a child of mapping %d has "
                    "another parent", step, i);
            n++;
        }
        require(n == children[i], "step %d: mapping %d has %u children, not %u",
                step, i, n, children[i]);
    }
    for (int p = 0; p < nplaces; p++)
        if (places[p].owner < 0)
            assert_unmapped(places[p].space, places[p].va);
    for (int s = 0; s < MODEL_SPACES; s++)
        require(spaces[s].s.mapnodes == count[s], "step %d: space %c counts %u nodes, not %u",
                step, "ABCD"[s], spaces[s].s.mapnodes, count[s]);
}

START_TEST(test_random_trees)
{
    /* Random trees in four spaces, grown by maps and new roots and cut by
       revocations, removals and grants.  After every step the database
       must hold exactly the mappings of the model, each with its parent,
       its children, its frame and its access; every page the model says
       is gone must be gone; and each root's frame must have been given back
       once if the root was removed, never otherwise. */
    rng_state = 2463534242u;
    nmappings = nplaces = 0;
    memset(used_pages, 0, sizeof used_pages);
    for (int step = 0; step < STEPS; step++) {
        int x = random_alive(), r = rng() % 100;
        int grow = nmappings < MAX_MAPPINGS;
        if (x < 0 || (grow && r < 8))
            step_root();
        else if (grow && r < 50)
            step_map(r % 2 ? x : newest_alive());   /* the newest, for deep trees */
        else if (r < 60)
            step_revoke(x, rng() % 2 ? L4_FPAGE_R : L4_FPAGE_RWX);
        else if (r < 70)
            step_revoke(x, L4_FPAGE_W);
        else if (r < 78)
            step_remove(x);
        else if (r < 90)
            step_move(x);
        else
            step_query(x, random_alive());
        check_model(step);
    }
    /* The run must really have built trees deeper than a few levels. */
    int depth = 0;
    for (int i = 0; i < nmappings; i++) {
        int d = 0;
        for (int x = i; mappings[x].parent >= 0; x = mappings[x].parent)
            d++;
        depth = d > depth ? d : depth;
    }
    ck_assert_int_ge(depth, 8);
}
END_TEST

TCase *mapdb_model_tcase(void)
{
    TCase *tc = tcase_create("random");
    tcase_add_checked_fixture(tc, fresh_spaces, NULL);
    tcase_add_test(tc, test_random_trees);
    return tc;
}
