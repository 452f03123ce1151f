/*
 * A pipe, as pipe.c keeps it and Lab 5's pipe_read (lab5_pipe.c) reads it.
 */
#ifndef PIPE_H
#define PIPE_H

#include "linux.h"

#define PIPE_SIZE 4096u         /* the ring */
#define PIPE_BUF  4096u         /* a write of at most this many bytes is never split */
#define MAX_PIPES 16

struct pipe {
    int used;
    uint8_t ring[PIPE_SIZE];
    uint32_t head, count;       /* the bytes in it: ring[head], ... count of them */
    int readers, writers;       /* open read ends and write ends */
};

/* Moves n bytes (at most count) out of the ring into the process's
   memory at buf: 0 or -LX_EFAULT (then nothing is taken out). */
int ring_take(struct proc *p, struct pipe *pp, uint32_t buf, uint32_t n);

/* LAB 5 (lab5_pipe.c): read of a pipe's read end f by process p. */
int32_t pipe_read(struct proc *p, struct file *f, uint32_t buf, uint32_t len);

#endif
