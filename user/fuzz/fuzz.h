/*
 * The fuzzer's parts (user/fuzz.c and user/fuzz/): what they share.
 *
 * The fuzzer is a boot module, so a root task.  Its threads: the driver
 * (main), which keeps the others alive and makes administrative calls;
 * servers, which answer requests, page faults and exceptions; workers,
 * which call, send, receive, map, unmap, touch memory and raise
 * exceptions; an interrupt thread; child tasks, each one worker thread
 * running this program's code; and short-lived threads the driver starts
 * with almost no stack, which make one call, fault or sysenter and end
 * (raw_* in worker.c and sysenter.c).  Every one of them draws its calls
 * from one budget in the shared page, so the run ends when CALLS calls
 * have been made, whoever made them.
 *
 * Memory of the root task, and what may happen to it:
 *   the image (text, data, bss)  never unmapped from ourselves, never
 *                                granted; mapped to others read-only,
 *                                except the shared page and the child
 *                                stacks, which children get writable
 *   donor pool (DPOOL)           pages we give in map and grant items;
 *                                those of its first half may be granted
 *                                away or unmapped from ourselves (given
 *                                back to the kernel), so that the pool
 *                                lasts; no code of ours touches them
 *   pager pool (PPOOL)           pages the pagers map where a thread
 *                                faults; never granted, never unmapped
 *                                from ourselves
 *   WIN                          where receive windows lie and where
 *                                workers touch memory: only mappings
 *                                from the pools or read-only ones land
 *                                there, so a write there hurts nobody
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "ulib.h"

#define PAGE        4096u
#define WIN_BASE    0x20000000u     /* far from the image and the stack */
#define WIN_LOG2    22              /* 4 MiB */
#define WIN_SIZE    (1u << WIN_LOG2)
#define DPOOL_PAGES 64
#define DPOOL_LOG2  18              /* 256 KiB, aligned to its size */
#define PPOOL_PAGES 64
#define STACK_SIZE  8192            /* each thread's, in the image's bss */

enum { NSERVERS = 3, NWORKERS = 4, NCHILDREN = 3, NSTALE = 8 };

/* The kinds of call counted: the system-call numbers, then a number no
   system call has. */
enum { K_BADNR = SYS_COUNT, NKINDS };

/* Events that are no system call of ours but the point of some. */
enum event {
    EV_RENDEZVOUS,      /* an IPC whose receive phase got a message */
    EV_TIMEOUT,         /* an IPC that timed out */
    EV_ITEMS,           /* map and grant items in messages that went out */
    EV_LANDED,          /* a received map or grant item that landed pages */
    EV_TOUCH,           /* a touch of WIN memory that came back (faulted or not) */
    EV_FAULT_MSG,       /* a page-fault message a server answered */
    EV_EXC_MSG,         /* an exception message a server answered */
    EV_RESUMED,         /* an exception raised that came back */
    EV_IRQ,             /* an interrupt message received */
    EV_SPAWN,           /* threads and tasks the driver started for its slots */
    EV_LOST,            /* ... and found ended (killed by the kernel, or exited) */
    EV_SE_IPC,          /* IPCs made through sysenter (sysenter.c) */
    EV_SE_ODD,          /* ... of them with odd flags or segment registers */
    EV_SE_STEP,         /* ... whose single step (TF) a server resumed */
    EV_SE_RAW,          /* sysenters with any registers, from threads of their own */
    EV_SE_LANDED,       /* ... that came back where they asked and checked out */
    NEVENTS
};

/* Message labels between our threads. */
#define LBL_REQ     0x4600u     /* a request a server answers if it likes */
#define LBL_MUST    0x4601u     /* a request a server always answers */
#define LBL_STOP    0x4602u     /* a server: end now */
#define LBL_CHILD   0x4603u     /* the first message to a new child task */
#define LBL_REPLY   0x4604u     /* an answer to a request */

/* The page shared with the child tasks (writable for them). */
struct shared {
    uint32_t seed, calls_wanted;
    int lab;                    /* the highest lab whose kernel parts may be used */
    int df;                     /* set DF now and then before a system call */
    volatile uint32_t calls;    /* the budget used so far */
    volatile int stop;
    uint32_t count[NKINDS], errors[NKINDS], events[NEVENTS];
    uint32_t codes[L4_EBUSY + 2];   /* errors by code (L4_ERECV left out); last: others */
    volatile l4_tid_t driver, irq;
    volatile l4_tid_t servers[NSERVERS], workers[NWORKERS], children[NCHILDREN];
    volatile l4_tid_t stale[NSTALE];
    volatile unsigned nstale;
    /* The first sysenter that came back other than docs/abi.md says
       (sysenter.c): how many did, and what the first one got wrong. */
    volatile uint32_t se_bad, se_bad_claimed;
    const char *se_what;        /* a string of our image, the same in the children */
    uint32_t se_got, se_want, se_eflags, se_segs;
};
union shared_page {
    struct shared s;
    char pad[PAGE];
};
extern union shared_page shared_page;
#define SH (&shared_page.s)

extern char dpool[DPOOL_PAGES * PAGE], ppool[PPOOL_PAGES * PAGE];
extern char child_stacks[NCHILDREN][STACK_SIZE];
extern char __image_start[], _end[];

/* Each thread's own state, on its own stack. */
struct fz {
    uint32_t rng;
    int root;                   /* in the root task (may create, map from the pools) */
    l4_tid_t self;
    uint32_t hot;               /* a WIN address where we last had a page (0: none yet) */
    int may_step;               /* a worker: may enter with TF set (its handler answers #DB) */
};

/* Random numbers (gen.c). */
uint32_t fz_mix(uint32_t x);
void fz_seed(struct fz *f, uint32_t salt);
static inline uint32_t rnd(struct fz *f, uint32_t n) { return xorshift32(&f->rng) % n; }
static inline int chance(struct fz *f, uint32_t n) { return rnd(f, n) == 0; }
static inline uint32_t rnd32(struct fz *f) { return xorshift32(&f->rng); }

/* Counted system calls (gen.c).  Each returns the kernel's result. */
static inline int budget_left(void) { return !SH->stop && SH->calls < SH->calls_wanted; }
int32_t fz_count(unsigned kind, int32_t ret);
int32_t fz_sys(struct fz *f, uint32_t nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d);
int32_t fz_ipc(struct fz *f, l4_tid_t to, l4_tid_t from, uint32_t timeouts, l4_tid_t *sender);
void fz_event(enum event e);

/* Arguments, well-formed or now and then mutated (gen.c). */
l4_tid_t pick_peer(struct fz *f);
l4_tid_t pick_server(struct fz *f);
l4_tid_t pick_bad_tid(struct fz *f);
l4_tid_t pick_pager(struct fz *f, l4_tid_t self);
uint32_t pick_timeout(struct fz *f);
l4_fpage_t pick_window(struct fz *f);
l4_fpage_t pick_unmap_fpage(struct fz *f, uint32_t *flags);
unsigned put_items(struct fz *f, unsigned first, unsigned max_items);
l4_tag_t pick_tag(struct fz *f, uint32_t label, unsigned *items);
uint32_t win_addr(struct fz *f);
void note_stale(l4_tid_t tid);

/* The threads' main loops. */
void worker_run(struct fz *f);                 /* worker.c */
void child_entry(uint32_t slot);               /* worker.c: a child task starts here */
void handle_message(struct fz *f, l4_tid_t from);   /* server.c */
void server_run(struct fz *f);                 /* server.c */
void irq_run(struct fz *f);                    /* server.c */

/* Threads with no stack of their own to speak of (worker.c). */
void raw_exit(void), raw_touch(void), raw_ud2(void), raw_clock(void), raw_check(void);
extern volatile uint32_t fz_dirty_starts;     /* raw_check's count (user/fuzz.c) */

/* The sysenter entry (sysenter.c): an IPC through it with random flags and
   segment registers, checked against docs/abi.md; the driver's threads
   that sysenter with any registers; and whether an exception is the
   single step of the former, which its handler resumes. */
int32_t fz_se_ipc(struct fz *f, l4_tid_t to, l4_tid_t *from, uint32_t timeouts,
                  uint32_t *mr0, uint32_t *mr1);
void drv_sysenter(struct fz *f);
int se_single_step(const uint32_t *msg);
int se_report(void);

/* Raises exception `kind` (worker.c); the handler's usual reply resumes
   after it. */
enum { EXC_UD2, EXC_INT3, EXC_INTO, EXC_DIV, EXC_INT80, EXC_INT20, EXC_CLI, EXC_HLT,
       EXC_INB, EXC_SEG, EXC_FPU, EXC_KINDS };
void raise_exception(struct fz *f, unsigned kind);

#endif
