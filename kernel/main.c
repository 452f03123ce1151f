/*
 * kernel_main: the boot sequence in C.  arch/i386/boot.asm has turned on
 * paging and calls this on the boot stack with interrupts off.
 */
#include "kernel.h"
#include "fpu.h"
#include "frame.h"
#include "ipc.h"
#include "loader.h"
#include "mapdb.h"
#include "multiboot.h"
#include "sched.h"
#include "thread.h"
#include "vm.h"
#include "arch/i386/arch.h"
#include "arch/i386/mmu.h"
#include "arch/i386/x86.h"
#include "l4/sigma0.h"

extern char _end[];                 /* end of the kernel image (kernel.ld) */

static void print_memory_map(const struct multiboot_info *mbi)
{
    kprintf("memory map (from the boot loader):\n");
    const char *p = P2V(mbi->mmap_addr), *end = p + mbi->mmap_length;
    while (p < end) {
        const struct multiboot_mmap *m = (const void *)p;
        kprintf("  [%08x-%08x] %s\n", (uint32_t)m->addr,
                (uint32_t)(m->addr + m->len - 1),
                m->type == MMAP_AVAILABLE ? "available" : "reserved");
        p += m->size + sizeof m->size;
    }
}

/* Hands the RAM the boot loader reported to the frame allocator, minus
   the first 1 MiB (BIOS data), the kernel image and the modules. */
static void frames_setup(const struct multiboot_info *mbi)
{
    frame_init();
    const char *p = P2V(mbi->mmap_addr), *end = p + mbi->mmap_length;
    while (p < end) {
        const struct multiboot_mmap *m = (const void *)p;
        if (m->type == MMAP_AVAILABLE && m->addr < PHYS_MAP_LIMIT) {
            uint64_t top = m->addr + m->len;
            frame_add_ram((paddr_t)m->addr, top > PHYS_MAP_LIMIT ? PHYS_MAP_LIMIT : (paddr_t)top);
        }
        p += m->size + sizeof m->size;
    }
    /* Keep everything the boot loader handed over: the image, the
       information structure and its strings.  (The modules stay reserved
       for good; a later lab may hand their frames back.) */
    frame_reserve(0, V2P(_end));
    frame_reserve(V2P(mbi), V2P(mbi) + sizeof *mbi);
    frame_reserve(mbi->mmap_addr, mbi->mmap_addr + mbi->mmap_length);
    const struct multiboot_module *mods = P2V(mbi->mods_addr);
    unsigned nmods = (mbi->flags & MBI_FLAG_MODS) ? mbi->mods_count : 0;
    frame_reserve(mbi->mods_addr, mbi->mods_addr + nmods * sizeof *mods);
    for (unsigned i = 0; i < nmods; i++) {
        frame_reserve(mods[i].start, mods[i].end);
        if (mods[i].cmdline)
            frame_reserve(mods[i].cmdline, mods[i].cmdline + strnlen(P2V(mods[i].cmdline), PAGE_SIZE) + 1);
    }
    kprintf("physical memory: %u KiB free of %u KiB\n",
            frame_count_free() * (PAGE_SIZE / 1024), frame_count_ram() * (PAGE_SIZE / 1024));
}

/* The program's name: its module path without directories or arguments. */
static void module_name(const char *cmdline, char *name, size_t size)
{
    const char *start = cmdline;
    for (const char *p = cmdline; *p && *p != ' '; p++)
        if (*p == '/')
            start = p + 1;
    size_t n = 0;
    while (start[n] && start[n] != ' ' && start[n] != '.' && n + 1 < size)
        n++;
    memcpy(name, start, n);
    name[n] = '\0';
}

/* Starts one user program, in a space of its own.  A broken module is
   reported and skipped (NULL). */
static struct thread *start_module(const struct multiboot_module *mod)
{
    const char *cmdline = mod->cmdline ? P2V(mod->cmdline) : "";
    char name[THREAD_NAME_LEN];
    uint32_t entry, esp;

    module_name(cmdline, name, sizeof name);
    struct space *s = space_create();
    if (!s) {
        kprintf("boot: no memory for a space for %s\n", name);
        return NULL;
    }
    if (elf_load(s, P2V(mod->start), mod->end - mod->start, &entry) < 0 ||
        !(esp = user_stack_setup(s, cmdline))) {
        kprintf("boot: cannot start module '%s'\n", cmdline);
        space_destroy(s);
        return NULL;
    }
    struct thread *t = thread_create_user(s, name, entry, esp);
    if (!t) {
        space_destroy(s);
        return NULL;
    }
    s->privileged = 1;      /* a root task: may create threads and tasks */
    kprintf("boot: thread %u runs %s (entry %p)\n", thread_number(t), name, (void *)entry);
    return t;
}

/* Adds frame pa to the description of sigma0's memory: ranges in the
   order the frames come, merged when they touch.  0, or -1 when the
   description is full. */
static int sigma0_note(struct l4_sigma0_info *info, paddr_t pa)
{
    if (info->nranges && info->range[info->nranges - 1].end == pa) {
        info->range[info->nranges - 1].end += PAGE_SIZE;
    } else {
        if (info->nranges == L4_SIGMA0_RANGES)
            return -1;
        info->range[info->nranges].start = pa;
        info->range[info->nranges++].end = pa + PAGE_SIZE;
    }
    info->frames++;
    return 0;
}

/*
 * sigma0 (l4/sigma0.h): the kernel keeps a quarter of the free frames for
 * its own needs (thread control blocks, page tables, mapping-database
 * nodes) and gives every other one to sigma0, mapped at L4_SIGMA0_BASE +
 * pa, owned by it: from now on, user memory is sigma0's to hand out.
 * sigma0's quotas (vm.h) grow by what holding that memory costs: a node
 * per frame, and two tables per 4 MiB.
 */
static void sigma0_setup(struct thread *t)
{
    struct space *s = t->space;
    struct l4_sigma0_info *info = vm_alloc_kpage();
    if (!info || vm_set_page(s, L4_SIGMA0_INFO, V2P(info), 0) < 0 ||
        mapdb_add_root(s, L4_SIGMA0_INFO) < 0)
        panic("no memory to start sigma0");
    memset(info, 0, PAGE_SIZE);
    info->magic = L4_SIGMA0_MAGIC;
    unsigned keep = frame_count_free() / 4;
    info->kernel_frames = keep;
    s->mapnodes_extra = frame_count_free() - keep;     /* one node per frame it gets */
    while (frame_count_free() > keep) {
        paddr_t pa = frame_alloc();
        uint32_t va = L4_SIGMA0_BASE + pa;
        if (pa < L4_USER_TOP - L4_SIGMA0_BASE && !vm_pte(s, va))
            s->tables_extra += 2;   /* this 4 MiB's page table and shadow table (vm.h) */
        if (pa >= L4_USER_TOP - L4_SIGMA0_BASE || vm_set_page(s, va, pa, PTE_W) < 0) {
            frame_free(pa);
            break;
        }
        if (mapdb_add_root(s, va) < 0) {
            vm_clear_page(s, va);
            frame_free(pa);
            break;
        }
        if (sigma0_note(info, pa) < 0) {
            mapdb_remove(mapdb_lookup(s, va));      /* the description is full */
            break;
        }
    }
    kprintf("boot: sigma0 (thread %u) owns %u frames (%u KiB); the kernel keeps %u\n",
            thread_number(t), info->frames, info->frames * (PAGE_SIZE / 1024), frame_count_free());
}

/* Whether the kernel command line (QEMU -append) contains the word w. */
static int cmdline_has(const struct multiboot_info *mbi, const char *w)
{
    if (!(mbi->flags & MBI_FLAG_CMDLINE) || !mbi->cmdline)
        return 0;
    size_t n = strlen(w);
    for (const char *p = P2V(mbi->cmdline); *p; p++)
        if ((p == (const char *)P2V(mbi->cmdline) || p[-1] == ' ') &&
            strncmp(p, w, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

static void idle_loop(void)
{
    for (;;) {
        sti_hlt();      /* an interrupt ends the hlt; the handler runs */
        cli();
        schedule();
    }
}

void kernel_main(uint32_t magic, uint32_t mbi_phys)
{
    serial_init();
    kprintf("l4lab: an L4-style teaching microkernel for i386\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        panic("not started by a Multiboot boot loader (eax = %p); boot with qemu -kernel", (void *)magic);
    const struct multiboot_info *mbi = P2V(mbi_phys);
    if (!(mbi->flags & MBI_FLAG_MMAP))
        panic("the boot loader gave no memory map");

    vm_init();
    gdt_init();
    idt_init();
    fpu_init();
    pic_init();
    pit_init(TIMER_HZ);
    print_memory_map(mbi);
    frames_setup(mbi);

    /* `-append panic-test` lets the tests check that panic() reports
       and stops the machine properly. */
    if (cmdline_has(mbi, "panic-test"))
        panic("panic-test given on the kernel command line; stopping as asked");

    struct thread *idle = thread_create_kernel("idle", idle_loop);
    if (!idle)
        panic("no memory for the idle thread");
    sched_init(idle);
    ipc_init();

    unsigned nmods = (mbi->flags & MBI_FLAG_MODS) ? mbi->mods_count : 0;
    if (nmods == 0)
        kprintf("boot: no user programs given (QEMU -initrd); nothing to run.\n");
    const struct multiboot_module *mods = P2V(mbi->mods_addr);
    struct thread *first = NULL, *prev = NULL;
    for (unsigned i = 0; i < nmods; i++) {
        if (prev && module_is_data(&mods[i])) {
            module_give_data(prev, &mods[i]);
            continue;
        }
        struct thread *t = start_module(&mods[i]);
        if (i == 0)
            first = t;
        prev = t;
    }
    if (first && strcmp(first->name, "sigma0") == 0)
        sigma0_setup(first);
    sched_start();
}
