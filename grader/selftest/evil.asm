; Kernels that misbehave on purpose, to prove the grader cannot be fooled or
; hung (grader/selftest.py).  Built flat, with the Multiboot "address
; fields" header, so no linker script is needed:
;     nasm -f bin -DMODE=MODE_HANG -o hang.bin evil.asm
;
; MODE_HANG   halt forever with interrupts off: never an end, never a line;
;             halted rather than spinning, so that the grader's timeout is
;             tested without a host core busy for all of it
; MODE_FLOOD  print to the serial line forever
; MODE_RESET  triple fault (load an empty IDT, then trap)
; MODE_FORGE  print the lines a passing test would print, then exit cleanly,
;             without running any program

MODE_HANG  equ 1
MODE_FLOOD equ 2
MODE_RESET equ 3
MODE_FORGE equ 4

MB_MAGIC  equ 0x1BADB002
MB_FLAGS  equ 0x00010000            ; bit 16: the address fields below are valid
COM1      equ 0x3F8

        bits 32
        org 0x100000
header:
        dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
        dd header                   ; header_addr
        dd header                   ; load_addr
        dd 0                        ; load_end_addr: the whole file
        dd 0                        ; bss_end_addr: no bss
        dd start                    ; entry_addr

start:
        cli
        mov esp, 0x90000
%if MODE == MODE_HANG
        ; falls through to .halt: interrupts are off, so it never wakes
%elif MODE == MODE_FLOOD
.again: mov esi, flood
        call puts
        jmp .again
%elif MODE == MODE_RESET
        lidt [empty_idt]
        int3
%elif MODE == MODE_FORGE
        mov esi, forged
        call puts
        mov dx, 0xf4                ; isa-debug-exit: status 0, a "clean" end
        xor eax, eax
        out dx, eax
%endif
.halt:  hlt
        jmp .halt

; puts: writes the NUL-terminated string at esi to COM1.
puts:
        mov dx, COM1 + 5
.wait:  in al, dx
        test al, 0x20
        jz .wait
        mov dx, COM1
        lodsb
        test al, al
        jz .done
        out dx, al
        jmp puts
.done:  ret

empty_idt:
        dw 0
        dd 0
flood:  db "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 10, 0
forged: db "l4lab: an L4-style teaching microkernel for i386", 10
        db "lab0_null: nonce=0123456789abcdef calls=40 ok", 10
        db "bench_trap: nonce=0123456789abcdef runs=500", 10
        db "BENCH trap.rtt value=100 unit=instructions runs=500", 10
        db "PASS null_syscall", 10, "PASS trap_rtt", 10, "ALL TESTS PASSED", 10, 0
