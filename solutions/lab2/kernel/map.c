/*
 * Lab 2: map_fpage, the page-by-page move of a map or grant item.
 *
 * ipc_map_items() (kernel/fpage.c, given) runs at the rendezvous for each
 * typed item of a message, works out from the sender's flexpage and the
 * receiver's receive window which pages go where (docs/abi.md, "Map and
 * grant"), and calls map_fpage() to move them; SYS_UNMAP is there too.
 * Reference solution of map_fpage(); its contract is in the student's
 * kernel/map.c.
 */
#include "kernel.h"
#include "map.h"
#include "mapdb.h"
#include "vm.h"
#include "l4/abi.h"

/*
 * Reference solution: one page at a time; see the contract in the
 * student's kernel/map.c.
 */
int map_fpage(struct space *snd, uint32_t snd_va, struct space *rcv, uint32_t rcv_va,
              uint32_t size, uint32_t rights, int grant)
{
    int mapped = 0;

    for (uint32_t off = 0; off < size; off += PAGE_SIZE) {
        uint32_t sva = snd_va + off, dva = rcv_va + off;
        if (in_utcb_area(sva) || in_utcb_area(dva) || (snd == rcv && sva == dva))
            continue;
        struct mapnode *from = mapdb_lookup(snd, sva);
        if (!from)
            continue;                       /* nothing there to give */
        pte_t spte = *vm_pte(snd, sva);
        uint32_t flags = ((rights & L4_FPAGE_W) && (spte & PTE_W)) ? PTE_W : 0;
        struct mapnode *old = mapdb_lookup(rcv, dva);
        if (old) {
            if (mapdb_in_subtree(from, old))
                continue;                   /* cannot replace a page by its own copy */
            mapdb_remove(old);
        }
        if (vm_set_page(rcv, dva, PTE_ADDR(spte), flags) < 0)
            return -L4_ENOMEM;              /* nothing has changed for this page */
        if (grant) {
            if (mapdb_move(from, rcv, dva) < 0) {
                vm_clear_page(rcv, dva);
                return -L4_ENOMEM;
            }
            if (!(flags & PTE_W) && from->child)
                mapdb_revoke(from, L4_FPAGE_W);
        } else if (!mapdb_insert(from, rcv, dva)) {
            vm_clear_page(rcv, dva);
            return -L4_ENOMEM;
        }
        mapped++;
    }
    return mapped;
}
