/*
 * What every kernel file needs: console output, panic and assertions.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/string.h"

struct trapframe;

/* Formatted output to the serial console (kernel/console.c). */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t len);

/*
 * Stops the kernel with a message, the registers and a symbolised backtrace,
 * and ends QEMU with exit status 255 (kernel/panic.c).
 */
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)
__attribute__((noreturn, format(printf, 3, 4)))
void panic_at(const char *file, int line, const char *fmt, ...);

/* A trap the kernel cannot handle (an exception in kernel mode). */
__attribute__((noreturn)) void panic_trap(const struct trapframe *tf);

/* The symbol containing addr, and addr's offset in it (kernel/ksyms.c). */
const char *ksym_lookup(uint32_t addr, uint32_t *offset);

#define assert(cond) \
    do { if (!(cond)) panic("assertion failed: %s", #cond); } while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
