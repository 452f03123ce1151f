/*
 * Starting a program: execve, and the first process.  The image and the
 * initial stack are Lab 5's (lab5_exec.c); here a new memory gets them, a
 * new task runs them (entry and stack from them, every other register 0:
 * edx = 0 tells glibc there is no dynamic linker's exit function), and the
 * old task, if any, ends.
 */
#include "linux.h"

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
    p->comm[0] = '\0';         /* a new program is known by its file's name */
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
   LX_MAX_ARGS), the strings into arg_buf from *used: the count or -LX_E*. */
static int copy_in_vector(struct proc *p, uint32_t uva, char **vec, uint32_t *used)
{
    int n = 0;
    for (; uva; n++) {
        uint32_t ptr;
        if (copy_in(&p->mm, &ptr, uva + 4 * (uint32_t)n, 4) < 0)
            return -LX_EFAULT;
        if (!ptr)
            break;
        if (n == LX_MAX_ARGS)
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
    static char *argv[LX_MAX_ARGS + 1], *envp[LX_MAX_ARGS + 1];
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
    struct fs_node *f;
    err = fs_resolve(p, LX_AT_FDCWD, path, 1, &f);      /* symlinks followed */
    if (err)
        return err;
    /* A program that runs itself again through /proc/self/exe (busybox's
       applets do) keeps its name: /proc/self/exe must not come to point
       at itself, which would make the next such execve fail with ELOOP. */
    char exe[sizeof p->exe];
    struct fs_node *link;
    int self = fs_resolve(p, LX_AT_FDCWD, path, 0, &link) == 0 && fs_is_self_exe(link);
    memcpy(exe, p->exe, sizeof exe);
    err = exec_image(p, path, f, argc, argv, envp);
    if (err)
        return err;
    if (self)
        memcpy(p->exe, exe, sizeof p->exe);
    fd_close_on_exec(p);
    for (int sig = 1; sig < LX_NSIG; sig++)     /* handlers are gone; what is ignored stays so */
        if (p->sig_handler[sig] != LX_SIG_IGN) {
            p->sig_handler[sig] = LX_SIG_DFL;
            p->sig_more[sig].flags = p->sig_more[sig].restorer = 0;
        }
    p->sig_pending = 0;
    return LX_NOREPLY;
}

const struct lx_callent lx_exec_calls[] = {
    {LX_execve, sys_execve},
    {0, NULL},
};
