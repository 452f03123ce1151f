/*
 * Thread creation and destruction.  Layout of a thread's frame: thread.h.
 */
#include "kernel.h"
#include "thread.h"
#include "sched.h"
#include "vm.h"

static unsigned next_id = 1;

/* Takes a frame for a TCB and its stack, and fills in the common fields. */
static struct thread *tcb_alloc(const char *name)
{
    paddr_t pa = frame_alloc();
    if (!pa)
        return NULL;
    struct thread *t = P2V(pa);
    memset(t, 0, sizeof *t);
    t->id = next_id++;
    t->magic = THREAD_MAGIC;
    t->ticks_left = SCHED_SLICE;
    strlcpy(t->name, name, sizeof t->name);
    return t;
}

/*
 * Builds the frame arch_switch() pops when it first switches to t: four
 * zeroed callee-saved registers, then the address it "returns" to.
 */
static void push_switch_frame(struct thread *t, uint32_t stack_top, void (*entry)(void))
{
    uint32_t *sp = (uint32_t *)stack_top;
    *--sp = (uint32_t)entry;
    for (int i = 0; i < 4; i++)
        *--sp = 0;                  /* ebp, ebx, esi, edi */
    t->ksp = (uint32_t)sp;
}

struct thread *thread_create_user(struct space *s, const char *name, uint32_t eip, uint32_t esp)
{
    struct thread *t = tcb_alloc(name);
    if (!t)
        return NULL;
    t->space = s;
    arch_init_user_frame(thread_tf(t), eip, esp);
    /* First switch: "return" into trap_return, which pops the trapframe
       and enters ring 3. */
    push_switch_frame(t, (uint32_t)thread_tf(t), trap_return);
    sched_set_state(t, TS_READY);
    return t;
}

struct thread *thread_create_kernel(const char *name, void (*fn)(void))
{
    struct thread *t = tcb_alloc(name);
    if (!t)
        return NULL;
    push_switch_frame(t, (uint32_t)t + KSTACK_SIZE, fn);
    return t;
}

void thread_exit(struct thread *t, int status)
{
    kprintf("[thread %u (%s) exited with status %d]\n", t->id, t->name, status);
    sched_set_state(t, TS_DEAD);
}

void thread_free(struct thread *t)
{
    assert(t->state == TS_DEAD && t != current);
    if (t->space)
        space_destroy(t->space);    /* for now, one thread per space */
    t->magic = 0;
    frame_free(V2P(t));
}
