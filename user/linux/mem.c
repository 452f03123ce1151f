/*
 * Process memory.  Every page of every process is a page of the server's
 * own, from a pool of frames it asks sigma0 for, mapped to the process
 * when the process touches it (the server is its pager).  So the server
 * reaches a process's memory without any help from the kernel: for each
 * process it keeps a two-level table from the process's addresses to its
 * own copies (struct mm), and reads and writes them there (copy_in,
 * copy_out).  A page the server touches first is made then, exactly as a
 * fault would make it.
 *
 * fork shares pages instead of copying them (copy-on-write): both
 * processes' tables name the same pool page, which counts its users
 * (refs), and both get it read-only.  The first write to it, by either
 * process or by the server on its behalf, gives the writer a copy of its
 * own (mm_page_write); the last user of a page may write it in place.
 */
#include "linux.h"

/* The pool: frame i from sigma0 at POOL_BASE + i * 4 KiB, read-write.
   Freed pages go on a list (the first word of each links to the next). */
#define POOL_BASE   0x60000000u
#define POOL_PAGES  6144u       /* 24 MiB: within a space's 8192 mapping nodes (docs/abi.md) */

static l4_tid_t sigma0;
static uint32_t pool_used;
static void *free_pages;
static uint16_t refs[POOL_PAGES];       /* users of pool page i (tables, processes, files) */

static uint16_t *page_refs(const void *page)
{
    return &refs[((uint32_t)page - POOL_BASE) / PAGE];
}

/* Whole pages are zeroed and copied a word at a time with the string
   instructions, inline: what lib's memset and memcpy do too, without
   their call and their tail of odd bytes, on the path of every first
   touch and every copy-on-write. */
static void page_zero(void *page)
{
    uint32_t n = PAGE / 4;
    __asm__ volatile("cld; rep stosl" : "+D"(page), "+c"(n) : "a"(0) : "memory");
}

static void page_copy(void *dst, const void *src)
{
    uint32_t n = PAGE / 4;
    __asm__ volatile("cld; rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

uint32_t mem_total_pages(void)
{
    return POOL_PAGES;
}

uint32_t mem_free_pages(void)
{
    uint32_t n = POOL_PAGES - pool_used;
    for (void *p = free_pages; p; p = *(void **)p)
        n++;
    return n;
}

void mem_init(l4_tid_t s0)
{
    sigma0 = s0;
}

int lx_msg_spare;

/* Maps sigma0's next page at va: 0 or -error.  A system call's
   registers may be in the MRs, which sigma0's answer overwrites
   (linux.h, struct lx_msg): they are kept aside meanwhile, unless the
   MRs are known to hold nothing needed (lx_msg_spare). */
static int32_t pool_grow(uint32_t va)
{
    if (lx_msg_spare)
        return sigma0_get_page(sigma0, va);
    struct lx_msg msg = lx_msg_keep();
    int32_t err = sigma0_get_page(sigma0, va);
    lx_msg_restore(&msg);
    return err;
}

void *page_alloc(void)
{
    void *page = free_pages;
    if (page) {
        free_pages = *(void **)page;
    } else {
        if (pool_used == POOL_PAGES)
            return NULL;
        uint32_t va = POOL_BASE + pool_used * PAGE;
        if (pool_grow(va) < 0)
            return NULL;
        pool_used++;
        page = (void *)va;
    }
    page_zero(page);            /* sigma0's frames hold junk; a freed page, old data */
    *page_refs(page) = 1;
    return page;
}

void page_ref(void *page)
{
    ++*page_refs(page);
}

/* Drops a user of page; the last one frees it. */
void page_unref(void *page)
{
    if (--*page_refs(page) == 0)
        page_free(page);
}

/* Takes the page back from every process it was mapped to (the mappings
   derive from ours), then keeps it for the next page_alloc. */
void page_free(void *page)
{
    l4_unmap(l4_fpage((uint32_t)page, 12, L4_FPAGE_RWX), 0);
    *(void **)page = free_pages;
    free_pages = page;
}

int mm_init(struct mm *mm)
{
    *mm = (struct mm){0};
    mm->dir = page_alloc();
    return mm->dir ? 0 : -LX_ENOMEM;
}

uint32_t *mm_slot(struct mm *mm, uint32_t va, int create)
{
    uint32_t *table = (uint32_t *)mm->dir[va >> 22];
    if (!table) {
        if (!create || !(table = page_alloc()))
            return NULL;
        mm->dir[va >> 22] = (uint32_t)table;
    }
    return &table[(va >> 12) & 1023];
}

void mm_drop_pages(struct mm *mm, uint32_t start, uint32_t end)
{
    uint32_t va = start;
    while (va < end && va >= start) {       /* va >= start: stops at the wrap */
        uint32_t *slot = mm_slot(mm, va, 0);
        if (!slot) {
            va = (va & ~((1u << 22) - 1)) + (1u << 22);     /* no table: skip its 4 MiB */
            continue;
        }
        if (*slot) {
            /* Out of every process that has it mapped (others fault it
               back in), then one user less. */
            l4_unmap(l4_fpage(*slot, 12, L4_FPAGE_RWX), 0);
            page_unref((void *)*slot);
            *slot = 0;
        }
        va += PAGE;
    }
}

void mm_destroy(struct mm *mm)
{
    if (!mm->dir)
        return;
    for (unsigned i = 0; i < 1024; i++) {
        uint32_t *table = (uint32_t *)mm->dir[i];
        if (!table)
            continue;
        for (unsigned j = 0; j < 1024; j++)
            if (table[j])
                page_unref((void *)table[j]);
        page_free(table);
    }
    page_free(mm->dir);
    mm->dir = NULL;
    for (unsigned i = 0; i < mm->nvma; i++)
        fs_put(mm->vma[i].node);
    mm->nvma = 0;       /* an ended process has no memory: every access is refused */
}

int mm_add(struct mm *mm, uint32_t start, uint32_t end, uint32_t prot,
           struct fs_node *node, uint32_t fstart, uint32_t fsize, uint32_t foff)
{
    if (mm->nvma == MAX_VMAS)
        return -LX_ENOMEM;
    mm->vma[mm->nvma++] = (struct vma){start, end, prot, node, fstart, fsize, foff};
    fs_hold(node);      /* an unlinked program file stays readable while it runs */
    return 0;
}

/* The area holding va.  Two areas may share a page (ELF segments do);
   the page then has the rights of both (mm_prot). */
struct vma *mm_find(struct mm *mm, uint32_t va)
{
    /* The areas do not overlap, so the last one found, if it still holds
       va, is the one: a call's copy_in and copy_out look up the same few
       pages again and again (the hint may be stale or garbage: it is
       only a guess, checked like any other). */
    unsigned h = mm->hint;
    if (h < mm->nvma && va >= mm->vma[h].start && va < mm->vma[h].end)
        return &mm->vma[h];
    for (unsigned i = 0; i < mm->nvma; i++)
        if (va >= mm->vma[i].start && va < mm->vma[i].end) {
            mm->hint = i;
            return &mm->vma[i];
        }
    return NULL;
}

/* Fills a new page at va: every area with a file that covers part of it
   contributes its part. */
static void mm_fill(struct mm *mm, uint32_t va, uint8_t *page)
{
    for (unsigned i = 0; i < mm->nvma; i++) {
        const struct vma *v = &mm->vma[i];
        if (!v->node)
            continue;
        uint32_t lo = v->fstart > va ? v->fstart : va;
        uint32_t hi = v->fstart + v->fsize < va + PAGE ? v->fstart + v->fsize : va + PAGE;
        if (lo < hi)
            fs_pread(v->node, v->foff + (lo - v->fstart), page + (lo - va), hi - lo);
    }
}

uint8_t *mm_page(struct mm *mm, uint32_t va)
{
    va = PAGE_DOWN(va);
    if (!mm_find(mm, va))
        return NULL;
    uint32_t *slot = mm_slot(mm, va, 1);
    if (!slot)
        return NULL;
    if (!*slot) {
        uint8_t *page = page_alloc();
        if (!page)
            return NULL;
        mm_fill(mm, va, page);
        *slot = (uint32_t)page;
    }
    return (uint8_t *)*slot;
}

uint8_t *mm_page_write(struct mm *mm, uint32_t va, int *fresh)
{
    uint8_t *page = mm_page(mm, va);
    *fresh = 0;
    if (!page || *page_refs(page) == 1 || (mm_find(mm, va)->prot & VMA_SHARED))
        return page;
    /* Shared with another process (fork): this one gets a copy.  The old
       page goes out of every space that has it mapped, so that none keeps
       reading it here; the others fault it back in from their tables. */
    uint8_t *copy = page_alloc();
    if (!copy)
        return NULL;
    page_copy(copy, page);
    l4_unmap(l4_fpage((uint32_t)page, 12, L4_FPAGE_RWX), 0);
    page_unref(page);
    *mm_slot(mm, PAGE_DOWN(va), 0) = (uint32_t)copy;
    *fresh = 1;
    return copy;
}

int mm_page_shared(const void *page)
{
    return *page_refs(page) > 1;
}

/* Whether every page of [va, va + len) lies in an area allowing prot. */
static int mm_allows(struct mm *mm, uint32_t va, uint32_t len, uint32_t prot)
{
    if (len == 0)
        return 1;
    if (va + len < va)
        return 0;
    for (uint32_t a = PAGE_DOWN(va); a < va + len; a += PAGE) {
        struct vma *v = mm_find(mm, a);
        if (!v || (v->prot & prot) != prot)
            return 0;
        if (a + PAGE == 0)
            break;
    }
    return 1;
}

/* Copies len bytes between the server's buf and the process's va, page by
   page through the server's own copy of each page: to the process if out
   is set (the pages must allow rights), else from it. */
static int copy_pages(struct mm *mm, uint32_t va, uint8_t *buf, uint32_t len, int rights, int out)
{
    if (!mm_allows(mm, va, len, rights))
        return -LX_EFAULT;
    for (uint32_t done = 0; done < len; ) {
        uint32_t at = va + done, n = PAGE - (at & (PAGE - 1));
        if (n > len - done)
            n = len - done;
        int fresh;
        uint8_t *page = out ? mm_page_write(mm, at, &fresh) : mm_page(mm, at);
        if (!page)
            return -LX_EFAULT;
        if (out)
            memcpy(page + (at & (PAGE - 1)), buf + done, n);
        else
            memcpy(buf + done, page + (at & (PAGE - 1)), n);
        done += n;
    }
    return 0;
}

int copy_in(struct mm *mm, void *dst, uint32_t src, uint32_t len)
{
    return copy_pages(mm, src, dst, len, VMA_R, 0);
}

int copy_out(struct mm *mm, uint32_t dst, const void *src, uint32_t len)
{
    return copy_pages(mm, dst, (uint8_t *)src, len, VMA_W, 1);
}

int copy_in_str(struct mm *mm, char *dst, uint32_t src, uint32_t max)
{
    for (uint32_t i = 0; i < max; i++) {
        if (copy_in(mm, &dst[i], src + i, 1) < 0)
            return -LX_EFAULT;
        if (dst[i] == '\0')
            return (int)i;
    }
    return -LX_ERANGE;
}

/* Splits the area holding va in two at va (a page boundary); 0 or -LX_ENOMEM. */
static int mm_split(struct mm *mm, uint32_t va)
{
    struct vma *v = mm_find(mm, va);
    if (!v || v->start == va)
        return 0;
    if (mm->nvma == MAX_VMAS)
        return -LX_ENOMEM;
    struct vma upper = *v;      /* the file part is by address: both halves keep it */
    upper.start = va;
    v->end = va;
    mm->vma[mm->nvma++] = upper;
    fs_hold(upper.node);        /* both halves name the file */
    return 0;
}

int mm_unmap(struct mm *mm, uint32_t start, uint32_t end)
{
    int err = mm_split(mm, start);
    if (!err && end)
        err = mm_split(mm, end);
    if (err)
        return err;
    mm_drop_pages(mm, start, end);
    for (unsigned i = 0; i < mm->nvma; ) {
        struct vma *v = &mm->vma[i];
        if (v->start >= start && v->end <= end && v->end > v->start) {
            fs_put(v->node);                /* inside the range: gone */
            *v = mm->vma[--mm->nvma];
        }
        else
            i++;
    }
    return 0;
}

/* Whether [start, end) meets no area (the heap's empty area included). */
static int mm_range_free(struct mm *mm, uint32_t start, uint32_t end)
{
    for (unsigned i = 0; i < mm->nvma; i++) {
        const struct vma *v = &mm->vma[i];
        uint32_t vend = v->end > v->start ? v->end : v->start + PAGE;   /* room for the heap */
        if (v->start < end && vend > start)
            return 0;
    }
    return 1;
}

uint32_t mm_find_free(struct mm *mm, uint32_t len)
{
    /* Candidates: just below LX_MMAP_TOP and just below each area; the
       highest that is free and above the heap's room wins. */
    uint32_t best = 0, floor = PAGE_UP(mm->brk) + (64u << 20);  /* leave the heap 64 MiB */
    for (unsigned i = 0; i <= mm->nvma; i++) {
        uint32_t top = i == mm->nvma ? LX_MMAP_TOP : mm->vma[i].start;
        if (top > LX_MMAP_TOP || top < len || top - len < floor)
            continue;
        uint32_t at = top - len;
        if (at > best && mm_range_free(mm, at, top))
            best = at;
    }
    return best;
}

int mm_protect(struct mm *mm, uint32_t start, uint32_t end, uint32_t prot)
{
    for (uint32_t a = start; a < end; a += PAGE)
        if (!mm_find(mm, a))
            return -LX_ENOMEM;          /* Linux's answer for a range with holes */
    int err = mm_split(mm, start);
    if (!err && end)
        err = mm_split(mm, end);
    if (err)
        return err;
    for (unsigned i = 0; i < mm->nvma; i++) {
        struct vma *v = &mm->vma[i];
        if (v->start < start || v->end > end || v->start == v->end)
            continue;
        uint32_t lost = ((v->prot & VMA_W) && !(prot & VMA_W) ? L4_FPAGE_W : 0) |
                        ((v->prot & VMA_R) && !(prot & VMA_R) ? L4_FPAGE_RWX : 0);
        if (lost)
            for (uint32_t a = v->start; a < v->end; a += PAGE) {
                uint32_t *slot = mm_slot(mm, a, 0);
                if (slot && *slot)      /* the process's mapping loses those rights */
                    l4_unmap(l4_fpage(*slot, 12, lost), 0);
            }
        v->prot = prot | (v->prot & VMA_SHARED);
    }
    return 0;
}
