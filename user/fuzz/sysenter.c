/*
 * The sysenter entry (docs/abi.md, "The sysenter entry"), fuzzed two ways.
 * Everything here is checked against the ABI, not against how
 * kernel/arch/i386/sysenter.asm does it today.
 *
 * IPC through sysenter (fz_se_ipc; fz_ipc takes it half the time): the
 * same IPC as through int $0x30, entered now and then with the eflags
 * bits a ring-3 program may set (the arithmetic ones, DF, AC, NT, ID, TF;
 * IF cleared by a thread with IOPL 3) or may try to set (IOPL, VM: popf
 * leaves them), and with %ds, %es, %fs and %gs each any selector a user
 * may load (null, user code, user data, UTCB, TLS).  The oracle, from the
 * ABI's table: %ebx, %esp = %ecx and %eip = %edx come back as given, the
 * segment registers and eflags as they were except IF, which is set, and
 * %eax is 0 or an error code of l4/abi.h.  With TF the return single-
 * steps: a #DB after the first instruction at the return address, which
 * the worker's handler (a server) answers by resuming there without TF
 * (se_single_step); a worker whose handler is gone is stopped with a
 * report, which the ABI allows too.
 *
 * The driver's own (drv_sysenter, half the time): an IPC with neither
 * phase, any timeouts, through either entry; below Lab 1 its only IPC.
 *
 * Threads of their own (drv_sysenter, the other half): the driver starts a
 * thread that, now and then after SYS_IO_ACCESS (IOPL 3: popf may then
 * clear IF), loads every register from a block (struct se_block) and
 * sysenters with
 * an IPC that means anything: to and from a peer, nil, any, an ID that
 * names nobody or a random word; any tag (items only to an ID that cannot
 * be one of ours, since MR2.. hold whatever the UTCB slot held before);
 * any timeouts, short only where the thread could wait for a peer, so
 * that it ends.  Its %ecx and %edx, the %esp and %eip to come back to,
 * say what must happen:
 *   se_land, %esp = the block    comes back there and checks out as above;
 *                                with TF it never gets past se_land's
 *                                first instruction (no handler: a report)
 *   se_land_nostack, any %esp    comes back with %esp = %ecx and
 *                                %edx = se_land_nostack (a kernel
 *                                address, 0, odd: it touches no stack)
 *   se_land_push, a kernel %esp  its first push faults (a report)
 *   a kernel %eip (or 0 when the thread has no pager), any %esp
 *                                a page fault at that eip: a report, or
 *                                a message to its pager, who has nothing
 *                                to map there and lets the kernel stop it
 * A wrong return makes the run fail (fuzz: FAIL, from se_report); a fault
 * is one of the reports grader/fuzz.py counts; a panic, hang or reset is
 * the kernel's bug.  A block remembers its thread, and the driver reuses
 * it only once that thread has ended (SYS_SET_PAGER to nil fails only for
 * a thread that has ended), so no thread finds its block rewritten.
 */
#include <stddef.h>
#include "fuzz.h"

#define EFL_CF   0x1u
#define EFL_PF   0x4u
#define EFL_AF   0x10u
#define EFL_ZF   0x40u
#define EFL_SF   0x80u
#define EFL_TF   0x100u
#define EFL_IF   0x200u
#define EFL_DF   0x400u
#define EFL_OF   0x800u
#define EFL_IOPL 0x3000u
#define EFL_NT   0x4000u
#define EFL_VM   0x20000u
#define EFL_AC   0x40000u
#define EFL_ID   0x200000u
#define EFL_ARITH (EFL_CF | EFL_PF | EFL_AF | EFL_ZF | EFL_SF | EFL_OF)
/* The bits the oracle looks at: every one a user can set or try to set. */
#define EFL_CHECKED (EFL_ARITH | EFL_TF | EFL_IF | EFL_DF | EFL_IOPL | EFL_NT | EFL_VM | \
                     EFL_AC | EFL_ID)

/* Selectors a user may load into %ds..%gs (kernel/arch/i386/gdt.c): null,
   user code, user data, the UTCB segment, the TLS segment. */
static const uint16_t user_sels[] = {0x00, 0x1B, 0x23, 0x33, 0x3B};

/* What the return stubs saved, in push order reversed (pushal below the
   segment registers): the registers as sysexit or iret left them. */
enum { R_GS, R_FS, R_ES, R_DS, R_EDI, R_ESI, R_EBP, R_ESP, R_EBX, R_EDX, R_ECX, R_EAX,
       R_EFLAGS, R_WORDS };

static uint32_t read_eflags(void)
{
    uint32_t e;
    __asm__ volatile("pushf\n\tpopl %0" : "=r"(e));
    return e;
}

static uint32_t read_segs(void)
{
    uint16_t ds, es, fs, gs;
    __asm__ volatile("mov %%ds, %0\n\tmov %%es, %1\n\tmov %%fs, %2\n\tmov %%gs, %3"
                     : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
    return (uint32_t)ds | (uint32_t)es << 8 | (uint32_t)fs << 16 | (uint32_t)gs << 24;
}

/* Records a return that broke the ABI; the first one is kept for the
   report (children write the shared page too). */
static void se_fail(const char *what, uint32_t got, uint32_t want, uint32_t eflags,
                    uint32_t segs)
{
    __atomic_fetch_add(&SH->se_bad, 1, __ATOMIC_RELAXED);
    if (__atomic_exchange_n(&SH->se_bad_claimed, 1, __ATOMIC_RELAXED))
        return;
    SH->se_what = what, SH->se_got = got, SH->se_want = want;
    SH->se_eflags = eflags, SH->se_segs = segs;
}

/* An IPC result the ABI allows: 0, or minus a code of l4/abi.h with
   L4_ERECV or-ed in or not. */
static int result_ok(uint32_t eax)
{
    uint32_t code = -eax & ~(uint32_t)L4_ERECV;
    return eax == 0 || (code >= 1 && code <= L4_EBUSY);
}

/* What the ABI says of registers r after a sysenter that gave ebx, esp
   (%ecx), eip (%edx), segment registers segs (one byte each: ds, es, fs,
   gs) and the eflags image popped just before it (cur: the flags before
   that, whose IOPL popf cannot change).  0 if all is well. */
static int se_check(const uint32_t *r, uint32_t ebx, uint32_t esp, uint32_t eip,
                    uint32_t segs, uint32_t image, uint32_t cur)
{
    uint32_t want_fl = (image & EFL_CHECKED & ~(EFL_IOPL | EFL_IF | EFL_VM)) |
                       (cur & EFL_IOPL) | EFL_IF;
    uint32_t got_segs = (r[R_DS] & 0xFF) | (r[R_ES] & 0xFF) << 8 | (r[R_FS] & 0xFF) << 16 |
                        (r[R_GS] & 0xFF) << 24;
    const char *what = NULL;
    uint32_t got = 0, want = 0;
    if (r[R_ECX] != esp)
        what = "%ecx (the %esp to return with)", got = r[R_ECX], want = esp;
    else if (r[R_EDX] != eip)
        what = "%edx (the %eip to return to)", got = r[R_EDX], want = eip;
    else if (r[R_EBX] != ebx)
        what = "%ebx (to)", got = r[R_EBX], want = ebx;
    else if (((r[R_DS] | r[R_ES] | r[R_FS] | r[R_GS]) & 0xFF00) || got_segs != segs)
        what = "the segment registers (ds es fs gs, a byte each)", got = got_segs, want = segs;
    else if ((r[R_EFLAGS] & EFL_CHECKED) != want_fl)
        what = "eflags", got = r[R_EFLAGS] & EFL_CHECKED, want = want_fl;
    else if (!result_ok(r[R_EAX]))
        what = "%eax (0 or -error)", got = r[R_EAX], want = 0;
    if (!what)
        return 0;
    se_fail(what, got, want, image, segs);
    return 1;
}

/* --- IPC through sysenter, from our own C code --- */

struct se_call {
    uint32_t ds, es, fs, gs, eax, ebx, ebp, esi, edi, eflags;   /* loaded (offsets below) */
    uint32_t given;             /* the %esp to come back with, in %ecx */
    uint32_t r[R_WORDS];        /* as it came back */
    uint32_t esp;               /* the %esp it came back with */
};
_Static_assert(offsetof(struct se_call, eflags) == 36 && offsetof(struct se_call, given) == 40,
               "fz_se_enter's offsets");

int32_t fz_se_enter(struct se_call *c);
void fz_se_ret(void);
void fz_se_back(struct se_call *c, const uint32_t *r);

/*
 * fz_se_enter(c): saves what C wants kept and the segment registers,
 * loads c's registers (%ds last: it reads c), pops c's eflags image just
 * before the sysenter (so that TF traps after it, not before), returns to
 * fz_se_ret with %esp as it was after the popf.  There the first
 * instruction saves eflags as they came back (a single step traps after
 * it), then the registers; then the caller's segment registers and a
 * clean eflags come back before any C runs.
 *
 * Stack at fz_se_ret (E = the %esp given): E+0 timeouts, E+4 c, E+8..E+20
 * the caller's gs fs es ds, E+24.. edi esi ebx ebp, the return address.
 * After pushf, pushal and four segment pushes, r = E - 52.
 */
__asm__(".text\n"
        ".globl fz_se_enter\nfz_se_enter:\n\t"
        "pushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n\t"
        "pushl %ds\n\tpushl %es\n\tpushl %fs\n\tpushl %gs\n\t"
        "movl 36(%esp), %eax\n\t"
        "pushl %eax\n\t"
        "pushl 16(%eax)\n\t"                /* timeouts */
        "pushl 36(%eax)\n\t"                /* the eflags image */
        "leal 4(%esp), %ecx\n\t"           /* %esp after the popf */
        "movl %ecx, 40(%eax)\n\t"
        "movl 20(%eax), %ebx\n\tmovl 24(%eax), %ebp\n\t"
        "movl 28(%eax), %esi\n\tmovl 32(%eax), %edi\n\t"
        "movw 12(%eax), %gs\n\tmovw 8(%eax), %fs\n\tmovw 4(%eax), %es\n\tmovw 0(%eax), %ds\n\t"
        "movl 4(%esp), %eax\n\t"
        "movl $fz_se_ret, %edx\n\t"
        "popfl\n\t"
        "sysenter\n"
        ".globl fz_se_ret\nfz_se_ret:\n\t"
        "pushfl\n\tpushal\n\t"
        "pushl %ds\n\tpushl %es\n\tpushl %fs\n\tpushl %gs\n\t"
        "pushl $0x202\n\tpopfl\n\t"         /* DF, AC, NT, TF clear for C */
        "movw 72(%esp), %ds\n\tmovw 68(%esp), %es\n\t"
        "movw 64(%esp), %fs\n\tmovw 60(%esp), %gs\n\t"
        "movl %esp, %eax\n\t"
        "pushl %eax\n\t"
        "pushl 60(%esp)\n\t"                /* c, at r + 56 */
        "call fz_se_back\n\t"
        "addl $8, %esp\n\t"
        "movl 44(%esp), %eax\n\t"           /* r[R_EAX] */
        "addl $76, %esp\n\t"
        "popl %edi\n\tpopl %esi\n\tpopl %ebx\n\tpopl %ebp\n\t"
        "ret\n");

void fz_se_back(struct se_call *c, const uint32_t *r)
{
    for (unsigned i = 0; i < R_WORDS; i++)
        c->r[i] = r[i];
    c->esp = (uint32_t)(r + R_WORDS);
}

static uint32_t pick_sel(struct fz *f)
{
    return user_sels[rnd(f, sizeof user_sels / sizeof user_sels[0])];
}

/* Eflags to pop before a sysenter: cur with random arithmetic flags and,
   now and then, DF (with SH->df), AC, NT, ID, IOPL or VM (which popf
   leaves as they are) and IF clear (which it clears only with IOPL 3). */
static uint32_t pick_eflags(struct fz *f, uint32_t cur)
{
    uint32_t e = (cur & ~EFL_ARITH) | (rnd32(f) & EFL_ARITH);
    uint32_t extra = EFL_AC | EFL_NT | EFL_ID | EFL_IOPL | EFL_VM | (SH->df ? EFL_DF : 0);
    e |= rnd32(f) & extra & (rnd(f, 2) ? ~0u : 0);
    if (chance(f, 4))
        e &= ~EFL_IF;
    return e;
}

/*
 * One IPC through sysenter, as fz_ipc's int $0x30 one: from in, the
 * sender out; MR0 and MR1 in and out.  Checked against the ABI; the result
 * is the kernel's, whatever the check found.
 */
int32_t fz_se_ipc(struct fz *f, l4_tid_t to, l4_tid_t *from, uint32_t timeouts,
                  uint32_t *mr0, uint32_t *mr1)
{
    uint32_t cur = read_eflags(), segs = read_segs();
    struct se_call c = {.eax = timeouts, .ebx = to, .ebp = *from, .esi = *mr0, .edi = *mr1,
                        .eflags = cur};
    int odd = 0;
    if (chance(f, 4)) {
        segs = pick_sel(f) | pick_sel(f) << 8 | pick_sel(f) << 16 | pick_sel(f) << 24;
        odd = 1;
    }
    if (chance(f, 4)) {
        c.eflags = pick_eflags(f, cur);
        odd = 1;
    }
    /* A single step: only a worker, whose handler knows fz_se_ret. */
    if (f->may_step && SH->lab >= 4 && chance(f, 64))
        c.eflags |= EFL_TF, odd = 1;
    c.ds = segs & 0xFF, c.es = segs >> 8 & 0xFF, c.fs = segs >> 16 & 0xFF, c.gs = segs >> 24;
    fz_event(EV_SE_IPC);
    if (odd)
        fz_event(EV_SE_ODD);
    int32_t ret = fz_se_enter(&c);
    if (c.esp != c.given)
        se_fail("%esp after a sysenter (it must be the %ecx given)", c.esp, c.given, c.eflags,
                segs);
    else
        se_check(c.r, to, c.given, (uint32_t)fz_se_ret, segs, c.eflags, cur);
    *from = c.r[R_EBP];
    *mr0 = c.r[R_ESI];
    *mr1 = c.r[R_EDI];
    return ret;
}

/* Whether an exception message is the single step after fz_se_ret's
   first instruction (its handler resumes it there, without TF). */
int se_single_step(const uint32_t *msg)
{
    return msg[L4_EXC_VECTOR] == 1 && msg[L4_EXC_EIP] == (uint32_t)fz_se_ret + 1 &&
           (msg[L4_EXC_EFLAGS] & EFL_TF);
}

/* --- threads that sysenter with any registers --- */

struct se_block {
    uint32_t stack[128];        /* se_land's, below the block */
    /* What raw_sysenter loads, at these offsets from ds. */
    uint32_t ds, es, fs, gs, eax, ebx, ebp, esi, edi, ecx, edx, eflags;
    uint32_t io;                /* first SYS_IO_ACCESS: IOPL 3, so popf may clear IF */
    uint32_t cur;               /* the flags at the sysenter, before the popf */
    uint32_t step;              /* TF given: se_land must never run past its first insn */
    l4_tid_t tid;               /* the thread that uses the block (0: none) */
};
_Static_assert(offsetof(struct se_block, eflags) - offsetof(struct se_block, ds) == 44 &&
               offsetof(struct se_block, io) - offsetof(struct se_block, ds) == 48,
               "raw_sysenter's offsets");

enum { SE_BLOCKS = 8 };
static struct se_block se_blocks[SE_BLOCKS] __attribute__((aligned(16)));
static volatile uint32_t se_nostack_landed, se_nostack_bad, se_pushed;

void raw_sysenter(void), se_land(void), se_land_nostack(void), se_land_push(void);
void se_land_check(const uint32_t *r);

/*
 * raw_sysenter: a new thread with %esp = &block->ds.  se_land saves eflags
 * first (a single step traps after it), then the registers, and checks
 * them in C with %ds and %es ours again and eflags clean, on the block's
 * stack.  se_land_nostack and se_land_push use no memory but the counter.
 */
__asm__(".text\n"
        ".globl raw_sysenter\nraw_sysenter:\n\t"
        "cmpl $0, 48(%esp)\n\tje 2f\n\t"
        "movl $" L4_XSTR(SYS_IO_ACCESS) ", %eax\n\tint $" L4_XSTR(L4_SYSCALL_VECTOR) "\n"
        "2:\n\tmovw 0(%esp), %ds\n\tmovw 4(%esp), %es\n\tmovw 8(%esp), %fs\n\tmovw 12(%esp), %gs\n\t"
        "movl 16(%esp), %eax\n\tmovl 20(%esp), %ebx\n\tmovl 24(%esp), %ebp\n\t"
        "movl 28(%esp), %esi\n\tmovl 32(%esp), %edi\n\t"
        "movl 36(%esp), %ecx\n\tmovl 40(%esp), %edx\n\t"
        "addl $44, %esp\n\t"
        "popfl\n\t"
        "sysenter\n\t"
        "ud2\n"
        ".globl se_land\nse_land:\n\t"
        "pushfl\n\tpushal\n\t"
        "pushl %ds\n\tpushl %es\n\tpushl %fs\n\tpushl %gs\n\t"
        "pushl $0x202\n\tpopfl\n\t"
        "pushl $0x23\n\tpopl %ds\n\tpushl $0x23\n\tpopl %es\n\t"
        "pushl %esp\n\tcall se_land_check\n\t"
        "jmp raw_exit\n"
        ".globl se_land_nostack\nse_land_nostack:\n\t"
        "cmpl %esp, %ecx\n\tjne 1f\n\t"
        "cmpl $se_land_nostack, %edx\n\tjne 1f\n\t"
        "movw $0x23, %ax\n\tmovw %ax, %ds\n\t"
        "lock incl se_nostack_landed\n\tjmp raw_exit\n"
        "1:\n\tmovw $0x23, %ax\n\tmovw %ax, %ds\n\t"
        "lock incl se_nostack_bad\n\tjmp raw_exit\n"
        ".globl se_land_push\nse_land_push:\n\t"
        "pushl %eax\n\t"
        "movw $0x23, %ax\n\tmovw %ax, %ds\n\t"
        "lock incl se_pushed\n\tjmp raw_exit\n");

void se_land_check(const uint32_t *r)
{
    uint32_t esp = (uint32_t)(r + R_WORDS);
    struct se_block *b = (struct se_block *)(esp - offsetof(struct se_block, ds));
    if (r[R_ECX] != esp || b < se_blocks || b >= se_blocks + SE_BLOCKS) {
        se_fail("%esp after a sysenter to se_land (it must be the %ecx given)", esp, r[R_ECX],
                0, 0);
        return;
    }
    if (b->step) {
        se_fail("a thread that sysentered with TF ran past the first instruction it came back "
                "to (no single-step trap in user mode; its handler is nil), eflags", r[R_EFLAGS],
                b->eflags, b->eflags, 0);
        return;
    }
    uint32_t segs = b->ds | b->es << 8 | b->fs << 16 | b->gs << 24;
    if (!se_check(r, b->ebx, b->ecx, (uint32_t)se_land, segs, b->eflags, b->cur))
        fz_event(EV_SE_LANDED);
}

/* A return address for a thread that must not come back: in the kernel
   (or 0, for a thread without a pager, which nobody can map there). */
static uint32_t kernel_eip(struct fz *f, int paged)
{
    switch (rnd(f, 4)) {
    case 0: return L4_USER_TOP;
    case 1: return 0xFFFFFFFFu - rnd(f, 16);
    case 2: if (!paged) return 0;
            /* fall through */
    default: return L4_USER_TOP + (rnd32(f) & 0x3FFFFFFFu);
    }
}

/* Any %esp: a kernel address, 0, the top of user space, odd, random. */
static uint32_t any_esp(struct fz *f)
{
    switch (rnd(f, 5)) {
    case 0: return L4_USER_TOP + (rnd32(f) & 0x3FFFFFFFu);
    case 1: return 0;
    case 2: return L4_USER_TOP - rnd(f, 8);
    case 3: return rnd32(f) | 1;
    default: return rnd32(f);
    }
}

/* An ID to send to or receive from; *peer says whether it may name a
   thread of ours (then nothing must wait long and no items go there). */
static l4_tid_t any_tid(struct fz *f, int *peer)
{
    *peer = 0;
    if (SH->lab < 1)        /* no IPC below Lab 1: neither phase */
        return L4_NILTHREAD;
    switch (rnd(f, 6)) {
    case 0: return L4_NILTHREAD;
    case 1: return L4_ANYTHREAD;
    case 2: return pick_bad_tid(f);
    case 3: *peer = 1; return rnd32(f);         /* almost surely nobody */
    default: *peer = 1; return pick_peer(f);
    }
}

/* The driver: a thread that sysenters with the registers of one block,
   unless the block's last thread is still about. */
void drv_sysenter(struct fz *f)
{
    /* Half the time the driver's own IPC with neither phase, any timeouts
       and odd flags (below Lab 1, its only IPC: it reaches no hole). */
    if (rnd(f, 2)) {
        l4_set_mr(0, rnd32(f));
        fz_ipc(f, L4_NILTHREAD, L4_NILTHREAD, rnd32(f), NULL);
        return;
    }
    struct se_block *b = &se_blocks[rnd(f, SE_BLOCKS)];
    if (b->tid && fz_sys(f, SYS_SET_PAGER, b->tid, 0, 0, 0) == 0)
        return;
    b->tid = 0;
    int to_peer, from_peer;
    b->ebx = any_tid(f, &to_peer);
    b->ebp = any_tid(f, &from_peer);
    if (b->ebp == L4_ANYTHREAD)
        from_peer = 1;
    b->eax = rnd32(f);
    if (to_peer)
        b->eax = (b->eax & 0xFFFFu) | rnd(f, 3) << 16;
    if (from_peer || (b->ebp != L4_NILTHREAD && (b->eax & 0xFFFFu) == L4_TIMEOUT_NEVER))
        b->eax = (b->eax & ~0xFFFFu) | rnd(f, 3);
    b->esi = rnd32(f);
    if (rnd(f, 2))
        b->esi &= ~0xF000u;                     /* no flags: the tag may be taken */
    if (to_peer || b->ebx == L4_ANYTHREAD)
        b->esi &= ~(0x3Fu << 6);                /* no typed words */
    b->edi = rnd32(f);
    uint32_t segs[4] = {0x23, 0x23, 0, 0x33};
    if (rnd(f, 2))
        for (unsigned i = 0; i < 4; i++)
            segs[i] = pick_sel(f);
    b->ds = segs[0], b->es = segs[1], b->fs = segs[2], b->gs = segs[3];
    /* A new thread starts with eflags = IF (and the reserved bit 1), with
       IOPL 3 after SYS_IO_ACCESS (Lab 1 on, as the workers' act_admin). */
    b->io = SH->lab >= 1 && chance(f, 4);
    b->cur = EFL_IF | 2 | (b->io ? EFL_IOPL : 0);
    b->eflags = pick_eflags(f, b->cur);
    b->step = 0;
    int paged = SH->lab >= 3 && rnd(f, 2);
    switch (rnd(f, 8)) {
    case 0: case 1: case 2:
        b->edx = (uint32_t)se_land;
        b->ecx = (uint32_t)&b->ds;
        if (chance(f, 6))
            b->eflags |= EFL_TF, b->step = 1;
        break;
    case 3: case 4:
        b->edx = (uint32_t)se_land_nostack;
        b->ecx = any_esp(f);
        break;
    case 5:
        b->edx = (uint32_t)se_land_push;
        b->ecx = rnd(f, 4) ? L4_USER_TOP + (rnd32(f) & 0x3FFFFFFFu) : 0;
        break;
    default:
        b->edx = kernel_eip(f, paged);
        b->ecx = rnd(f, 2) ? (uint32_t)&b->ds : any_esp(f);
    }
    /* No handler: a single step or any other exception is reported. */
    int32_t tid = fz_sys(f, SYS_THREAD_CREATE, (uint32_t)raw_sysenter, (uint32_t)&b->ds,
                         paged ? pick_server(f) : L4_NILTHREAD, L4_NILTHREAD);
    if (tid > 0) {
        b->tid = (l4_tid_t)tid;
        fz_event(EV_SE_RAW);
    }
}

/* After the run: 1 if every sysenter came back as the ABI says. */
int se_report(void)
{
    __atomic_fetch_add(&SH->events[EV_SE_LANDED], se_nostack_landed, __ATOMIC_RELAXED);
    se_nostack_landed = 0;
    if (se_nostack_bad)
        se_fail("returns to se_land_nostack with %esp other than %ecx or %edx other than "
                "that address (count)", se_nostack_bad, 0, 0, 0);
    if (se_pushed)
        se_fail("pushes on a kernel %esp after a sysenter that did not fault (count)", se_pushed,
                0, 0, 0);
    if (!SH->se_bad)
        return 1;
    printf("fuzz: FAIL: %u sysenters came back other than docs/abi.md (\"The sysenter entry\") "
           "says; the first: %s: got 0x%x, expected 0x%x (eflags popped before it 0x%x, "
           "ds es fs gs 0x%x, a byte each); see kernel/arch/i386/sysenter.asm and the fast "
           "path\n", SH->se_bad, SH->se_what, SH->se_got, SH->se_want, SH->se_eflags, SH->se_segs);
    return 0;
}
