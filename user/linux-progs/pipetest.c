/*
 * pipetest TEST NONCE: checks the server's pipes (user/linux/pipe.c) as a
 * Linux program sees them, and prints "pipetest TEST: nonce=NONCE ok" only
 * if every check held.
 *
 *   basic   in one process: bytes written come out in order; EOF once the
 *           write end is closed; O_NONBLOCK gives EAGAIN on an empty pipe
 *           and on a full one (a write of at most PIPE_BUF is all or
 *           nothing); pipe2's flags; fstat says FIFO; bad pointers EFAULT
 *   epipe   a write with no reader left: SIGPIPE ends the process (the
 *           line after the write must never appear)
 *   fork    with children (fork, wait4, kill): more than the pipe holds goes
 *           through in pieces, reads and writes wait for each other in both
 *           directions, end of file reaches a waiting reader; a child
 *           waiting in a read is killed by SIGTERM, one writing to a pipe
 *           without a reader dies of SIGPIPE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *test;
static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("pipetest %s: FAIL: %s (errno %d)\n", test, what, errno);
        failures++;
    }
}

/* A bad pointer: page 0 is never mapped (volatile: the compiler must not see it is bad). */
static void *volatile bad_pointer = (void *)16;
#define BAD bad_pointer

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* poll and select on a pipe's ends: what is ready, and timeouts that are
   kept when nothing is. */
static void polling(void)
{
    int fd[2];
    check(pipe(fd) == 0, "pipe");
    struct pollfd pf[3] = {{fd[0], POLLIN, -1}, {fd[1], POLLOUT, -1}, {99, POLLIN, -1}};
    check(poll(pf, 1, 0) == 0 && pf[0].revents == 0, "poll of an empty pipe, timeout 0: 0");
    long long t0 = now_ms();
    check(poll(pf, 1, 50) == 0, "poll of an empty pipe, timeout 50 ms: 0");
    check(now_ms() - t0 >= 50, "that poll waited at least 50 ms");
    check(poll(pf, 3, 0) == 2 && pf[0].revents == 0 && pf[1].revents == POLLOUT &&
          pf[2].revents == POLLNVAL, "poll: the write end is ready, fd 99 is POLLNVAL");
    check(write(fd[1], "ab", 2) == 2, "write 2 bytes");
    check(poll(pf, 1, -1) == 1 && pf[0].revents == POLLIN, "poll: the read end has bytes");

    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(fd[0], &rd);
    FD_SET(fd[1], &wr);
    struct timeval tv = {0, 0};
    check(select(fd[1] + 1, &rd, &wr, NULL, &tv) == 2 && FD_ISSET(fd[0], &rd) &&
          FD_ISSET(fd[1], &wr), "select: both ends ready");
    char buf[4];
    check(read(fd[0], buf, sizeof buf) == 2, "read the 2 bytes");
    FD_ZERO(&rd);
    FD_SET(fd[0], &rd);
    tv.tv_usec = 30000;
    t0 = now_ms();
    check(select(fd[0] + 1, &rd, NULL, NULL, &tv) == 0 && !FD_ISSET(fd[0], &rd),
          "select on an empty pipe, 30 ms: 0, the set cleared");
    check(now_ms() - t0 >= 30, "that select waited at least 30 ms");
    FD_ZERO(&rd);
    FD_SET(40, &rd);
    tv.tv_usec = 0;
    check(select(41, &rd, NULL, NULL, &tv) == -1 && errno == EBADF,
          "select with a descriptor that is not open: EBADF");
    check(poll(BAD, 1, 0) == -1 && errno == EFAULT, "poll(bad pointer): EFAULT");

    check(close(fd[1]) == 0, "close the write end");
    check(poll(pf, 1, -1) == 1 && (pf[0].revents & POLLHUP), "poll: POLLHUP without a writer");
    check(close(fd[0]) == 0, "close the read end");
}

static void basic(void)
{
    int fd[2];
    char buf[8192];
    check(pipe(fd) == 0, "pipe");
    check(fd[0] >= 3 && fd[1] >= 3 && fd[0] != fd[1], "pipe gives two new descriptors");

    check(write(fd[1], "hello, ", 7) == 7 && write(fd[1], "pipe", 4) == 4, "two writes");
    int avail = -1;
    check(ioctl(fd[0], FIONREAD, &avail) == 0 && avail == 11, "FIONREAD says 11 bytes");
    check(read(fd[0], buf, 5) == 5 && memcmp(buf, "hello", 5) == 0, "a short read: the first 5");
    check(read(fd[0], buf, sizeof buf) == 6 && memcmp(buf, ", pipe", 6) == 0,
          "the next read: the rest, in order");

    struct stat st;
    check(fstat(fd[0], &st) == 0 && S_ISFIFO(st.st_mode), "fstat of the read end: a FIFO");
    check(fstat(fd[1], &st) == 0 && S_ISFIFO(st.st_mode), "fstat of the write end: a FIFO");
    check(write(fd[0], "x", 1) == -1 && errno == EBADF, "write to the read end: EBADF");
    check(read(fd[1], buf, 1) == -1 && errno == EBADF, "read of the write end: EBADF");
    check(lseek(fd[0], 0, SEEK_SET) == -1 && errno == ESPIPE, "lseek on a pipe: ESPIPE");

    /* A bad buffer: EFAULT, and the bytes stay in the pipe. */
    check(write(fd[1], "abc", 3) == 3, "write abc");
    check(read(fd[0], BAD, 3) == -1 && errno == EFAULT, "read into a bad buffer: EFAULT");
    check(read(fd[0], buf, 3) == 3 && memcmp(buf, "abc", 3) == 0,
          "after EFAULT the bytes are still there");
    check(write(fd[1], BAD, 3) == -1 && errno == EFAULT, "write from a bad buffer: EFAULT");

    /* End of file once the write end is closed, after what was in it. */
    check(write(fd[1], "last", 4) == 4, "write last");
    check(close(fd[1]) == 0, "close the write end");
    check(read(fd[0], buf, sizeof buf) == 4 && memcmp(buf, "last", 4) == 0,
          "the bytes written before the close");
    check(read(fd[0], buf, sizeof buf) == 0, "then end of file");
    check(read(fd[0], buf, sizeof buf) == 0, "and end of file again");
    check(close(fd[0]) == 0, "close the read end");
    check(close(fd[0]) == -1 && errno == EBADF, "close it twice: EBADF");

    /* O_NONBLOCK: EAGAIN instead of waiting, for readers and writers. */
    check(pipe2(fd, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2(O_NONBLOCK | O_CLOEXEC)");
    check(fcntl(fd[0], F_GETFD) == FD_CLOEXEC && fcntl(fd[1], F_GETFD) == FD_CLOEXEC,
          "both ends close on exec");
    check((fcntl(fd[0], F_GETFL) & O_NONBLOCK) && (fcntl(fd[1], F_GETFL) & O_NONBLOCK),
          "both ends are O_NONBLOCK");
    check(read(fd[0], buf, 1) == -1 && errno == EAGAIN, "read of an empty pipe: EAGAIN");
    memset(buf, 'z', sizeof buf);
    check(write(fd[1], buf, 4000) == 4000, "write 4000 bytes");
    check(write(fd[1], buf, 200) == -1 && errno == EAGAIN,
          "a write of 200 with room for 96: EAGAIN (at most PIPE_BUF: all or nothing)");
    check(write(fd[1], buf, 96) == 96, "a write of the 96 that fit");
    check(write(fd[1], buf, 1) == -1 && errno == EAGAIN, "a write to a full pipe: EAGAIN");
    check(read(fd[0], buf, 100) == 100, "read 100 of them");
    check(write(fd[1], buf, 5000) == 100, "a write above PIPE_BUF takes what fits: 100");
    int got = 0, n;
    while ((n = (int)read(fd[0], buf, sizeof buf)) > 0)
        got += n;
    check(n == -1 && errno == EAGAIN && got == 4096, "4096 bytes came out, then EAGAIN");
    check(fcntl(fd[0], F_SETFL, 0) == 0 && !(fcntl(fd[0], F_GETFL) & O_NONBLOCK),
          "F_SETFL clears O_NONBLOCK");
    check(close(fd[0]) == 0 && close(fd[1]) == 0, "close both");

    /* Bad arguments. */
    check(syscall(SYS_pipe, BAD) == -1 && errno == EFAULT, "pipe(bad pointer): EFAULT");
    check(syscall(SYS_pipe2, fd, 0x40000) == -1 && errno == EINVAL, "pipe2(bad flags): EINVAL");
    int before = dup(0);
    check(before >= 0 && close(before) == 0, "no descriptor left behind by the failed pipe");
    check(before == 3, "the lowest free descriptor is 3 again");

    polling();
}

static void epipe(char *nonce)
{
    int fd[2];
    check(pipe(fd) == 0, "pipe");
    check(close(fd[0]) == 0, "close the read end");
    if (failures)
        return;
    printf("pipetest epipe: nonce=%s writing to a pipe without a reader\n", nonce);
    fflush(stdout);
    ssize_t n = write(fd[1], "x", 1);
    printf("pipetest epipe: FAIL: the write returned %zd (errno %d), SIGPIPE did not end "
           "the process\n", n, errno);
    exit(1);
}

/* A child's end as waitpid reports it: "exit N", "signal N" or "?". */
static const char *ended(pid_t child)
{
    static char how[32];
    int status;
    if (waitpid(child, &status, 0) != child)
        return "?";
    if (WIFEXITED(status))
        snprintf(how, sizeof how, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(how, sizeof how, "signal %d", WTERMSIG(status));
    else
        return "?";
    return how;
}

/* A child writes 3 x 6000 bytes (more than the pipe's 4096: its writes
   wait for room) while the parent reads; the parent's first read waits for
   the child, its last sees end of file when the child has gone. */
static void big_transfer(void)
{
    int fd[2];
    check(pipe(fd) == 0, "pipe");
    pid_t child = fork();
    if (child == 0) {
        char block[6000];
        close(fd[0]);
        usleep(100000);         /* the parent's read waits meanwhile */
        for (int i = 0; i < 3; i++) {
            memset(block, 'a' + i, sizeof block);
            if (write(fd[1], block, sizeof block) != sizeof block)
                _exit(2);
        }
        _exit(0);
    }
    check(child > 0, "fork");
    close(fd[1]);
    char buf[1000];
    int total = 0, in_order = 1;
    ssize_t n;
    while ((n = read(fd[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            in_order &= buf[i] == 'a' + (total + i) / 6000;
        total += (int)n;
    }
    check(n == 0, "end of file after the child's end");
    check(total == 18000 && in_order, "18000 bytes in order, through a 4096-byte pipe");
    check(strcmp(ended(child), "exit 0") == 0, "the writing child exited with 0");
    close(fd[0]);
}

/* Both directions: the child's read waits until the parent writes, the
   parent's until the child answers; then the child's read waits for end
   of file, which the parent's close brings. */
static void ping_pong(void)
{
    int there[2], back[2];
    check(pipe(there) == 0 && pipe(back) == 0, "two pipes");
    pid_t child = fork();
    if (child == 0) {
        char c[8];
        close(there[1]);
        close(back[0]);
        if (read(there[0], c, sizeof c) != 4 || memcmp(c, "ping", 4) != 0)
            _exit(3);
        if (write(back[1], "pong", 4) != 4)
            _exit(4);
        _exit(read(there[0], c, sizeof c) == 0 ? 0 : 5);
    }
    check(child > 0, "fork");
    close(there[0]);
    close(back[1]);
    usleep(50000);              /* the child waits in its read meanwhile */
    char c[8];
    check(write(there[1], "ping", 4) == 4, "write ping");
    check(read(back[0], c, sizeof c) == 4 && memcmp(c, "pong", 4) == 0, "read the child's pong");
    usleep(50000);
    close(there[1]);            /* the child's second read: end of file */
    check(strcmp(ended(child), "exit 0") == 0,
          "the child read ping, answered, then saw end of file (exit 0)");
    check(read(back[0], c, sizeof c) == 0, "end of file once the child has gone");
    close(back[0]);
}

/* A child that waits in a pipe read is killed by SIGTERM; a child that
   writes to a pipe with no reader dies of SIGPIPE. */
static void deaths(void)
{
    int fd[2];
    check(pipe(fd) == 0, "pipe");
    pid_t child = fork();
    if (child == 0) {
        char c;
        close(fd[1]);
        read(fd[0], &c, 1);     /* there is a writer (the parent): this waits */
        _exit(6);
    }
    usleep(50000);
    check(kill(child, SIGTERM) == 0, "kill(child, SIGTERM)");
    check(strcmp(ended(child), "signal 15") == 0, "the child waiting in a read died of SIGTERM");
    close(fd[0]);
    child = fork();
    if (child == 0) {
        write(fd[1], "x", 1);   /* no reader anywhere: SIGPIPE */
        _exit(7);
    }
    check(strcmp(ended(child), "signal 13") == 0, "the child writing without a reader: SIGPIPE");
    close(fd[1]);
}

static void forked(void)
{
    big_transfer();
    ping_pong();
    deaths();
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        printf("usage: pipetest basic|epipe|fork NONCE\n");
        return 2;
    }
    test = argv[1];
    if (strcmp(test, "basic") == 0)
        basic();
    else if (strcmp(test, "epipe") == 0)
        epipe(argv[2]);
    else if (strcmp(test, "fork") == 0)
        forked();
    else {
        printf("pipetest: no test %s\n", test);
        return 2;
    }
    if (failures)
        return 1;
    printf("pipetest %s: nonce=%s ok\n", test, argv[2]);
    return 0;
}
