/*
 * timetest NONCE: checks the server's clocks (user/linux/time.c) as a
 * Linux program sees them, and prints "timetest: nonce=NONCE ok" only if
 * every check held.  Sleeps take at least the time asked for, measured on
 * CLOCK_MONOTONIC; the clocks never go back; the time of day is a date
 * after 2020; bad pointers get EFAULT, bad clocks and times EINVAL;
 * getrandom gives bytes that differ from call to call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("timetest: FAIL: %s (errno %d)\n", what, errno);
        failures++;
    }
}

/* A bad pointer: page 0 is never mapped (volatile: the compiler must not see it is bad). */
static void *volatile bad_pointer = (void *)16;
#define BAD bad_pointer

static int64_t ns_of(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t monotonic(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return ns_of(&t);
}

/* The raw 32-bit calls, as an older glibc makes them. */
struct ts32 {
    int32_t sec, nsec;
};

static void sleeps(void)
{
    int64_t t0 = monotonic();
    struct timespec req = {0, 50000000};
    check(nanosleep(&req, NULL) == 0, "nanosleep 50 ms returns 0");
    int64_t t1 = monotonic();
    check(t1 - t0 >= 50000000, "nanosleep 50 ms: CLOCK_MONOTONIC moved by at least 50 ms");
    check(t1 - t0 < 5000000000, "nanosleep 50 ms: done within 5 s");

    struct ts32 r32 = {0, 30000000};
    check(syscall(SYS_nanosleep, &r32, NULL) == 0, "the 32-bit nanosleep (162), 30 ms");
    int64_t t2 = monotonic();
    check(t2 - t1 >= 30000000, "nanosleep 30 ms took at least 30 ms");

    /* A deadline on the monotonic clock, 40 ms ahead. */
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    int64_t deadline = ns_of(&dl) + 40000000;
    dl.tv_sec = deadline / 1000000000, dl.tv_nsec = deadline % 1000000000;
    check(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL) == 0,
          "clock_nanosleep(TIMER_ABSTIME) 40 ms ahead");
    check(monotonic() >= deadline, "woke at or after the deadline");
    check(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL) == 0,
          "clock_nanosleep to a deadline passed: returns at once");
    req.tv_sec = 0, req.tv_nsec = 20000000;
    check(clock_nanosleep(CLOCK_REALTIME, 0, &req, NULL) == 0,
          "clock_nanosleep(CLOCK_REALTIME) 20 ms");
    check(usleep(10000) == 0, "usleep 10 ms");

    req.tv_nsec = 1000000000;
    check(nanosleep(&req, NULL) == -1 && errno == EINVAL, "nanosleep with 10^9 ns: EINVAL");
    req.tv_sec = -1, req.tv_nsec = 0;
    check(nanosleep(&req, NULL) == -1 && errno == EINVAL, "nanosleep of -1 s: EINVAL");
    check(syscall(SYS_nanosleep, BAD, NULL) == -1 && errno == EFAULT,
          "nanosleep(bad pointer): EFAULT");
    req.tv_sec = 0, req.tv_nsec = 1000;
    check(clock_nanosleep(CLOCK_MONOTONIC, 2, &req, NULL) == EINVAL,
          "clock_nanosleep with an unknown flag: EINVAL");
    check(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID + 1000, 0, &req, NULL) == EINVAL,
          "clock_nanosleep on a clock there is not: EINVAL");
}

static void clocks(void)
{
    struct timespec a, b, res;
    check(clock_gettime(CLOCK_MONOTONIC, &a) == 0 && clock_gettime(CLOCK_MONOTONIC, &b) == 0,
          "clock_gettime(CLOCK_MONOTONIC)");
    check(ns_of(&b) >= ns_of(&a) && a.tv_nsec >= 0 && a.tv_nsec < 1000000000,
          "CLOCK_MONOTONIC never goes back; nanoseconds below 10^9");
    check(clock_gettime(CLOCK_BOOTTIME, &a) == 0 && clock_gettime(CLOCK_MONOTONIC_COARSE, &a) == 0,
          "CLOCK_BOOTTIME and CLOCK_MONOTONIC_COARSE");
    check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns_of(&res) > 0 &&
          ns_of(&res) <= 10000000, "clock_getres: a resolution of at most 10 ms");
    check(clock_getres(CLOCK_REALTIME, NULL) == 0, "clock_getres with NULL");

    check(clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec > 1577836800,
          "CLOCK_REALTIME: a date after 2020-01-01");
    time_t t = 0, t2 = time(&t);
    check(t2 == t && t2 >= a.tv_sec && t2 <= a.tv_sec + 5, "time() agrees with CLOCK_REALTIME");
    struct timeval tv;
    struct timezone tz = {99, 99};
    check(gettimeofday(&tv, &tz) == 0 && tv.tv_sec >= a.tv_sec && tv.tv_sec <= a.tv_sec + 5 &&
          tv.tv_usec >= 0 && tv.tv_usec < 1000000 && tz.tz_minuteswest == 0,
          "gettimeofday agrees, in UTC");
    check(syscall(SYS_gettimeofday, NULL, NULL) == 0, "gettimeofday(NULL, NULL)");

    /* The raw calls with bad arguments: glibc would not pass them on. */
    check(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD) == -1 && errno == EFAULT,
          "clock_gettime(bad pointer): EFAULT");
    check(syscall(SYS_clock_gettime64, CLOCK_MONOTONIC, BAD) == -1 && errno == EFAULT,
          "clock_gettime64(bad pointer): EFAULT");
    check(syscall(SYS_clock_gettime64, 999, &a) == -1 && errno == EINVAL,
          "clock_gettime64 of clock 999: EINVAL");
    check(syscall(SYS_clock_gettime, -7, &a) == -1 && errno == EINVAL,
          "clock_gettime of clock -7: EINVAL");
    check(syscall(SYS_time, BAD) == -1 && errno == EFAULT, "time(bad pointer): EFAULT");
    check(syscall(SYS_gettimeofday, BAD, NULL) == -1 && errno == EFAULT,
          "gettimeofday(bad pointer): EFAULT");
    struct ts32 r32;
    check(syscall(SYS_clock_gettime, CLOCK_REALTIME, &r32) == 0 && r32.sec > 1577836800,
          "the 32-bit clock_gettime (265)");
}

static void randomness(void)
{
    unsigned char x[64], y[64], zero[64] = {0};
    check(getrandom(x, sizeof x, 0) == sizeof x, "getrandom 64 bytes");
    check(getrandom(y, sizeof y, GRND_NONBLOCK) == sizeof y, "getrandom(GRND_NONBLOCK)");
    check(memcmp(x, zero, sizeof x) != 0 && memcmp(x, y, sizeof x) != 0,
          "random bytes: not zeros, different each time");
    check(getrandom(x, sizeof x, 0x100) == -1 && errno == EINVAL, "getrandom(bad flags): EINVAL");
    check(getrandom(x, sizeof x, GRND_RANDOM | GRND_INSECURE) == -1 && errno == EINVAL,
          "getrandom(GRND_RANDOM | GRND_INSECURE): EINVAL");
    check(getrandom(BAD, 8, 0) == -1 && errno == EFAULT, "getrandom(bad pointer): EFAULT");
    check(getrandom(x, 0, 0) == 0, "getrandom of 0 bytes: 0");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        printf("usage: timetest NONCE\n");
        return 2;
    }
    clocks();
    sleeps();
    randomness();
    if (failures)
        return 1;
    printf("timetest: nonce=%s ok\n", argv[1]);
    return 0;
}
