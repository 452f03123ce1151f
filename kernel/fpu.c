/*
 * Lazy FPU switching (see fpu.h).  Why lazily: most threads, and every
 * thread on the IPC path, never touch the FPU, and fxsave + fxrstor cost
 * far more than an IPC.  Why per thread: the registers are shared by all
 * user code, so without a save and a restore one task would read what
 * another left in them.
 *
 * States: a thread's t->fpu is NULL until its first FPU instruction; then
 * a frame of its own holds its state whenever the registers do not.  A new
 * state is `clean`: every register zero, the x87 control word and MXCSR at
 * their reset values, nothing inherited from an earlier thread (fninit
 * would leave the old register contents in place, visible to fxsave).
 */
#include "kernel.h"
#include "fpu.h"
#include "frame.h"
#include "pagefault.h"      /* user_fault() */
#include "sched.h"
#include "arch/i386/mmu.h"

struct thread *fpu_owner;
int fpu_live;

static struct fpu_state clean;

#define FXSAVE_FCW    0         /* offsets in the fxsave area */
#define FXSAVE_MXCSR  24
#define FCW_INIT      0x037Fu   /* every x87 exception masked, 64-bit precision */
#define MXCSR_INIT    0x1F80u   /* every SSE exception masked, round to nearest */

void fpu_init(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    if (!(d & CPUID_FXSR))
        panic("this CPU has no fxsave/fxrstor; l4lab needs them to switch FPU state");
    lcr0((rcr0() & ~CR0_EM) | CR0_MP | CR0_NE | CR0_TS);
    lcr4(rcr4() | CR4_OSFXSR | (d & CPUID_SSE ? CR4_OSXMMEXCPT : 0));
    clean.bytes[FXSAVE_FCW] = FCW_INIT & 0xFF;
    clean.bytes[FXSAVE_FCW + 1] = FCW_INIT >> 8;
    clean.bytes[FXSAVE_MXCSR] = MXCSR_INIT & 0xFF;
    clean.bytes[FXSAVE_MXCSR + 1] = MXCSR_INIT >> 8;
}

/* A thread's first FPU state, in a frame of its own; NULL if none is free. */
static struct fpu_state *fpu_alloc(void)
{
    _Static_assert(sizeof(struct fpu_state) <= PAGE_SIZE, "one frame holds the state");
    paddr_t pa = frame_alloc();
    if (!pa)
        return NULL;
    struct fpu_state *f = P2V(pa);
    *f = clean;
    return f;
}

void fpu_trap(struct trapframe *tf)
{
    struct thread *self = current;
    if (!self->fpu && !(self->fpu = fpu_alloc())) {
        user_fault(tf, 0, "the kernel has no memory left for the thread's FPU registers");
        return;
    }
    clts();
    fpu_live = 1;
    if (fpu_owner == self)
        return;             /* nobody used the FPU since this thread did */
    if (fpu_owner)
        fxsave(fpu_owner->fpu);
    fxrstor(self->fpu);
    fpu_owner = self;
}

void fpu_release(struct thread *t)
{
    if (fpu_owner == t)
        fpu_owner = NULL;   /* what the registers hold is nobody's now */
    if (t->fpu)
        frame_free(V2P(t->fpu));
    t->fpu = NULL;
}
