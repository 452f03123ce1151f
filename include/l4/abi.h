/*
 * The l4lab system-call ABI, defined once for the kernel and the user
 * library (libl4).  The grader's copy of the exit statuses is in
 * grader/qemu.py; keep the two in step.
 *
 * A system call is `int $L4_SYSCALL_VECTOR` with the call number in %eax and
 * up to four arguments in %ebx, %ecx, %edx, %esi.  The result comes back in
 * %eax: zero or a positive value on success, a negative L4_E* code on error.
 * Every other register is preserved.  docs/abi.md describes each call.
 *
 * The vector is not 0x80 on purpose: a Linux program's `int $0x80` must
 * raise a general-protection fault that the kernel turns into exception IPC
 * for the Linux server (Lab 5), so no user-callable gate may sit there.
 */
#ifndef L4_ABI_H
#define L4_ABI_H

#define L4_SYSCALL_VECTOR 0x30

/* System-call numbers (%eax). */
#define SYS_KDB_PUTS     0  /* (const char *buf, unsigned len) -> bytes written */
#define SYS_KDB_EXIT     1  /* (unsigned status): stop the machine; tests only */
#define SYS_THREAD_EXIT  2  /* (int status): end the calling thread */
#define SYS_NULL         3  /* (): do nothing and return 0 (Lab 0: trap cost) */
#define SYS_IPC          4  /* (to, from, timeouts; MR0 in %esi, MR1 in %edi): see below */
#define SYS_THREAD_CREATE 5 /* (entry, stack, pager, handler): a new thread in the caller's space -> its ID */
#define SYS_CLOCK        6  /* (): timer ticks since boot (L4_TICK_HZ per second) */
#define SYS_UNMAP        7  /* (fpage, flags): revoke rights derived from own pages (Lab 2) */
#define SYS_TASK_CREATE  8  /* (entry, stack, pager, handler): a new address space with one thread -> its ID */
#define SYS_SET_PAGER    9  /* (thread, pager): change a thread's pager (Lab 3) -> 0 */
#define SYS_SET_HANDLER  10 /* (thread, handler): change a thread's exception handler (Lab 4) -> 0 */
#define SYS_IRQ_CONTROL  11 /* (irq, attach): attach the caller to an interrupt line, or detach (Lab 4) -> 0 */
#define SYS_SCHEDULE     12 /* (thread, priority, slice): set a thread's priority and time slice (Lab 4) -> 0 */
#define SYS_IO_ACCESS    13 /* (): let the calling thread use I/O ports and cli/sti (IOPL 3, Lab 4) -> 0 */
#define SYS_THREAD_TLS   14 /* (thread, base, limit, flags): set a thread's TLS segment (Lab 5) -> its GDT index */
#define SYS_TASK_DELETE  15 /* (thread): end thread's task, every thread and mapping of it (Lab 5) -> 0 */
#define SYS_COUNT        16

/* Error codes, returned negated in %eax. */
#define L4_EFAULT   1   /* a pointer argument names memory the caller cannot read/write */
#define L4_EINVAL   2   /* an argument is out of range */
#define L4_ENOSYS   3   /* no system call has this number */
#define L4_ENOMEM   4   /* the kernel's memory, or the space's share of it, ran out (docs/abi.md) */
#define L4_ETIMEOUT 5   /* IPC: the partner was not ready within the timeout */
#define L4_ENOPARTNER 6 /* IPC: no thread has this ID (never existed, or ended: stale) */
#define L4_ECANCELED 7  /* IPC: the partner ended while we waited for it */
#define L4_EMSGLEN  8   /* IPC: the message tag names more words than MRs exist */
#define L4_EPERM    9   /* the caller may not use this system call */
#define L4_EBUSY    10  /* the resource is taken (an interrupt line with a handler, Lab 4) */

/*
 * An IPC error says in which phase it happened: L4_ERECV is or-ed into the
 * code when it was the receive phase (so -(L4_ETIMEOUT | L4_ERECV) means
 * "the message went out, but no reply came in time").
 */
#define L4_ERECV    0x100

/*
 * SYS_IPC, the one IPC system call (docs/abi.md has the details):
 *   in:  %ebx = to    (thread ID to send to, or L4_NILTHREAD: no send phase)
 *        %ecx = from  (thread ID to receive from, L4_ANYTHREAD, or
 *                      L4_NILTHREAD: no receive phase)
 *        %edx = timeouts: send timeout << 16 | receive timeout
 *        %esi = MR0 (the message tag), %edi = MR1; MR2.. in the UTCB
 *   out: %eax = 0 or -error, %ecx = the sender's ID,
 *        %esi = MR0, %edi = MR1 of the received message; MR2.. in the UTCB
 * call = (to = X, from = X); reply-and-wait = (to = client, from = any).
 */
#define L4_NILTHREAD    0x00000000u
#define L4_ANYTHREAD    0xFFFFFFFFu

/* Timeouts, 16 bits each: 0 = do not wait, 0xFFFF = wait forever,
   anything else = that many timer ticks. */
#define L4_TIMEOUT_ZERO     0x0000u
#define L4_TIMEOUT_NEVER    0xFFFFu
#define L4_TICK_HZ          100

/*
 * Flexpages (Lab 2): a power-of-two, size-aligned region of an address
 * space with access rights, in one word (l4/types.h packs it):
 *   31..12 base | 9..4 log2 of the size (12..31) | 2..0 rights (R W X)
 * i386 without PAE cannot forbid execution: X is accepted and ignored.
 */
#define L4_NILPAGE      0u
#define L4_FPAGE_R      4u
#define L4_FPAGE_W      2u
#define L4_FPAGE_X      1u
#define L4_FPAGE_RWX    7u
#define L4_FPAGE_RW     6u

/*
 * Typed message items follow the untyped words, two words each:
 *   word 0: send base (bits 31..12, selects the part of the larger side)
 *           | item type (bits 3..0)
 *   word 1: the flexpage
 * The receiver accepts mappings only inside its receive window, the
 * flexpage in its UTCB's rcv_window (L4_NILPAGE: none).  What it receives
 * in word 1 is the flexpage that landed in its own space (L4_NILPAGE if
 * nothing did).
 */
#define L4_ITEM_MAP     0x8u
#define L4_ITEM_GRANT   0xAu

/* SYS_UNMAP flags: also take the caller's own mapping (not only those
   derived from it). */
#define L4_UNMAP_SELF   1u

/*
 * Page faults (Lab 3).  A thread with a pager that faults on a user address
 * sends, without knowing it, this message to its pager and waits for the
 * reply:
 *   MR0 = tag: label L4_LABEL_PAGEFAULT | access (L4_FPAGE_R or L4_FPAGE_W:
 *         i386 without PAE cannot tell an instruction fetch from a read),
 *         2 untyped words, no typed ones
 *   MR1 = the fault address, MR2 = the faulting instruction's eip
 * The reply is a map (or grant) item, u = 0, t = 2, whose page lands at the
 * fault address: the kernel's receive window for it is the half of user
 * space holding the address (l4_pagefault_window), so a send base equal to
 * the fault address places a page of any size right.  When the page now
 * allows the access, the thread restarts the faulting instruction, its
 * registers and message registers as they were.  Any other reply (at most
 * three words: a longer one fails the pager's send with -L4_EMSGLEN)
 * refuses the fault: the kernel reports it and stops the thread.
 */
#define L4_LABEL_PAGEFAULT 0xFFE0u

/*
 * Exceptions (Lab 4).  A CPU exception in user mode other than a page fault
 * (divide error, breakpoint, invalid opcode, general protection: a Linux
 * program's `int $0x80` is one, with error code 0x80 << 3 | 2, ...) of a
 * thread with an exception handler becomes this message to the handler,
 * on the thread's behalf, and the thread waits for the reply:
 *   MR0 = tag: label L4_LABEL_EXCEPTION, L4_EXC_WORDS untyped words
 *   MR1 = vector, MR2 = error code (0 if the CPU pushes none),
 *   MR3 = eip, MR4 = esp, MR5 = eflags, MR6..MR12 = eax ebx ecx edx esi edi ebp
 * A reply with label 0 and the same L4_EXC_WORDS words resumes the thread
 * with those registers (MR1 and MR2 are ignored; of eflags only the
 * arithmetic flags CF PF AF ZF SF DF OF are taken).  Any other reply stops
 * the thread with a report; a handler that never replies leaves it waiting.
 * A longer message to a thread waiting for its handler fails with
 * -L4_EMSGLEN.  Without a handler the kernel reports the exception and
 * stops the thread, as before.
 */
#define L4_LABEL_EXCEPTION 0xFFD0u
#define L4_EXC_WORDS    12
enum { L4_EXC_VECTOR = 1, L4_EXC_ERROR, L4_EXC_EIP, L4_EXC_ESP, L4_EXC_EFLAGS, L4_EXC_EAX,
       L4_EXC_EBX, L4_EXC_ECX, L4_EXC_EDX, L4_EXC_ESI, L4_EXC_EDI, L4_EXC_EBP };

/*
 * Starting a thread with every register chosen (Lab 5: a fork child
 * resumes where its parent called fork, with eax = 0).  SYS_TASK_CREATE
 * with entry L4_ENTRY_BY_HANDLER (and an exception handler) makes a
 * thread whose first act is the exception message above with vector
 * L4_EXC_START, before it ran any instruction: the handler's resume reply
 * gives it eip, esp, eflags and the seven general registers.  Its
 * registers in the message are all 0.
 */
#define L4_ENTRY_BY_HANDLER 0xFFFFFFFFu
#define L4_EXC_START        0x100u

/*
 * Interrupts (Lab 4).  Interrupt line n (1..15, not 2: the cascade; 0 is
 * the kernel's timer) has the thread ID l4_irq_tid(n) (l4/types.h), which
 * is no thread's.  A thread of a root task attaches itself to a line with
 * SYS_IRQ_CONTROL(n, 1) (-L4_EBUSY if another live thread has it) and
 * detaches with SYS_IRQ_CONTROL(n, 0).  When the line fires, the kernel
 * masks it and delivers to the handler a message from l4_irq_tid(n):
 * label L4_LABEL_IRQ, one word, MR1 = the low 32 bits of the time-stamp
 * counter when the kernel took the interrupt (for latency measurements).
 * If the handler is not waiting in a receive that accepts l4_irq_tid(n)
 * (from that ID, or from any thread), the interrupt stays pending, and its
 * next such receive gets it at once: none is lost and none is delivered
 * twice.  The handler acknowledges with a receive from exactly
 * l4_irq_tid(n), which unmasks the line.
 */
#define L4_LABEL_IRQ    0xFFF0u
#define L4_IRQ_LINES    16
#define L4_IRQ_TID_BASE 0x3FF00u    /* l4_irq_tid(n): thread number L4_IRQ_TID_BASE + n, version 1 */

/* Scheduling (Lab 4): priorities 0 (lowest) .. 255; the highest ready
   priority runs, threads of equal priority take turns, each for its time
   slice (ticks).  Every thread starts at L4_PRIO_DEFAULT with
   L4_SLICE_DEFAULT; SYS_SCHEDULE (root tasks only) changes them. */
#define L4_PRIO_MAX       255
#define L4_PRIO_DEFAULT   100
#define L4_SLICE_DEFAULT  10
#define L4_SLICE_MAX      6000      /* ticks (a minute): a longer slice is refused */

/* The first boot module, if its program is called "sigma0", owns the
   physical memory the kernel does not keep for itself: the kernel maps
   frame pa at L4_SIGMA0_BASE + pa in sigma0's space, and describes what it
   gave in a page at L4_SIGMA0_INFO (struct l4_sigma0_info, l4/sigma0.h). */
#define L4_SIGMA0_BASE  0x40000000u
#define L4_SIGMA0_INFO  0x3FFFF000u

/* SYS_THREAD_TLS (Lab 5): every thread has a TLS segment of its own, a
   user data segment that the kernel loads into the GDT slot the call
   returns (selector = index << 3 | 3) whenever the thread runs.  A new
   thread's has base 0 and limit 0 (one byte).  The limit is in bytes, or
   in 4 KiB pages with L4_TLS_PAGES (then 0xFFFFF covers 4 GiB), as
   Linux's set_thread_area takes it. */
#define L4_TLS_PAGES     1u
#define L4_TLS_SELECT    4u     /* also load the thread's %gs with the selector (a fork child) */
#define L4_TLS_LIMIT_MAX 0xFFFFFu

/* SYS_TASK_DELETE (Lab 5): ends the task (address space) of a thread, with
   every thread in it and every mapping in its space, as if each thread had
   ended itself, but without a word on the console.  Open to a thread's
   exception handler or pager (the Linux server ends its processes); a
   root task's space, and the caller's own, cannot be ended this way
   (-L4_EPERM: a thread ends itself with SYS_THREAD_EXIT). */

/* A boot module that is not an ELF program is a data module (Lab 5's root
   file system): the kernel copies it, read-only, into the space of the
   program of the module before it, at L4_BOOTDATA_BASE + 4 KiB, and
   describes it in the page at L4_BOOTDATA_BASE (struct l4_bootdata,
   l4/types.h).  One data module per program, at most L4_BOOTDATA_MAX
   bytes. */
#define L4_BOOTDATA_BASE  0xA0000000u
#define L4_BOOTDATA_MAX   0x0FFFF000u
#define L4_BOOTDATA_MAGIC 0x54414442u   /* "BDAT" */

/* Message registers: MR0 is the tag, MR1..MR63 the words. */
#define L4_MAX_MRS      64

/*
 * A thread ID: thread number in bits 31..14, version in bits 13..0.  The
 * version changes every time a thread number is reused, so a stale ID (of
 * a thread that has ended) never names its successor.  include/l4/types.h
 * packs and unpacks it.
 */
#define L4_TID_VERSION_BITS  14

/*
 * The user thread control block, one per thread, in the thread's own
 * address space at L4_UTCB_AREA + slot * L4_UTCB_SIZE.  The kernel keeps
 * %gs based on the running thread's UTCB, so %gs:0 holds its address.
 */
#define L4_UTCB_AREA    0xBF000000u
#define L4_UTCB_SIZE    512
#define L4_UTCB_SLOTS   64     /* threads per address space */
#define L4_UTCB_AREA_END (L4_UTCB_AREA + L4_UTCB_SLOTS * L4_UTCB_SIZE)
/* The UTCB area is the kernel's: it is never mapped, granted or unmapped. */

/*
 * Machine exit statuses written to QEMU's isa-debug-exit port.  QEMU exits
 * with (status << 1) | 1, so a clean shutdown (0) gives 1, a kernel panic
 * gives 255, and a triple fault under -no-reboot gives 0.
 */
#define L4_EXIT_OK      0x00
#define L4_EXIT_MAX     0x7c    /* SYS_KDB_EXIT statuses are clipped to this */
#define L4_EXIT_PANIC   0x7f
#define L4_EXIT_DEADLOCK 0x7d   /* every thread blocked for good: QEMU exit code 251 */

/* User address-space layout shared by the kernel's loader and libl4. */
#define L4_USER_TOP          0xC0000000u   /* first address user code may not touch */
#define L4_USER_STACK_TOP    0xBFFF0000u   /* initial %esp; 64 KiB unmapped above it */
#define L4_USER_STACK_PAGES  8

#endif
