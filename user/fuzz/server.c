/*
 * Servers and the interrupt thread.  A server receives from anybody and
 * answers what it gets: a request with an echo (with map items into the
 * client's window from Lab 2 on), a page fault with a page (Lab 3), an
 * exception with a resume message (Lab 4).  Now and then the answer is
 * mutated: a fault answered with no page, a page elsewhere or read-only,
 * an exception answered with a bad label, a bad eip or esp, a reply too
 * long; the kernel must then stop the thread with a report, or refuse the
 * reply, and go on.  Any of our threads answers a fault or an exception
 * message it happens to receive, so that no thread waits for ever.
 */
#include "fuzz.h"
#include "io.h"

#define MSG_WORDS (1 + L4_EXC_WORDS)

static int in_range(uint32_t a, const void *base, uint32_t size)
{
    return a - (uint32_t)base < size;
}

/* A page of the pager pool, as a flexpage of 2^s bytes that holds it. */
static l4_fpage_t ppool_fpage(struct fz *f, unsigned s, uint32_t rights)
{
    uint32_t off = rnd(f, PPOOL_PAGES) * PAGE & ~((1u << s) - 1);
    return l4_fpage((uint32_t)ppool + off, s, rights);
}

/* The answer to a page fault at addr: a page of the pager pool in WIN; in
   our image (a child task runs our code) the same page of ours, writable
   only for the shared page and the child stacks; elsewhere nothing. */
static void fault_reply(struct fz *f, uint32_t addr, uint32_t access, int mutate)
{
    l4_fpage_t fp = L4_NILPAGE;
    uint32_t base = addr;
    if (in_range(addr, (void *)WIN_BASE, WIN_SIZE)) {
        unsigned s = chance(f, 4) ? 12 + rnd(f, 5) : 12;
        fp = ppool_fpage(f, s, rnd(f, 2) || access == L4_FPAGE_W ? L4_FPAGE_RW : L4_FPAGE_R);
    } else if (in_range(addr, __image_start, (uint32_t)(_end - __image_start))) {
        int rw = in_range(addr, &shared_page, PAGE) ||
                 in_range(addr, child_stacks, sizeof child_stacks);
        fp = l4_fpage(addr & ~(PAGE - 1), 12, rw ? L4_FPAGE_RW : L4_FPAGE_R);
    }
    unsigned words = fp == L4_NILPAGE ? 0 : 2;
    uint32_t type = L4_ITEM_MAP;
    if (mutate && chance(f, 16)) {
        switch (rnd(f, 6)) {
        case 0: words = 0; break;                                   /* no page */
        case 1:                 /* a page elsewhere (read-only if it is ours) */
            base = win_addr(f);
            if (!in_range(addr, (void *)WIN_BASE, WIN_SIZE))
                fp = (fp & ~L4_FPAGE_RWX) | L4_FPAGE_R;
            break;
        case 2: fp = (fp & ~L4_FPAGE_RWX) | L4_FPAGE_R; break;      /* read-only */
        case 3: words = 3; break;                                   /* too long */
        case 4:                     /* granted from the donor pool (it may be gone) */
            fp = l4_fpage((uint32_t)dpool + rnd(f, DPOOL_PAGES / 2) * PAGE, 12, L4_FPAGE_RW);
            type = L4_ITEM_GRANT;
            break;
        default: fp = l4_fpage(addr & ~(PAGE - 1), 11, L4_FPAGE_RW); /* invalid */
        }
    }
    if (words == 0) {
        l4_set_mr(0, l4_tag_make(0, 0, 0));
    } else if (words == 2) {
        l4_set_mr(0, l4_tag_make(0, 0, 2));
        l4_set_mr(1, l4_item_word0(type, base));
        l4_set_mr(2, fp);
    } else {                    /* one untyped word too many: -L4_EMSGLEN */
        l4_set_mr(0, l4_tag_make(0, 1, 2));
        l4_set_mr(1, 0);
        l4_set_mr(2, l4_item_word0(type, base));
        l4_set_mr(3, fp);
    }
}

/* The answer to an exception: resume at the address the site left in
   %edi, with the registers as they were; now and then something else. */
static void exception_reply(struct fz *f, const uint32_t *msg, int mutate)
{
    uint32_t r[MSG_WORDS + 1];
    for (unsigned i = 0; i < MSG_WORDS; i++)
        r[i] = msg[i];
    r[0] = l4_tag_make(0, L4_EXC_WORDS, 0);
    r[L4_EXC_EIP] = msg[L4_EXC_EDI];
    r[MSG_WORDS] = rnd32(f);
    if (se_single_step(msg)) {
        /* A worker's sysenter with TF (sysenter.c): on from where it
           stopped, without TF, the registers untouched. */
        r[L4_EXC_EIP] = msg[L4_EXC_EIP];
        r[L4_EXC_EFLAGS] &= ~0x100u;
        fz_event(EV_SE_STEP);
    } else if (mutate && chance(f, 8)) {
        switch (rnd(f, 9)) {
        case 0: r[L4_EXC_EIP] = msg[L4_EXC_EIP]; break;             /* retry */
        case 1: r[0] = l4_tag_make(1, L4_EXC_WORDS, 0); break;       /* bad label */
        case 2: r[0] = l4_tag_make(0, L4_EXC_WORDS - 1, 0); break;   /* too short */
        case 3: r[0] = l4_tag_make(0, L4_EXC_WORDS + 1, 0); break;   /* too long */
        case 4: r[L4_EXC_EIP] = L4_USER_TOP + (rnd32(f) & 0x3FFFFFFF); break;
        case 5: r[L4_EXC_ESP] = rnd(f, 2) ? 0 : L4_USER_TOP + (rnd32(f) & 0xFFFFFFC); break;
        case 6:
            for (unsigned i = L4_EXC_EAX; i <= L4_EXC_EBP; i++)
                r[i] = rnd32(f);
            break;
        case 7: r[L4_EXC_EFLAGS] = rnd32(f) & (SH->df ? ~0u : ~0x400u); break;
        default: r[0] = l4_tag_make(0, L4_EXC_WORDS - 2, 2); break;  /* typed words */
        }
    }
    for (unsigned i = 0; i <= MSG_WORDS; i++)
        l4_set_mr(i, r[i]);
}

/* The answer to a request: random words, with items from Lab 2 on.  Its
   label is never 0: a thread that waits for this server as its exception
   handler would take a reply of label 0 and 12 words as the resume
   message, and run wherever its words say. */
static void request_reply(struct fz *f)
{
    l4_set_mr(0, pick_tag(f, LBL_REPLY, NULL));
}

/* Puts the answer to msg (a message just received) in the MRs; 0 if it
   needs none.  mutate = 0 gives a well-formed one. */
static int make_reply(struct fz *f, const uint32_t *msg, int mutate)
{
    l4_tag_t tag = msg[0];
    uint32_t label = l4_tag_label(tag), u = l4_tag_untyped(tag);
    if ((label & ~7u) == L4_LABEL_PAGEFAULT && u == 2 && SH->lab >= 3) {
        fault_reply(f, msg[1], label & 7u, mutate);
        fz_event(EV_FAULT_MSG);
    } else if (label == L4_LABEL_EXCEPTION && u == L4_EXC_WORDS && SH->lab >= 4) {
        exception_reply(f, msg, mutate);
        fz_event(EV_EXC_MSG);
    } else if (label == LBL_MUST || (label == LBL_REQ && !chance(f, 4))) {
        request_reply(f);
        if (!mutate)
            l4_set_mr(0, l4_tag_make(LBL_REPLY, 1, 0));  /* a plain one that must go through */
    } else {
        return 0;
    }
    return 1;
}

/* A send that failed before anything moved, because of a mutation. */
static int refused(int32_t err)
{
    return err == -L4_EMSGLEN || err == -L4_EINVAL;
}

static void copy_msg(uint32_t *msg)
{
    for (unsigned i = 0; i < MSG_WORDS; i++)
        msg[i] = l4_mr(i);
}

void handle_message(struct fz *f, l4_tid_t from)
{
    uint32_t msg[MSG_WORDS];
    copy_msg(msg);
    if (!make_reply(f, msg, 1))
        return;
    if (refused(fz_ipc(f, from, L4_NILTHREAD, 0, NULL)) && make_reply(f, msg, 0))
        fz_ipc(f, from, L4_NILTHREAD, 0, NULL);
}

void server_run(struct fz *f)
{
    uint32_t msg[MSG_WORDS];
    l4_tid_t from = L4_NILTHREAD;
    int have = 0;
    while (budget_left()) {
        /* A server with nothing to do waits: never with a zero timeout,
           which would only spin through the budget. */
        uint32_t t = l4_timeouts(0, rnd(f, 4) ? L4_TIMEOUT_NEVER : 1 + rnd(f, 3));
        int32_t err;
        if (SH->lab >= 2)
            l4_utcb()->rcv_window = pick_window(f);
        if (have && make_reply(f, msg, 1)) {
            /* Reply-and-wait, or the reply and the receive as two calls. */
            l4_tid_t to = from;
            int split = chance(f, 4);
            err = fz_ipc(f, to, split ? L4_NILTHREAD : L4_ANYTHREAD, t, &from);
            if (refused(err) && make_reply(f, msg, 0))
                err = fz_ipc(f, to, L4_NILTHREAD, 0, NULL), split = 1;
            if (split || (err < 0 && !(-err & L4_ERECV)))
                err = fz_ipc(f, L4_NILTHREAD, L4_ANYTHREAD, t, &from);
        } else {
            err = fz_ipc(f, L4_NILTHREAD, L4_ANYTHREAD, t, &from);
        }
        have = err == 0;
        if (!have)
            continue;
        copy_msg(msg);
        if (l4_tag_label(msg[0]) == LBL_STOP)
            break;
        /* Now and then a server ends with a fault or an exception
           unanswered: the kernel must stop the thread that waited. */
        uint32_t label = l4_tag_label(msg[0]);
        if (((label & ~7u) == L4_LABEL_PAGEFAULT || label == L4_LABEL_EXCEPTION) &&
            chance(f, 2048))
            break;
    }
    fz_count(SYS_THREAD_EXIT, 0);
    l4_thread_exit(0);
}

/*
 * The interrupt thread (Lab 4): attaches to the real-time clock's line 8,
 * makes it interrupt a few to a few hundred times a second, receives and
 * acknowledges its interrupts, detaches and attaches again; and tries the
 * other lines (no device of ours raises them) and lines it may not have.
 */
static void irq_step(struct fz *f, int *rtc_on, int *attached)
{
    l4_tid_t from;
    int32_t err;
    /* Mostly waiting for the next interrupt, or for a message while the
       line is not ours: the other calls are cheap and would spin while
       the rest of the fuzzer waits. */
    switch (rnd(f, 24)) {
    case 0:
        *attached = fz_sys(f, SYS_IRQ_CONTROL, RTC_IRQ, 1, 0, 0) == 0;
        if (*attached && !*rtc_on) {
            rtc_periodic_start(8 + rnd(f, 8));
            *rtc_on = 1;
        }
        break;
    case 1:
        if (*rtc_on && chance(f, 4)) {
            rtc_periodic_stop();
            *rtc_on = 0;
            fz_sys(f, SYS_IRQ_CONTROL, RTC_IRQ, 0, 0, 0);
            *attached = 0;
        }
        break;
    case 2:
        fz_sys(f, SYS_IRQ_CONTROL, 1 + rnd(f, 7), rnd(f, 2), 0, 0);     /* 1..7 */
        break;
    case 3: {
        static const uint32_t bad[][2] = {{0, 1}, {2, 1}, {16, 1}, {0xFFFFFFFFu, 0}, {8, 2}};
        unsigned i = rnd(f, 5);
        fz_sys(f, SYS_IRQ_CONTROL, bad[i][0], bad[i][1], 0, 0);
        break;
    }
    case 4: case 5: case 6: case 7:
        err = fz_ipc(f, L4_NILTHREAD, L4_ANYTHREAD, l4_timeouts(0, 1 + rnd(f, 3)), &from);
        if (err == 0 && from == l4_irq_tid(RTC_IRQ))
            fz_event(EV_IRQ), rtc_read(RTC_C);
        else if (err == 0)
            handle_message(f, from);
        break;
    default:
        if (!*attached) {
            err = fz_ipc(f, L4_NILTHREAD, L4_ANYTHREAD, l4_timeouts(0, 1 + rnd(f, 3)), &from);
            if (err == 0 && from != l4_irq_tid(RTC_IRQ))
                handle_message(f, from);
            break;
        }
        /* Acknowledge (a receive from exactly the line) and wait for the next. */
        err = fz_ipc(f, L4_NILTHREAD, l4_irq_tid(RTC_IRQ), l4_timeouts(0, 1 + rnd(f, 3)), &from);
        if (err == 0) {
            fz_event(EV_IRQ);
            rtc_read(RTC_C);
        }
    }
}

void irq_run(struct fz *f)
{
    int rtc_on = 0, attached = 0;
    fz_sys(f, SYS_IO_ACCESS, 0, 0, 0, 0);
    while (budget_left())
        irq_step(f, &rtc_on, &attached);
    if (rtc_on)
        rtc_periodic_stop();
    fz_count(SYS_THREAD_EXIT, 0);
    l4_thread_exit(0);
}
