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
 * LAB 3: demand zero.
 *
 * The contract: a page of a demand-zero region reads zero until the task
 * writes it.  A page with no frame yet (pg_page_frame gives NULL) gets a
 * frame of its own that holds 4096 zero bytes (a taken frame holds
 * whatever its last user left; if pager_frame_take() has none, return
 * L4_NILPAGE).  A page that has a frame already (a read after PG_FLUSH
 * took the page away, or the first read of a page that PG_COPY shared)
 * keeps it, unchanged: its contents are the task's data.  Either way,
 * return the frame's page with the region's rights (r->rights), except
 * that a shared frame (f->refs > 1) is mapped read-only (L4_FPAGE_R): the
 * task's first write to it must fault, so that pager_cow_fault can give
 * the task a copy of its own.
 * Tested by: make grade LAB=3 (every test that spawns a task: its stack is
 * demand-zero memory; demand_zero and readonly directly), make bench LAB=3
 * (pf.user_pager).
 */
l4_fpage_t pager_zero_fault(struct pg_region *r, uint32_t addr)
{
    (void)r, (void)addr;
    printf("LAB 3: pager_zero_fault not implemented (user/pager/fault.c)\n");
    return L4_NILPAGE;
}

/*
 * LAB 3: copy on write.
 *
 * Called for a write to addr's page, which has a frame (never NULL here)
 * that the task has mapped read-only, or not at all.  The contract: when
 * it returns, the page's frame is used by this page alone and holds what
 * the page held before the write; every other page that shared the old
 * frame still sees the old contents.  A frame is copied only when that is
 * needed, never for a page that is already its frame's only user.  Return
 * the page's frame with the region's rights (r->rights, which include
 * write access), or L4_NILPAGE if no frame is left.
 * Tested by: make grade LAB=3 (cow, which counts the copies).
 */
l4_fpage_t pager_cow_fault(struct pg_region *r, uint32_t addr)
{
    (void)r, (void)addr;
    printf("LAB 3: pager_cow_fault not implemented (user/pager/fault.c)\n");
    return L4_NILPAGE;
}
