/*
 * ttytest NONCE: checks the console's input (user/linux/console.c) with
 * what the grader types on the serial line, and prints
 * "ttytest: nonce=NONCE ok" only if every check held.  Each step prints a
 * line ending "ready for ..." and reads what the grader types then:
 *
 *   line 1   "junk^Uab^CabcX<DEL>def NONCE\n": the kill character, ^C (which
 *            drops the line typed so far and spares the first process) and
 *            erase leave "abcdef NONCE"; printed back in capitals
 *   line 2   "echo me NONCE\n": poll waits for it; read, and echoed as it
 *            was typed
 *   eof      "^D" at a line's start: end of file
 *   raw      with ICANON and ECHO off, the nonce without a newline: the
 *            bytes come without waiting for a line, and are not echoed
 *   ^C       a child waiting in a read of the console dies of SIGINT; this
 *            process, the first, goes on
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("ttytest: FAIL: %s (errno %d)\n", what, errno);
        failures++;
    }
}

/* Reads a line from stdin (glibc's buffered stdin: the terminal hands it
   over a line at a time): the line without its newline, or NULL at EOF. */
static char *get_line(char *buf, int size)
{
    if (!fgets(buf, size, stdin))
        return NULL;
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        printf("usage: ttytest NONCE\n");
        return 2;
    }
    const char *nonce = argv[1];
    char line[256], want[256];

    struct termios t, saved;
    check(isatty(0) && isatty(1), "stdin and stdout are a terminal (TCGETS)");
    check(tcgetattr(0, &saved) == 0 && (saved.c_lflag & ICANON) && (saved.c_lflag & ECHO) &&
          (saved.c_lflag & ISIG) && saved.c_cc[VERASE] == 0x7F && saved.c_cc[VINTR] == 3,
          "the terminal starts in canonical mode with echo and signals");
    struct winsize ws;
    check(ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 24 && ws.ws_col == 80,
          "TIOCGWINSZ: 24 x 80");
    pid_t me = getpid(), pg = 0;
    check(ioctl(0, TIOCSPGRP, &me) == 0 && ioctl(0, TIOCGPGRP, &pg) == 0 && pg == me,
          "TIOCSPGRP then TIOCGPGRP");
    check(ioctl(0, TCGETS, (void *)16) == -1 && errno == EFAULT, "TCGETS to a bad pointer: EFAULT");
    check(ioctl(0, 0x5499, 0) == -1 && errno == ENOTTY, "an unknown ioctl: ENOTTY");

    printf("ttytest: ready for line 1\n");      /* line-buffered: out now */
    snprintf(want, sizeof want, "abcdef %s", nonce);
    check(get_line(line, sizeof line) && strcmp(line, want) == 0,
          "line 1 after ^U, ^C and erase: abcdef NONCE");
    for (char *c = line; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    printf("ttytest: line 1 in capitals: %s\n", line);

    struct pollfd pf = {0, POLLIN, 0};
    check(poll(&pf, 1, 0) == 0 && pf.revents == 0, "poll of the console, nothing typed: 0");
    printf("ttytest: ready for line 2\n");
    check(poll(&pf, 1, -1) == 1 && pf.revents == POLLIN, "poll waits for a line typed");
    snprintf(want, sizeof want, "echo me %s", nonce);
    check(get_line(line, sizeof line) && strcmp(line, want) == 0, "line 2: echo me NONCE");

    printf("ttytest: ready for end of file\n");
    check(get_line(line, sizeof line) == NULL && feof(stdin), "^D at a line's start: EOF");
    clearerr(stdin);

    t = saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    t.c_cc[VMIN] = 1, t.c_cc[VTIME] = 0;
    check(tcsetattr(0, TCSANOW, &t) == 0, "tcsetattr: raw mode");
    struct termios now;
    check(tcgetattr(0, &now) == 0 && !(now.c_lflag & ICANON), "TCGETS says what TCSETS set");
    printf("ttytest: ready for raw input\n");
    size_t got = 0, len = strlen(nonce);
    while (got < len) {
        ssize_t n = read(0, line + got, len - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    check(got == len && memcmp(line, nonce, len) == 0, "raw mode: the nonce, with no newline");
    check(tcsetattr(0, TCSAFLUSH, &saved) == 0, "tcsetattr: back to canonical mode");
    printf("ttytest: raw input read\n");

    /* ^C ends a child waiting in a read of the console, but not the first
       process (this one: the shell's place). */
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char c;
        printf("ttytest: child ready for ^C\n");
        fflush(stdout);
        _exit(read(0, &c, 1) < 0 ? 10 : 11);
    }
    int status = 0;
    check(child > 0 && waitpid(child, &status, 0) == child, "fork and waitpid");
    check(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT, "^C ended the child with SIGINT");
    printf("ttytest: the child died of signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);

    if (failures)
        return 1;
    printf("ttytest: nonce=%s ok\n", nonce);
    return 0;
}
