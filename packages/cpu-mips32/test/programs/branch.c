// Branch oracle: every conditional branch taken and not taken at the operand edges (delay slot always
// executed), the branch-likely forms (delay slot nullified when not taken, link written either way),
// J/JAL/JR/JALR(.HB)/B/BAL and their link values, delay slots that write the branch's own source or
// load, and the miscellany: SYNC, SYNCI, CACHE, PREF, EI/DI, EHB, RDHWR, conditional traps not taken.
// Each line: name, operands, taken (1) or fell through (2), delay-slot count, link - branch address
// (0 when no link was written).
#include "common.h"

static const uint32_t edge[] = {0, 1, 0xffffffff, 0x80000000, 0x7fffffff};
#define NE (sizeof edge / sizeof edge[0])

static void result(const char *name, uint32_t a, uint32_t b, uint32_t taken, uint32_t slot, uint32_t link) {
  puts_(name);
  putc_(' ');
  hex(a);
  putc_(' ');
  hex(b);
  putc_(' ');
  hex(taken);
  putc_(' ');
  hex(slot);
  putc_(' ');
  hex(link);
  putc_('\n');
}

// Taken: lands on 1: (t = 1); not taken: falls through to the B whose delay slot sets t = 2.
// The delay slot adds 1 to d; the link (if any) is reported relative to the branch's address.
#define BRANCH_BODY(insn)                                                                    \
  ".set push\n\t.set noreorder\n\t.set noat\n\t"                                             \
  "li %0, 0\n\tli %1, 0\n\tli $ra, 0\n\t"                                                    \
  "3: " insn "\n\t"                                                                          \
  "addiu %1, %1, 1\n\t"                                                                      \
  "b 2f\n\t"                                                                                 \
  "li %0, 2\n"                                                                               \
  "1: li %0, 1\n"                                                                            \
  "2: la %2, 3b\n\t"                                                                         \
  "bnez $ra, 4f\n\t"                                                                          \
  "subu %2, $ra, %2\n\t"                                                                     \
  "move %2, $zero\n"                                                                          \
  "4: .set pop"

#define BR2(fn, insn)                                                                        \
  static void fn(uint32_t a, uint32_t b) {                                                   \
    uint32_t t, d, l;                                                                        \
    __asm__ volatile(BRANCH_BODY(insn " %3, %4, 1f")                                         \
                     : "=&r"(t), "=&r"(d), "=&r"(l) : "r"(a), "r"(b) : "$31", "memory");     \
    result(#fn, a, b, t, d, l);                                                              \
  }
#define BR1(fn, insn)                                                                        \
  static void fn(uint32_t a) {                                                               \
    uint32_t t, d, l;                                                                        \
    __asm__ volatile(BRANCH_BODY(insn " %3, 1f") : "=&r"(t), "=&r"(d), "=&r"(l) : "r"(a)     \
                     : "$31", "memory");                                                     \
    result(#fn, a, 0, t, d, l);                                                              \
  }

BR2(beq, "beq")
BR2(bne, "bne")
BR2(beql, "beql")
BR2(bnel, "bnel")
BR1(blez, "blez")
BR1(bgtz, "bgtz")
BR1(bltz, "bltz")
BR1(bgez, "bgez")
BR1(bltzal, "bltzal")
BR1(bgezal, "bgezal")
BR1(blezl, "blezl")
BR1(bgtzl, "bgtzl")
BR1(bltzl, "bltzl")
BR1(bgezl, "bgezl")
BR1(bltzall, "bltzall")
BR1(bgezall, "bgezall")

static void (*const two[])(uint32_t, uint32_t) = {beq, bne, beql, bnel};
static void (*const one[])(uint32_t) = {blez,  bgtz,  bltz,  bgez,    bltzal,
                                        bgezal, blezl, bgtzl, bltzl, bltzall, bgezall, bgezl};

// Jumps: t = 1 when the target ran, d = delay-slot count, l = link - jump address (or the rd value).
#define JUMP(name, setup, insn)                                                              \
  {                                                                                          \
    uint32_t t, d, l, r;                                                                     \
    __asm__ volatile(".set push\n\t.set noreorder\n\t.set noat\n\t"                          \
                     "li %0, 0\n\tli %1, 0\n\tli $ra, 0\n\tli %3, 0\n\t" setup "\n"          \
                     "3: " insn "\n\t"                                                       \
                     "addiu %1, %1, 1\n\t"                                                   \
                     "b 2f\n\t"                                                              \
                     "li %0, 2\n"                                                            \
                     "1: li %0, 1\n"                                                         \
                     "2: la %2, 3b\n\t"                                                      \
                     "bnez %3, 4f\n\t"                                                        \
                     "subu %3, %3, %2\n\t"                                                    \
                     "move %3, $zero\n"                                                       \
                     "4: bnez $ra, 5f\n\t"                                                    \
                     "subu %2, $ra, %2\n\t"                                                   \
                     "move %2, $zero\n"                                                       \
                     "5: .set pop"                                                            \
                     : "=&r"(t), "=&r"(d), "=&r"(l), "=&r"(r) : : "$31", "$24", "memory");   \
    result(name, 0, r, t, d, l);                                                             \
  }

static volatile uint32_t cell = 0x600dcafe;

int main(void) {
  puts_("branch oracle\n");
  for (unsigned k = 0; k < sizeof two / sizeof two[0]; k++)
    for (unsigned i = 0; i < NE; i++)
      for (unsigned j = 0; j < NE; j++) two[k](edge[i], edge[j]);
  for (unsigned k = 0; k < sizeof one / sizeof one[0]; k++)
    for (unsigned i = 0; i < NE; i++) one[k](edge[i]);

  JUMP("j", "", "j 1f")
  JUMP("jal", "", "jal 1f")
  JUMP("b", "", "b 1f")
  JUMP("bal", "", "bal 1f")
  JUMP("jr", "la $t8, 1f", "jr $t8")
  JUMP("jr.hb", "la $t8, 1f", "jr.hb $t8")
  JUMP("jalr", "la $t8, 1f", "jalr $t8")
  JUMP("jalr.hb", "la $t8, 1f", "jalr.hb $t8")
  // rd != 31: the link goes to rd (reported relative to the jump), $ra stays 0.
  JUMP("jalr rd", "la $t8, 1f", "jalr %3, $t8")
  JUMP("jalr.hb rd", "la $t8, 1f", "jalr.hb %3, $t8")

  // A delay slot writing the branch's own source: the branch used the old value.
  for (unsigned i = 0; i < NE; i++) {
    uint32_t a = edge[i], t;
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "li %1, 2\n\t"
                     "bgez %0, 1f\n\t"
                     "addiu %0, %0, -1\n\t"
                     "li %1, 0\n"
                     "1: .set pop"
                     : "+r"(a), "=&r"(t));
    result("bgez own src", edge[i], a, t, 0, 0);
  }
  {
    uint32_t a = 5, b = 5, t;
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "li %2, 2\n\t"
                     "beq %0, %1, 1f\n\t"
                     "addiu %0, %0, 1\n\t"
                     "li %2, 0\n"
                     "1: .set pop"
                     : "+r"(a), "+r"(b), "=&r"(t));
    result("beq own src", a, b, t, 0, 0);
  }
  {
    uint32_t t, l;
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "li %0, 0\n\t"
                     "la %1, 1f\n\t"
                     "jr %1\n\t"
                     "addiu %1, %1, 8\n\t"
                     "li %0, 3\n\t"
                     "nop\n"
                     "1: addiu %0, %0, 1\n\t"
                     "la $t8, 1b\n\t"
                     "subu %1, %1, $t8\n\t"
                     ".set pop"
                     : "=&r"(t), "=&r"(l) : : "$24");
    result("jr own src", 0, 0, t, 0, l);
  }
  // Backward branches: a BNE loop (slot always runs) and a BGTZL loop (slot nullified on exit).
  {
    uint32_t n, c;
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "li %1, 5\n\t"
                     "li %0, 0\n"
                     "1: addiu %0, %0, 1\n\t"
                     "addiu %1, %1, -1\n\t"
                     "bnez %1, 1b\n\t"
                     "addiu %0, %0, 16\n\t"
                     ".set pop"
                     : "=&r"(n), "=&r"(c));
    result("bne loop", 5, c, n, 0, 0);
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "li %1, 5\n\t"
                     "li %0, 0\n"
                     "1: addiu %1, %1, -1\n\t"
                     "bgtzl %1, 1b\n\t"
                     "addiu %0, %0, 1\n\t"
                     ".set pop"
                     : "=&r"(n), "=&r"(c));
    result("bgtzl loop", 5, c, n, 0, 0);
  }
  // The delay slot of a linking branch or JALR sees the new link value.
  {
    uint32_t x, y, a0, a1;
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "li $ra, 0\n\t"
                     "3: bgezal $zero, 1f\n\t"
                     "move %0, $ra\n"
                     "1: la %2, 3b\n\t"
                     "subu %0, %0, %2\n\t"
                     "la $t8, 2f\n\t"
                     "li %1, 0\n"
                     "4: jalr %1, $t8\n\t"
                     "move %1, %1\n\t"
                     "nop\n"
                     "2: la %3, 4b\n\t"
                     "subu %1, %1, %3\n\t"
                     ".set pop"
                     : "=&r"(x), "=&r"(y), "=&r"(a0), "=&r"(a1) : : "$31", "$24");
    result("link in slot", 0, 0, x, y, 0);
  }

  // A load in a delay slot, used at the target; and one nullified by a not-taken branch-likely
  // (an unaligned address: it would raise AdEL if it ran).
  {
    uint32_t v, t;
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "li %1, 2\n\t"
                     "b 1f\n\t"
                     "lw %0, 0(%2)\n\t"
                     "li %1, 0\n"
                     "1: addiu %0, %0, 1\n\t"
                     ".set pop"
                     : "=&r"(v), "=&r"(t) : "r"(&cell) : "memory");
    result("load in slot", 0, v, t, 0, 0);
  }
  {
    uint32_t v = 7, before = exc_log.count;
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "bnel $zero, $zero, 1f\n\t"
                     "lw %0, 1(%1)\n"
                     "1: .set pop"
                     : "+r"(v) : "r"(&cell) : "memory");
    result("nullified load", 0, v, exc_log.count - before, 0, 0);
  }
  {
    uint32_t v = 7, before = exc_log.count;
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "beql $zero, $zero, 1f\n\t"
                     "lw %0, 0(%1)\n"
                     "1: .set pop"
                     : "+r"(v) : "r"(&cell) : "memory");
    result("likely load", 0, v, exc_log.count - before, 0, 0);
  }

  // Miscellany: none of these may raise an exception in kernel mode.
  uint32_t before = exc_log.count;
  __asm__ volatile("sync\n\tsync 0x10" ::: "memory");
  __asm__ volatile("synci 0(%0)" ::"r"(&cell) : "memory");
  __asm__ volatile("cache 0x15, 0(%0)\n\tcache 0x10, 0(%1)" ::"r"(&cell), "r"(main) : "memory");
  __asm__ volatile("pref 0, 0(%0)\n\tpref 1, 4(%0)\n\tpref 0, 0(%1)" ::"r"(&cell), "r"(0) : "memory");
  __asm__ volatile("ehb\n\tssnop\n\tnop");
  line("misc exceptions", exc_log.count - before);
  {
    uint32_t s0, s1, s2, s3;
    __asm__ volatile("di %0\n\tehb\n\tei %1\n\tehb\n\tdi %2\n\tehb\n\tmfc0 %3, $12"
                     : "=&r"(s0), "=&r"(s1), "=&r"(s2), "=&r"(s3));
    line("di", s0);
    line("ei", s1);
    line("di after ei", s2);
    line("status", s3);
  }
  {
    uint32_t cpunum, step, ccres, c0, c1;
    before = exc_log.count;
    __asm__ volatile("rdhwr %0, $0\n\trdhwr %1, $1\n\trdhwr %2, $3\n\trdhwr %3, $2\n\tnop\n\trdhwr %4, $2"
                     : "=&r"(cpunum), "=&r"(step), "=&r"(ccres), "=&r"(c0), "=&r"(c1));
    line("rdhwr cpunum", cpunum);
    line("rdhwr synci_step", step);
    line("rdhwr ccres", ccres);
    line("rdhwr cc monotonic", (uint32_t)((int32_t)(c1 - c0) >= 0));
    line("rdhwr exceptions", exc_log.count - before);
  }
  // Conditional traps with non-trapping operands at the edges (taken traps are in exc.c).
  before = exc_log.count;
#define T2(insn, a, b) __asm__ volatile(insn " %0, %1" ::"r"(a), "r"(b))
#define TI(insn, a, imm) __asm__ volatile(insn " %0, " #imm ::"r"(a))
  T2("teq", 0, 1);
  T2("teq", 0x80000000, 0x7fffffff);
  T2("tne", 0, 0);
  T2("tne", 0x80000000, 0x80000000);
  T2("tge", 0x80000000, 0x7fffffff);
  T2("tge", 0xffffffff, 0);
  T2("tge", 0x80000000, 0xffffffff);
  T2("tgeu", 0x7fffffff, 0x80000000);
  T2("tgeu", 0, 1);
  T2("tgeu", 0xfffffffe, 0xffffffff);
  T2("tlt", 0x7fffffff, 0x80000000);
  T2("tlt", 0, 0xffffffff);
  T2("tlt", 5, 5);
  T2("tltu", 0x80000000, 0x7fffffff);
  T2("tltu", 0xffffffff, 0);
  T2("tltu", 0, 0);
  TI("teqi", 0xffffffff, 1);
  TI("teqi", 0x80000000, 0);
  TI("tnei", 0xffffffff, -1);
  TI("tnei", 0, 0);
  TI("tgei", 0x80000000, 0);
  TI("tgei", 0xffffffff, 0);
  TI("tgeiu", 0x7fffffff, -1);
  TI("tgeiu", 0, 1);
  TI("tlti", 0x7fffffff, -1);
  TI("tlti", 0, 0);
  TI("tltiu", 0xffffffff, -1);
  TI("tltiu", 0x80000000, 0x7fff);
  line("traps taken", exc_log.count - before);
  // Address checks on an unmapped kuseg address (the TLB cleared first): vector, ExcCode, BadVAddr
  // of what each raised (0 0 0: nothing). A load is the reference.
  for (uint32_t k = 0; k < 16; k++) {
    MTC0(0, 0, k);
    MTC0(10, 0, 0x80000000u + k * 0x2000);
    MTC0(2, 0, 0);
    MTC0(3, 0, 0);
    __asm__ volatile("tlbwi\n\tehb");
  }
#define ADDRESS_CHECK(name, insn)                                                      \
  {                                                                                    \
    exc_log.vector = exc_log.cause = exc_log.badvaddr = 0;                             \
    __asm__ volatile(insn ::"r"(0x00000100u) : "memory");                              \
    puts_(name);                                                                       \
    putc_(' ');                                                                        \
    hex(exc_log.vector);                                                               \
    putc_(' ');                                                                        \
    hex(exc_log.cause & 0x7c);                                                         \
    putc_(' ');                                                                        \
    hex(exc_log.badvaddr);                                                             \
    putc_('\n');                                                                       \
  }
  ADDRESS_CHECK("unmapped lw", "lw $zero, 0(%0)")
  ADDRESS_CHECK("unmapped cache hit", "cache 0x15, 0(%0)")
  ADDRESS_CHECK("unmapped synci", "synci 0(%0)")
  ADDRESS_CHECK("unmapped pref", "pref 0, 0(%0)")
  puts_("done\n");
  return 0;
}
