/*
 * 32-bit oracle for test/host32.test.ts: runs random user-mode instruction sequences (integer,
 * x87, stack, strings, branches, BCD, deliberate faults) natively in a 32-bit process and prints
 * the state they leave, or the state at the instruction that faulted.
 *
 * Build and run (the test does this): cc -m32 -O1 -o ia32-harness ia32-harness.c; ./ia32-harness < cases
 *
 * Every address the sequence can see is the same here and in cpu-ia32's test machine: a window
 * mapped at 0x100000 holds the code (CODE 0x100000), a 256-byte data block (DATA 0x108000, ESI =
 * DATA+80h so [esi+disp8] reaches all of it), a 256-byte stack block (STACK 0x109000), the FPU
 * image (0x10A000) and a register block (STATE 0x10B000). So CALL's return addresses, PUSH ESP,
 * PUSHAD's ESP slot and LEA on ESI compare as values. Signals run on an alternate stack, so a fault
 * never writes into the stack block.
 *
 * Input, one case per line (hex):  EAX ECX EDX EBX ESP EBP ESI EDI FLAGS DATA STACK IMAGE CODE
 *   IMAGE is the 108-byte FRSTOR image (32-bit protected layout)
 * Output, one line per case:
 *   ok EAX ECX EDX EBX ESP EBP ESI EDI FLAGS DATA STACK CW SW EMPTY ST0..ST7
 *   fault SIGNAL OFFSET EAX ECX EDX EBX ESP EBP ESI EDI FLAGS DATA STACK   (OFFSET = EIP - CODE)
 * FLAGS are masked to OF DF SF ZF AF PF CF (0xCD5); EMPTY is the mask of empty physical registers.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "hex-input.h"

#define WINDOW 0x100000u
#define CODE 0x100000u
#define DATA 0x108000u
#define STACK 0x109000u
#define IMAGE 0x10a000u
#define STATE 0x10b000u
#define EXIT_SLOT (STATE + 0x28)
#define ENTRY_SLOT (STATE + 0x2c)
#define FLAGS_MASK 0xcd5u

/* STATE: eax ecx edx ebx esp ebp esi edi at 0..1C, flags at 20, the host ESP at 24, the exit
   address at 28, the code address at 2C. */
void run_case(void);
void case_exit(void);
__asm__(".text\n"
        ".globl run_case\n"
        "run_case:\n"
        "  pushal\n"
        "  movl %esp, 0x10b024\n"
        "  frstor 0x10a000\n"
        "  movl $0x10b020, %esp\n"
        "  popfl\n"
        "  movl 0x10b000, %eax\n"
        "  movl 0x10b004, %ecx\n"
        "  movl 0x10b008, %edx\n"
        "  movl 0x10b00c, %ebx\n"
        "  movl 0x10b014, %ebp\n"
        "  movl 0x10b018, %esi\n"
        "  movl 0x10b01c, %edi\n"
        "  movl 0x10b010, %esp\n"
        "  jmp *0x10b02c\n"
        ".globl case_exit\n"
        "case_exit:\n"
        "  movl %eax, 0x10b000\n"
        "  movl %ecx, 0x10b004\n"
        "  movl %edx, 0x10b008\n"
        "  movl %ebx, 0x10b00c\n"
        "  movl %esp, 0x10b010\n"
        "  movl %ebp, 0x10b014\n"
        "  movl %esi, 0x10b018\n"
        "  movl %edi, 0x10b01c\n"
        "  movl $0x10b024, %esp\n"
        "  pushfl\n"
        "  fnsave 0x10a000\n"
        "  cld\n"
        "  movl 0x10b024, %esp\n"
        "  popal\n"
        "  ret\n");

static sigjmp_buf escape;
static volatile int fault_signal;
static uint32_t fault_regs[10]; /* eax ecx edx ebx esp ebp esi edi eip eflags */

static void on_fault(int sig, siginfo_t *info, void *ctx) {
  (void)info;
  const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
  static const int order[10] = {REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_UESP,
                                REG_EBP, REG_ESI, REG_EDI, REG_EIP, REG_EFL};
  for (int i = 0; i < 10; i++) fault_regs[i] = (uint32_t)g[order[i]];
  fault_signal = sig;
  siglongjmp(escape, 1);
}


static void print_bytes(uint32_t addr, int n) {
  putchar(' ');
  for (int i = 0; i < n; i++) printf("%02X", ((volatile uint8_t *)(uintptr_t)addr)[i]);
}

static void print_regs(const uint32_t *r, uint32_t flags) {
  for (int i = 0; i < 8; i++) printf(" %08X", r[i]);
  printf(" %03X", flags & FLAGS_MASK);
  print_bytes(DATA, 256);
  print_bytes(STACK, 256);
}

int main(void) {
  void *w = mmap((void *)WINDOW, 0x10000, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (w != (void *)WINDOW) return perror("mmap of the fixed window"), 2;
  static uint8_t alt[1 << 16];
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) return perror("sigaltstack"), 2;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  int sigs[] = {SIGSEGV, SIGFPE, SIGILL, SIGBUS, SIGTRAP};
  for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);

  volatile uint32_t *state = (volatile uint32_t *)(uintptr_t)STATE;
  static char line[1 << 16];
  while (fgets(line, sizeof line, stdin)) {
    char r[9][16], data[600], stack[600], image[300], code[sizeof line];
    if (sscanf(line, "%15s %15s %15s %15s %15s %15s %15s %15s %15s %599s %599s %299s %65000s", r[0], r[1],
               r[2], r[3], r[4], r[5], r[6], r[7], r[8], data, stack, image, code) != 13)
      return fprintf(stderr, "bad input\n"), 2;
    memset((void *)(uintptr_t)WINDOW, 0, 0xc000);
    uint8_t *c = (uint8_t *)(uintptr_t)CODE;
    int n;
    if (unhex(data, (uint8_t *)(uintptr_t)DATA, 256) != 256 || unhex(stack, (uint8_t *)(uintptr_t)STACK, 256) != 256 ||
        unhex(image, (uint8_t *)(uintptr_t)IMAGE, 108) != 108 || (n = unhex(code, c, 0x7000)) < 0)
      return fprintf(stderr, "bad block\n"), 2;
    /* jmp [EXIT_SLOT] */
    c[n] = 0xff, c[n + 1] = 0x25;
    memcpy(c + n + 2, &(uint32_t){EXIT_SLOT}, 4);
    for (int i = 0; i < 8; i++) state[i] = (uint32_t)strtoul(r[i], NULL, 16);
    state[8] = ((uint32_t)strtoul(r[8], NULL, 16) & FLAGS_MASK) | 0x202;
    state[10] = (uint32_t)(uintptr_t)case_exit;
    state[11] = CODE;
    __builtin___clear_cache((char *)c, (char *)c + n + 6);
    if (sigsetjmp(escape, 1) == 0) {
      run_case();
      uint32_t regs[8];
      for (int i = 0; i < 8; i++) regs[i] = state[i];
      printf("ok");
      print_regs(regs, state[8]);
      const uint8_t *img = (const uint8_t *)(uintptr_t)IMAGE;
      unsigned tw = img[8] | (img[9] << 8), empty = 0;
      for (int p = 0; p < 8; p++)
        if (((tw >> (2 * p)) & 3) == 3) empty |= 1u << p;
      printf(" %04X %04X %02X", img[0] | (img[1] << 8), img[4] | (img[5] << 8), empty);
      for (int i = 0; i < 8; i++) {
        putchar(' ');
        for (int b = 9; b >= 0; b--) printf("%02X", img[28 + 10 * i + b]);
      }
      putchar('\n');
    } else {
      __asm__ volatile("fninit; cld");
      printf("fault %d %X", fault_signal, fault_regs[8] - CODE);
      print_regs(fault_regs, fault_regs[9]);
      putchar('\n');
    }
    fflush(stdout);
  }
  return 0;
}
