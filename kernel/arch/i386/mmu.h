/*
 * i386 memory-management formats: segment selectors, page-directory and
 * page-table entries, and the kernel's place in the virtual address space.
 *
 * Virtual layout (docs/architecture.md has the picture):
 *   0x00000000 .. 0xBFFFFFFF  user space, one page directory per address space
 *   0xC0000000 .. 0xEFFFFFFF  all physical memory below 768 MiB, mapped 1:1 with
 *                             global 4 MiB pages; the kernel image sits at
 *                             0xC0100000 (physical 1 MiB)
 *   0xF0000000 .. 0xFFFFFFFF  unused for now
 * Every page directory shares the kernel entries (768 and up), so a system
 * call never switches %cr3.
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <stdint.h>

#define PAGE_SIZE       4096u
#define PAGE_SHIFT      12
#define PGDIR_SHIFT     22              /* one page-directory entry maps 4 MiB */
#define PT_ENTRIES      1024

#define KERNBASE        0xC0000000u
#define PHYS_MAP_LIMIT  0x30000000u     /* physical memory the kernel can reach */

#define PAGE_DOWN(a)    ((uint32_t)(a) & ~(PAGE_SIZE - 1))
#define PAGE_UP(a)      (((uint32_t)(a) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PDX(va)         (((uint32_t)(va) >> PGDIR_SHIFT) & 0x3FF)
#define PTX(va)         (((uint32_t)(va) >> PAGE_SHIFT) & 0x3FF)

/* Physical <-> kernel-virtual for memory in the direct map. */
#define P2V(pa)         ((void *)((uint32_t)(pa) + KERNBASE))
#define V2P(va)         ((uint32_t)(va) - KERNBASE)

/*
 * Page-directory and page-table entry bits (Intel SDM vol. 3, 4.3):
 *  31..12 frame address | 8 G | 7 PS (4 MiB, PDE only) | 6 D | 5 A |
 *  4 PCD | 3 PWT | 2 U/S | 1 R/W | 0 P
 */
#define PTE_P       0x001u      /* present */
#define PTE_W       0x002u      /* writable */
#define PTE_U       0x004u      /* user may access */
#define PTE_PS      0x080u      /* 4 MiB page (in a PDE) */
#define PTE_G       0x100u      /* global: survives a %cr3 reload */
#define PTE_ADDR(e) ((e) & ~0xFFFu)

typedef uint32_t pte_t;
typedef uint32_t pde_t;

/* Page-fault error code bits (SDM vol. 3, 4.7). */
#define PF_PROT     0x1u        /* 0: page not present, 1: protection violation */
#define PF_WRITE    0x2u        /* 0: read, 1: write */
#define PF_USER     0x4u        /* fault happened in user mode */
#define PF_FETCH    0x10u       /* instruction fetch (only with NX) */

/* Segment selectors; the GDT layout is in kernel/arch/i386/gdt.c. */
#define SEG_KCODE   1
#define SEG_KDATA   2
#define SEG_UCODE   3
#define SEG_UDATA   4
#define SEG_TSS     5
#define SEG_UTCB    6       /* user data segment based at the running thread's UTCB */
#define SEG_TLS     7       /* user data segment of the running thread's TLS (kernel/tls.c) */
#define SEG_COUNT   8

#define SEL(seg, rpl)   ((uint16_t)(((seg) << 3) | (rpl)))
#define KCODE_SEL   SEL(SEG_KCODE, 0)
#define KDATA_SEL   SEL(SEG_KDATA, 0)
#define UCODE_SEL   SEL(SEG_UCODE, 3)
#define UDATA_SEL   SEL(SEG_UDATA, 3)
#define TSS_SEL     SEL(SEG_TSS, 0)
#define UTCB_SEL    SEL(SEG_UTCB, 3)
#define TLS_SEL     SEL(SEG_TLS, 3)

#endif
