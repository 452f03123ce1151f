/*
 * Thread IDs, message tags and the UTCB: the data formats of the L4 API,
 * as inline functions shared by the kernel, libl4 and the host unit tests
 * (grader/unit/test_l4types.c).  Numbers and layouts are in l4/abi.h.
 */
#ifndef L4_TYPES_H
#define L4_TYPES_H

#include <stdint.h>
#include "l4/abi.h"

typedef uint32_t l4_tid_t;

#define L4_TID_VERSION_MASK  ((1u << L4_TID_VERSION_BITS) - 1)
#define L4_TID_MAX_NUMBER    ((1u << (32 - L4_TID_VERSION_BITS)) - 2)  /* all-ones is anythread */

static inline l4_tid_t l4_tid_make(uint32_t number, uint32_t version)
{
    return (number << L4_TID_VERSION_BITS) | (version & L4_TID_VERSION_MASK);
}

static inline uint32_t l4_tid_number(l4_tid_t tid)  { return tid >> L4_TID_VERSION_BITS; }
static inline uint32_t l4_tid_version(l4_tid_t tid) { return tid & L4_TID_VERSION_MASK; }

/* Whether tid can name a thread at all (not nil, not any, version != 0). */
static inline int l4_tid_is_thread(l4_tid_t tid)
{
    return tid != L4_NILTHREAD && tid != L4_ANYTHREAD && l4_tid_number(tid) != 0 &&
           l4_tid_version(tid) != 0;
}

/* The next version after v for a reused thread number; never 0. */
static inline uint32_t l4_tid_next_version(uint32_t v)
{
    v = (v + 1) & L4_TID_VERSION_MASK;
    return v ? v : 1;
}

/*
 * The message tag, MR0:
 *   31..16 label (the message's meaning, the protocol's business)
 *   15..12 flags (unused, must be 0)
 *   11..6  t: typed words (map/grant items, Lab 2; 0 for now)
 *    5..0  u: untyped words, MR1..MRu
 */
typedef uint32_t l4_tag_t;

static inline l4_tag_t l4_tag_make(uint32_t label, uint32_t untyped, uint32_t typed)
{
    return (label << 16) | ((typed & 0x3F) << 6) | (untyped & 0x3F);
}

static inline uint32_t l4_tag_label(l4_tag_t tag)   { return tag >> 16; }
static inline uint32_t l4_tag_flags(l4_tag_t tag)   { return (tag >> 12) & 0xF; }
static inline uint32_t l4_tag_typed(l4_tag_t tag)   { return (tag >> 6) & 0x3F; }
static inline uint32_t l4_tag_untyped(l4_tag_t tag) { return tag & 0x3F; }

/* Whether the words a tag names fit in the message registers. */
static inline int l4_tag_fits(l4_tag_t tag)
{
    return 1 + l4_tag_untyped(tag) + l4_tag_typed(tag) <= L4_MAX_MRS;
}

/* Timeouts word for SYS_IPC: send timeout in the upper half. */
static inline uint32_t l4_timeouts(uint32_t send, uint32_t receive)
{
    return (send & 0xFFFF) << 16 | (receive & 0xFFFF);
}

/* Flexpages (l4/abi.h). */
typedef uint32_t l4_fpage_t;

static inline l4_fpage_t l4_fpage(uint32_t base, uint32_t log2size, uint32_t rights)
{
    return (base & ~0xFFFu) | ((log2size & 0x3F) << 4) | (rights & L4_FPAGE_RWX);
}

static inline uint32_t l4_fpage_base(l4_fpage_t f)     { return f & ~0xFFFu; }
static inline uint32_t l4_fpage_log2size(l4_fpage_t f) { return (f >> 4) & 0x3F; }
static inline uint32_t l4_fpage_rights(l4_fpage_t f)   { return f & L4_FPAGE_RWX; }
/* The size in bytes; 0 for a log2 size that does not fit in 32 bits. */
static inline uint32_t l4_fpage_size(l4_fpage_t f)
{
    return l4_fpage_log2size(f) < 32 ? 1u << l4_fpage_log2size(f) : 0;
}

/* Whether f is a usable flexpage of user space: 4 KiB <= size <= 2 GiB,
   base aligned to the size, the whole region below L4_USER_TOP. */
static inline int l4_fpage_valid(l4_fpage_t f)
{
    uint32_t s = l4_fpage_log2size(f), base = l4_fpage_base(f);
    return s >= 12 && s <= 31 && (base & ((1u << s) - 1)) == 0 &&
           base < L4_USER_TOP && (1u << s) <= L4_USER_TOP - base;
}

/* The two words of a map or grant item. */
static inline uint32_t l4_item_word0(uint32_t type, uint32_t snd_base)
{
    return (snd_base & ~0xFFFu) | (type & 0xF);
}

/* The receive window the kernel uses for the reply to a page fault at
   addr (Lab 3, l4/abi.h): the largest flexpage of user space holding it,
   0..2 GiB or 2..3 GiB.  A map item with send base addr lands its page on
   addr, whatever its size. */
static inline l4_fpage_t l4_pagefault_window(uint32_t addr)
{
    return addr < 0x80000000u ? l4_fpage(0, 31, L4_FPAGE_RWX)
                              : l4_fpage(0x80000000u, 30, L4_FPAGE_RWX);
}

/* The sender ID of interrupt line n's messages (Lab 4, l4/abi.h). */
static inline l4_tid_t l4_irq_tid(uint32_t n)
{
    return l4_tid_make(L4_IRQ_TID_BASE + n, 1);
}

/* The UTCB.  The kernel writes self and tid when it creates the thread. */
struct l4_utcb {
    uint32_t self;              /* this UTCB's address in user space (%gs:0) */
    l4_tid_t tid;               /* the thread's own ID */
    l4_fpage_t rcv_window;      /* where mappings may land (Lab 2); L4_NILPAGE: nowhere */
    uint32_t reserved[5];
    uint32_t mr[L4_MAX_MRS];    /* message registers; MR0 and MR1 also travel in registers */
};

_Static_assert(sizeof(struct l4_utcb) <= L4_UTCB_SIZE, "UTCB too large");

/* The page at L4_BOOTDATA_BASE of a program that a data module follows
   (l4/abi.h): the module's bytes lie at L4_BOOTDATA_BASE + 4096. */
struct l4_bootdata {
    uint32_t magic;             /* L4_BOOTDATA_MAGIC */
    uint32_t size;              /* bytes of data */
    char cmdline[256];          /* the module's command line, NUL-terminated */
};

#endif
