/* Loading user programs from boot modules (kernel/loader.c). */
#ifndef LOADER_H
#define LOADER_H

#include <stddef.h>
#include <stdint.h>

struct space;
struct thread;
struct multiboot_module;

/*
 * Loads the static ELF executable image[0..size) into space s and returns
 * its entry point in *entry.  Returns 0, or -L4_EINVAL with a message on
 * the console if the image is not an i386 executable that fits in user
 * space, or -L4_ENOMEM.
 */
int elf_load(struct space *s, const void *image, size_t size, uint32_t *entry);

/*
 * Maps the initial user stack of s and puts the program's command line on
 * it; returns the initial %esp, or 0 if memory ran out.  What the stack
 * holds is described in user/lib/crt0.asm.
 */
uint32_t user_stack_setup(struct space *s, const char *cmdline);

/*
 * Copies a data module (one that is not an ELF program, l4/abi.h) into s
 * at L4_BOOTDATA_BASE, read-only.  0, -L4_EINVAL (too large, or s has one
 * already) or -L4_ENOMEM.
 */
int data_module_load(struct space *s, const void *image, size_t size, const char *cmdline);

/* Whether a boot module is data rather than a program (it does not start
   with the ELF magic), and giving one to the program before it: copied
   there by data_module_load, reported on the console either way. */
int module_is_data(const struct multiboot_module *mod);
void module_give_data(struct thread *owner, const struct multiboot_module *mod);

#endif
