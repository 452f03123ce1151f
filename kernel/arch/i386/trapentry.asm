; Trap entry and exit for all 256 vectors.
;
;   void trap(struct trapframe *tf);         (kernel/trap.c, called from here)
;   void trap_return(void);                  (jumped to, with %esp = a trapframe)
;   extern uint32_t trap_vectors[256];       (entry points, for idt_init)
;
; Register contract: the CPU has pushed eflags, cs, eip (and, coming from
; ring 3, esp and ss) and for some exceptions an error code.  Each vector
; stub pushes a zero error code where the CPU did not, then its vector
; number, so that every trap builds the same struct trapframe (trapframe.h,
; whose offsets are checked there).  trap_common saves the general and
; segment registers, loads the kernel data segments and calls trap().
; Interrupts stay disabled in the kernel: every IDT entry is an interrupt gate.

KDATA_SEL equ 0x10

section .text

; Vectors for which the CPU pushes an error code (SDM vol. 3, table 6-1).
%macro VECTOR 1
  %if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
vector%1:
        push dword %1
        jmp trap_common
  %else
vector%1:
        push dword 0
        push dword %1
        jmp trap_common
  %endif
%endmacro

%assign n 0
%rep 256
        VECTOR n
%assign n n+1
%endrep

extern trap
trap_common:
        push ds
        push es
        push fs
        push gs
        pushad
        mov ax, KDATA_SEL
        mov ds, ax
        mov es, ax
        push esp                ; the trapframe
        call trap
        add esp, 4
global trap_return
trap_return:
        popad
        pop gs
        pop fs
        pop es
        pop ds
        add esp, 8              ; vector number and error code
        iretd

section .rodata
global trap_vectors
trap_vectors:
%assign n 0
%rep 256
        dd vector %+ n
%assign n n+1
%endrep
