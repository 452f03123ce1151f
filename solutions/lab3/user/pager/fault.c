/*
 * The pager's fault handlers: demand zero and copy on write.  Both are
 * Lab 3's.
 *
 * pager.c's dispatch (serve_fault, resolve) calls them for a fault at
 * addr in a demand-zero region r (kind PG_ZERO, so r has page slots) of
 * the faulting task, after it has checked that r allows the access: a
 * write to a read-only region is refused before it gets here, and faults
 * in the program's image are handled in pager.c.  It calls
 *   pager_cow_fault   for a write to a page that has a frame already;
 *   pager_zero_fault  for every other fault: any access to a page with
 *                     no frame yet, and a read of a page with one.
 * Each returns the flexpage to map at the faulting page, the page's frame
 * f as the pager sees it, l4_fpage(f->va, 12, rights), or L4_NILPAGE to
 * refuse the fault (the kernel then stops the thread).  The dispatch
 * checks it (and says so if it is not the page's frame, or gives write
 * access to a shared frame), puts it in a map item, and counts zero fills
 * and copies in r->stats by comparing the page's frame before and after
 * the call: the handlers count nothing themselves.
 *
 * What you have (region.h): pg_page_frame(r, addr), the frame of addr's
 * page or NULL; pg_page_set(r, addr, f), which makes f the page's frame
 * and keeps the reference counts right (f gains one, the frame it
 * replaces loses one, and goes to the free list if that was its last);
 * pager_frame_take(), a frame for a new page (its contents are whatever
 * its last user left) or NULL when memory has run out; f->va, where the
 * pager has frame f mapped, and f->refs, how many region pages use it.
 * memset and memcpy are in lib/string.h.
 */
#include "pager.h"
#include "region.h"

/*
 * Reference solution: a page without a frame gets a zeroed one; a page
 * with one keeps it; a shared frame is mapped read-only.
 */
l4_fpage_t pager_zero_fault(struct pg_region *r, uint32_t addr)
{
    struct pg_frame *f = pg_page_frame(r, addr);
    if (!f) {
        f = pager_frame_take();
        if (!f)
            return L4_NILPAGE;
        memset((void *)f->va, 0, PG_PAGE);
        pg_page_set(r, addr, f);
    }
    return l4_fpage(f->va, 12, f->refs > 1 ? L4_FPAGE_R : r->rights);
}

/*
 * Reference solution: copy only while the frame is shared.
 */
l4_fpage_t pager_cow_fault(struct pg_region *r, uint32_t addr)
{
    struct pg_frame *f = pg_page_frame(r, addr);
    if (f->refs > 1) {
        struct pg_frame *copy = pager_frame_take();
        if (!copy)
            return L4_NILPAGE;
        memcpy((void *)copy->va, (const void *)f->va, PG_PAGE);
        pg_page_set(r, addr, copy);
        f = copy;
    }
    return l4_fpage(f->va, 12, r->rights);
}
