; Differential test of 32-bit addressing and memory instructions: ModRM/SIB forms, 16-bit
; addressing under 67h, string instructions with REP/REPE/REPNE in both directions, stack
; instructions (PUSHAD/POPAD, ENTER/LEAVE, PUSH/POP m), BT* with memory operands and large
; bit offsets, XCHG/CMPXCHG/XADD on memory, XLAT, MOVSX/MOVZX from memory, LxS. After each
; step it prints a checksum of a 256-byte work area and of the registers. Expected: QEMU.
%include "common.inc"
idt equ 0x6000
WORK equ 0x20000

%macro CHECK 0
        call checksum
%endmacro

main:
        xor eax, eax            ; registers start from known values (a BIOS leaves others)
        xor ecx, ecx
        xor edx, edx
        xor ebx, ebx
        xor ebp, ebp
        xor esi, esi
        xor edi, edi
        PRINTS "MEM"
        ; fill the work area with a pattern
        mov edi, WORK
        mov ecx, 256
        mov eax, 0x9e3779b9
.fill:  mov [edi], al
        rol eax, 5
        add eax, ecx
        inc edi
        loop .fill
        CHECK
        ; --- addressing forms ---
        mov ebx, WORK
        mov esi, 3
        mov edi, 5
        mov ebp, WORK + 0x40
        mov eax, [ebx + esi * 4 + 8]
        add [ebx + edi * 8 - 4 + 0x20], eax
        lea ecx, [ebx + esi * 2 + 0x11]
        lea edx, [esi + edi * 8]
        sub [ebp + esi], dl
        xor [ebp + edi * 2 + 1], cx
        mov eax, [WORK + 0x10]
        or [esi * 4 + WORK], eax
        push ebp
        mov ebp, esp
        mov dword [ebp - 8], 0x55aa55aa   ; below the stack pointer, through SS
        mov eax, [ebp - 8]
        pop ebp
        add [WORK + 0x30], eax
        CHECK
        ; 16-bit addressing with the 67h prefix (segment base 0 flat; offsets wrap at 64 KiB)
        mov ebx, 0x10000        ; BX = 0: the upper half is ignored
        mov si, 0x20
        a16 mov eax, [bx + si + table16]   ; 16-bit address: BX + SI + disp16
        mov [WORK + 0x44], eax
        mov ebp, 0x10000 + table16 - 4   ; BP-based 16-bit form defaults to SS
        a16 add eax, [bp + si - 0x1c]
        mov [WORK + 0x48], eax
        CHECK
        ; --- string instructions ---
        cld
        mov esi, WORK
        mov edi, WORK + 0x80
        mov ecx, 9
        rep movsd
        CHECK
        std
        mov esi, WORK + 0x7f
        mov edi, WORK + 0xff
        mov ecx, 0x1d
        rep movsb
        cld
        CHECK
        mov edi, WORK + 0x60
        mov ecx, 7
        mov eax, 0x01020304
        rep stosw
        CHECK
        mov esi, WORK
        mov edi, WORK + 0x80
        mov ecx, 0x40
        repe cmpsb
        CHECK
        mov edi, WORK
        mov ecx, 0x100
        mov al, [WORK + 0x57]
        repne scasb
        CHECK
        std
        mov esi, WORK + 0xfe
        mov ecx, 5
        lodsw
        lodsw
        cld
        CHECK
        ; --- stack ---
        mov eax, 0x11111111
        mov ecx, 0x22222222
        mov edx, 0x33333333
        mov ebx, 0x44444444
        mov esi, 0x66666666
        mov edi, 0x77777777
        pushad
        mov eax, [esp + 12]     ; the ESP image pushed by PUSHAD
        sub eax, esp
        mov [WORK + 0x10], eax
        add dword [esp + 4], 1
        popad
        CHECK
        enter 0x20, 0
        mov [ebp - 4], ebp
        mov eax, [ebp - 4]
        sub eax, esp
        mov [WORK + 0x14], eax
        leave
        push dword [WORK + 0x18]
        pop dword [WORK + 0x1c]
        mov eax, esp
        push esp
        pop ecx
        sub eax, ecx
        mov [WORK + 0x20], eax
        CHECK
        ; --- bit instructions on memory ---
        mov eax, 0x13
        bts [WORK + 0x40], eax
        mov eax, 100
        btc [WORK + 0x40], eax
        mov eax, -9
        btr [WORK + 0x40], eax
        setc [WORK + 0x41]
        bt dword [WORK + 0x44], 31
        setc [WORK + 0x42]
        CHECK
        ; --- read-modify-write on memory ---
        mov eax, 0x12345678
        xchg [WORK + 0x48], eax
        mov [WORK + 0x4c], eax
        mov eax, [WORK + 0x50]
        mov ecx, 0xcafe
        lock cmpxchg [WORK + 0x50], ecx
        setz [WORK + 0x54]
        mov eax, 1
        lock cmpxchg [WORK + 0x50], ecx
        setz [WORK + 0x55]
        mov [WORK + 0x58], eax
        mov edx, 0x100
        lock xadd [WORK + 0x5c], edx
        mov [WORK + 0x60], edx
        CHECK
        ; --- XLAT, MOVSX/MOVZX, far pointers ---
        mov ebx, WORK
        mov eax, 0x37
        xlatb
        mov [WORK + 0x64], al
        movsx eax, byte [WORK + 0x65]
        movzx ecx, word [WORK + 0x66]
        add eax, ecx
        mov [WORK + 0x68], eax
        mov dword [WORK + 0x70], WORK + 0x10
        mov word [WORK + 0x74], 0x10
        les edi, [WORK + 0x70]
        mov eax, [es:edi]
        mov [WORK + 0x78], eax
        mov ax, 0x10
        mov es, ax
        CHECK
        jmp finish

table16: dd 0x01234567, 0x89abcdef, 0xdeadbeef, 0x0badf00d, 0x13579bdf, 0x2468ace0, 0x55aa55aa, 0xaa55aa55
        dd 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, 0x66666666, 0x77777777, 0x88888888

; Print "<sum of work area>/<eax..edi mixed> " (registers are preserved).
checksum:
        pushfd
        pushad
        mov esi, WORK
        xor eax, eax
        mov ecx, 64
.l:     rol eax, 7
        xor eax, [esi]
        add esi, 4
        loop .l
        PUTC ' '
        call print_hex
        PUTC '/'
        ; registers as they were at the call (PUSHAD image at esp, without ESP)
        xor eax, eax
        mov ecx, 8
        mov esi, esp
.r:     cmp ecx, 5              ; skip the ESP slot
        je .s
        rol eax, 3
        xor eax, [esi]
.s:     add esi, 4
        loop .r
        call print_hex
        mov eax, [esp + 32]     ; flags
        and eax, 0x8d5
        call print_hex2
        popad
        popfd
        ret
