; void arch_switch(uint32_t *save_esp, uint32_t new_esp);
;
; Switches kernel stacks: saves the callee-saved registers (ebp, ebx, esi,
; edi) on the current stack, stores %esp into *save_esp, loads new_esp and
; pops the same four registers from there, then returns on the new stack.
; The caller-saved registers (eax, ecx, edx) need no saving: C already
; assumes a call clobbers them.  push_switch_frame() (kernel/thread.c) builds
; the first frame of a new thread so that this "ret" lands in trap_return
; or in the entry function of a kernel thread.  The IPC fast path's switch
; (switch_stacks_inline, kernel/sched.c) builds and pops the same frame
; inline, so a thread switched out by either is resumed by either.

section .text
global arch_switch
arch_switch:
        mov eax, [esp + 4]
        mov edx, [esp + 8]
        push ebp
        push ebx
        push esi
        push edi
        mov [eax], esp
        mov esp, edx
        pop edi
        pop esi
        pop ebx
        pop ebp
        ret
