/*
 * The Linux server (Lab 5): its parts and how they talk.  See docs/linux.md
 * for the design.
 *
 *   main.c     the loop: one receive for every process's exceptions and
 *              page faults, one reply (or none yet) for each
 *   sys.c      system-call entry: exception message -> Linux call -> reply
 *   proc.c     the process table
 *   mem.c      process memory: the server's frame pool, each process's
 *              pages and areas, page faults, copying in and out
 *   exec.c     ELF loading and the initial stack (argv, envp, auxv)
 *   fs.c       the root file system: the cpio archive, read-only for now
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
/* The page the server makes a process end from (exec.c, lx_exit). */
#define LX_EXIT_PAGE    0xBFFFF000u

#define VMA_R 1u
#define VMA_W 2u
#define MAX_VMAS 16

/* An area of a process's memory.  Its pages start as zeros, and the part
   that file (a file of the root file system) covers is copied from it
   the first time the page is touched. */
struct vma {
    uint32_t start, end;        /* page-aligned */
    uint32_t prot;              /* VMA_R | VMA_W */
    const uint8_t *file;        /* NULL: demand-zero */
    uint32_t fstart, fsize;     /* [fstart, fstart + fsize) comes from file[0..fsize) */
};

struct mm {
    uint32_t *dir;              /* 1024 entries: the server address of a table, 0 */
    struct vma vma[MAX_VMAS];
    unsigned nvma;
    uint32_t brk_start, brk;    /* the heap: [brk_start, PAGE_UP(brk)) */
};

void mem_init(l4_tid_t sigma0);
void *page_alloc(void);                 /* a zeroed page of the server's, or NULL */
void page_free(void *page);
int mm_init(struct mm *mm);
void mm_destroy(struct mm *mm);
int mm_add(struct mm *mm, uint32_t start, uint32_t end, uint32_t prot,
           const uint8_t *file, uint32_t fstart, uint32_t fsize);
struct vma *mm_find(struct mm *mm, uint32_t va);
void mm_drop_pages(struct mm *mm, uint32_t start, uint32_t end);
/* Gives [start, end) (page-aligned, all inside areas) the rights prot:
   0, or -LX_ENOMEM (a hole in the range, or no room for more areas). */
int mm_protect(struct mm *mm, uint32_t start, uint32_t end, uint32_t prot);
/* The server's address of the process's page va, made (zeroed, filled
   from its file) if it is not there yet; NULL outside every area. */
uint8_t *mm_page(struct mm *mm, uint32_t va);
/* Copies between the server and a process: 0 or -LX_EFAULT. */
int copy_in(struct mm *mm, void *dst, uint32_t src, uint32_t len);
int copy_out(struct mm *mm, uint32_t dst, const void *src, uint32_t len);
/* A NUL-terminated string of at most max - 1 bytes: its length or -LX_EFAULT
   (-LX_ERANGE if it does not end in time). */
int copy_in_str(struct mm *mm, char *dst, uint32_t src, uint32_t max);

/* ---- Processes (proc.c) ---- */

#define MAX_PROCS 32
enum proc_state { P_FREE, P_RUNNING, P_EXITING };

struct proc {
    enum proc_state state;
    int pid;
    l4_tid_t tid;               /* its (only) thread */
    struct mm mm;
    int exit_status;
    char exe[64];               /* the path it was started from (/proc/self/exe) */
};

struct proc *proc_alloc(void);
struct proc *proc_by_tid(l4_tid_t tid);
void proc_free(struct proc *p);

/* ---- Programs (exec.c) ---- */

/* Starts path as a new process with argv (argc words) and envp: the
   process or NULL, with *err = -LX_E*. */
struct proc *lx_spawn(const char *path, int argc, char **argv, char **envp, int *err);

/* ---- System calls (sys.c) ---- */

/* The registers of a process stopped in an exception (the message's
   words, l4/abi.h L4_EXC_*), read and written by the system calls. */
struct regs {
    uint32_t vector, error, eip, esp, eflags, eax, ebx, ecx, edx, esi, edi, ebp;
};

/* What the server does for a process stopped in an exception: 1 if the
   process is to be resumed with *r, 0 if it gets no reply (it ended, or,
   later, it waits). */
int lx_exception(struct proc *p, struct regs *r);
/* Ends p with Linux status word status (exit code << 8, or a signal). */
void lx_end(struct proc *p, struct regs *r, int status);

/* ---- Files (fs.c) ---- */

struct file_node {
    const char *name;           /* the path without its leading '/' */
    const uint8_t *data;
    uint32_t size;
    uint32_t mode;              /* Linux st_mode */
};

/* Reads the cpio newc archive at data[0..size): the number of entries, or -1. */
int fs_init(const uint8_t *data, uint32_t size);
const struct file_node *fs_lookup(const char *path);

/* The server's own thread ID, and whether it reports each call (`linux -v`). */
extern l4_tid_t lx_self;
extern int lx_verbose;

#endif
