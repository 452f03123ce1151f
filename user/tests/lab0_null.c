/*
 * lab0_null NONCE CALLS: the graded test of the null system call.
 *
 * Makes CALLS null system calls, each with different values in every
 * argument register, and checks that each returns 0 and leaves the
 * registers as they were.  The grader passes a fresh NONCE and CALLS on
 * every run and counts, with a GDB breakpoint on the kernel's syscall(), the
 * distinct %ebx values of the SYS_NULL calls: one per call.
 */
#include "ulib.h"

struct regs {
    uint32_t ebx, ecx, edx, esi, edi;
};

/* One SYS_NULL with `in` loaded into the registers; what came back in *out. */
static int32_t null_call(const struct regs *in, struct regs *out)
{
    int32_t ret;
    __asm__ volatile("int $" L4_XSTR(L4_SYSCALL_VECTOR)
                     : "=a"(ret), "=b"(out->ebx), "=c"(out->ecx), "=d"(out->edx),
                       "=S"(out->esi), "=D"(out->edi)
                     : "a"(SYS_NULL), "b"(in->ebx), "c"(in->ecx), "d"(in->edx),
                       "S"(in->esi), "D"(in->edi)
                     : "memory");
    return ret;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        printf("usage: lab0_null NONCE CALLS\n");
        l4_kdb_exit(2);
    }
    const char *nonce = argv[1];
    unsigned calls = strtoul(argv[2], NULL, 0);
    uint32_t x = 0x9E3779B9u;

    for (unsigned i = 0; i < calls; i++) {
        struct regs in, out;
        x = x * 1103515245u + 12345u;
        in = (struct regs){x, x ^ 0x1111u, x + i, ~x, x * 7u};
        int32_t ret = null_call(&in, &out);
        if (ret != 0) {
            printf("lab0_null: call %u returned %d, expected 0%s\n", i, ret,
                   ret == -L4_ENOSYS ? " (-L4_ENOSYS: is SYS_NULL implemented?)" : "");
            l4_kdb_exit(1);
        }
        if (memcmp(&in, &out, sizeof in) != 0) {
            printf("lab0_null: call %u changed registers: ebx %x->%x ecx %x->%x "
                   "edx %x->%x esi %x->%x edi %x->%x\n", i, in.ebx, out.ebx, in.ecx, out.ecx,
                   in.edx, out.edx, in.esi, out.esi, in.edi, out.edi);
            l4_kdb_exit(1);
        }
    }
    printf("lab0_null: nonce=%s calls=%u ok\n", nonce, calls);
    l4_kdb_exit(0);
}
