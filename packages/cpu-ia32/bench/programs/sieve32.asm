; Sieve of Eratosthenes over 2,000,000 bytes at 0x200000 (32-bit protected mode, paged).
        bits 32
N equ 2000000
        mov edi, 0x200000
        mov ecx, N
        mov al, 1
        cld
        rep stosb
        mov ebx, 2
outer:  mov eax, ebx
        imul eax, ebx
        cmp eax, N
        jae done
        cmp byte [0x200000 + ebx], 0
        je next
mark:   mov byte [0x200000 + eax], 0
        add eax, ebx
        cmp eax, N
        jb mark
next:   inc ebx
        jmp outer
done:   hlt
