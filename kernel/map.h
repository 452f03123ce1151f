/* Map and grant items, and SYS_UNMAP (Lab 2: the hole map_fpage in
   kernel/map.c, the given part in kernel/fpage.c). */
#ifndef MAP_H
#define MAP_H

#include <stdint.h>
#include "thread.h"
#include "l4/abi.h"

/* Whether va lies in the UTCB area, which no map, grant or unmap touches:
   the kernel alone places UTCBs there. */
static inline int in_utcb_area(uint32_t va)
{
    return va >= L4_UTCB_AREA && va < L4_UTCB_AREA_END;
}

/* Whether a typed item's two words are a map or grant item of a valid
   flexpage (sys_ipc refuses the message otherwise). */
int map_item_valid(uint32_t word0, l4_fpage_t fp);

/* Carries out the typed items of the message just copied from snd to rcv
   (called by ipc_transfer; nothing happens for a message without items). */
void ipc_map_items(struct thread *snd, struct thread *rcv);

/* Lab 2: moves pages from snd to rcv; returns the number mapped or -L4_ENOMEM. */
int map_fpage(struct space *snd, uint32_t snd_va, struct space *rcv, uint32_t rcv_va,
              uint32_t size, uint32_t rights, int grant);

int32_t sys_unmap(struct trapframe *tf);

#endif
