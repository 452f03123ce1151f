/*
 * Lab 2: map_fpage, the page-by-page move of a map or grant item.
 *
 * ipc_map_items() (kernel/fpage.c, given) runs at the rendezvous for each
 * typed item of a message, works out from the sender's flexpage and the
 * receiver's receive window which pages go where (docs/abi.md, "Map and
 * grant"), and calls map_fpage() to move them; SYS_UNMAP is there too.
 */
#include "kernel.h"
#include "map.h"
#include "mapdb.h"
#include "vm.h"
#include "l4/abi.h"

/*
 * LAB 2: map (or grant) `size` bytes of snd's space at snd_va to rcv's
 * space at rcv_va, page by page, with at most `rights`.
 *
 * For each page: nothing lands if either address is in the UTCB area
 * (in_utcb_area), if snd has no mapping there (nothing to give), or if
 * it would map a page onto itself.  The receiver's page is writable only
 * if rights has L4_FPAGE_W and snd's own entry is writable: rights only
 * shrink.  A mapping rcv already has at the address is replaced, with
 * everything derived from it, but never by a page derived from itself
 * (skip the page then).  A map records the new mapping as a child of the
 * sender's node; a grant moves the sender's node to rcv, and write access
 * rcv does not get is taken from the node's descendants too.
 * Return how many pages were mapped, or -L4_ENOMEM if memory ran out:
 * the page in hand is left as it was, the pages mapped so far stay.
 * Tested by: make grade LAB=2 (every test).
 * Hints (the order of the steps): labs/lab2-spaces/hints.md.
 */
int map_fpage(struct space *snd, uint32_t snd_va, struct space *rcv, uint32_t rcv_va,
              uint32_t size, uint32_t rights, int grant)
{
    (void)snd, (void)snd_va, (void)rcv, (void)rcv_va, (void)size, (void)rights, (void)grant;
    kprintf("LAB 2: map_fpage not implemented (kernel/map.c)\n");
    return 0;
}
