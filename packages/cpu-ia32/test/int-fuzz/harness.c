/*
 * Integer oracle for test/int-fuzz.test.ts: runs user-mode integer instruction sequences on the
 * host processor from a given register, flag and memory state and prints the state they leave.
 *
 * Why a 64-bit process: this host cannot execute 32-bit code (its hypervisor leaves compatibility
 * mode off: gcc -m32 links, but exec fails, and a 32-bit code segment in the LDT faults). The
 * sequences are chosen from instructions that encode and behave identically in 64-bit mode with
 * 32-, 16- and 8-bit operands (no REX, no inc/dec short forms 40-4F, no push/pop, no instruction
 * invalid in 64-bit mode); memory is addressed only as [esi]/[esi+disp8], which 64-bit mode
 * reads as [rsi]/[rsi+disp8] — so ESI holds the block's address and is never an operand.
 *
 * Build and run (the test does this): cc -O1 -o int-harness harness.c; ./int-harness < cases
 *
 * Input, one case per line (hex):  EAX ECX EDX EBX EBP EDI FLAGS MEM CODE
 *   MEM   the 64-byte memory block [esi]; FLAGS the initial arithmetic flags (8D5h mask)
 * Output, one line per case:
 *   ok EAX ECX EDX EBX EBP EDI FLAGS MEM     (FLAGS masked to OF SF ZF AF PF CF)
 *   fault SIGNAL                             the sequence faulted (a generator error)
 *
 * The code page holds  push rbx; push rbp; push rdi; push [rdi+40h]; popf; load the registers
 * from the state array at [rdi]; CODE; pushf; store them back; pop; ret.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "../native/hex-input.h"

static sigjmp_buf escape;
static volatile int fault_signal;

static void on_fault(int sig) {
  fault_signal = sig;
  siglongjmp(escape, 1);
}


int main(void) {
  uint8_t *page = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return perror("mmap"), 2;
  signal(SIGSEGV, on_fault);
  signal(SIGFPE, on_fault);
  signal(SIGILL, on_fault);
  signal(SIGBUS, on_fault);
  static const uint8_t head[] = {
      0x53, 0x55, 0x57,       /* push rbx; push rbp; push rdi */
      0xff, 0x77, 0x40, 0x9d, /* push qword [rdi+40h]; popf */
      0x48, 0x8b, 0x07,       /* mov rax,[rdi] */
      0x48, 0x8b, 0x4f, 0x08, /* mov rcx,[rdi+8] */
      0x48, 0x8b, 0x57, 0x10, /* mov rdx,[rdi+10h] */
      0x48, 0x8b, 0x5f, 0x18, /* mov rbx,[rdi+18h] */
      0x48, 0x8b, 0x6f, 0x28, /* mov rbp,[rdi+28h] */
      0x48, 0x8b, 0x77, 0x30, /* mov rsi,[rdi+30h] */
      0x48, 0x8b, 0x7f, 0x38, /* mov rdi,[rdi+38h] */
  };
  static const uint8_t tail[] = {
      0x9c, 0x57,                   /* pushf; push rdi */
      0x48, 0x8b, 0x7c, 0x24, 0x10, /* mov rdi,[rsp+10h] (the state array) */
      0x8f, 0x47, 0x38,             /* pop qword [rdi+38h] (rdi) */
      0x8f, 0x47, 0x40,             /* pop qword [rdi+40h] (flags) */
      0x48, 0x89, 0x07,             /* mov [rdi],rax */
      0x48, 0x89, 0x4f, 0x08,       /* mov [rdi+8],rcx */
      0x48, 0x89, 0x57, 0x10,       /* mov [rdi+10h],rdx */
      0x48, 0x89, 0x5f, 0x18,       /* mov [rdi+18h],rbx */
      0x48, 0x89, 0x6f, 0x28,       /* mov [rdi+28h],rbp */
      0x5f, 0x5d, 0x5b, 0xc3,       /* pop rdi; pop rbp; pop rbx; ret */
  };
  static char line[1 << 16];
  static uint8_t mem[64], code[16384];
  while (fgets(line, sizeof line, stdin)) {
    char r[6][16], f[16], m[160], c[sizeof line];
    if (sscanf(line, "%15s %15s %15s %15s %15s %15s %15s %159s %65000s", r[0], r[1], r[2], r[3], r[4], r[5], f,
               m, c) != 9)
      return fprintf(stderr, "bad input\n"), 2;
    int n;
    if (unhex(m, mem, sizeof mem) != 64 || (n = unhex(c, code, sizeof code)) < 0)
      return fprintf(stderr, "bad memory or code\n"), 2;
    /* rax rcx rdx rbx (rsp) rbp rsi rdi flags */
    uint64_t st[9] = {0};
    static const int slot[6] = {0, 1, 2, 3, 5, 7};
    for (int i = 0; i < 6; i++) st[slot[i]] = strtoull(r[i], NULL, 16) & 0xffffffffu;
    st[6] = (uintptr_t)mem;
    st[8] = (strtoull(f, NULL, 16) & 0x8d5) | 0x202;
    memcpy(page, head, sizeof head);
    memcpy(page + sizeof head, code, n);
    memcpy(page + sizeof head + n, tail, sizeof tail);
    __builtin___clear_cache((char *)page, (char *)page + sizeof head + n + sizeof tail);
    void (*fn)(uint64_t *) = (void (*)(uint64_t *))page;
    if (sigsetjmp(escape, 1) == 0) {
      fn(st);
      printf("ok");
      for (int i = 0; i < 6; i++) printf(" %08X", (unsigned)st[slot[i]]);
      printf(" %03X ", (unsigned)(st[8] & 0x8d5));
      for (int i = 0; i < 64; i++) printf("%02X", mem[i]);
      putchar('\n');
    } else
      printf("fault %d\n", fault_signal);
    fflush(stdout);
  }
  return 0;
}
