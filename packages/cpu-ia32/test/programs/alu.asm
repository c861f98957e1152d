; Differential ALU test: ~60 integer operations (32-, 16- and 8-bit forms, multiply/divide,
; shifts and rotates, bit scans and tests, BCD, CMPXCHG/XADD/BSWAP, SETcc) on every pair of
; eight boundary values. For each it prints EAX, EDX and the flags it defines (undefined
; flags masked out in the program). Expected output: the same program under QEMU.
%include "common.inc"
idt equ 0x6000

main:
        PRINTS "ALU"
        xor esi, esi
.la:    xor edi, edi
.lb:    PUTC 10
        xor ebp, ebp
.op:    mov eax, [vals + esi * 4]
        mov ebx, [vals + edi * 4]
        xor edx, edx
        call [ops + ebp * 4]
        call print_hex
        mov eax, edx
        call print_hex
        mov eax, ecx
        shr eax, 8
        call print_hex2
        mov eax, ecx
        call print_hex2
        PUTC ' '
        inc ebp
        cmp ebp, (ops_end - ops) / 4
        jb .op
        inc edi
        cmp edi, 8
        jb .lb
        inc esi
        cmp esi, 8
        jb .la
        PUTC 10
        jmp finish

vals:   dd 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, 0xfedcba98, 0x00008001

; BEGIN/END frame every operation: CF on entry = (a ^ b) & 1, EDX = 0 on entry;
; END keeps the flags the operation defines.
%macro BEGIN 1
op_%1:
        mov ecx, eax
        xor ecx, ebx
        shr ecx, 1
%endmacro
%macro END 1
        pushfd
        pop ecx
        and ecx, %1
        ret
%endmacro

BEGIN add
        add eax, ebx
END 0x8d5

BEGIN adc
        adc eax, ebx
END 0x8d5

BEGIN sub
        sub eax, ebx
END 0x8d5

BEGIN sbb
        sbb eax, ebx
END 0x8d5

BEGIN cmp
        cmp eax, ebx
END 0x8d5

BEGIN and
        and eax, ebx
END 0x8c5

BEGIN or
        or eax, ebx
END 0x8c5

BEGIN xor
        xor eax, ebx
END 0x8c5

BEGIN inc
        inc eax
END 0x8d5

BEGIN dec
        dec eax
END 0x8d5

BEGIN neg
        neg eax
END 0x8d5

BEGIN not
        not eax
END 0x8d5

BEGIN shl
        mov cl, bl
        shl eax, cl
END 0x0c5

BEGIN shr
        mov cl, bl
        shr eax, cl
END 0x0c5

BEGIN sar
        mov cl, bl
        sar eax, cl
END 0x0c5

BEGIN shl1
        shl eax, 1
END 0x8c5

BEGIN sar1
        sar eax, 1
END 0x8c5

BEGIN rol
        mov cl, bl
        rol eax, cl
END 0x001

BEGIN ror
        mov cl, bl
        ror eax, cl
END 0x001

BEGIN rcl
        mov cl, bl
        rcl eax, cl
END 0x001

BEGIN rcr
        mov cl, bl
        rcr eax, cl
END 0x001

BEGIN rcr1
        rcr eax, 1
END 0x801

BEGIN shld
        mov cl, bl
        shld eax, ebx, cl
END 0x0c5

BEGIN shrd
        mov cl, bl
        shrd eax, ebx, cl
END 0x0c5

BEGIN mul
        mul ebx
END 0x801

BEGIN imul
        imul ebx
END 0x801

BEGIN imul2
        imul eax, ebx
END 0x801

BEGIN imul3
        imul eax, ebx, -7
END 0x801

BEGIN div
        test ebx, ebx
        jz .skip
        div ebx
        jmp .done
.skip:  mov eax, 0xdead
.done:
END 0

BEGIN idiv
        cmp ebx, 0
        je .skip
        cmp ebx, -1
        je .skip
        cdq
        idiv ebx
        jmp .done
.skip:  mov eax, 0xdead
.done:
END 0

BEGIN bsf
        bsf eax, ebx
END 0x040

BEGIN bsr
        bsr eax, ebx
END 0x040

BEGIN bt
        bt eax, ebx
END 0x001

BEGIN bts
        bts eax, ebx
END 0x001

BEGIN btr
        btr eax, ebx
END 0x001

BEGIN btc
        btc eax, ebx
END 0x001

BEGIN bswap
        bswap eax
END 0x8d5

BEGIN xadd
        xadd eax, ebx
        mov edx, ebx
END 0x8d5

BEGIN cmpxchg
        mov edx, ebx
        cmpxchg edx, ebx
END 0x8d5

BEGIN cwde
        cwde
END 0x8d5

BEGIN cdq
        cdq
END 0x8d5

BEGIN movsx
        movsx eax, bl
        movsx edx, bx
END 0x8d5

BEGIN movzx
        movzx eax, bl
        movzx edx, bx
END 0x8d5

BEGIN setcc
        cmp eax, ebx
        setl dl
        setle dh
        shl edx, 16
        setb dl
        setbe dh
        sets al
        setp ah
END 0x8d5

BEGIN add16
        add ax, bx
END 0x8d5

BEGIN sbb16
        sbb ax, bx
END 0x8d5

BEGIN imul16
        imul ax, bx
END 0x801

BEGIN mul16
        mul bx
END 0x801

BEGIN shr16
        mov cl, bl
        shr ax, cl
END 0x0c5

BEGIN rcr16
        mov cl, bl
        rcr ax, cl
END 0x001

BEGIN rcl8
        mov cl, bl
        rcl al, cl
END 0x001

BEGIN add8
        add al, bl
END 0x8d5

BEGIN mul8
        mul bl
END 0x801

BEGIN div8
        test bl, bl
        jz .skip
        cmp ah, bl
        jae .skip
        div bl
.skip:
END 0

BEGIN daa
        add al, bl
        daa
END 0x0d5

BEGIN das
        sub al, bl
        das
END 0x0d5

BEGIN aaa
        add al, bl
        aaa
END 0x011

BEGIN aas
        sub al, bl
        aas
END 0x011

BEGIN aam
        aam 10
END 0x0c4

BEGIN aad
        aad 7
END 0x0c4

%macro OPTABLE 1-*
%rep %0
        dd op_%1
%rotate 1
%endrep
%endmacro

; CF pending from an arithmetic operation must survive INC/DEC (which leave CF alone).
BEGIN chain1
        add eax, ebx
        inc edx
        adc eax, 0
END 0x8d5

BEGIN chain2
        sub eax, ebx
        dec edx
        sbb eax, 0
END 0x8d5

BEGIN chain3
        shl eax, 1
        inc edx
        rcl eax, 1
END 0x001

ops:    OPTABLE add, adc, sub, sbb, cmp, and, or, xor, inc, dec, neg, not, shl, shr, sar, shl1, sar1, rol, ror, rcl, rcr, rcr1, shld, shrd, mul, imul, imul2, imul3, div, idiv, bsf, bsr, bt, bts, btr, btc, bswap, xadd, cmpxchg, cwde, cdq, movsx, movzx, setcc, add16, sbb16, imul16, mul16, shr16, rcr16, rcl8, add8, mul8, div8, daa, das, aaa, aas, aam, aad, chain1, chain2, chain3
ops_end:
