; The second way into the kernel: sysenter, for IPC only (Lab 6).
;
;   sysenter_entry       where IA32_SYSENTER_EIP points (gdt.c, sysenter_init)
;   sysenter_entry_clean the first instruction that runs with the user's
;                        eflags cleared (trap.c ignores a #DB before it)
;
; Why a second entry.  `int 0x30` reads a gate from the IDT, checks its
; privilege, reads the TSS for the kernel stack and pushes five words; iret
; reads them back and checks them all again.  sysenter and sysexit do none
; of that: they load fixed flat segments and, for sysenter, the stack and
; the entry point from three MSRs.  Everything else is this file's job.
;
; The ABI (docs/abi.md, "The sysenter entry"; include/l4/syscalls.h):
;   in:  %eax = timeouts, %ebx = to, %ebp = from, %esi = MR0, %edi = MR1,
;        %ecx = the user %esp and %edx = the user %eip to return to
;   out: %eax = 0 or -error, %ebp = the sender's ID, %esi = MR0, %edi = MR1,
;        %ebx unchanged, %ecx = the %esp and %edx = the %eip given;
;        eflags as it was, with IF set (sysenter cleared it, so a user that
;        had cleared IF with IOPL 3 gets it back set).
; sysexit loads %eip from %edx and %esp from %ecx, so neither can carry an
; argument or a result: from moves to %ebp, the sender comes back there.
;
; The frame.  The entry builds exactly the struct trapframe that `int 0x30`
; with SYS_IPC would have built (trapframe.h): trapno 0x30, cs and ss the
; user selectors, from in %ecx, timeouts in %edx, SYS_IPC in %eax.  So
; sys_ipc, the fast path, the slow path, GDB's conditions on tf->... and a
; thread's frame seen by anyone else cannot tell the two entries apart,
; but for one bit: the saved eflags has IF clear (sysenter cleared it; the
; exit sets it again with sti, or in the frame before an iret).  On the way
; out the frame is read the other way: the sender (%ecx in the frame) goes
; to %ebp, the frame's %esp and %eip to %ecx and %edx.
;
; Below the frame the stub leaves a switch frame (arch_switch's: room for
; four registers, then sysenter_resume), so that a thread that blocks on
; the IPC fast path keeps no C frame (kernel/fastswitch.h says how).
;
; What sysenter leaves to us (it clears only IF, VM and RF):
;   TF: a user's TF=1 raises #DB after sysenter itself, on the first
;       kernel instruction, with %esp = SYSENTER_ESP (below), and after
;       each instruction until popfd below clears it; trap() ignores a
;       kernel-mode #DB whose eip lies from sysenter_entry to
;       sysenter_entry_clean.  The pushfd saves
;       TF with the rest, and the exit returns through iret when the saved
;       eflags has TF (or NT) set, so the user's single step goes on there.
;   NT: an iret with NT set is a task return; popfd clears it here, before
;       any iret can run in the kernel (an interrupt handler's, trap_return).
;   DF, AC, IOPL: cleared by the same popfd (the C code needs DF = 0).
;   %ds, %es: the user's (it may hold the UTCB selector): reloaded.
;   %fs, %gs: saved in the frame and left, as trap_common does.
;   Interrupts: off from sysenter on, and on again only in user mode (the
;       sti before sysexit takes effect after it) or in trap_return's iret.
; SYSENTER_ESP points at a small stack of its own (gdt.c), used only by the
; first instruction (and the #DB above); it loads the thread's kernel stack
; from the TSS.
;
; The return address.  The kernel never uses the user's %ecx and %edx
; except as the %esp and %eip to return to, in ring 3: sysexit always
; loads CPL 3 and the user code and stack selectors, so a kernel address
; there faults in user mode (a page fault on the instruction fetch or the
; first push), reported as the thread's fault, as a jump there would be.

KDATA_SEL equ 0x10
UCODE_SEL equ 0x1B
UDATA_SEL equ 0x23
SYSCALL_VECTOR equ 0x30
SYS_IPC   equ 4
EFLAGS_TF equ 0x100
EFLAGS_IF equ 0x200
EFLAGS_NT equ 0x4000
EFLAGS_VM equ 0x20000
; Offsets in struct trapframe (trapframe.h checks them)
TF_ECX    equ 24
TF_EAX    equ 28
TF_EIP    equ 56
TF_EFLAGS equ 64
TF_ESP    equ 68

extern arch_tss
extern sys_ipc
extern sched_action
extern schedule
extern trap_return
extern fastpath_result

section .text
global sysenter_entry, sysenter_entry_clean, sysenter_return, sysenter_resume
sysenter_entry:
        mov esp, [ss:arch_tss + 4]      ; esp0 (ss: %ds is still the user's, any selector)
        push UDATA_SEL                  ; ss
        push ecx                        ; the user %esp
        pushfd                          ; the user eflags, less IF (see the exit)
        push 2                          ; IF, TF, NT, DF, AC, IOPL all 0
        popfd
sysenter_entry_clean:
        push UCODE_SEL                  ; cs
        push edx                        ; the user %eip
        push 0                          ; error code
        push SYSCALL_VECTOR             ; trapno: the frame of an int 0x30
        push ds
        push es
        push fs
        push gs
        mov ecx, ebp                    ; from
        mov edx, eax                    ; timeouts
        mov eax, SYS_IPC
        pushad
        mov ax, KDATA_SEL
        mov ds, ax
        mov es, ax
        ; The switch frame a thread that blocks on the fast path leaves as
        ; its kernel %esp (kernel/fastswitch.h): four register slots
        ; and the address it is resumed at.  The slots are only room: the
        ; C frames below may write them, since whoever pops them
        ; (fastpath_exit's .frame, arch_switch) sends the thread to
        ; sysenter_resume, which takes every register from the trapframe.
        push sysenter_resume
        lea eax, [esp + 4]              ; the trapframe (sys_ipc takes it in %eax)
        call sys_ipc
        add esp, 4
        mov [esp + TF_EAX], eax
        ; What trap() does last: carry out a decision the call took (a
        ; thread it woke outranks us, we ended); sys_ipc blocks inside.
        cmp dword [sched_action], 0     ; SCHED_RUN_ON
        jne sysenter_schedule

; Back to user mode, with %esp = the trapframe.  sysexit gives back no
; eflags of its own: the popfd does, and only if TF and NT are clear, since
; TF in the kernel would trap on the next kernel instruction.  (A macro:
; fastpath_exit below has its own copy, so that neither way out jumps.)
%macro SYSENTER_EXIT 0
        test dword [esp + TF_EFLAGS], EFLAGS_TF | EFLAGS_NT | EFLAGS_VM
        jnz sysenter_iret
        popad
        pop gs
        pop fs
        pop es
        pop ds
        mov ebp, ecx                    ; the sender
        mov edx, [esp + 8]              ; eip (past trapno and err)
        mov ecx, [esp + 20]             ; esp
        add esp, 16                     ; to the saved eflags (IF clear: sti
        popfd                           ; sets it, effective after sysexit)
        sti
        sysexit
%endmacro
sysenter_return:
        SYSENTER_EXIT

; The end of every switch the fast paths make (kernel/fastswitch.h), with
; current = next already and %eax = next's saved kernel %esp: a switch
; frame, which arch_switch's second half pops.  When it is the one this
; stub leaves (next blocked on the fast path after a sysenter), next goes
; straight back to user mode on its trapframe instead, with its result, 0
; (the fast path delivers whole messages only): what sysenter_resume would
; do, without the pops, the call and the C.  GDB counts the fast paths'
; switches here (grader/lab6.py).
global fastpath_exit
fastpath_exit:
        cmp dword [eax + 16], sysenter_resume
        jne fastpath_exit_frame
        lea esp, [eax + 20]             ; next's trapframe
        mov dword [esp + TF_EAX], 0
        SYSENTER_EXIT

sysenter_schedule:
        call schedule
        jmp sysenter_return

; fastpath_exit for a next with a frame of its own: arch_switch's second half.
fastpath_exit_frame:
        mov esp, eax
        pop edi
        pop esi
        pop ebx
        pop ebp
        ret

; Where a thread that blocked on the fast path after a sysenter is resumed
; (by the fast path's switch or by schedule(), which pop the switch frame
; above and return here), with %esp = its trapframe: its result, as
; sys_ipc would have returned it, and back to user mode.
sysenter_resume:
        call fastpath_result
        mov [esp + TF_EAX], eax
        jmp sysenter_return

; The same registers through iret: the frame rewritten in sysenter's ABI.
sysenter_iret:
        or dword [esp + TF_EFLAGS], EFLAGS_IF
        mov eax, [esp + TF_ECX]
        mov [esp + 8], eax              ; ebp = the sender
        mov eax, [esp + TF_ESP]
        mov [esp + TF_ECX], eax         ; ecx = esp
        mov eax, [esp + TF_EIP]
        mov [esp + 20], eax             ; edx = eip
        jmp trap_return

section .bss
; The stack SYSENTER_ESP names.  Only the entry's first instruction runs
; on it (it loads the thread's own), but a user's TF=1 raises #DB before
; that instruction, and trap_common and trap() run here then (trap.c,
; sysenter_stepped): a whole trapframe and a few C frames.
global sysenter_stack_top
alignb 16
        resb 1024
sysenter_stack_top:
