/*
 * Lab 5: a program's image and its initial stack.  Reference solution of
 * load_elf() and build_stack(); their contracts are in the student's
 * user/linux/lab5_exec.c.
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

/* Checks the image and adds an area per loadable segment; the program's
   entry and where its program headers lie in its memory (AT_PHDR). */
int load_elf(struct mm *mm, struct fs_node *f, uint32_t *entry, uint32_t *phdr,
                    uint32_t *phnum)
{
    struct elf32_ehdr ehdr, *eh = &ehdr;
    struct elf32_phdr ph[MAX_PHDRS];
    uint32_t size = fs_size(f);
    if (fs_pread(f, 0, eh, sizeof *eh) != sizeof *eh || memcmp(eh->ident, "\x7f" "ELF", 4) != 0 ||
        eh->ident[4] != 1 || eh->ident[5] != 1 || eh->type != 2 || eh->machine != 3 ||
        eh->phentsize != sizeof(struct elf32_phdr) || eh->phnum > MAX_PHDRS ||
        fs_pread(f, eh->phoff, ph, eh->phnum * sizeof *ph) != eh->phnum * sizeof *ph)
        return -LX_ENOEXEC;         /* not a static i386 executable */
    *phdr = 0;
    uint32_t top = 0;
    for (unsigned i = 0; i < eh->phnum; i++) {
        if (ph[i].type == PT_PHDR)
            *phdr = ph[i].vaddr;
        if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
            continue;
        uint32_t va = ph[i].vaddr, end = va + ph[i].memsz;
        if (ph[i].filesz > ph[i].memsz || ph[i].offset > size ||
            ph[i].filesz > size - ph[i].offset || va < PAGE || end < va ||
            end > LX_MMAP_TOP)
            return -LX_ENOEXEC;
        /* The headers lie in the segment that loads the file's start. */
        if (!*phdr && ph[i].offset <= eh->phoff &&
            eh->phoff + eh->phnum * sizeof *ph <= ph[i].offset + ph[i].filesz)
            *phdr = va + (eh->phoff - ph[i].offset);
        int err = mm_add(mm, PAGE_DOWN(va), PAGE_UP(end),
                         VMA_R | (ph[i].flags & PF_W ? VMA_W : 0),
                         f, va, ph[i].filesz, ph[i].offset);
        if (err)
            return err;
        if (PAGE_UP(end) > top)
            top = PAGE_UP(end);
    }
    if (!top)
        return -LX_ENOEXEC;
    mm->brk_start = mm->brk = top;
    *entry = eh->entry;
    *phnum = eh->phnum;
    return mm_add(mm, top, top, VMA_R | VMA_W, NULL, 0, 0, 0);    /* the heap, empty (brk) */
}

/* Pushes len bytes onto the process's stack at *sp. */
static int push(struct mm *mm, uint32_t *sp, const void *src, uint32_t len)
{
    *sp -= len;
    return copy_out(mm, *sp, src, len);
}

int build_stack(struct mm *mm, const char *path, int argc, char **argv, char **envp,
                       uint32_t entry, uint32_t phdr, uint32_t phnum, uint32_t *esp)
{
    int err = mm_add(mm, LX_STACK_TOP - LX_STACK_SIZE, LX_STACK_TOP, VMA_R | VMA_W, NULL, 0, 0, 0);
    if (err)
        return err;
    uint32_t sp = LX_STACK_TOP, argp[LX_MAX_ARGS], envpp[LX_MAX_ARGS];
    int envc = 0;
    while (envp && envp[envc] && envc < LX_MAX_ARGS)
        envc++;
    if (argc > LX_MAX_ARGS)
        argc = LX_MAX_ARGS;

    err = push(mm, &sp, path, strlen(path) + 1);
    uint32_t execfn = sp;
    for (int i = argc - 1; i >= 0 && !err; i--) {
        err = push(mm, &sp, argv[i], strlen(argv[i]) + 1);
        argp[i] = sp;
    }
    for (int i = envc - 1; i >= 0 && !err; i--) {
        err = push(mm, &sp, envp[i], strlen(envp[i]) + 1);
        envpp[i] = sp;
    }
    /* AT_RANDOM's bytes seed glibc's stack protector and pointer guard;
       the time-stamp counter differs from boot to boot. */
    uint32_t rnd[4], seed = (uint32_t)rdtsc() | 1;
    for (int i = 0; i < 4; i++)
        rnd[i] = xorshift32(&seed);
    if (!err)
        err = push(mm, &sp, rnd, sizeof rnd);
    uint32_t random = sp;
    if (!err)
        err = push(mm, &sp, "i686", 5);
    uint32_t platform = sp;
    if (err)
        return err;

    uint32_t auxv[] = {
        LX_AT_PHDR, phdr, LX_AT_PHENT, sizeof(struct elf32_phdr), LX_AT_PHNUM, phnum,
        LX_AT_PAGESZ, PAGE, LX_AT_BASE, 0, LX_AT_FLAGS, 0, LX_AT_ENTRY, entry,
        LX_AT_UID, 0, LX_AT_EUID, 0, LX_AT_GID, 0, LX_AT_EGID, 0, LX_AT_SECURE, 0,
        LX_AT_PLATFORM, platform, LX_AT_HWCAP, 0, LX_AT_CLKTCK, 100,
        LX_AT_RANDOM, random, LX_AT_EXECFN, execfn, LX_AT_NULL, 0,
    };
    /* Everything from argc up is words: align its start to 16 bytes. */
    uint32_t words = 1 + (argc + 1) + (envc + 1) + sizeof auxv / 4;
    sp = (sp - words * 4) & ~15u;
    uint32_t at = sp, zero = 0, n = (uint32_t)argc;
    err = copy_out(mm, at, &n, 4);
    at += 4;
    for (int i = 0; i < argc && !err; i++, at += 4)
        err = copy_out(mm, at, &argp[i], 4);
    if (!err)
        err = copy_out(mm, at, &zero, 4);
    at += 4;
    for (int i = 0; i < envc && !err; i++, at += 4)
        err = copy_out(mm, at, &envpp[i], 4);
    if (!err)
        err = copy_out(mm, at, &zero, 4);
    at += 4;
    if (!err)
        err = copy_out(mm, at, auxv, sizeof auxv);
    *esp = sp;
    return err;
}

