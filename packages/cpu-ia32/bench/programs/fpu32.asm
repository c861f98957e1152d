; x87 numeric loop, 32-bit protected mode: a polynomial-style accumulation,
; sum += x * acc; acc *= c, for 200,000 iterations (4 FPU + 2 integer instructions each).
; Position-independent (the v86 reference runs it behind a prologue) and ends in HLT.
        bits 32
        jmp short start
        align 8
data:   dq 1.000001, 0.9999995, 0.0
start:  call .here
.here:  pop esi
        add esi, data - .here
        finit
        mov ecx, 200000
        fld1                    ; acc
        fldz                    ; sum
l:      fld qword [esi]         ; x
        fmul st0, st2           ; x * acc
        faddp st1, st0          ; sum += x * acc
        fld qword [esi + 8]     ; c
        fmulp st2, st0          ; acc *= c
        dec ecx
        jnz l
        fstp qword [esi + 16]
        fstp st0
        hlt
