/*
 * The fuzzer's random numbers, its counted system calls, and its choice of
 * arguments: well-formed most of the time (IDs of our own live threads,
 * flexpages of our own memory, windows inside WIN, short timeouts), with
 * one of them mutated now and then.  A mutated argument is always one the
 * kernel must refuse or one that cannot hurt the fuzzer itself (fuzz.h
 * says which memory may receive what): the point is to find the kernel's
 * bugs, not our own.
 */
#include "fuzz.h"

/* A bijection of 32-bit words that spreads every input bit over the
   output (MurmurHash3's finaliser): distinct seeds give distinct,
   unrelated streams. */
uint32_t fz_mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    x *= 0xC2B2AE35u;
    x ^= x >> 16;
    return x;
}

/* Each thread's stream depends on the seed and on what the thread is
   (salt); xorshift32 must never start from 0. */
void fz_seed(struct fz *f, uint32_t salt)
{
    f->rng = fz_mix(SH->seed ^ fz_mix(salt + 0x9E3779B9u));
    if (!f->rng)
        f->rng = 0x6A09E667u;
}

void fz_event(enum event e)
{
    __atomic_fetch_add(&SH->events[e], 1, __ATOMIC_RELAXED);
}

int32_t fz_count(unsigned kind, int32_t ret)
{
    __atomic_fetch_add(&SH->calls, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&SH->count[kind], 1, __ATOMIC_RELAXED);
    if (ret < 0) {
        uint32_t code = (uint32_t)-ret & ~L4_ERECV;
        __atomic_fetch_add(&SH->errors[kind], 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&SH->codes[code <= L4_EBUSY ? code : L4_EBUSY + 1], 1,
                           __ATOMIC_RELAXED);
    }
    return ret;
}

/* With SH->df, one call in 8 enters the kernel with the direction flag
   set, as a hostile program may (the kernel must clear it on entry). */
int32_t fz_sys(struct fz *f, uint32_t nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    int32_t ret;
    /* Thread creation more often: the kernel's struct copies run backwards
       there, and raw_check can tell. */
    if (SH->df && chance(f, nr == SYS_THREAD_CREATE ? 2 : 8))
        __asm__ volatile("std\n\tint $" L4_XSTR(L4_SYSCALL_VECTOR) "\n\tcld"
                         : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory", "cc");
    else
        ret = l4_syscall4(nr, a, b, c, d);
    return fz_count(nr < SYS_COUNT ? nr : K_BADNR, ret);
}

/* Counts the items of a message just received whose pages landed, and
   remembers where: a page to give on later. */
static void count_landed(struct fz *f, l4_tag_t tag)
{
    unsigned first = 1 + l4_tag_untyped(tag), end = first + l4_tag_typed(tag);
    for (unsigned i = first + 1; i < end && i < L4_MAX_MRS; i += 2) {
        if (l4_mr(i) != L4_NILPAGE) {
            fz_event(EV_LANDED);
            f->hot = l4_fpage_base(l4_mr(i));
        }
    }
}

/* l4_ipc, counted, with the same DF option; through int $0x30 or, half the
   time, sysenter with odd flags and segment registers now and then. */
int32_t fz_ipc(struct fz *f, l4_tid_t to, l4_tid_t from, uint32_t timeouts, l4_tid_t *sender)
{
    struct l4_utcb *u = l4_utcb();
    int32_t ret;
    uint32_t mr0 = u->mr[0], mr1 = u->mr[1], src = from;
    if (rnd(f, 2))                      /* the other entry (sysenter.c) */
        ret = fz_se_ipc(f, to, &src, timeouts, &mr0, &mr1);
    else if (SH->df && chance(f, 8))
        __asm__ volatile("std\n\tint $" L4_XSTR(L4_SYSCALL_VECTOR) "\n\tcld"
                         : "=a"(ret), "+c"(src), "+S"(mr0), "+D"(mr1)
                         : "a"(SYS_IPC), "b"(to), "d"(timeouts) : "memory", "cc");
    else
        __asm__ volatile("int $" L4_XSTR(L4_SYSCALL_VECTOR)
                         : "=a"(ret), "+c"(src), "+S"(mr0), "+D"(mr1)
                         : "a"(SYS_IPC), "b"(to), "d"(timeouts) : "memory");
    l4_tag_t sent = u->mr[0];
    u->mr[0] = mr0;
    u->mr[1] = mr1;
    if (sender)
        *sender = src;
    if (to != L4_NILTHREAD && (ret == 0 || -ret & L4_ERECV))
        __atomic_fetch_add(&SH->events[EV_ITEMS], l4_tag_typed(sent) / 2, __ATOMIC_RELAXED);
    if (ret == 0 && from != L4_NILTHREAD) {
        fz_event(EV_RENDEZVOUS);
        count_landed(f, mr0);
    }
    if ((-ret & ~L4_ERECV) == L4_ETIMEOUT)
        fz_event(EV_TIMEOUT);
    return fz_count(SYS_IPC, ret);
}

/* Remembers the ID of a thread that has ended: a stale ID to try. */
void note_stale(l4_tid_t tid)
{
    unsigned i = __atomic_fetch_add(&SH->nstale, 1, __ATOMIC_RELAXED);
    SH->stale[i % NSTALE] = tid;
}

/* One of our threads (its slot may be empty: then nil, or the ID of one
   that has just ended). */
l4_tid_t pick_peer(struct fz *f)
{
    switch (rnd(f, 5)) {
    case 0: return SH->servers[rnd(f, NSERVERS)];
    case 1: return SH->children[rnd(f, NCHILDREN)];
    case 2: return rnd(f, 2) ? SH->driver : SH->irq;
    default: return SH->workers[rnd(f, NWORKERS)];
    }
}

l4_tid_t pick_server(struct fz *f)
{
    return SH->servers[rnd(f, NSERVERS)];
}

/* An ID that names no live thread: nil, any, stale, version 0, a number
   beyond the thread table, an interrupt line's.  (Never a random word:
   it might name a live thread of ours by chance.) */
l4_tid_t pick_bad_tid(struct fz *f)
{
    switch (rnd(f, 7)) {
    case 0: return L4_NILTHREAD;
    case 1: return L4_ANYTHREAD;
    case 2: return SH->stale[rnd(f, NSTALE)];
    case 3: return l4_tid_make(rnd(f, 1024), 0);
    case 4: return l4_tid_make(1024 + rnd(f, 0x3F000), 1 + rnd(f, 0x3FFF));
    case 5: return l4_irq_tid(rnd(f, L4_IRQ_LINES + 2));
    default: return l4_tid_make(1 + rnd(f, 1023), 1 + rnd(f, 0x3FFF)) | 0x40000000u;
    }
}

/* A pager or exception handler: one of the servers, or now and then none,
   the thread itself or an ID that names nobody.  Never another worker or
   the driver: a thread that waits for a pager that is waiting for it
   would be lost for good (the kernel never times a fault out). */
l4_tid_t pick_pager(struct fz *f, l4_tid_t self)
{
    if (!chance(f, 8))
        return pick_server(f);
    switch (rnd(f, 3)) {
    case 0: return L4_NILTHREAD;
    case 1: return self;
    default: return pick_bad_tid(f);
    }
}

/* Mostly 0 (do not wait), now and then a tick or a few: a wait that ends
   by its timeout costs a whole tick, and when every thread waits so, the
   machine idles. */
uint32_t pick_timeout(struct fz *f)
{
    uint32_t r = rnd(f, 32);
    return r < 27 ? 0 : r < 31 ? 1 : 2 + rnd(f, 3);
}

uint32_t win_addr(struct fz *f)
{
    return WIN_BASE + (rnd32(f) & (WIN_SIZE - 1) & ~3u);
}

/* A flexpage inside [base, base + 2^region), with a random size up to
   2^maxlog, aligned. */
static l4_fpage_t fpage_in(struct fz *f, uint32_t base, unsigned region, unsigned maxlog,
                           uint32_t rights)
{
    unsigned s = 12 + rnd(f, maxlog - 11);
    uint32_t off = rnd32(f) & ((1u << region) - 1) & ~((1u << s) - 1);
    return l4_fpage(base + off, s, rights);
}

/* Flexpages the kernel must refuse (l4_fpage_valid fails for each). */
static l4_fpage_t bad_fpage(struct fz *f)
{
    switch (rnd(f, 5)) {
    case 0: return l4_fpage(WIN_BASE, 11, L4_FPAGE_RWX);           /* too small */
    case 1: return l4_fpage(WIN_BASE + PAGE, 13, L4_FPAGE_RWX);    /* not aligned */
    case 2: return l4_fpage(L4_USER_TOP, 12, L4_FPAGE_RWX);        /* kernel memory */
    case 3: return l4_fpage(0, 32, L4_FPAGE_RWX);                  /* beyond 2 GiB */
    default: return l4_fpage(0xBFC00000u, 23, L4_FPAGE_RW);        /* not aligned, too */
    }
}

/* The receive window: inside WIN, so that nothing can land on our code,
   data or stacks; now and then none, or an invalid one (= none). */
l4_fpage_t pick_window(struct fz *f)
{
    if (!chance(f, 8))
        return fpage_in(f, WIN_BASE, WIN_LOG2, WIN_LOG2, L4_FPAGE_RWX);
    return rnd(f, 2) ? L4_NILPAGE : bad_fpage(f);
}

static uint32_t image_base(void)
{
    return (uint32_t)__image_start & ~(WIN_SIZE - 1);   /* 4 MiB-aligned (user/Makefrag) */
}

/* The flexpage of an item: writable only when all of it is pool or WIN
   memory; anything that may cover our image or stacks read-only. */
static l4_fpage_t item_fpage(struct fz *f, int *may_grant)
{
    uint32_t rw = rnd(f, 2) ? L4_FPAGE_RW : L4_FPAGE_R;
    *may_grant = 0;
    switch (rnd(f, f->root ? 6 : 3)) {
    case 0:
        return fpage_in(f, image_base(), 22, 22, L4_FPAGE_R);
    case 1:
        if (chance(f, 8))       /* all of user space below 2 GiB, read-only */
            return l4_fpage(0, 31, L4_FPAGE_R);
        /* fall through */
    case 2:
        *may_grant = 1;
        /* Most of WIN is empty: half the time, where we last had a page. */
        if (f->hot && rnd(f, 2))
            return l4_fpage(f->hot & ~(PAGE - 1), 12, rw);
        return fpage_in(f, WIN_BASE, WIN_LOG2, 16, rw);
    default:                    /* root only: the donor pool; grants from its first half */
        if (chance(f, 8)) {
            *may_grant = 1;
            return fpage_in(f, (uint32_t)dpool, DPOOL_LOG2 - 1, 13, rw);
        }
        return fpage_in(f, (uint32_t)dpool, DPOOL_LOG2, 14, rw);
    }
}

/* Writes up to max_items map or grant items at MR[first..]; returns how
   many.  A mutated item has a bad type or an invalid flexpage. */
unsigned put_items(struct fz *f, unsigned first, unsigned max_items)
{
    unsigned n = rnd(f, max_items + 1);
    for (unsigned i = 0; i < n; i++) {
        int may_grant;
        l4_fpage_t fp = item_fpage(f, &may_grant);
        uint32_t type = may_grant && chance(f, 3) ? L4_ITEM_GRANT : L4_ITEM_MAP;
        if (chance(f, 32))
            type = rnd(f, 2) ? 0 : 0xC;
        if (chance(f, 32))
            fp = bad_fpage(f);
        l4_set_mr(first + 2 * i, l4_item_word0(type, rnd32(f)));
        l4_set_mr(first + 2 * i + 1, fp);
    }
    return n;
}

/* A message tag with random untyped words in MR1..; with items (Lab 2 on)
   after them.  Now and then too long, with flags, or an odd typed count. */
l4_tag_t pick_tag(struct fz *f, uint32_t label, unsigned *items)
{
    unsigned u = rnd(f, 5), n = 0;
    if (chance(f, 16))
        u = rnd(f, 64);
    for (unsigned i = 1; i <= u && i < L4_MAX_MRS; i++)
        l4_set_mr(i, rnd32(f));
    /* With items, at least one untyped word: a thread in a page fault
       takes any message of at most three words from its pager as the
       fault's reply, with a receive window of half its space; a late
       answer to an earlier request could then land anywhere in it.
       With u >= 1 the kernel refuses it (-L4_EMSGLEN). */
    if (SH->lab >= 2 && chance(f, 3) && 1 + u + 4 < L4_MAX_MRS) {
        if (u == 0)
            l4_set_mr(++u, rnd32(f));
        n = put_items(f, 1 + u, 2);
    }
    l4_tag_t tag = l4_tag_make(label, u, 2 * n);
    if (chance(f, 64))
        tag |= 1u << (12 + rnd(f, 4));                  /* flags: -L4_EINVAL */
    else if (chance(f, 64))
        tag = l4_tag_make(label, u, 2 * n + 1);         /* odd typed words */
    else if (chance(f, 64))
        tag = l4_tag_make(label, 63, 2);                /* more than 64 words */
    if (items)
        *items = n;
    return tag;
}

/* A flexpage to unmap, and the flags: our own mappings (L4_UNMAP_SELF)
   only inside WIN, or now and then the donor pool; what others derived
   from us anywhere, the image and all of user space included. */
l4_fpage_t pick_unmap_fpage(struct fz *f, uint32_t *flags)
{
    uint32_t rights = rnd(f, 3) ? L4_FPAGE_RWX : L4_FPAGE_W;
    *flags = 0;
    if (chance(f, 32)) {
        *flags = rnd(f, 2) ? 2 : 0x80000001u;           /* unknown flags: -L4_EINVAL */
        return fpage_in(f, WIN_BASE, WIN_LOG2, WIN_LOG2, rights);
    }
    if (chance(f, 32))
        return bad_fpage(f);
    switch (rnd(f, 8)) {
    case 0:
        return fpage_in(f, image_base(), 22, 22, rights);
    case 1:
        return chance(f, 4) ? l4_fpage(0, 31, rights) : l4_fpage(0x80000000u, 30, rights);
    case 2:
        if (f->root && chance(f, 16)) {     /* pages given back to the kernel */
            *flags = L4_UNMAP_SELF;
            return fpage_in(f, (uint32_t)dpool, DPOOL_LOG2 - 1, 12, rights);
        }
        return fpage_in(f, (uint32_t)(rnd(f, 2) ? ppool : dpool), DPOOL_LOG2, DPOOL_LOG2, rights);
    default:
        *flags = rnd(f, 2) ? L4_UNMAP_SELF : 0;
        return fpage_in(f, WIN_BASE, WIN_LOG2, WIN_LOG2, rights);
    }
}
