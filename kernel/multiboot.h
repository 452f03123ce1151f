/*
 * The parts of the Multiboot 1 information structure l4lab reads
 * (Multiboot Specification 0.6.96, section 3.3).  All addresses in it are
 * physical; the kernel reads them through the direct map (P2V).
 */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

#define MBI_FLAG_MEM      (1u << 0)     /* mem_lower, mem_upper valid */
#define MBI_FLAG_CMDLINE  (1u << 2)
#define MBI_FLAG_MODS     (1u << 3)
#define MBI_FLAG_MMAP     (1u << 6)

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;      /* KiB below 1 MiB / above 1 MiB */
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct multiboot_module {
    uint32_t start, end;                /* [start, end) physical */
    uint32_t cmdline;                   /* "path arg arg ..." */
    uint32_t reserved;
} __attribute__((packed));

/* One memory-map entry; `size` does not count itself. */
struct multiboot_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;                      /* 1: available RAM */
} __attribute__((packed));

#define MMAP_AVAILABLE 1

#endif
