/*
 * The few string and memory functions the kernel and user programs need
 * (lib/string.c).  GCC may also emit calls to memcpy/memset/memmove/memcmp
 * on its own, so these four must exist under their standard names.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Copies at most size-1 characters and always terminates (if size > 0). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
