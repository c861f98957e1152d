; mbhello: a multiboot (a.out kludge) test kernel for the Phantasm PC board.
; Checks the loader's hand-over (EAX magic, mem_upper in the info structure), prints a line
; on COM1 and leaves through isa-debug-exit (port 0xF4) with status 0x2A, i.e. process exit
; status (0x2A << 1) | 1 = 85. If the hand-over is wrong it exits with 0x01 (status 3).
; Build: nasm -f bin -o mbhello.bin mbhello.asm (flat image, a.out kludge), or as ELF:
;   nasm -f elf32 -DELF -o mbhello.o mbhello.asm && ld -m elf_i386 -N -s -Ttext=0x100000 -e start -o mbhello.elf mbhello.o
bits 32
%ifdef ELF
section .text
MB_FLAGS    equ 0x00000003          ; page-align, memory info; addresses come from the ELF headers
%else
org 0x100000
MB_FLAGS    equ 0x00010003          ; page-align, memory info, a.out kludge addresses
%endif

MB_MAGIC    equ 0x1BADB002
COM1        equ 0x3F8

header:
            dd MB_MAGIC
            dd MB_FLAGS
            dd -(MB_MAGIC + MB_FLAGS)
            dd header               ; header_addr
            dd header               ; load_addr
            dd 0                    ; load_end_addr: whole file
            dd bss_end              ; bss_end_addr
            dd start                ; entry_addr

global start
start:
            mov esp, stack_top
            cmp eax, 0x2BADB002
            jne fail
            test dword [ebx], 1     ; mem_lower/mem_upper valid
            jz fail
            mov eax, [ebx + 8]      ; mem_upper (KiB above 1 MiB)
            mov [mem_upper], eax
            mov esi, msg
            call puts
            mov eax, [mem_upper]
            call put_hex
            mov esi, msg_end
            call puts
            mov al, 0x2A
            out 0xF4, al
            hlt

fail:
            mov al, 0x01
            out 0xF4, al
            hlt

; write the NUL-terminated string at ESI to COM1
puts:
            lodsb
            or al, al
            jz .done
            call putc
            jmp puts
.done:      ret

putc:
            push edx
            push eax
            mov dx, COM1 + 5
.wait:      in al, dx
            test al, 0x20           ; transmitter holding register empty
            jz .wait
            pop eax
            mov dx, COM1
            out dx, al
            pop edx
            ret

; EAX as 8 hex digits
put_hex:
            mov ecx, 8
.digit:     rol eax, 4
            push eax
            and al, 0x0F
            add al, '0'
            cmp al, '9'
            jbe .out
            add al, 'A' - '9' - 1
.out:       call putc
            pop eax
            loop .digit
            ret

msg:        db 'Hello from a multiboot kernel, mem_upper=0x', 0
msg_end:    db ' KiB', 10, 0

align 4
mem_upper:  dd 0
            times 1024 db 0         ; stack
stack_top:
bss_end:
