/*
 * Lab 5: a program's image and its initial stack.
 *
 * execve (exec.c) gives a process a new program: a fresh memory made of
 * the ELF file's loadable segments (nothing is copied yet: each page is
 * filled from the file when it is first touched, mem.c), a heap after
 * them, and a stack laid out as the i386 Linux ABI says _start finds it:
 *
 *   esp ->  argc
 *           argv[0..argc-1], NULL
 *           envp[0..], NULL
 *           auxv: (type, value) pairs, ending with AT_NULL
 *           ... the strings, 16 random bytes (AT_RANDOM), the platform name
 *   LX_STACK_TOP
 *
 * with esp 16-byte aligned.  glibc's static start code reads all of it:
 * a wrong auxiliary vector crashes the program before main.
 */
#include "linux.h"

struct elf32_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

#define PT_LOAD 1
#define PT_PHDR 6
#define PF_W    2
#define MAX_PHDRS 16

/*
 * LAB 5: check that f (fs_pread reads it; fs_size is its length) is a
 * static i386 executable and add its segments to mm.
 *
 * The ELF header (struct elf32_ehdr at offset 0): "\x7f" "ELF", class 1
 * (32-bit), data 1 (little-endian), type 2 (executable), machine 3 (i386),
 * phentsize sizeof(struct elf32_phdr), at most MAX_PHDRS program headers
 * at phoff, all inside the file.  Anything else is -LX_ENOEXEC.
 * Each PT_LOAD header with memsz > 0: filesz <= memsz, its file part inside
 * the file, vaddr >= one page, vaddr + memsz neither wrapping nor above
 * LX_MMAP_TOP (else -LX_ENOEXEC); it becomes the area
 * mm_add(mm, PAGE_DOWN(vaddr), PAGE_UP(vaddr + memsz), VMA_R (| VMA_W if
 * the PF_W flag), f, vaddr, filesz, offset): its first filesz bytes come
 * from the file, the rest are zeros (.bss).  No PT_LOAD is -LX_ENOEXEC.
 * *phdr: the PT_PHDR header's vaddr, or where the segment that loads the
 * file's headers puts them; *entry the header's entry; *phnum its phnum.
 * The heap begins at the page after the highest segment: mm->brk_start =
 * mm->brk = that address, and an empty area there (start = end) for brk.
 * Tested by: make grade LAB=5 (every test starts a program; exec checks
 * ENOEXEC).
 */
int load_elf(struct mm *mm, struct fs_node *f, uint32_t *entry, uint32_t *phdr, uint32_t *phnum)
{
    (void)mm, (void)f, (void)entry, (void)phdr, (void)phnum;
    printf("LAB 5: load_elf not implemented (user/linux/lab5_exec.c)\n");
    return -LX_ENOEXEC;
}

/*
 * LAB 5: add the stack area (LX_STACK_TOP - LX_STACK_SIZE .. LX_STACK_TOP,
 * read-write, demand-zero) to mm and write the initial stack into it
 * through copy_out (the pages are made as the server touches them), top
 * down: the path (AT_EXECFN), the argv strings, the envp strings, 16
 * random bytes (AT_RANDOM: glibc seeds its stack protector with them;
 * xorshift32 seeded from rdtsc will do), "i686" (AT_PLATFORM); then,
 * from a 16-byte aligned esp up: argc, the argv pointers, 0, the envp
 * pointers, 0, and the auxiliary vector: AT_PHDR, AT_PHENT, AT_PHNUM,
 * AT_PAGESZ, AT_BASE 0, AT_FLAGS 0, AT_ENTRY, AT_UID/EUID/GID/EGID 0,
 * AT_SECURE 0, AT_PLATFORM, AT_HWCAP 0, AT_CLKTCK 100, AT_RANDOM,
 * AT_EXECFN, AT_NULL (types LX_AT_* in linux_abi.h).  At most LX_MAX_ARGS
 * strings each.  Return 0 with *esp, or the error copy_out gave.
 * Tested by: make grade LAB=5 (args checks argv and envp; every glibc
 * program reads the auxiliary vector).
 */
int build_stack(struct mm *mm, const char *path, int argc, char **argv, char **envp,
                uint32_t entry, uint32_t phdr, uint32_t phnum, uint32_t *esp)
{
    (void)mm, (void)path, (void)argc, (void)argv, (void)envp, (void)entry, (void)phdr,
        (void)phnum, (void)esp;
    printf("LAB 5: build_stack not implemented (user/linux/lab5_exec.c)\n");
    return -LX_ENOEXEC;
}
