; void _start(void)  --  where every l4lab user program begins.
;
; Register contract: the kernel enters here in ring 3 with all general
; registers zero and %esp pointing at
;     [esp + 0]  0            (a return address nobody may use)
;     [esp + 4]  cmdline      (pointer to the program's command line)
; which is exactly the frame of a C call ulib_start(cmdline), so we jump.
; %ebp = 0 ends GDB's backtrace here.

section .text
global _start
extern ulib_start
_start:
        xor ebp, ebp
        jmp ulib_start
