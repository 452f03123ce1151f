/*
 * The Linux server (Lab 5): `linux [-v] /prog args...` runs /prog from the
 * root file system (the data module booted after it) as a Linux process,
 * and stops the machine with its exit status when it ends.  Boot it as
 * module 1, after sigma0 (its memory), with the cpio archive after it.
 *
 * The server is one thread that never blocks on anything but its own
 * receive: every process's page fault and system call is a message to it,
 * and it answers each at once (or, later, keeps the caller waiting by not
 * answering yet, and answers when what it waits for happens).  So one
 * process that waits never stops the others, and the server needs no
 * threads of its own per process.
 */
#include "linux.h"

l4_tid_t lx_self;
int lx_verbose;

static int events;              /* something happened that waiting calls may wait for */

/* The receive's timeout: the earliest deadline, or never while nobody
   sleeps (nearly always), which needs no call. */
static inline uint16_t next_timeout(void)
{
    return lx_deadlines ? time_next_timeout() : L4_TIMEOUT_NEVER;
}

/* The process that sent the last message: the next message is nearly
   always from it again (a process's calls come one after another), so it
   is compared first, with the test proc_by_tid makes, before the search. */
static struct proc *last_sender;

static inline struct proc *sender(l4_tid_t from)
{
    struct proc *p = last_sender;
    if (__builtin_expect(p && p->tid == from && p->state == P_RUNNING, 1))
        return p;
    p = proc_by_tid(from);
    if (p)
        last_sender = p;
    return p;
}

/* A page fault of p at addr: the reply in the message registers (a map
   item), 1; or 0: no reply, the process was ended (SIGSEGV). */
static int page_fault(struct proc *p, uint32_t addr, uint32_t access)
{
    uint32_t va = PAGE_DOWN(addr);
    struct vma *v = mm_find(&p->mm, va);
    int write = (access & L4_FPAGE_W) != 0, fresh = 0;
    uint8_t *page = NULL;
    int allowed = v && (v->prot & (write ? VMA_W : VMA_R));
    if (allowed) {
        lx_msg_spare = 1;       /* the fault's words are read: nothing to keep */
        page = write ? mm_page_write(&p->mm, va, &fresh) : mm_page(&p->mm, va);
        lx_msg_spare = 0;
    }
    if (!page) {
        printf("linux: pid %d (%s): %s at %x %s: killed by signal 11\n", p->pid, p->exe,
               write ? "write" : "read", addr,
               allowed ? "(no memory left)" : v ? "(not allowed there)" : "outside its memory");
        lx_end(p, LX_SIGSEGV);
        return 0;
    }
    /* A write to a page it has read-only (it was shared until now, or it
       is its own again after the other user let go): the old mapping goes
       first, since the kernel never replaces a mapping by itself. */
    if (write && !fresh)
        l4_unmap(l4_fpage((uint32_t)page, 12, L4_FPAGE_RWX), 0);
    uint32_t rights = (v->prot & VMA_W) && (!mm_page_shared(page) || (v->prot & VMA_SHARED))
                      ? L4_FPAGE_RWX : L4_FPAGE_R | L4_FPAGE_X;
    l4_set_mr(0, l4_tag_make(0, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, va));
    l4_set_mr(2, l4_fpage((uint32_t)page, 12, rights));
    return 1;
}

/* The server's IPC: l4_ipc (l4/syscalls.h), with the same sysenter ABI
   (docs/abi.md, "The sysenter entry"), except that the stub itself moves
   MR0 and MR1 between the UTCB and %esi and %edi.  Written in C, as
   l4_ipc does it, GCC runs out of registers around the sysenter and keeps
   the two words and the UTCB's address on the stack: six instructions
   more for every message the server answers.  The received tag is also
   returned in *tag, which saves reading it back. */
static inline int32_t server_ipc(l4_tid_t to, l4_tid_t from, uint32_t timeouts,
                                 l4_tid_t *sender, l4_tag_t *tag)
{
    int32_t ret;
    uint32_t src = from, mr0;
    __asm__ volatile("mov %%gs:0, %%edx\n\t"
                     "mov %c[mr0](%%edx), %%esi\n\t"
                     "mov %c[mr1](%%edx), %%edi\n\t"
                     "push %%ebp\n\t"
                     "mov %%ecx, %%ebp\n\t"
                     "mov %%esp, %%ecx\n\t"
                     "mov $1f, %%edx\n\t"
                     "sysenter\n"
                     "1:\tmov %%ebp, %%ecx\n\t"
                     "pop %%ebp\n\t"
                     "mov %%gs:0, %%edx\n\t"
                     "mov %%esi, %c[mr0](%%edx)\n\t"
                     "mov %%edi, %c[mr1](%%edx)"
                     : "=a"(ret), "+c"(src), "=S"(mr0)
                     : "0"(timeouts), "b"(to),
                       [mr0] "i"(offsetof(struct l4_utcb, mr[0])),
                       [mr1] "i"(offsetof(struct l4_utcb, mr[1]))
                     : "edx", "edi", "memory");
    *sender = src;
    *tag = mr0;
    return ret;
}

/* The exception message's words MR1..MR12, in the server's UTCB, which
   struct regs mirrors word for word.  The resume reply is the same words
   with another tag (the kernel ignores its vector and error words,
   docs/abi.md, "The reply"), so a system call reads and writes the
   message itself, and its reply is ready where it stands: no copy in and
   none out, which every call of every process would pay (22 words).  The
   price: an IPC the server makes meanwhile must keep the MRs (linux.h,
   struct lx_msg). */
static inline struct regs *msg_regs(void)
{
    return (struct regs *)&l4_utcb()->mr[L4_EXC_VECTOR];
}

#define EXCEPTION_TAG l4_tag_make(L4_LABEL_EXCEPTION, L4_EXC_WORDS, 0)
#define RESUME_TAG l4_tag_make(0, L4_EXC_WORDS, 0)

/* An exception message of p: the call works on its registers in place,
   which become the resume reply.  Inline in serve: it is every system
   call's way, and a call of its own would cost a frame (12 instructions). */
static inline __attribute__((always_inline)) int exception(struct proc *p)
{
    struct regs *r = msg_regs();
    if (__builtin_expect(r->vector == L4_EXC_START, 0) && p->starting) {
        *r = p->regs;           /* a fork child: its parent's registers, eax = 0 */
        p->starting = 0;
    } else if (!lx_exception(p, r)) {
        return 0;
    } else if (p->sig_pending) {
        lx_deliver(p, r);       /* a signal for a handler: it runs first */
        if (p->state != P_RUNNING)
            return 0;
    }
    l4_utcb()->mr[0] = RESUME_TAG;
    return 1;
}

void lx_event(void)
{
    events = 1;
}

/* Waiting calls.  A process whose call cannot finish yet (a read of an
   empty pipe, wait4 before a child ended) got no reply: it stays blocked
   in its exception IPC, in the kernel, and costs nothing.  Whenever
   something happened that such a call may wait for, each waiting call is
   run again; one that finishes now is answered with a send, which cannot
   block (the process waits for exactly this reply: the timeout is zero). */
static void retry_one(struct proc *p, void *arg)
{
    (void)arg;
    if (!p->waiting || p->state != P_RUNNING)
        return;
    /* The call runs in the MRs too (retry_waiting kept them aside), and
       its reply is ready there when it finishes. */
    struct regs *r = msg_regs();
    if (!lx_retry(p, r))
        return;
    if (p->sig_pending)
        lx_deliver(p, r);
    if (p->state != P_RUNNING)
        return;
    l4_utcb()->mr[0] = RESUME_TAG;
    l4_tid_t none;
    l4_tag_t tag;
    int32_t err = server_ipc(p->tid, L4_NILTHREAD, l4_timeouts(L4_TIMEOUT_ZERO, 0), &none, &tag);
    if (err < 0)
        printf("linux: pid %d: the answer to its waiting call was lost: %s\n", p->pid,
               ipc_errstr(err));
}

/* Runs the waiting calls again until nothing more happens (an answered
   call may itself be an event: a reader took from a full pipe).  The
   message registers hold the reply the server is about to send: they are
   kept aside meanwhile. */
static void retry_waiting(void)
{
    struct lx_msg saved = lx_msg_keep();
    while (events) {
        events = 0;
        proc_for_each(retry_one, NULL);
    }
    lx_msg_restore(&saved);
}

/* Answers one message from thread from, with tag MR0: 1 if the reply is
   in the MRs.  Nearly every message is a process's: it is looked up
   first, and only a message from no process can be the console reader's. */
static int serve(l4_tid_t from, l4_tag_t tag)
{
    struct proc *p = sender(from);
    if (!p && console_is_reader(from))
        return console_input();         /* typed bytes, from the server's own reader */
    /* The common case, in one test: the kernel's exception messages
       carry exactly this tag. */
    if (p && tag == EXCEPTION_TAG)
        return exception(p);
    uint32_t label = l4_tag_label(tag);
    if (!p) {
        printf("linux: a message (label %x) from thread %x, which is no process of mine\n",
               label, from);
        return 0;
    }
    if ((label & ~0xFu) == L4_LABEL_PAGEFAULT && l4_tag_untyped(tag) == 2)
        return page_fault(p, l4_mr(1), label & L4_FPAGE_RWX);
    printf("linux: pid %d sent a message (label %x) that is neither a fault nor an exception\n",
           p->pid, label);
    return 0;
}

static char *default_env[] = {"PATH=/bin", "HOME=/", "TERM=linux", NULL};

int main(int argc, char **argv)
{
    int arg = 1;
    if (arg < argc && strcmp(argv[arg], "-v") == 0) {
        lx_verbose = 1;
        arg++;
    }
    if (arg >= argc) {
        printf("usage: linux [-v] /prog [args...] (boot it after sigma0, with a cpio archive after it)\n");
        return 1;
    }
    lx_self = l4_myself();
    /* One step above the processes (which start at L4_PRIO_DEFAULT): a
       process the server answered or woke runs only once the server has
       finished with the message and waits again, so the process's next
       call finds it waiting and takes the kernel's exception fast path
       (Lab 6), instead of queueing behind a server that a send to the
       process made give way to it. */
    int32_t err = l4_schedule(lx_self, L4_PRIO_DEFAULT + 1, 0);
    if (err < 0)
        printf("linux: cannot raise my priority above my processes': %d\n", err);
    mem_init(l4_boot_tid(0));
    const struct l4_bootdata *bd = (const void *)L4_BOOTDATA_BASE;
    if (bd->magic != L4_BOOTDATA_MAGIC) {
        printf("linux: no root file system: boot a cpio archive as the module after me\n");
        return 1;
    }
    int n = fs_init((const uint8_t *)L4_BOOTDATA_BASE + PAGE, bd->size);
    if (n < 0) {
        printf("linux: %s is not a cpio archive in the newc format (cpio -o -H newc)\n",
               bd->cmdline);
        return 1;
    }
    printf("linux: root file system %s: %d entries; starting %s\n", bd->cmdline, n, argv[arg]);

    sys_init();
    time_init();
    console_init();
    struct proc *init = lx_spawn(argv[arg], argc - arg, &argv[arg], default_env, &err);
    if (!init) {
        printf("linux: cannot start %s: error %d\n", argv[arg], -err);
        l4_kdb_exit(127);
    }
    struct file *console = console_open();      /* its fds 0, 1 and 2 */
    for (int fd = 0; fd < 3 && console; fd++) {
        console->refs += fd > 0;
        fd_install(init, console, fd);
    }

    /* The loop: a receive from anybody; for each message a reply, which
       also waits for the next (reply-and-wait), or no reply (the sender
       waits, or ended), and a receive.  A receive that times out is the
       next deadline of a sleeping process (time.c). */
    l4_tid_t from;
    int32_t r = l4_receive(L4_ANYTHREAD, next_timeout(), &from);
    l4_tag_t tag = l4_mr(0);
    for (;;) {
        int reply = 0;
        if (r >= 0)
            reply = serve(from, tag);
        else if (r == -(L4_ETIMEOUT | L4_ERECV))
            lx_event();
        else
            printf("linux: IPC error %s\n", ipc_errstr(r));
        if (events)
            retry_waiting();
        uint32_t timeouts = l4_timeouts(L4_TIMEOUT_ZERO, next_timeout());
        r = server_ipc(reply ? from : L4_NILTHREAD, L4_ANYTHREAD, timeouts, &from, &tag);
    }
}
