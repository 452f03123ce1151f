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
;
; What the kernel's C code assumes on entry, and who makes it so:
;   IF, TF, NT, RF, VM clear: the interrupt gate clears them (a user's TF or
;       NT comes back with its iret, and only then takes effect).
;   DF clear: the C ABI requires it (GCC emits rep stos/movs forwards), but a
;       user may set it with std; trap_common clears it, before any C runs.
;   AC: left as the user had it.  Alignment checks apply only at CPL 3, and
;       the kernel does not enable SMAP (which gives AC a meaning in ring 0).
;   %ds, %es: reloaded here.  %fs, %gs: kept as the user had them; the
;       kernel's C never uses them (no thread-local data, and
;       -fno-stack-protector: GCC's canary would read %gs:0x14).
;   %ss: the CPU loads it from the TSS on entry from ring 3.
;   The FPU: the kernel is built without x87/SSE code, so a user's FPU state
;       stays where it is (kernel/fpu.c switches it lazily).

KDATA_SEL equ 0x10

section .text

; Vectors for which the CPU pushes an error code (SDM vol. 3, table 6-1).
; The CPU's exceptions but #NM and #PF go to exception_entry (below).
%macro VECTOR 1
  %if %1 < 32 && %1 != 7 && %1 != 14
    %define VECTOR_ENTRY exception_entry
  %else
    %define VECTOR_ENTRY trap_common
  %endif
  %if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
vector%1:
        push dword %1
        jmp VECTOR_ENTRY
  %else
vector%1:
        push dword 0
        push dword %1
        jmp VECTOR_ENTRY
  %endif
  %undef VECTOR_ENTRY
%endmacro

%assign n 0
%rep 256
        VECTOR n
%assign n n+1
%endrep

extern trap
trap_common:
        cld                     ; see above: the C code needs DF = 0
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

TF_CS equ 60                    ; offsetof(struct trapframe, cs), trapframe.h

extern exception
extern sched_action
extern schedule

; The same frame as trap_common's, for the CPU's exceptions.  One from user
; mode goes straight to exception() and then does what the end of trap()
; does (carry out a decision in sched_action); that is all trap() would do
; with it, less its compares on the way (kernel/trap.c).  One in kernel mode
; is trap()'s to judge (a panic, or a user's TF stepping into sysenter).
exception_entry:
        cld
        push ds
        push es
        push fs
        push gs
        pushad
        mov ax, KDATA_SEL
        mov ds, ax
        mov es, ax
        ; tf_from_user: the saved cs's RPL is the CPL the trap came from,
        ; 0 or 3 (the GDT has no ring 1 or 2 code), so any bit means 3.
        test byte [esp + TF_CS], 3
        jz .kernel
        mov eax, esp            ; the trapframe (exception takes it in %eax)
        call exception
        cmp dword [sched_action], 0     ; SCHED_RUN_ON (trap.c checks the 0)
        je trap_return
        call schedule
        jmp trap_return
.kernel:
        push esp                ; the trapframe
        call trap
        add esp, 4
        jmp trap_return

section .rodata
global trap_vectors
trap_vectors:
%assign n 0
%rep 256
        dd vector %+ n
%assign n n+1
%endrep
