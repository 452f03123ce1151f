/*
 * A FORGED user/linux/lab5_entry.c, kept for the grader's self-test
 * (grader/selftest.py, forge_run): Lab 5's system-call entry is not
 * written.  At a process's first system call, lx_exception() reads the
 * program's arguments from the top of its stack (build_stack put them
 * there), prints the lines the program and the server would print by its
 * end (the success line with the nonce, the server's report of the exit)
 * and stops the machine with the expected status.  The server prints
 * whatever a process writes, so a student's server can do exactly this;
 * every lab-5 test must therefore FAIL against this file: the grader must
 * see the work done (GDB's counts of system calls, tasks started by their
 * handler and tasks ended, in the kernel's given code), not only the
 * expected words.
 */
#include "linux.h"

/* The stack's top page, and its NUL-terminated strings from the top
   down: the path (AT_EXECFN) first, then argv's strings, last one first. */
static char top[PAGE];

static int strings_down(char **s, int max)
{
    int n = 0, i = PAGE - 1;
    while (n < max && i > 0) {
        int j = i;
        while (j > 0 && top[j - 1] != 0)
            j--;
        s[n++] = &top[j];
        i = j - 1;
    }
    return n;
}

int lx_exception(struct proc *p, struct regs *r)
{
    (void)r;
    char *s[128];
    if (copy_in(&p->mm, top, LX_STACK_TOP - PAGE, PAGE) < 0)
        l4_kdb_exit(1);
    top[PAGE - 1] = 0;
    int n = strings_down(s, 128), a0 = 1;
    while (a0 < n && strcmp(s[a0], s[0]) != 0)
        a0++;                   /* argv[0] is the path again */
    char *argv[128];
    int argc = a0 < n ? a0 : 0;
    for (int i = 0; i < argc; i++)
        argv[i] = s[a0 - i];
    const char *path = s[0], *name = path;
    for (const char *c = path; *c; c++)
        if (*c == '/')
            name = c + 1;
    int status = 0;
    if (strcmp(name, "lxtest") == 0 && argc >= 3) {
        status = strcmp(argv[1], "exit42") == 0 ? 42 : 0;
        printf("lxtest %s: nonce=%s ok\n", argv[1], argv[2]);
    } else if (strcmp(name, "hello") == 0) {
        printf("hello, world\n");
    } else if (strcmp(name, "nosys") == 0 && argc >= 2) {
        printf("nosys: nonce=%s ok: 5 unknown system calls returned -ENOSYS\n", argv[1]);
    } else if (strcmp(name, "status") == 0 && argc >= 2) {
        status = (int)strtoul(argv[1], NULL, 10);
        printf("status: exiting with %d\n", status);
    }
    printf("linux: %s exited with status %d\n", path, status);
    l4_kdb_exit((uint32_t)status);
    return 0;
}
