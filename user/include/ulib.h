/*
 * The small C library of l4lab user programs (user/lib/).  A program
 * defines int main(int argc, char **argv); argv comes from the program's
 * boot-module command line ("prog arg1 arg2"), argv[0] is the program name.
 * Returning from main ends the thread with that status.
 */
#ifndef ULIB_H
#define ULIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/fmt.h"
#include "lib/string.h"
#include "l4/syscalls.h"

int main(int argc, char **argv);

/* printf to the kernel console; returns the number of characters. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s);

/*
 * Starts fn in a new thread of this address space, on the stack
 * [stack, stack + size); returning from fn ends the thread.  Only the
 * threads of a root task (a boot module's space) may create threads.
 * Returns the new thread's ID or -error.
 */
int32_t thread_spawn(void (*fn)(void), void *stack, size_t size);

/* Sleeps for about `ticks` timer ticks (a receive that nobody answers). */
void sleep_ticks(unsigned ticks);

/* The time-stamp counter: guest instructions under QEMU -icount shift=0,
   CPU cycles under KVM. */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Frames from sigma0 (l4/sigma0.h, Lab 3), mapped read-write at page dst
   of the caller's space: any frame, or the frame at physical address pa.
   Return the frame's physical address, or -error (sigma0's, or the IPC's).
   Physical addresses below 2 GiB, so the sign tells them from errors. */
int32_t sigma0_get_page(l4_tid_t sigma0, uint32_t dst);
int32_t sigma0_get_frame(l4_tid_t sigma0, uint32_t pa, uint32_t dst);

/*
 * For the graded test programs (user/tests/) and the benchmarks:
 * test_begin("lab3", "cow") names the test; test_fail() then prints
 * "lab3 cow: FAIL: <message>" and stops the machine with status 1, so that
 * the grader shows the student exactly what went wrong.  test is NULL for
 * a program that has no tests by name ("bench_map: FAIL: ...").  A program
 * booted in several roles (lab2_map) says which one it is with
 * test_who("a"): its failures read "lab2 share: FAIL: a: <message>".
 */
void test_begin(const char *lab, const char *test);
void test_who(const char *who);
__attribute__((noreturn, format(printf, 1, 2))) void test_fail(const char *fmt, ...);

/*
 * The test programs' digest of what they received and checked
 * (docs/grading.md): test_fold(w) folds each value in, in a fixed order,
 * starting from the program's seed.  The success line reports test_digest;
 * the grader works out the same from the run's parameters
 * (gradelib.digest) and reads test_digest by name from the program's
 * memory through GDB when the program stops the machine.
 */
extern uint32_t test_digest;
void test_fold(uint32_t w);

/*
 * What a system call's result means, for failure messages.  errname(-6)
 * is "L4_ENOPARTNER" (the code's name, L4_ERECV left out; "no error" for
 * 0, "an unknown error" for a code abi.h does not have).  errstr(r) is r
 * with that name, "-6 (L4_ENOPARTNER)", or "0"; ipc_errstr(r) also names
 * the IPC phase that failed, from the L4_ERECV bit: "-6 (L4_ENOPARTNER,
 * send phase)", "-262 (L4_ENOPARTNER, receive phase)".  Both return one
 * of a few static buffers in turn, so that up to four fit in one printf.
 */
const char *errname(int32_t r);
const char *errstr(int32_t r);
const char *ipc_errstr(int32_t r);

/* Marsaglia's xorshift32: a small repeatable pseudo-random sequence for
   tests.  *state must not be 0. */
uint32_t xorshift32(uint32_t *state);

/* The test programs' digests of what they received (docs/grading.md):
   32-bit FNV-1a, started at FNV1A_INIT, over the little-endian bytes of
   each word.  fnv1a_word(h, w) is h with w folded in; the grader computes
   the same in Python (gradelib.digest). */
#define FNV1A_INIT 2166136261u
uint32_t fnv1a_word(uint32_t h, uint32_t w);

/* Decimal or 0x-hex string to number; stops at the first other character. */
unsigned long strtoul(const char *s, char **end, int base);

#endif
