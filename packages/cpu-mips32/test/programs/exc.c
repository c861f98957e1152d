// Exception oracle: address errors (BadVAddr), overflow, traps, SYSCALL, BREAK, Reserved Instruction,
// Coprocessor Unusable (CE), an exception in a delay slot (EPC = branch, BD), TLB refill / invalid /
// modified with their vectors, refill with EXL = 1 (general vector, EPC kept), user mode (kuseg
// through the TLB, AdEL on kseg0, CpU for CP0, RDHWR), software and timer interrupts (IV = 0 and 1).
#include "common.h"

extern char user_code[];

static void report(const char *what) {
  puts_(what);
  putc_(' ');
  hex(exc_log.vector);
  putc_(' ');
  hex(exc_log.cause & 0xb000007c); // BD, CE, ExcCode
  putc_(' ');
  hex(exc_log.epc);
  putc_(' ');
  hex(exc_log.badvaddr);
  putc_('\n');
  exc_log.vector = 0;
}

#define RESUME_AT(label) __asm__ volatile("la $t9, " label "\n\tsw $t9, %0" : "=m"(exc_log.resume) : : "t9")

static void tlb_write(uint32_t index, uint32_t hi, uint32_t lo0, uint32_t lo1) {
  MTC0(0, 0, index);
  MTC0(10, 0, hi);
  MTC0(2, 0, lo0);
  MTC0(3, 0, lo1);
  MTC0(5, 0, 0);
  __asm__ volatile("tlbwi\n\tehb");
}

int main(void) {
  puts_("exc oracle\n");
  uint32_t v;
  __asm__ volatile("lw %0, 2(%1)" : "=r"(v) : "r"(0x80100000u));
  report("adel");
  __asm__ volatile("sh %0, 1(%1)" ::"r"(0), "r"(0x80100000u));
  report("ades");
  __asm__ volatile("add %0, %1, %1" : "=r"(v) : "r"(0x40000000));
  report("add ov");
  __asm__ volatile("sub %0, %1, %2" : "=r"(v) : "r"(0x80000000), "r"(1));
  report("sub ov");
  __asm__ volatile("addi %0, %1, 1" : "=r"(v) : "r"(0x7fffffff));
  report("addi ov");
  __asm__ volatile("teq %0, %0" ::"r"(5));
  report("teq");
  __asm__ volatile("tltiu %0, 5" ::"r"(3));
  report("tltiu");
  __asm__ volatile("tne %0, %0" ::"r"(5));
  report("tne no trap");
  __asm__ volatile("syscall");
  report("syscall");
  __asm__ volatile("break 7");
  report("break");
  __asm__ volatile(".word 0x7c00003f"); // SPECIAL3 funct 0x3f: reserved
  report("ri");
  __asm__ volatile(".word 0x44020000"); // mfc1 $v0, $f0
  report("cpu1");
  RESUME_AT("1f");
  __asm__ volatile(".set push\n\t.set noreorder\n\tbeq $zero, $zero, 1f\n\tlw $t8, 1($zero)\n\tnop\n1:\n\t.set pop" ::: "t8");
  report("delay slot");

  // TLB: entry 0 maps 0x00400000 (V,D,G) / 0x00401000 (invalid); entry 1 maps 0x00600000 clean (V,G).
  for (int i = 0; i < 16; i++) tlb_write(i, 0x80000000u + i * 0x2000, 0, 0);
  uint32_t pfn = ((uint32_t)user_code & 0x1fffffff) >> 12;
  tlb_write(0, 0x00400000, (pfn << 6) | (3 << 3) | 7, 1);
  tlb_write(1, 0x00600000, (pfn << 6) | (3 << 3) | 3, 1);
  __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(0x00400000u));
  line("mapped word", v);
  __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(0x00000000u)); // kuseg with no TLB entry: refill
  report("refill");
  __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(0x00401000u));
  report("tlb invalid");
  __asm__ volatile("sw %0, 0(%1)" ::"r"(0), "r"(0x00401004u));
  report("tlb invalid store");
  __asm__ volatile("sw %0, 8(%1)" ::"r"(0), "r"(0x00600000u));
  report("tlb mod");
  __asm__ volatile("sw %0, 0(%1)" ::"r"(0), "r"(0x00800000u));
  report("refill store");
  line("entryhi", MFC0(10, 0));
  line("context", MFC0(4, 0) & 0x007ffff0);
  // Refill with EXL = 1: general vector, EPC not updated.
  MTC0(14, 0, 0x8badf00c);
  RESUME_AT("2f");
  __asm__ volatile("mfc0 $t8, $12\n\tori $t8, $t8, 2\n\tmtc0 $t8, $12\n\tehb\n\tlw $t8, 0($zero)\n2:" ::: "t8");
  report("refill exl");
  // tlbp / tlbr
  MTC0(10, 0, 0x00600000);
  __asm__ volatile("tlbp\n\tehb");
  line("tlbp", MFC0(0, 0));
  MTC0(10, 0, 0x00a00000);
  __asm__ volatile("tlbp\n\tehb");
  line("tlbp miss", MFC0(0, 0) & 0x80000000);
  MTC0(0, 0, 1);
  __asm__ volatile("tlbr\n\tehb");
  line("tlbr hi", MFC0(10, 0));
  line("tlbr lo0", MFC0(2, 0));
  line("tlbr lo1", MFC0(3, 0));
  MTC0(10, 0, 0);

  // User mode: run user_code at 0x00400000 (kuseg, through entry 0).
  MTC0(7, 0, 0xf); // HWREna: CPUNum, SYNCI_Step, CC, CCRes
  static const char *const names[] = {"user adel", "user mfc0", "user cache", "user syscall", "user rdhwr29"};
  static const uint32_t entries[] = {0x00400000, 0x00400040, 0x00400080, 0x004000c0, 0x004000e0};
  for (int i = 0; i < 5; i++) {
    RESUME_AT("3f");
    __asm__ volatile("mtc0 %0, $14\n\tli $t8, 0x12\n\tmtc0 $t8, $12\n\tehb\n\teret\n3:" ::"r"(entries[i]) : "t8", "t0", "t1", "memory");
    report(names[i]);
  }
  uint32_t *results = (uint32_t *)((uint32_t)user_code + 0x100);
  for (int i = 0; i < 4; i++) line("user rdhwr", results[i]);
  line("user status", exc_log.status & 0x1f);

  // Software interrupt, IV = 0 (general vector) then IV = 1 (EBase + 0x200).
  MTC0(12, 0, 0x0101); // IM0, IE
  MTC0(13, 0, 0x0100); // IP0
  __asm__ volatile("nop\n\tnop");
  report("swint");
  MTC0(12, 0, 0x0000);
  MTC0(13, 0, (1u << 23) | 0x0200); // IV, IP1
  MTC0(12, 0, 0x0201); // IM1, IE
  __asm__ volatile("nop\n\tnop");
  report("swint iv");
  MTC0(12, 0, 0);
  // Timer: Compare = Count + 2000, wait for IP7.
  MTC0(13, 0, 0);
  MTC0(11, 0, MFC0(9, 0) + 2000);
  line("ti before", MFC0(13, 0) & 0x40008000);
  for (volatile int i = 0; i < 5000000 && (MFC0(13, 0) & 0x40000000) == 0; i++) {
  }
  line("ti after", MFC0(13, 0) & 0x40008000);
  MTC0(12, 0, 0x8001); // IM7, IE: taken now
  __asm__ volatile("nop\n\tnop");
  exc_log.epc = 0; // the interrupted pc depends on timing
  report("timer");
  line("ti cleared", MFC0(13, 0) & 0x40008000);
  MTC0(12, 0, 0);
  line("exceptions", exc_log.count);
  puts_("done\n");
  return 0;
}

// User code (linked at 0x80201000, executed at 0x00400000 through the TLB). Results at +0x100.
// Entry +0x00: RDHWR results, then a load from kseg0 (AdEL). +0x40: MFC0 (CpU, CE=0). +0x80: CACHE
// (CpU). +0xc0: SYSCALL. +0xe0: RDHWR $29 with HWREna.UL clear (RI).
__asm__(".section .user, \"ax\"\n"
        ".set push\n.set noreorder\n"
        ".globl user_code\n"
        "user_code:\n"
        "  lui $t1, 0x40\n"
        "  rdhwr $t0, $0\n  sw $t0, 0x100($t1)\n"
        "  rdhwr $t0, $1\n  sw $t0, 0x104($t1)\n"
        "  rdhwr $t0, $3\n  sw $t0, 0x108($t1)\n"
        "  li $t0, 0x55\n  sw $t0, 0x10c($t1)\n"
        "  lui $t0, 0x8010\n  lw $t0, 0($t0)\n"
        "1: b 1b\n  nop\n"
        ".org 0x40\n  mfc0 $t0, $12\n"
        "2: b 2b\n  nop\n"
        ".org 0x80\n  cache 0x14, 0($zero)\n"
        "3: b 3b\n  nop\n"
        ".org 0xc0\n  syscall\n"
        "4: b 4b\n  nop\n"
        ".org 0xe0\n  rdhwr $t0, $29\n"
        "5: b 5b\n  nop\n"
        ".org 0x100\n  .space 0x20\n"
        ".set pop\n"
        ".text\n");
