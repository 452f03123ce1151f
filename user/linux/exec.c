/*
 * Starting a program: its ELF image from the root file system becomes
 * areas of a new process's memory (nothing is copied yet: each page is
 * made when it is first touched), and its stack is laid out as the i386
 * Linux ABI says a program finds it at _start:
 *
 *   esp ->  argc
 *           argv[0..argc-1], NULL
 *           envp[0..], NULL
 *           auxv: (type, value) pairs, ending with AT_NULL
 *           ... the strings, 16 random bytes (AT_RANDOM), the platform name
 *   LX_STACK_TOP
 *
 * with esp 16-byte aligned and every other register 0 (edx = 0 tells
 * glibc there is no dynamic linker's exit function to register).
 */
#include "linux.h"

struct elf32_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

#define PT_LOAD 1
#define PT_PHDR 6
#define PF_W    2
#define MAX_ARGS 64
#define MAX_PHDRS 16

/* Checks the image and adds an area per loadable segment; the program's
   entry and where its program headers lie in its memory (AT_PHDR). */
static int load_elf(struct mm *mm, struct fs_node *f, uint32_t *entry, uint32_t *phdr,
                    uint32_t *phnum)
{
    struct elf32_ehdr ehdr, *eh = &ehdr;
    struct elf32_phdr ph[MAX_PHDRS];
    uint32_t size = fs_size(f);
    if (fs_pread(f, 0, eh, sizeof *eh) != sizeof *eh || memcmp(eh->ident, "\x7f" "ELF", 4) != 0 ||
        eh->ident[4] != 1 || eh->ident[5] != 1 || eh->type != 2 || eh->machine != 3 ||
        eh->phentsize != sizeof(struct elf32_phdr) || eh->phnum > MAX_PHDRS ||
        fs_pread(f, eh->phoff, ph, eh->phnum * sizeof *ph) != eh->phnum * sizeof *ph)
        return -LX_ENOEXEC;         /* not a static i386 executable */
    *phdr = 0;
    uint32_t top = 0;
    for (unsigned i = 0; i < eh->phnum; i++) {
        if (ph[i].type == PT_PHDR)
            *phdr = ph[i].vaddr;
        if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
            continue;
        uint32_t va = ph[i].vaddr, end = va + ph[i].memsz;
        if (ph[i].filesz > ph[i].memsz || ph[i].offset > size ||
            ph[i].filesz > size - ph[i].offset || va < PAGE || end < va ||
            end > LX_MMAP_TOP)
            return -LX_ENOEXEC;
        /* The headers lie in the segment that loads the file's start. */
        if (!*phdr && ph[i].offset <= eh->phoff &&
            eh->phoff + eh->phnum * sizeof *ph <= ph[i].offset + ph[i].filesz)
            *phdr = va + (eh->phoff - ph[i].offset);
        int err = mm_add(mm, PAGE_DOWN(va), PAGE_UP(end),
                         VMA_R | (ph[i].flags & PF_W ? VMA_W : 0),
                         f, va, ph[i].filesz, ph[i].offset);
        if (err)
            return err;
        if (PAGE_UP(end) > top)
            top = PAGE_UP(end);
    }
    if (!top)
        return -LX_ENOEXEC;
    mm->brk_start = mm->brk = top;
    *entry = eh->entry;
    *phnum = eh->phnum;
    return mm_add(mm, top, top, VMA_R | VMA_W, NULL, 0, 0, 0);    /* the heap, empty (brk) */
}

/* Pushes len bytes onto the process's stack at *sp. */
static int push(struct mm *mm, uint32_t *sp, const void *src, uint32_t len)
{
    *sp -= len;
    return copy_out(mm, *sp, src, len);
}

static int build_stack(struct mm *mm, const char *path, int argc, char **argv, char **envp,
                       uint32_t entry, uint32_t phdr, uint32_t phnum, uint32_t *esp)
{
    int err = mm_add(mm, LX_STACK_TOP - LX_STACK_SIZE, LX_STACK_TOP, VMA_R | VMA_W, NULL, 0, 0, 0);
    if (err)
        return err;
    uint32_t sp = LX_STACK_TOP, argp[MAX_ARGS], envpp[MAX_ARGS];
    int envc = 0;
    while (envp && envp[envc] && envc < MAX_ARGS)
        envc++;
    if (argc > MAX_ARGS)
        argc = MAX_ARGS;

    err = push(mm, &sp, path, strlen(path) + 1);
    uint32_t execfn = sp;
    for (int i = argc - 1; i >= 0 && !err; i--) {
        err = push(mm, &sp, argv[i], strlen(argv[i]) + 1);
        argp[i] = sp;
    }
    for (int i = envc - 1; i >= 0 && !err; i--) {
        err = push(mm, &sp, envp[i], strlen(envp[i]) + 1);
        envpp[i] = sp;
    }
    /* AT_RANDOM's bytes seed glibc's stack protector and pointer guard;
       the time-stamp counter differs from boot to boot. */
    uint32_t rnd[4], seed = (uint32_t)rdtsc() | 1;
    for (int i = 0; i < 4; i++)
        rnd[i] = xorshift32(&seed);
    if (!err)
        err = push(mm, &sp, rnd, sizeof rnd);
    uint32_t random = sp;
    if (!err)
        err = push(mm, &sp, "i686", 5);
    uint32_t platform = sp;
    if (err)
        return err;

    uint32_t auxv[] = {
        LX_AT_PHDR, phdr, LX_AT_PHENT, sizeof(struct elf32_phdr), LX_AT_PHNUM, phnum,
        LX_AT_PAGESZ, PAGE, LX_AT_BASE, 0, LX_AT_FLAGS, 0, LX_AT_ENTRY, entry,
        LX_AT_UID, 0, LX_AT_EUID, 0, LX_AT_GID, 0, LX_AT_EGID, 0, LX_AT_SECURE, 0,
        LX_AT_PLATFORM, platform, LX_AT_HWCAP, 0, LX_AT_CLKTCK, 100,
        LX_AT_RANDOM, random, LX_AT_EXECFN, execfn, LX_AT_NULL, 0,
    };
    /* Everything from argc up is words: align its start to 16 bytes. */
    uint32_t words = 1 + (argc + 1) + (envc + 1) + sizeof auxv / 4;
    sp = (sp - words * 4) & ~15u;
    uint32_t at = sp, zero = 0, n = (uint32_t)argc;
    err = copy_out(mm, at, &n, 4);
    at += 4;
    for (int i = 0; i < argc && !err; i++, at += 4)
        err = copy_out(mm, at, &argp[i], 4);
    if (!err)
        err = copy_out(mm, at, &zero, 4);
    at += 4;
    for (int i = 0; i < envc && !err; i++, at += 4)
        err = copy_out(mm, at, &envpp[i], 4);
    if (!err)
        err = copy_out(mm, at, &zero, 4);
    at += 4;
    if (!err)
        err = copy_out(mm, at, auxv, sizeof auxv);
    *esp = sp;
    return err;
}

/* Replaces p's image (or gives a new process its first) with the program
   f at path: a new memory and a new task; the old task, if any, ends.
   0, or -LX_E* with p as it was. */
static int exec_image(struct proc *p, const char *path, struct fs_node *f, int argc,
                      char **argv, char **envp)
{
    if ((fs_mode(f) & LX_S_IFMT) != LX_S_IFREG || !(fs_mode(f) & 0111))
        return -LX_EACCES;      /* a directory, a device, or no execute bit */
    struct mm mm;
    uint32_t entry, phdr, phnum, esp;
    int err = mm_init(&mm);
    if (err)
        return err;
    err = load_elf(&mm, f, &entry, &phdr, &phnum);
    if (!err)
        err = build_stack(&mm, path, argc, argv, envp, entry, phdr, phnum, &esp);
    int32_t tid = err ? 0 : l4_task_create_ex((void (*)(void))entry, (void *)esp, lx_self,
                                              lx_self);
    if (!err && tid < 0) {
        printf("linux: cannot create a task for %s: %s\n", path, errstr(tid));
        err = -LX_ENOMEM;
    }
    if (err) {
        mm_destroy(&mm);
        return err;
    }
    if (p->tid != L4_NILTHREAD)
        l4_task_delete(p->tid);     /* the old image, with its thread, which waits for us */
    mm_destroy(&p->mm);
    p->mm = mm;
    p->tid = (l4_tid_t)tid;
    p->tls_set = 0;
    strlcpy(p->exe, path, sizeof p->exe);
    return 0;
}

struct proc *lx_spawn(const char *path, int argc, char **argv, char **envp, int *err)
{
    struct fs_node *f = fs_lookup(path);
    if (!f) {
        *err = -LX_ENOENT;
        return NULL;
    }
    struct proc *p = proc_alloc();
    if (!p) {
        *err = -LX_ENOMEM;
        return NULL;
    }
    *err = exec_image(p, path, f, argc, argv, envp);
    if (*err) {
        proc_free(p);
        return NULL;
    }
    return p;
}

/* What execve copies in: the path and the strings of argv and envp, into
   one buffer of the server's (Linux's limit is far larger; E2BIG here). */
#define ARG_BYTES (32u << 10)
static char arg_buf[ARG_BYTES];

/* Copies the NULL-terminated string vector at uva into vec (at most
   MAX_ARGS), the strings into arg_buf from *used: the count or -LX_E*. */
static int copy_in_vector(struct proc *p, uint32_t uva, char **vec, uint32_t *used)
{
    int n = 0;
    for (; uva; n++) {
        uint32_t ptr;
        if (copy_in(&p->mm, &ptr, uva + 4 * (uint32_t)n, 4) < 0)
            return -LX_EFAULT;
        if (!ptr)
            break;
        if (n == MAX_ARGS)
            return -LX_E2BIG;
        int len = copy_in_str(&p->mm, arg_buf + *used, ptr, ARG_BYTES - *used);
        if (len < 0)
            return len == -LX_ERANGE ? -LX_E2BIG : len;
        vec[n] = arg_buf + *used;
        *used += (uint32_t)len + 1;
    }
    vec[n] = NULL;
    return n;
}

/* The absolute form of path for p (relative paths start at its cwd). */
static int absolute_path(struct proc *p, const char *path, char *out, uint32_t size)
{
    int n = path[0] == '/' ? fmt_snprintf(out, size, "%s", path)
          : fmt_snprintf(out, size, "%s/%s", strcmp(p->cwd, "/") ? p->cwd : "", path);
    return n < 0 || (uint32_t)n >= size ? -LX_ENAMETOOLONG : 0;
}

/* execve(path, argv, envp): a new program in the same process (pid, open
   files but those marked close-on-exec, parent, working directory).  On
   success the calling thread is gone: there is no reply. */
static int32_t sys_execve(struct proc *p, struct regs *r)
{
    static char *argv[MAX_ARGS + 1], *envp[MAX_ARGS + 1];
    char path[128];
    uint32_t used = 0;
    int len = copy_in_str(&p->mm, arg_buf, r->ebx, sizeof path);
    if (len < 0)
        return len == -LX_ERANGE ? -LX_ENAMETOOLONG : len;
    if (len == 0)
        return -LX_ENOENT;
    int err = absolute_path(p, arg_buf, path, sizeof path);
    if (err)
        return err;
    int argc = copy_in_vector(p, r->ecx, argv, &used);
    if (argc < 0)
        return argc;
    int envc = copy_in_vector(p, r->edx, envp, &used);
    if (envc < 0)
        return envc;
    struct fs_node *f = fs_lookup(path);
    if (!f)
        return -LX_ENOENT;
    err = exec_image(p, path, f, argc, argv, envp);
    if (err)
        return err;
    fd_close_on_exec(p);
    for (int sig = 1; sig < LX_NSIG; sig++)     /* handlers are gone; what is ignored stays so */
        if (p->sig_handler[sig] != LX_SIG_IGN)
            p->sig_handler[sig] = LX_SIG_DFL;
    return LX_NOREPLY;
}

const struct lx_callent lx_exec_calls[] = {
    {LX_execve, sys_execve},
    {0, NULL},
};
