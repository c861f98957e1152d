; Paging oracle: runs on a real IA-32 implementation (QEMU here) and reports, for every combination of
; page state x access x privilege x CR0.WP, the #PF error code (or 0xFF for no fault), the PTE and PDE
; low bytes afterwards (accessed/dirty bits), and CR2's page index. Plus three 4 MiB (PSE) cases.
; Build: nasm -f bin -o paging-oracle.bin paging-oracle.asm
; Run:   qemu-system-i386 -kernel paging-oracle.bin -debugcon file:out.bin -display none \
;          -device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot
; Output: 4 bytes per case on port 0xE9, in the order of the loops below; committed as
; paging-oracle.qemu.bin (QEMU 7.2, TCG, default qemu32 CPU) and replayed on Ia32Mmu by
; test/ia32-qemu-oracle.test.ts.
bits 32
org 0x100000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010000            ; a.out kludge: load addresses below

PD    equ 0x200000
PT0   equ 0x201000                 ; identity map of 0-4 MiB, user + writable
PT1   equ 0x202000                 ; the test pages at 0x400000..0x404fff
FRAME equ 0x300000                 ; test page k maps frame FRAME + k*0x1000

header:
  dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
  dd header, 0x100000, load_end, bss_end, start

start:
  cli
  lgdt [gdtr]
  jmp 0x08:.flat
.flat:
  mov ax, 0x23                     ; DPL3 flat data: usable from ring 0 and ring 3
  mov ds, ax
  mov es, ax
  mov ax, 0x10
  mov ss, ax
  mov esp, stack0_top
  ; TSS descriptor base and ring-0 stack
  mov eax, tss
  mov [gdt_tss + 2], ax
  shr eax, 16
  mov [gdt_tss + 4], al
  mov [gdt_tss + 7], ah
  mov dword [tss + 4], stack0_top
  mov dword [tss + 8], 0x10
  mov ax, 0x28
  ltr ax
  ; IDT: #PF (14) DPL0, int 0x80 DPL3
  mov eax, pf_handler
  mov edi, idt + 14 * 8
  mov bl, 0x8e
  call set_gate
  mov eax, back_handler
  mov edi, idt + 0x80 * 8
  mov bl, 0xee
  call set_gate
  lidt [idtr]
  ; page directory and the identity table
  mov edi, PD
  mov ecx, 3 * 1024
  xor eax, eax
  rep stosd
  mov edi, PT0
  mov eax, 7
  mov ecx, 1024
.id:
  stosd
  add eax, 0x1000
  loop .id
  mov dword [PD], PT0 | 7
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax

  mov dword [wp], 0
wp_loop:
  mov eax, cr0
  and eax, ~0x10000
  cmp dword [wp], 0
  je wp_set
  or eax, 0x10000
wp_set:
  mov cr0, eax
  mov dword [mode], 0
mode_loop:
  mov dword [page], 0
page_loop:
  mov dword [acc], 0
acc_loop:
  call reset_tables
  mov byte [faulted], 0
  mov dword [err], 0
  mov dword [cr2v], 0
  mov ebx, [page]
  shl ebx, 12
  add ebx, 0x400010
  cmp dword [mode], 0
  jne ring3
  cmp dword [acc], 0
  jne w0
  mov eax, [ebx]                   ; 2 bytes: the #PF handler skips it
  jmp after_access
w0:
  mov [ebx], eax
  jmp after_access
ring3:
  mov dword [resume], after_access
  mov [saved_esp], esp
  push dword 0x23
  push dword stack3_top
  push dword 0x2
  push dword 0x1b
  cmp dword [acc], 0
  jne w3
  push dword user_read
  iret
w3:
  push dword user_write
  iret

after_access:
  call report
  mov eax, [page]
  mov eax, [PT1 + eax * 4]
  call out_al
  mov al, [PD + 4]
  call out_al
  mov eax, [cr2v]
  shr eax, 12
  call out_al
  inc dword [acc]
  cmp dword [acc], 2
  jb acc_loop
  inc dword [page]
  cmp dword [page], 5
  jb page_loop
  inc dword [mode]
  cmp dword [mode], 2
  jb mode_loop
  inc dword [wp]
  cmp dword [wp], 2
  jb wp_loop

  ; ---- 4 MiB pages (CR4.PSE): PDE 2 with reserved bit 21 set; PDE 3 a valid large page ----
  mov eax, cr4
  or eax, 0x10
  mov cr4, eax
  mov dword [PD + 2 * 4], 0x00c00000 | 0x200000 | 0x87
  mov dword [PD + 3 * 4], 0x00000000 | 0x87
  mov eax, PD
  mov cr3, eax
  ; case A: supervisor read in the reserved-bit page
  mov byte [faulted], 0
  mov ebx, 0x00800010
  mov eax, [ebx]
  call report
  mov al, [PD + 2 * 4]
  call out_al
  mov al, [PD + 2 * 4 + 1]
  call out_al
  mov eax, [cr2v]
  shr eax, 12
  call out_al
  ; case B: read then case C: write in the valid large page (A, then D, in the PDE)
  mov byte [faulted], 0
  mov ebx, 0x00c12340
  mov eax, [ebx]
  call report
  mov al, [PD + 3 * 4]
  call out_al
  mov al, [PD + 3 * 4 + 1]
  call out_al
  mov al, 0
  call out_al
  mov byte [faulted], 0
  mov [ebx], eax
  call report
  mov al, [PD + 3 * 4]
  call out_al
  mov al, [PD + 3 * 4 + 1]
  call out_al
  mov al, 0
  call out_al

  ; ---- more 4 MiB cases: D) user read of a supervisor large page, E) supervisor write to a
  ; read-only large page with CR0.WP=1 (A must stay clear on both); then page-crossing accesses:
  ; F) a dword read at 0x404ffe whose second page is absent (CR2 bytes), G) the same as a write
  ; (does the first page get A/D?) ----
  mov dword [PD + 4 * 4], 0x01000000 | 0x83
  mov dword [PD + 5 * 4], 0x01400000 | 0x81
  mov eax, PD
  mov cr3, eax
  mov byte [faulted], 0
  mov ebx, 0x01000010
  mov dword [resume], after_d
  mov [saved_esp], esp
  push dword 0x23
  push dword stack3_top
  push dword 0x2
  push dword 0x1b
  push dword user_read
  iret
after_d:
  call report
  mov al, [PD + 4 * 4]
  call out_al
  mov al, 0
  call out_al
  call out_al
  mov eax, cr0
  or eax, 0x10000
  mov cr0, eax
  mov byte [faulted], 0
  mov ebx, 0x01400010
  mov [ebx], eax
  call report
  mov al, [PD + 5 * 4]
  call out_al
  mov al, 0
  call out_al
  call out_al
  call reset_tables
  mov byte [faulted], 0
  mov ebx, 0x00404ffe
  mov eax, [ebx]
  call report
  mov eax, [cr2v]
  call out_al
  shr eax, 8
  call out_al
  shr eax, 8
  call out_al
  call reset_tables
  mov byte [faulted], 0
  mov ebx, 0x00404ffe
  mov [ebx], eax
  call report
  mov al, [PT1 + 4 * 4]
  call out_al
  mov eax, [cr2v]
  call out_al
  shr eax, 8
  call out_al

  mov al, 0
  out 0xf4, al                     ; isa-debug-exit
  hlt

; ---- helpers ----
reset_tables:                      ; fresh PTEs and PDE 1 (A/D clear), then flush the TLB
  mov dword [PT1 + 0 * 4], 0
  mov dword [PT1 + 1 * 4], (FRAME + 0x1000) | 1
  mov dword [PT1 + 2 * 4], (FRAME + 0x2000) | 3
  mov dword [PT1 + 3 * 4], (FRAME + 0x3000) | 5
  mov dword [PT1 + 4 * 4], (FRAME + 0x4000) | 7
  mov dword [PD + 4], PT1 | 7
  mov eax, PD
  mov cr3, eax
  ret

report:                            ; error code, or 0xFF when the access did not fault
  mov al, 0xff
  cmp byte [faulted], 0
  je out_al
  mov al, [err]
out_al:
  out 0xe9, al
  ret

set_gate:                          ; eax = handler, edi = gate, bl = type/attributes
  mov [edi], ax
  mov word [edi + 2], 0x08
  mov byte [edi + 4], 0
  mov [edi + 5], bl
  shr eax, 16
  mov [edi + 6], ax
  ret

pf_handler:
  pop dword [err]
  push eax
  mov eax, cr2
  mov [cr2v], eax
  pop eax
  mov byte [faulted], 1
  add dword [esp], 2               ; skip the 2-byte access instruction
  iret

back_handler:                      ; int 0x80 from ring 3: drop its frame, continue in ring 0
  mov esp, [saved_esp]
  jmp [resume]

user_read:
  mov eax, [ebx]
  int 0x80
user_write:
  mov [ebx], eax
  int 0x80

align 8
gdt:
  dq 0
  dq 0x00cf9a000000ffff            ; 0x08 ring-0 code
  dq 0x00cf92000000ffff            ; 0x10 ring-0 data
  dq 0x00cffa000000ffff            ; 0x18 ring-3 code
  dq 0x00cff2000000ffff            ; 0x20 ring-3 data
gdt_tss:
  dq 0x0000890000000067            ; 0x28 32-bit TSS, base filled in at run time
gdt_end:
gdtr:
  dw gdt_end - gdt - 1
  dd gdt
idtr:
  dw 256 * 8 - 1
  dd idt

load_end:

section .bss
alignb 16
wp: resd 1
mode: resd 1
page: resd 1
acc: resd 1
err: resd 1
cr2v: resd 1
saved_esp: resd 1
resume: resd 1
faulted: resb 4
alignb 16
tss: resb 104
alignb 8
idt: resb 256 * 8
alignb 16
resb 4096
stack0_top:
resb 4096
stack3_top:
bss_end:
