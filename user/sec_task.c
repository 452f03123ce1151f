/*
 * sec_task: the two kernel calls Lab 5's Linux server stands on, and their
 * refusals (a foundation system test, grader/systests.py "sec_task"):
 *
 *   - a task whose thread starts "by its handler" (SYS_TASK_CREATE with
 *     entry L4_ENTRY_BY_HANDLER) first sends its handler the exception
 *     L4_EXC_START, and the reply gives it every register: the test gives
 *     distinct values, lets the thread fault on a ud2 at once, and reads
 *     them back from the #UD exception message;
 *   - SYS_TASK_DELETE ends such a task while its thread waits for the
 *     handler, while it spins, and while it waits for its pager; its ID
 *     is stale at once, and 300 tasks made and ended one after another
 *     do not exhaust the kernel's memory (a space's tables go with it);
 *   - a page the pager maps and takes back before the faulting thread ran
 *     again is no failure of the pager's: the thread faults again, and
 *     the second answer resolves it (the Linux server revokes shared
 *     pages while other processes wait for their faults' answers);
 *   - the calls refuse what they must: no handler, a thread (not a task)
 *     started by its handler, ending one's own task, a task that is not
 *     one's to end, nil.
 *
 *   sec_task NONCE
 *
 * The test program is the pager and exception handler of its tasks, so it
 * needs Labs 1 to 4 (IPC, mapping, page faults, exceptions).
 */
#include "ulib.h"

/* The child's code, alone on a page that is mapped to it when it first
   fetches from it: a ud2 to report its registers, a loop to spin in. */
void child_ud2(void), child_spin(void);
__asm__(".pushsection .text.child, \"ax\"\n"
        ".balign 4096\n"
        "child_ud2: ud2\n"
        "child_spin: jmp child_spin\n"
        ".balign 4096\n"
        ".popsection\n");

static const char *nonce;

static int32_t task_by_handler(void)
{
    l4_tid_t me = l4_myself();
    return l4_task_create_ex((void (*)(void))L4_ENTRY_BY_HANDLER, 0, me, me);
}

/* Receives the next message from t: its tag's label. */
static uint32_t next_from(l4_tid_t t, const char *what)
{
    l4_tid_t from;
    int32_t err = l4_receive(t, 200, &from);
    if (err < 0)
        test_fail("no %s came from the new task's thread: %s", what, ipc_errstr(err));
    return l4_tag_label(l4_mr(0));
}

/* Answers the start message of t with a resume message: eip, and every
   other register distinct. */
static void start_at(l4_tid_t t, uint32_t eip, uint32_t regs[L4_EXC_WORDS])
{
    if (next_from(t, "start message") != L4_LABEL_EXCEPTION || l4_mr(L4_EXC_VECTOR) != L4_EXC_START)
        test_fail("the first message was label %x vector %u, not the exception L4_EXC_START (%u)",
                  l4_tag_label(l4_mr(0)), l4_mr(L4_EXC_VECTOR), L4_EXC_START);
    if (l4_mr(L4_EXC_EIP) || l4_mr(L4_EXC_EAX) || l4_mr(L4_EXC_EBP))
        test_fail("the start message's registers were not 0 (eip %x, eax %x, ebp %x)",
                  l4_mr(L4_EXC_EIP), l4_mr(L4_EXC_EAX), l4_mr(L4_EXC_EBP));
    for (unsigned i = 0; i < L4_EXC_WORDS; i++)
        regs[i] = 0x5EC00000u + 0x111u * i;
    regs[L4_EXC_EIP - 1] = eip;
    regs[L4_EXC_EFLAGS - 1] = 0x1;          /* CF: an arithmetic flag, taken */
    l4_set_mr(0, l4_tag_make(0, L4_EXC_WORDS, 0));
    for (unsigned i = 0; i < L4_EXC_WORDS; i++)
        l4_set_mr(1 + i, regs[i]);
    int32_t err = l4_send(t, L4_TIMEOUT_ZERO);
    if (err < 0)
        test_fail("the resume reply to the start message failed: %s", ipc_errstr(err));
}

/* Answers t's page fault on the child's code page with that page. */
static void map_code(l4_tid_t t)
{
    if ((next_from(t, "page fault") & ~0xFu) != L4_LABEL_PAGEFAULT)
        test_fail("the thread sent label %x, not a page fault on its code", l4_tag_label(l4_mr(0)));
    uint32_t page = (uint32_t)child_ud2;
    if ((l4_mr(1) & ~0xFFFu) != page)
        test_fail("the thread faulted at %x, not on its code page %x", l4_mr(1), page);
    l4_set_mr(0, l4_tag_make(0, 0, 2));
    l4_set_mr(1, l4_item_word0(L4_ITEM_MAP, page));
    l4_set_mr(2, l4_fpage(page, 12, L4_FPAGE_R | L4_FPAGE_X));
    int32_t err = l4_send(t, L4_TIMEOUT_ZERO);
    if (err < 0)
        test_fail("the page fault reply failed: %s", ipc_errstr(err));
}

/* Ends t's task and checks that t's ID is stale at once. */
static void delete_task(l4_tid_t t, const char *while_)
{
    int32_t err = l4_task_delete(t);
    if (err < 0)
        test_fail("SYS_TASK_DELETE of a task whose thread %s returned %s", while_, errstr(err));
    l4_set_mr(0, l4_tag_make(0, 0, 0));
    err = l4_send(t, L4_TIMEOUT_ZERO);
    if (err != -L4_ENOPARTNER)
        test_fail("after SYS_TASK_DELETE (its thread %s) a send to it returned %s, "
                  "not ENOPARTNER: the ID is not stale", while_, ipc_errstr(err));
}

static void expect(int32_t got, int32_t want, const char *what)
{
    if (got != want)
        test_fail("%s returned %s, expected %s", what, errstr(got), errstr(want));
}

static void refusals(void)
{
    l4_tid_t me = l4_myself();
    expect(l4_task_create_ex((void (*)(void))L4_ENTRY_BY_HANDLER, 0, me, L4_NILTHREAD),
           -L4_EINVAL, "SYS_TASK_CREATE by handler without a handler");
    expect(l4_syscall4(SYS_THREAD_CREATE, L4_ENTRY_BY_HANDLER, 0, me, me), -L4_EINVAL,
           "SYS_THREAD_CREATE with entry L4_ENTRY_BY_HANDLER");
    expect(l4_task_delete(me), -L4_EPERM, "SYS_TASK_DELETE of the caller's own task");
    expect(l4_task_delete(L4_NILTHREAD), -L4_ENOPARTNER, "SYS_TASK_DELETE of nil");
    /* A task whose handler and pager are somebody else is not ours to end. */
    int32_t other = l4_task_create_ex((void (*)(void))L4_ENTRY_BY_HANDLER, 0, me, me);
    if (other < 0)
        test_fail("SYS_TASK_CREATE by handler failed: %s", errstr(other));
    int32_t helper = l4_task_create_ex((void (*)(void))L4_ENTRY_BY_HANDLER, 0, (l4_tid_t)other,
                                       (l4_tid_t)other);
    if (helper < 0)
        test_fail("SYS_TASK_CREATE with another task's thread as handler failed: %s",
                  errstr(helper));
    expect(l4_task_delete((l4_tid_t)helper), -L4_EPERM,
           "SYS_TASK_DELETE of a task whose handler and pager are another thread");
    /* Ending `other` leaves `helper` without a handler: the kernel
       reports it ("did not resume it") and ends it, as it must. */
    delete_task((l4_tid_t)other, "waits to send its start message");
}

int main(int argc, char **argv)
{
    nonce = argc > 1 ? argv[1] : "none";
    test_begin("sec_task", "");
    /* Above our tasks' threads: each runs only when we wait for it. */
    int32_t err = l4_schedule(l4_myself(), L4_PRIO_DEFAULT + 10, L4_SLICE_DEFAULT);
    if (err < 0)
        test_fail("SYS_SCHEDULE of ourselves failed: %s", errstr(err));
    refusals();

    /* Every register from the handler's reply. */
    int32_t t = task_by_handler();
    if (t < 0)
        test_fail("SYS_TASK_CREATE by handler failed: %s", errstr(t));
    uint32_t regs[L4_EXC_WORDS];
    start_at((l4_tid_t)t, (uint32_t)child_ud2, regs);
    map_code((l4_tid_t)t);
    /* The thread is ready, not yet running (its priority is below ours:
       we go on until we wait).  Take the page back: it must fault again
       rather than be ended. */
    l4_unmap(l4_fpage((uint32_t)child_ud2 & ~0xFFFu, 12, L4_FPAGE_RWX), 0);
    map_code((l4_tid_t)t);
    if (next_from((l4_tid_t)t, "#UD exception") != L4_LABEL_EXCEPTION || l4_mr(L4_EXC_VECTOR) != 6)
        test_fail("the thread did not raise #UD at its first instruction (vector %u)",
                  l4_mr(L4_EXC_VECTOR));
    static const char *const names[] = {"vector", "error", "eip", "esp", "eflags", "eax", "ebx",
                                        "ecx", "edx", "esi", "edi", "ebp"};
    for (unsigned i = L4_EXC_EIP; i <= L4_EXC_EBP; i++) {
        uint32_t got = l4_mr(i), want = regs[i - 1];
        if (i == L4_EXC_EFLAGS)
            got &= 0x8D5u, want &= 0x8D5u;      /* the arithmetic flags */
        if (got != want)
            test_fail("the thread's %s was %x at its first instruction, not %x as the start "
                      "reply said", names[i - 1], got, want);
    }
    delete_task((l4_tid_t)t, "waits for its exception handler");

    /* A spinning thread, and one waiting for its pager. */
    t = task_by_handler();
    start_at((l4_tid_t)t, (uint32_t)child_spin, regs);
    map_code((l4_tid_t)t);
    sleep_ticks(3);
    delete_task((l4_tid_t)t, "spins");
    t = task_by_handler();
    start_at((l4_tid_t)t, (uint32_t)child_spin, regs);
    if ((next_from((l4_tid_t)t, "page fault") & ~0xFu) != L4_LABEL_PAGEFAULT)
        test_fail("the thread did not fault on its code page");
    delete_task((l4_tid_t)t, "waits for its pager");

    /* Spaces go with their tasks: far more tasks than memory for them. */
    for (unsigned i = 0; i < 300; i++) {
        t = task_by_handler();
        if (t < 0)
            test_fail("task %u of 300 made and ended one after another could not be made: %s "
                      "(do ended tasks give their memory back?)", i, errstr(t));
        start_at((l4_tid_t)t, (uint32_t)child_ud2, regs);
        map_code((l4_tid_t)t);
        delete_task((l4_tid_t)t, "waits to send its #UD");    /* (a spinner would spin a whole slice) */
    }
    printf("sec_task: nonce=%s ok: registers from the start reply, a revoked answer asked "
           "again, tasks ended in 3 states, 300 made and ended\n", nonce);
    return 0;
}
