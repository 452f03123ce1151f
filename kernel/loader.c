/*
 * The ELF loader for the user programs that arrive as Multiboot modules.
 * A module is not trusted: every header field is checked before use, and a
 * bad one is reported, not followed.
 */
#include "kernel.h"
#include "loader.h"
#include "elf.h"
#include "vm.h"
#include "mapdb.h"
#include "multiboot.h"
#include "thread.h"
#include "l4/abi.h"
#include "l4/types.h"

static int bad_elf(const char *why)
{
    kprintf("loader: not a usable program: %s\n", why);
    return -L4_EINVAL;
}

/* Checks a program header against the image and the user address range. */
static int check_segment(const struct elf_phdr *ph, size_t size)
{
    if (ph->filesz > ph->memsz)
        return bad_elf("a segment's file size exceeds its memory size");
    if (ph->offset > size || ph->filesz > size - ph->offset)
        return bad_elf("a segment lies outside the file");
    if (ph->vaddr >= L4_USER_TOP || ph->memsz > L4_USER_TOP - ph->vaddr)
        return bad_elf("a segment lies outside user space (link it below 0xC0000000)");
    if (ph->vaddr < PAGE_SIZE)
        return bad_elf("a segment covers page 0, which stays unmapped to catch NULL");
    return 0;
}

/* Whether page va lies in a writable loadable segment. */
static int in_writable_segment(const struct elf_phdr *ph, unsigned n, uint32_t va)
{
    for (unsigned i = 0; i < n; i++)
        if (ph[i].type == PT_LOAD && (ph[i].flags & PF_W) &&
            va + PAGE_SIZE > ph[i].vaddr && va < ph[i].vaddr + ph[i].memsz)
            return 1;
    return 0;
}

/* The segments were mapped writable so that copy_to_user could fill them;
   now code and read-only data lose write access (unless a page is shared
   with a writable segment), so that a stray write faults and a read-only
   mapping of them stays read-only. */
static void protect_read_only(struct space *s, const struct elf_phdr *ph, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (ph[i].type != PT_LOAD || (ph[i].flags & PF_W) || ph[i].memsz == 0)
            continue;
        for (uint32_t va = PAGE_DOWN(ph[i].vaddr); va < ph[i].vaddr + ph[i].memsz; va += PAGE_SIZE)
            if (!in_writable_segment(ph, n, va))
                vm_protect_page(s, va);
    }
}

int elf_load(struct space *s, const void *image, size_t size, uint32_t *entry)
{
    const struct elf_header *eh = image;

    if (size < sizeof *eh || eh->magic != ELF_MAGIC)
        return bad_elf("no ELF header");
    if (eh->class != ELFCLASS32 || eh->machine != EM_386 || eh->type != ET_EXEC)
        return bad_elf("not a 32-bit i386 static executable");
    if (eh->phentsize != sizeof(struct elf_phdr) || eh->phoff > size ||
        (size_t)eh->phnum * sizeof(struct elf_phdr) > size - eh->phoff)
        return bad_elf("bad program header table");

    const struct elf_phdr *ph = (const void *)((const char *)image + eh->phoff);
    for (unsigned i = 0; i < eh->phnum; i++) {
        if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
            continue;
        int err = check_segment(&ph[i], size);
        if (!err)
            err = vm_alloc_range(s, ph[i].vaddr, ph[i].memsz, PTE_W);
        if (!err)
            err = copy_to_user(s, ph[i].vaddr, (const char *)image + ph[i].offset,
                               ph[i].filesz);
        if (err)
            return err;
    }
    protect_read_only(s, ph, eh->phnum);
    *entry = eh->entry;
    return 0;
}

uint32_t user_stack_setup(struct space *s, const char *cmdline)
{
    uint32_t size = L4_USER_STACK_PAGES * PAGE_SIZE;
    if (vm_alloc_range(s, L4_USER_STACK_TOP - size, size, PTE_W) < 0)
        return 0;

    /* The command line goes at the top, then a fake return address and
       the pointer to it: crt0 finds the argument of its C entry there. */
    size_t len = strnlen(cmdline, 256);
    uint32_t str = (L4_USER_STACK_TOP - (len + 1)) & ~3u;
    uint32_t frame[2] = {0, str};
    uint32_t esp = str - sizeof frame;
    char nul = '\0';
    if (copy_to_user(s, str, cmdline, len) < 0 ||
        copy_to_user(s, str + len, &nul, 1) < 0 ||
        copy_to_user(s, esp, frame, sizeof frame) < 0)
        return 0;
    return esp;
}

/*
 * A data module (l4/abi.h, L4_BOOTDATA_BASE): a copy of image[0..size),
 * read-only, in s at L4_BOOTDATA_BASE + PAGE_SIZE, described by the page
 * below it.  Its memory is charged to s like any other, so s's quotas
 * grow by what the copy needs (a node per page, two tables per 4 MiB),
 * as sigma0's grow by the memory it is given: the data is the kernel's
 * gift, not something s asked for.
 */
int data_module_load(struct space *s, const void *image, size_t size, const char *cmdline)
{
    if (size > L4_BOOTDATA_MAX)
        return bad_elf("a data module larger than L4_BOOTDATA_MAX");
    if (mapdb_lookup(s, L4_BOOTDATA_BASE))
        return bad_elf("a second data module for the same program");
    uint32_t len = PAGE_SIZE + (uint32_t)size;
    uint32_t pages = (len + PAGE_SIZE - 1) / PAGE_SIZE;
    s->mapnodes_extra += pages;
    s->tables_extra += 2 * ((pages + 1023) / 1024);
    struct l4_bootdata d = {.magic = L4_BOOTDATA_MAGIC, .size = (uint32_t)size};
    memcpy(d.cmdline, cmdline, strnlen(cmdline, sizeof d.cmdline - 1));
    int err = vm_alloc_range(s, L4_BOOTDATA_BASE, len, PTE_W);
    if (!err)
        err = copy_to_user(s, L4_BOOTDATA_BASE, &d, sizeof d);
    if (!err)
        err = copy_to_user(s, L4_BOOTDATA_BASE + PAGE_SIZE, image, size);
    if (err)
        return err;
    for (uint32_t va = L4_BOOTDATA_BASE; va < L4_BOOTDATA_BASE + len; va += PAGE_SIZE)
        vm_protect_page(s, va);
    return 0;
}

/* Whether a module is data rather than a program: it does not start with
   the ELF magic.  A file that does, but is broken, stays a program, and is
   reported as one (elf_load). */
int module_is_data(const struct multiboot_module *mod)
{
    return mod->end - mod->start < 4 || *(const uint32_t *)P2V(mod->start) != ELF_MAGIC;
}

/* Gives a data module to the program of the module before it (l4/abi.h,
   L4_BOOTDATA_BASE), for example Lab 5's root file system to the Linux
   server. */
void module_give_data(struct thread *owner, const struct multiboot_module *mod)
{
    const char *cmdline = mod->cmdline ? P2V(mod->cmdline) : "";
    if (data_module_load(owner->space, P2V(mod->start), mod->end - mod->start, cmdline) < 0) {
        kprintf("boot: cannot give data module '%s' to %s\n", cmdline, owner->name);
        return;
    }
    kprintf("boot: data module '%s' (%u bytes) at %p in %s's space\n", cmdline,
            mod->end - mod->start, (void *)L4_BOOTDATA_BASE, owner->name);
}
