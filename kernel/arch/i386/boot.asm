; void _start(void)  --  the kernel's first instruction.
;
; Register contract (Multiboot 1 specification, section 3.2): the boot loader
; (QEMU's -kernel) enters here in 32-bit protected mode with paging off,
;   eax = 0x2BADB002 (the Multiboot magic)
;   ebx = physical address of the Multiboot information structure.
;
; This file does only what C cannot: turn on paging with a page directory
; that maps the kernel at KERNBASE, move to a stack, and call
;   void kernel_main(uint32_t magic, uint32_t mbi_phys);
; which never returns.  The same page directory (kernel_pgdir) stays in use
; as the kernel's master directory; vm_init() drops its identity entry.

MB_MAGIC        equ 0x1BADB002
MB_FLAGS        equ 0x00000003      ; bit 0: page-align modules, bit 1: memory map
KERNBASE        equ 0xC0000000
PDE_4M_KERNEL   equ 0x183           ; present | writable | 4 MiB page | global
PDE_4M_BOOT     equ 0x083           ; the same, not global (removed after boot)
CR0_PE          equ 0x00000001
CR0_WP          equ 0x00010000      ; the kernel honours read-only pages too
CR0_PG          equ 0x80000000
CR4_PSE         equ 0x00000010
CR4_PGE         equ 0x00000080
KSTACK_SIZE     equ 16384

; The Multiboot header must lie in the first 8 KiB of the file; the linker
; script puts .multiboot first.
section .multiboot
align 4
        dd MB_MAGIC
        dd MB_FLAGS
        dd -(MB_MAGIC + MB_FLAGS)

; .boot.text is linked at its physical address: it runs before paging.
section .boot.text
global _start
_start:
        mov ecx, kernel_pgdir - KERNBASE
        mov cr3, ecx
        mov ecx, cr4
        or ecx, CR4_PSE | CR4_PGE
        mov cr4, ecx
        mov ecx, cr0
        or ecx, CR0_PG | CR0_WP | CR0_PE
        mov cr0, ecx
        mov ecx, higher_half             ; an absolute jump into the high half
        jmp ecx

section .text
higher_half:
        mov esp, boot_stack_top
        xor ebp, ebp                    ; ends the backtrace chain
        push ebx
        push eax
        extern kernel_main
        call kernel_main
.halt:  cli
        hlt
        jmp .halt

; The master page directory: entry 0 maps the first 4 MiB 1:1 so that the
; instruction after "mov cr0" can run; entries 768..959 map physical
; 0..768 MiB at KERNBASE with global 4 MiB pages (PHYS_MAP_LIMIT in mmu.h).
section .data
align 4096
global kernel_pgdir
kernel_pgdir:
        dd PDE_4M_BOOT
        times 767 dd 0
%assign i 0
%rep 192
        dd (i << 22) | PDE_4M_KERNEL
%assign i i+1
%endrep
        times 64 dd 0

; The boot stack: kernel_main runs on it until sched_start() leaves it for good.
section .bss
align 16
global boot_stack_bottom
boot_stack_bottom:
        resb KSTACK_SIZE
global boot_stack_top
boot_stack_top:
