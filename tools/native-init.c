/*
 * native-init: /init of the initramfs that grader/native.py boots a real
 * Linux kernel with (make bench-native, issue 15).  It runs the commands of
 * /etc/native-cmds one after the other, each with the console as its
 * output and /dev/null as its input, and then powers the machine off, so
 * that QEMU ends by itself when the last command is done.
 *
 * /etc/native-cmds holds each command as its argument strings, each ended
 * by a NUL byte, and an empty string after its last argument.  Around each
 * command's output the console shows
 *     @@native N start
 *     ... what command N printed ...@@native N end status=S
 * (the end marker follows the output at once, so that output without a
 * final newline is kept as it was); S is the exit status, or "signal=K"
 * for a command that a signal killed.  Before the first command it prints
 * "@@native boot tsc=T": the time stamp counter when init started, which
 * under QEMU -icount shift=0 counts the guest instructions of the boot.
 *
 * An ordinary static i386 program (gcc -m32 -static), as the benchmark
 * binaries it runs are.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CMDS_BYTES (1 << 20)
#define MAX_ARGS 256

static char cmds[MAX_CMDS_BYTES];

/* Everything init says goes out with one write(), so that nothing sits in
   a stdio buffer that a forked child would print a second time. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[256];
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    __builtin_va_end(ap);
    if (n > 0)
        write(1, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void power_off(void)
{
    sync();
    reboot(RB_POWER_OFF);
    /* Only if the power-off failed: QEMU runs with -no-reboot, so a restart
       ends it too. */
    reboot(RB_AUTOBOOT);
    for (;;)
        pause();
}

static long read_commands(void)
{
    int fd = open("/etc/native-cmds", O_RDONLY);
    if (fd < 0) {
        say("native-init: no /etc/native-cmds in the initramfs\n");
        return -1;
    }
    long len = 0, n;
    while ((n = read(fd, cmds + len, sizeof cmds - 1 - len)) > 0)
        len += n;
    close(fd);
    cmds[len] = '\0';
    return len;
}

/* Runs one command; returns how it ended, as a wait status. */
static int run(char **argv)
{
    static char *envp[] = {"PATH=/bin:/sbin:/usr/bin", "HOME=/", "TERM=dumb", NULL};
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        execve(argv[0], argv, envp);
        say("native-init: cannot run %s\n", argv[0]);
        _exit(127);
    }
    int status = 0;
    if (pid < 0)
        return 127 << 8;
    while (waitpid(pid, &status, 0) < 0)
        ;
    return status;
}

int main(void)
{
    uint64_t boot = rdtsc();
    /* The kernel opened /dev/console (in the initramfs) as init's 0, 1 and 2. */
    mount("proc", "/proc", "proc", 0, NULL);
    say("@@native boot tsc=%llu\n", (unsigned long long)boot);
    long len = read_commands();
    char *argv[MAX_ARGS + 1];
    int n = 0;
    for (long at = 0; at < len; n++) {
        int argc = 0;
        while (at < len && cmds[at] != '\0') {
            if (argc < MAX_ARGS)
                argv[argc++] = cmds + at;
            at += strlen(cmds + at) + 1;
        }
        at++;                               /* the empty string after the command */
        argv[argc] = NULL;
        if (argc == 0)
            continue;
        say("@@native %d start\n", n);
        int status = run(argv);
        if (WIFSIGNALED(status))
            say("@@native %d end status=signal=%d\n", n, WTERMSIG(status));
        else
            say("@@native %d end status=%d\n", n, WEXITSTATUS(status));
    }
    say("@@native done\n");
    power_off();
    return 0;
}
