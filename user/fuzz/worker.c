/*
 * Workers: threads of the root task and the one thread of each child task,
 * all running worker_run().  Each step is one random action: a call to a
 * server, a send or a receive between peers (with map and grant items and
 * receive windows from Lab 2 on), a touch of WIN memory that may fault to
 * the worker's pager (Lab 3), an exception for its handler (Lab 4), an
 * unmap, an administrative call (refused with -L4_EPERM in a child task),
 * or a small call (null, clock, console, a number no call has).
 */
#include "fuzz.h"

/*
 * The exception sites.  fz_exc_NAME() saves the registers C wants kept,
 * puts the address after the instruction in %edi and runs it; the
 * servers' usual reply resumes there (eip = the message's edi), where the
 * registers come back from the stack, so a reply that changes them does
 * no harm.  A reply that sends the thread elsewhere, or gives it a bad
 * %esp, gets it killed by the kernel, never lost in our own code.
 */
#define SITE3(name, before, insn, after)                                            \
    __asm__(".text\n.globl fz_exc_" #name "\nfz_exc_" #name ":\n\t"                 \
            "pushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n\t"              \
            "movl 20(%esp), %eax\n\tmovl $1f, %edi\n\t" before "\n\t" insn "\n1:\n\t"  \
            after "\n\tcld\n\tpopl %edi\n\tpopl %esi\n\tpopl %ebx\n\tpopl %ebp\n\tret\n"); \
    void fz_exc_##name(uint32_t arg);
#define SITE(name, insn) SITE3(name, "", insn, "")

SITE(ud2, "ud2")
SITE(int3, "int3")
SITE3(into, "movl $0x7fffffff, %eax\n\taddl $1, %eax", "into", "")
SITE3(div, "xorl %edx, %edx\n\tmovl $1, %eax\n\txorl %ecx, %ecx", "divl %ecx", "")
SITE(int80, "int $0x80")
SITE(int20, "int $0x20")
SITE(cli, "cli\n\tsti")
SITE(hlt, "hlt")
SITE(inb, "inb $0x80, %al")
/* A selector (the argument) loaded into %fs: null, ours, the kernel's, a
   system segment, the LDT's, beyond the GDT.  %fs is put back after. */
SITE3(seg, "pushl %fs", "movw %ax, %fs", "popl %fs")
/* An x87 instruction: the kernel may let it run or raise #NM. */
SITE(fpu, "fninit\n\tfld1\n\tfstp %st(0)")

static const uint16_t selectors[] = {0x0000, 0x0023, 0x0033, 0x0010, 0x001b, 0x002b,
                                     0x0007, 0x000f, 0x003b, 0xffff};

void raise_exception(struct fz *f, unsigned kind)
{
    static void (*const sites[EXC_KINDS])(uint32_t) = {
        [EXC_UD2] = fz_exc_ud2, [EXC_INT3] = fz_exc_int3, [EXC_INTO] = fz_exc_into,
        [EXC_DIV] = fz_exc_div, [EXC_INT80] = fz_exc_int80, [EXC_INT20] = fz_exc_int20,
        [EXC_CLI] = fz_exc_cli, [EXC_HLT] = fz_exc_hlt, [EXC_INB] = fz_exc_inb,
        [EXC_SEG] = fz_exc_seg, [EXC_FPU] = fz_exc_fpu,
    };
    sites[kind](selectors[rnd(f, sizeof selectors / sizeof selectors[0])]);
    fz_event(EV_RESUMED);
}

/*
 * Threads that need no stack: entered with %esp = anything (raw_touch:
 * the WIN address to touch).  They make their one call uncounted.
 */
__asm__(".text\n"
        ".globl raw_exit\nraw_exit:\n\t"
        "movl $" L4_XSTR(SYS_THREAD_EXIT) ", %eax\n\txorl %ebx, %ebx\n\t"
        "int $" L4_XSTR(L4_SYSCALL_VECTOR) "\n\tud2\n"
        ".globl raw_touch\nraw_touch:\n\t"
        "movl (%esp), %eax\n\tmovl %eax, (%esp)\n\tjmp raw_exit\n"
        ".globl raw_ud2\nraw_ud2:\n\t"
        "movl $raw_exit, %edi\n\tud2\n\tjmp raw_exit\n"
        /* A new thread starts with every register but %esp zero (docs/abi.md):
           count the ones that do not (a leak of another thread's registers). */
        ".globl raw_check\nraw_check:\n\t"
        "orl %ebx, %eax\n\torl %ecx, %eax\n\torl %edx, %eax\n\torl %esi, %eax\n\t"
        "orl %edi, %eax\n\torl %ebp, %eax\n\tjz raw_exit\n\t"
        "lock incl fz_dirty_starts\n\tjmp raw_exit\n"
        ".globl raw_clock\nraw_clock:\n\t"
        "movl $" L4_XSTR(SYS_CLOCK) ", %eax\n\tint $" L4_XSTR(L4_SYSCALL_VECTOR) "\n\t"
        "jmp raw_exit\n");

/* After a receive: answer what asks for an answer. */
static void received(struct fz *f, int32_t err, l4_tid_t from)
{
    if (!err)
        handle_message(f, from);
}

static void set_window(struct fz *f)
{
    if (SH->lab >= 2)
        l4_utcb()->rcv_window = pick_window(f);
}

/* A request to a server (now and then to any peer), as a call. */
static void act_call(struct fz *f)
{
    int must = chance(f, 4);
    l4_tid_t to = chance(f, 8) ? pick_peer(f) : pick_server(f);
    set_window(f);
    l4_set_mr(0, pick_tag(f, must ? LBL_MUST : LBL_REQ, NULL));
    /* Only a server is sure to answer: never wait for anybody else for ever. */
    int server = 0;
    for (unsigned i = 0; i < NSERVERS; i++)
        server |= to == SH->servers[i];
    uint32_t t = must && server ? l4_timeouts(L4_TIMEOUT_NEVER, L4_TIMEOUT_NEVER)
                                : l4_timeouts(pick_timeout(f), pick_timeout(f));
    l4_tid_t from;
    received(f, fz_ipc(f, to, to, t, &from), from);
}

/* A plain send to a peer, with a short timeout or none. */
static void act_send(struct fz *f)
{
    l4_set_mr(0, pick_tag(f, LBL_REQ + rnd(f, 2) * 0x10, NULL));
    fz_ipc(f, pick_peer(f), L4_NILTHREAD, l4_timeouts(pick_timeout(f), 0), NULL);
}

/* A receive from anybody or from one peer, with a short timeout or none. */
static void act_receive(struct fz *f)
{
    l4_tid_t from = chance(f, 3) ? pick_peer(f) : L4_ANYTHREAD;
    set_window(f);
    received(f, fz_ipc(f, L4_NILTHREAD, from, l4_timeouts(0, pick_timeout(f)), &from), from);
}

/* Reply-and-wait to a peer: a send that must not wait, then a receive. */
static void act_reply_wait(struct fz *f)
{
    l4_tid_t from;
    set_window(f);
    l4_set_mr(0, pick_tag(f, LBL_REPLY, NULL));
    received(f, fz_ipc(f, pick_peer(f), L4_ANYTHREAD, l4_timeouts(0, pick_timeout(f)), &from),
             from);
}

/* A read or a write somewhere in WIN: a fault for our pager if nothing is
   mapped there (or only read-only, for a write). */
static void act_touch(struct fz *f)
{
    volatile uint32_t *p = (volatile uint32_t *)win_addr(f);
    if (rnd(f, 2))
        (void)*p;
    else
        *p = (uint32_t)p;
    f->hot = (uint32_t)p;       /* a page is there now */
    fz_event(EV_TOUCH);
}

static void act_unmap(struct fz *f)
{
    uint32_t flags;
    l4_fpage_t fp = pick_unmap_fpage(f, &flags);
    fz_sys(f, SYS_UNMAP, fp, flags, 0, 0);
}

/* Small calls: null, the clock, the console (nothing printed, or a
   pointer the kernel must refuse), ending a task that is not ours to end
   (our own, nobody, no such thread: never a peer the fuzzer still needs),
   a number no system call has. */
static void act_small(struct fz *f)
{
    static const char dot[] = "";
    switch (rnd(f, 6)) {
    case 0:
        if (SH->lab >= 0)
            fz_sys(f, SYS_NULL, rnd32(f), 0, 0, 0);
        break;
    case 1:
        fz_sys(f, SYS_CLOCK, 0, 0, 0, 0);
        break;
    case 2:
        fz_sys(f, SYS_KDB_PUTS, (uint32_t)dot, 0, 0, 0);
        break;
    case 3: {
        static const uint32_t bad[] = {0, L4_USER_TOP, 0xFFFFF000u, PAGE, 0xBFFFFFF0u};
        fz_sys(f, SYS_KDB_PUTS, bad[rnd(f, 5)], 1 + rnd(f, 64), 0, 0);
        break;
    }
    case 4: {       /* ourselves (-EPERM), nobody, or a thread number no thread has */
        l4_tid_t t = chance(f, 2) ? f->self : chance(f, 2) ? L4_NILTHREAD
                   : l4_tid_make(1024 + rnd(f, 4096), 1 + rnd(f, 100));
        fz_sys(f, SYS_TASK_DELETE, t, 0, 0, 0);
        break;
    }
    default:
        fz_sys(f, SYS_COUNT + rnd(f, 300), rnd32(f), rnd32(f), rnd32(f), rnd32(f));
    }
}

/* Calls only a root task may make (a child gets -L4_EPERM). */
static void act_admin(struct fz *f)
{
    l4_tid_t t = chance(f, 2) ? f->self : pick_peer(f);
    switch (rnd(f, 5)) {
    case 0:
        if (SH->lab >= 3)
            fz_sys(f, SYS_SET_PAGER, t, pick_pager(f, t), 0, 0);
        break;
    case 1:
        if (SH->lab >= 4)
            fz_sys(f, SYS_SET_HANDLER, t, pick_pager(f, t), 0, 0);
        break;
    case 2:
        if (SH->lab >= 4)
            fz_sys(f, SYS_SCHEDULE, t, 95 + rnd(f, 11), rnd(f, 20), 0);
        break;
    case 3:
        fz_sys(f, SYS_IO_ACCESS, 0, 0, 0, 0);
        break;
    default:
        /* Lines no device of ours raises; line 8 is the interrupt thread's.
           Below Lab 4 only detach (refused): a thread with a line would
           reach Lab 4's irq_receive with every receive. */
        fz_sys(f, SYS_IRQ_CONTROL, 9 + rnd(f, 7), SH->lab >= 4 && rnd(f, 2), 0, 0);
    }
}

void worker_run(struct fz *f)
{
    f->may_step = 1;        /* our handler is a server, or we are stopped */
    while (budget_left()) {
        unsigned a = rnd(f, 16);
        if (a < 3 && SH->lab >= 1)
            act_call(f);
        else if (a < 5 && SH->lab >= 1)
            act_send(f);
        else if (a < 7 && SH->lab >= 1)
            act_receive(f);
        else if (a < 8 && SH->lab >= 1)
            act_reply_wait(f);
        else if (a < 10 && SH->lab >= 3)
            act_touch(f);
        else if (a < 11 && SH->lab >= 4)
            raise_exception(f, rnd(f, EXC_KINDS));
        else if (a < 12 && SH->lab >= 2)
            act_unmap(f);
        else if (a < 13)
            act_admin(f);
        else
            act_small(f);
        if (chance(f, 4096)) {
            fz_count(SYS_THREAD_EXIT, 0);
            l4_thread_exit(0);          /* the driver starts another */
        }
    }
    l4_thread_exit(0);
}

/* A child task's thread starts here, on its stack in child_stacks[slot]
   (the root wrote slot and a null return address there). */
void child_entry(uint32_t slot)
{
    struct fz f = {.root = 0, .self = l4_myself()};
    fz_seed(&f, 0xC0000000u ^ slot ^ f.self);
    worker_run(&f);
}
