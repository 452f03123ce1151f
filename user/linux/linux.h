/*
 * The Linux server (Lab 5): its parts and how they talk.  See docs/linux.md
 * for the design.
 *
 *   main.c     the loop: one receive for every process's exceptions and
 *              page faults, one reply (or none yet) for each
 *   lab5_entry.c  LAB 5: system-call entry: exception message -> Linux call -> reply
 *   sys.c      the call table, running a call, calls of no other part
 *   proc.c     the process table
 *   mem.c      process memory: the server's frame pool, each process's
 *              pages and areas, page faults, copying in and out
 *   exec.c     execve, and starting the first process
 *   lab5_exec.c   LAB 5: ELF loading and the initial stack (argv, envp, auxv)
 *   lab5_fork.c   LAB 5: fork (copy-on-write memory, a child that returns 0)
 *   lab5_pipe.c   LAB 5: a pipe read that waits (pipe.h: a pipe)
 *   file.c     open files and file descriptors: read, write, close, dup...
 *              through each kind of file's operations (struct file_ops)
 *   console.c  the console: fds 0, 1 and 2 of the first process
 *   fs.c       the root file system: a tree of nodes in RAM, made from the
 *              boot cpio archive; paths (fs.h: its insides)
 *   fscalls.c  the file system's calls: open, stat, mkdir, rename...
 *   pipe.c     pipes
 *   time.c     clocks and sleeping
 *   callnames.c   every Linux call's name, for the log of unknown ones
 */
#ifndef LINUX_H
#define LINUX_H

#include "ulib.h"
#include "linux_abi.h"

#define PAGE 4096u
#define PAGE_DOWN(a) ((a) & ~(PAGE - 1))
#define PAGE_UP(a)   (((a) + PAGE - 1) & ~(PAGE - 1))

/* ---- Process memory (mem.c) ---- */

/* A process's address space: where its program lies, and below
   0xBF000000 (the UTCB area, the kernel's) its stack. */
#define LX_STACK_TOP    0xBF000000u
#define LX_STACK_SIZE   (8u << 20)
#define LX_MMAP_TOP     (LX_STACK_TOP - LX_STACK_SIZE - PAGE)

#define VMA_R 1u
#define VMA_W 2u
#define VMA_SHARED 4u           /* MAP_SHARED: fork shares its pages, never copies them */
#define MAX_VMAS 64

struct fs_node;

/* An area of a process's memory.  Its pages start as zeros, and the part
   that a file of the root file system covers is copied from it the first
   time the page is touched. */
struct vma {
    uint32_t start, end;        /* page-aligned */
    uint32_t prot;              /* VMA_R | VMA_W | VMA_SHARED; 0: PROT_NONE */
    struct fs_node *node;       /* NULL: demand-zero */
    uint32_t fstart, fsize;     /* addresses [fstart, fstart + fsize) come from the node's */
    uint32_t foff;              /* ... bytes from foff on */
};

struct mm {
    uint32_t *dir;              /* 1024 entries: the server address of a table, 0 */
    struct vma vma[MAX_VMAS];
    unsigned nvma;
    unsigned hint;              /* the area mm_find found last: its first guess */
    uint32_t brk_start, brk;    /* the heap: [brk_start, PAGE_UP(brk)) */
};

void mem_init(l4_tid_t sigma0);
void *page_alloc(void);                 /* a zeroed page of the server's (one user), or NULL */
void page_free(void *page);
void page_ref(void *page);              /* one more user of a page (fork shares them) */
void page_unref(void *page);            /* one less; the last frees it */
uint32_t mem_total_pages(void);         /* the pool's size in pages */
uint32_t mem_free_pages(void);          /* pool pages not in use (sigma0's not yet taken included) */
int mm_init(struct mm *mm);
void mm_destroy(struct mm *mm);
int mm_add(struct mm *mm, uint32_t start, uint32_t end, uint32_t prot,
           struct fs_node *node, uint32_t fstart, uint32_t fsize, uint32_t foff);
struct vma *mm_find(struct mm *mm, uint32_t va);
void mm_drop_pages(struct mm *mm, uint32_t start, uint32_t end);
/* Removes [start, end) (page-aligned) from mm's areas and frees its pages:
   0 or -LX_ENOMEM (no room to split an area). */
int mm_unmap(struct mm *mm, uint32_t start, uint32_t end);
/* A free range of len bytes (page-aligned) below LX_MMAP_TOP, highest
   first, or 0. */
uint32_t mm_find_free(struct mm *mm, uint32_t len);
/* Gives [start, end) (page-aligned, all inside areas) the rights prot:
   0, or -LX_ENOMEM (a hole in the range, or no room for more areas). */
int mm_protect(struct mm *mm, uint32_t start, uint32_t end, uint32_t prot);
/* The server's address of the process's page va, made (zeroed, filled
   from its file) if it is not there yet; NULL outside every area. */
uint8_t *mm_page(struct mm *mm, uint32_t va);
/* The same for writing: a page shared with another process (fork) is
   copied first, and *fresh says so (its old mapping is gone). */
uint8_t *mm_page_write(struct mm *mm, uint32_t va, int *fresh);
int mm_page_shared(const void *page);
/* The slot of va in mm's tables (the server's address of the page, or 0);
   with create, a missing table is made.  NULL: no table (or no memory). */
uint32_t *mm_slot(struct mm *mm, uint32_t va, int create);
/* LAB 5 (lab5_fork.c): child = a copy-on-write copy of parent: 0 or -LX_E*. */
int mm_fork(struct mm *child, struct mm *parent);
/* Copies between the server and a process: 0 or -LX_EFAULT. */
int copy_in(struct mm *mm, void *dst, uint32_t src, uint32_t len);
int copy_out(struct mm *mm, uint32_t dst, const void *src, uint32_t len);
/* A NUL-terminated string of at most max - 1 bytes: its length or -LX_EFAULT
   (-LX_ERANGE if it does not end in time). */
int copy_in_str(struct mm *mm, char *dst, uint32_t src, uint32_t max);

/* The registers of a process stopped in an exception (the message's
   words, l4/abi.h L4_EXC_*), read and written by the system calls. */
struct regs {
    uint32_t vector, error, eip, esp, eflags, eax, ebx, ecx, edx, esi, edi, ebp;
};

/* The message registers MR0..MR12: a message being served and its reply.
   A call is served in place: the struct regs a system call reads and
   writes is the exception message's MR1..MR12 themselves (main.c,
   msg_regs), so any IPC the server makes while it serves a message (a
   receive overwrites the MRs, a send is built in them) must keep them
   aside and put them back: lx_msg_keep before, lx_msg_restore after.
   Such IPCs are rare (mem.c asks sigma0 for a page when its pool grows;
   main.c answers waiting calls after a message is served). */
struct lx_msg {
    uint32_t w[1 + L4_EXC_WORDS];
};

/* Set while the MRs hold nothing the server still needs: a page fault's
   words are read before its page is found (main.c, page_fault), so mem.c
   need not keep them around sigma0's call then (13 words each way, which
   every fault of lx.fault would pay).  Everywhere else they are kept. */
extern int lx_msg_spare;

static inline struct lx_msg lx_msg_keep(void)
{
    return *(const struct lx_msg *)l4_utcb()->mr;
}

static inline void lx_msg_restore(const struct lx_msg *m)
{
    *(struct lx_msg *)l4_utcb()->mr = *m;
}

/* ---- Processes (proc.c) ---- */

#define MAX_PROCS 32
#define MAX_FDS   32
#define LX_NSIG   65            /* signals 1..64 */
enum proc_state { P_FREE, P_RUNNING, P_ZOMBIE };     /* a zombie ended; its parent has not waited */

struct file;

struct proc {
    enum proc_state state;
    int pid, ppid, pgid, sid;
    l4_tid_t tid;               /* its (only) thread; a new one after execve */
    int starting;               /* a fork child whose start message regs answers */
    struct mm mm;
    int exit_status;
    char exe[64];               /* the path it was started from (/proc/self/exe) */
    char comm[16];              /* prctl(PR_SET_NAME)'s name; "": exe's last part */
    char cwd[128];              /* its working directory, absolute, no trailing '/' but "/" */
    struct file *fd[MAX_FDS];   /* its open files by descriptor (file.c) */
    uint32_t cloexec;           /* bit n: fd n closes at execve */
    /* A call it waits in (it got no reply yet: main.c, "waiting calls"). */
    int waiting;                /* 1 while it waits */
    struct regs regs;           /* the call's registers, as the exception message gave them */
    uint32_t wake_at;           /* a deadline in SYS_CLOCK ticks, 0 for none (time.c) */
    uint32_t io_done;           /* bytes a waiting read or write has moved so far */
    /* Signals (proc.c): what each does (LX_SIG_DFL, LX_SIG_IGN, or a
       handler's address), the rest of its sigaction, the blocked set, and
       the signals sent to a handler and not yet delivered. */
    uint32_t sig_handler[LX_NSIG];
    uint64_t sig_blocked;
    struct {
        uint32_t flags, restorer;
        uint64_t mask;
    } sig_more[LX_NSIG];
    uint64_t sig_pending;
    /* Its TLS segment as set_thread_area gave it (a fork child gets it too). */
    uint32_t tls_base, tls_limit, tls_flags;
    int tls_set;
    uint32_t umask;             /* permission bits open and mkdir leave out (fork: copy it) */
};

struct proc *proc_alloc(void);
/* LAB 5 (lab5_fork.c): fork of p, stopped in its call with registers r:
   the child's pid, or -LX_E*. */
int32_t lx_fork(struct proc *p, struct regs *r);
struct proc *proc_by_tid(l4_tid_t tid);
struct proc *proc_by_pid(int pid);
void proc_free(struct proc *p);
/* Calls fn for every process in use. */
void proc_for_each(void (*fn)(struct proc *p, void *arg), void *arg);

/* ---- Programs (exec.c) ---- */

#define LX_MAX_ARGS 64          /* argv and envp strings, each (execve: E2BIG) */

/* LAB 5 (lab5_exec.c): checks the ELF image f and adds an area of mm for
   each loadable segment, then the empty heap: 0 and the entry, the
   address of the program headers (AT_PHDR) and their number; or
   -LX_ENOEXEC (not a static i386 executable), -LX_ENOMEM. */
int load_elf(struct mm *mm, struct fs_node *f, uint32_t *entry, uint32_t *phdr, uint32_t *phnum);
/* LAB 5 (lab5_exec.c): adds the stack area to mm and lays out what _start
   finds there (argc, argv, envp, auxv, the strings): 0 and *esp, or -LX_E*. */
int build_stack(struct mm *mm, const char *path, int argc, char **argv, char **envp,
                uint32_t entry, uint32_t phdr, uint32_t phnum, uint32_t *esp);

/* Starts path as a new process with argv (argc words) and envp: the
   process or NULL, with *err = -LX_E*. */
struct proc *lx_spawn(const char *path, int argc, char **argv, char **envp, int *err);

/* ---- System calls (sys.c) ---- */

/* A system call: its result (>= 0, or -LX_E*), or LX_BLOCK: it cannot
   finish yet, and the process waits without a reply.  The server calls it
   again, with the same registers, after anything happened that it may
   wait for (lx_event); so a call that returns LX_BLOCK must have changed
   nothing it would do again (io_done keeps a partial transfer's count). */
typedef int32_t (*lx_call)(struct proc *p, struct regs *r);
#define LX_BLOCK (-0x40000000)
/* A call's result when the calling thread is gone (exit, a successful
   execve, a fatal signal): there is nobody to reply to. */
#define LX_NOREPLY (-0x40000001)

/* A part's calls, as {number, function} pairs ending with {0, NULL}. */
struct lx_callent {
    uint32_t nr;
    lx_call fn;
};
extern const struct lx_callent lx_core_calls[], lx_file_calls[], lx_fs_calls[],
    lx_pipe_calls[], lx_time_calls[], lx_proc_calls[], lx_exec_calls[], lx_mmap_calls[];
void sys_init(void);

/* LAB 5 (lab5_entry.c): what the server does for a process stopped in an
   exception: 1 if the process is to be resumed with *r, 0 if it gets no
   reply (it ended, or it waits). */
int lx_exception(struct proc *p, struct regs *r);
/* Runs the Linux call in r's registers (number in eax): its result, which
   may be LX_BLOCK or LX_NOREPLY (given; inline, at the end of this file). */
static inline int32_t lx_dispatch(struct proc *p, struct regs *r);
/* The signal Linux sends for CPU exception vector (SIGFPE, SIGILL...). */
int lx_exception_signal(uint32_t vector);
/* Runs a waiting process's call again (main.c): 1 if it finished, and
   *r is then its resume message's registers. */
int lx_retry(struct proc *p, struct regs *r);
/* Ends p with Linux status word status (exit code << 8, or a signal
   number): its task, its memory and its files go; it stays a zombie until
   its parent waits for it.  The first process's end stops the machine. */
void lx_end(struct proc *p, int status);
/* Sends signal sig to p (any process: running, waiting, the caller).  The
   server has default actions only: a terminating signal ends p, an ignored
   one (SIGCHLD, SIGWINCH, SIGCONT...) does nothing.  1 if p ended. */
int lx_signal(struct proc *p, int sig);
/* If p has a signal for a handler that it does not block, changes r, the
   registers p is about to resume with, so that it enters the handler
   first (a frame on its stack that sigreturn undoes).  main.c calls it
   before every resume reply. */
void lx_deliver(struct proc *p, struct regs *r);
/* Whether a waiting call of p is to end with -LX_EINTR (a signal came). */
int lx_interrupted(struct proc *p);
/* Something a waiting call may wait for has happened (data in a pipe, a
   child's end, a key, a deadline): the server retries the waiting calls
   before it receives again. */
void lx_event(void);

/* ---- The file system (fs.c) ---- */

/* Reads the cpio newc archive at data[0..size): the number of entries, or -1. */
int fs_init(const uint8_t *data, uint32_t size);
/* The node at an absolute path (symlinks followed), or NULL. */
struct fs_node *fs_lookup(const char *path);
/* Whether n is /proc/self/exe (its target is the asking process's exe). */
int fs_is_self_exe(const struct fs_node *n);
uint32_t fs_size(const struct fs_node *n);
uint32_t fs_mode(const struct fs_node *n);     /* Linux st_mode */
/* Copies up to len bytes of n's data from off into buf: how many (0 at or
   past the end). */
uint32_t fs_pread(const struct fs_node *n, uint32_t off, void *buf, uint32_t len);
/* A node stays valid while somebody holds it (a memory area, an open
   file), even after it is unlinked: mm_add holds, mm_destroy puts. */
void fs_hold(struct fs_node *n);
void fs_put(struct fs_node *n);
/* The node at path for process p (NULL: from the root): absolute, or
   relative to directory fd dirfd or, for LX_AT_FDCWD, p's working
   directory; follow: a symlink as the last component is followed.  0 or
   -LX_ENOENT, -LX_ENOTDIR, -LX_ELOOP, -LX_ENAMETOOLONG, -LX_EBADF. */
int fs_resolve(struct proc *p, int dirfd, const char *path, int follow, struct fs_node **out);

/* ---- Open files (file.c) ---- */

/* What a kind of open file does.  read and write move bytes between the
   file and the process's memory at buf (copy_in/copy_out: a bad pointer is
   -LX_EFAULT); they may return LX_BLOCK.  A NULL operation is refused with
   the errno Linux gives (read/write -LX_EBADF... see file.c). */
struct file_ops {
    const char *kind;           /* for messages: "console", "pipe", "file" */
    int32_t (*read)(struct proc *p, struct file *f, uint32_t buf, uint32_t len);
    int32_t (*write)(struct proc *p, struct file *f, uint32_t buf, uint32_t len);
    int32_t (*ioctl)(struct proc *p, struct file *f, uint32_t cmd, uint32_t arg);
    int (*stat)(struct file *f, struct lx_stat64 *st);
    /* The new position for lseek (whence 0, 1, 2), or -LX_E*; NULL: -LX_ESPIPE. */
    int64_t (*seek)(struct file *f, int64_t off, int whence);
    void (*release)(struct file *f);    /* the last descriptor of it closed */
    /* What poll would say now: LX_POLLIN, LX_POLLOUT, LX_POLLHUP, LX_POLLERR;
       NULL: always ready to read and write (a file in memory). */
    uint32_t (*poll)(struct file *f);
};

/* An open file, shared by the descriptors dup and fork make of it. */
struct file {
    const struct file_ops *ops;
    unsigned refs;              /* descriptors (in any process) that hold it */
    uint32_t flags;             /* open's flags: O_ACCMODE, O_APPEND, O_NONBLOCK */
    uint64_t pos;               /* the file position, for files that have one */
    void *priv;                 /* the kind's own: the node, the pipe */
};

/* A new open file with one reference, or NULL (no memory). */
struct file *file_new(const struct file_ops *ops, uint32_t flags, void *priv);
void file_put(struct file *f);          /* drops a reference */
/* The lowest free descriptor >= min given f (f's reference moves to it):
   the descriptor, or -LX_EMFILE. */
int fd_install(struct proc *p, struct file *f, int min);
struct file *fd_file(struct proc *p, uint32_t fd);     /* NULL: not open */
int fd_close(struct proc *p, uint32_t fd);              /* 0 or -LX_EBADF */
void fd_close_all(struct proc *p);
void fd_close_on_exec(struct proc *p);
void fd_copy(struct proc *dst, struct proc *src);      /* fork: share every open file */
int file_readable(const struct file *f);
/* fstat of f into the process's buffer at buf: 0 or -LX_E*. */
int32_t file_fstat(struct proc *p, struct file *f, uint32_t buf);
int file_writable(const struct file *f);

/* ---- The console (console.c) ---- */

/* The console as an open file (for the first process's fds 0, 1 and 2). */
struct file *console_open(void);
/* Starts the console's input: a thread of the server's that waits for the
   serial driver (the boot module before the server, if there is one). */
void console_init(void);
/* Whether a message came from that thread; console_input() answers it (its
   label LX_LABEL_CONSOLE: MR1 bytes typed, MR2.. the bytes): 1, the reply
   is in the MRs. */
int console_is_reader(l4_tid_t from);
int console_input(void);
#define LX_LABEL_CONSOLE 0x1C0u

/* ---- Time (time.c) ---- */

/* The earliest deadline of a waiting process, in ticks from now, as an IPC
   timeout for the server's receive (L4_TIMEOUT_NEVER if none). */
uint16_t time_next_timeout(void);
/* Whether some process may have a deadline (set by a sleep, cleared by
   time_next_timeout when none is left): while it is 0, the answer is
   L4_TIMEOUT_NEVER without a call, which every message spares. */
extern int lx_deadlines;
/* Reads the real-time clock (the server's I/O access) and seeds getrandom. */
void time_init(void);
/* The waiting part of every call that waits for a time: on the call's first
   run (p->io_done 0) a deadline ticks from now is set in p->wake_at; 0 once
   it has passed (at once for 0 ticks), LX_BLOCK before. */
int32_t time_sleep(struct proc *p, uint64_t ticks);
/* A timeout the caller gives at addr, as ticks (rounded up): 0 or -LX_E*. */
enum { LX_TIME_TS32, LX_TIME_TS64, LX_TIME_TIMEVAL };
int time_timeout(struct proc *p, uint32_t addr, int form, uint64_t *ticks);

/* The name of Linux call nr (callnames.c), for the log of unknown calls. */
const char *lx_call_name(uint32_t nr);

/* The server's own thread ID, and whether it reports each call (`linux -v`). */
extern l4_tid_t lx_self;
extern int lx_verbose;

/* The call table (sys.c), and lx_dispatch: every system call of every
   process goes through it, so the common case, a call the table has while
   nobody asked for the log, is inline in the caller, a look-up and an
   indirect call; an unknown call and `linux -v`'s log take the whole
   function, lx_dispatch_logged (sys.c), with the same result. */
extern lx_call lx_calls[LX_NSYSCALLS];
int32_t lx_dispatch_logged(struct proc *p, struct regs *r);

static inline int32_t lx_dispatch(struct proc *p, struct regs *r)
{
    uint32_t nr = r->eax;
    lx_call fn = nr < LX_NSYSCALLS ? lx_calls[nr] : NULL;
    if (!fn || lx_verbose)
        return lx_dispatch_logged(p, r);
    return fn(p, r);
}

#endif
