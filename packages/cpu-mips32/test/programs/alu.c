// ALU oracle: every integer operation over a set of operands; prints one checksum per operation.
#include "common.h"

static const uint32_t in[] = {0, 1, 2, 3, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe,
                              0x12345678, 0x87654321, 0x0000ffff, 0xffff0000, 0x00008000, 0x55aa33cc, 31, 32, 33};
#define N (sizeof in / sizeof in[0])

static uint32_t mix(uint32_t h, uint32_t v) { return (((h << 5) | (h >> 27)) ^ v) * 0x9e3779b1u + 7; }

#define OP2(name, insn)                                                              \
  {                                                                                   \
    uint32_t h = 0;                                                                   \
    for (unsigned i = 0; i < N; i++)                                                  \
      for (unsigned j = 0; j < N; j++) {                                              \
        uint32_t r;                                                                   \
        __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(in[i]), "r"(in[j]));      \
        h = mix(h, r);                                                                \
      }                                                                               \
    line(name, h);                                                                    \
  }
#define OP1(name, asmtext)                                                          \
  {                                                                                 \
    uint32_t h = 0;                                                                 \
    for (unsigned i = 0; i < N; i++) {                                              \
      uint32_t r = 0x5a5a5a5a;                                                      \
      __asm__ volatile(asmtext : "+r"(r) : "r"(in[i]));                             \
      h = mix(h, r);                                                                \
    }                                                                               \
    line(name, h);                                                                  \
  }
#define HILO(name, insn, pre)                                                                   \
  {                                                                                              \
    uint32_t h = 0;                                                                              \
    for (unsigned i = 0; i < N; i++)                                                             \
      for (unsigned j = 0; j < N; j++) {                                                         \
        uint32_t hi, lo;                                                                         \
        __asm__ volatile(pre "\n\t" insn " %2, %3\n\tmfhi %0\n\tmflo %1"                         \
                         : "=r"(hi), "=r"(lo) : "r"(in[i]), "r"(in[j]) : "hi", "lo");            \
        h = mix(mix(h, hi), lo);                                                                 \
      }                                                                                          \
    line(name, h);                                                                               \
  }

int main(void) {
  puts_("alu oracle\n");
  OP2("addu", "addu");
  OP2("subu", "subu");
  OP2("and", "and");
  OP2("or", "or");
  OP2("xor", "xor");
  OP2("nor", "nor");
  OP2("slt", "slt");
  OP2("sltu", "sltu");
  OP2("sllv", "sllv");
  OP2("srlv", "srlv");
  OP2("srav", "srav");
  OP2("rotrv", "rotrv");
  OP2("mul", "mul");
  OP2("movz", "movz");
  OP2("movn", "movn");
  HILO("mult", "mult", "");
  HILO("multu", "multu", "");
  HILO("madd", "madd", "mthi %2\n\tmtlo %3");
  HILO("maddu", "maddu", "mthi %3\n\tmtlo %2");
  HILO("msub", "msub", "mthi %2\n\tmtlo %3");
  HILO("msubu", "msubu", "mthi %3\n\tmtlo %2");
  {
    uint32_t h = 0;
    for (unsigned i = 0; i < N; i++)
      for (unsigned j = 0; j < N; j++) {
        if (in[j] == 0) continue;
        uint32_t hi, lo, uhi, ulo;
        __asm__ volatile("div $zero, %2, %3\n\tmfhi %0\n\tmflo %1" : "=r"(hi), "=r"(lo) : "r"(in[i]), "r"(in[j]) : "hi", "lo");
        __asm__ volatile("divu $zero, %2, %3\n\tmfhi %0\n\tmflo %1" : "=r"(uhi), "=r"(ulo) : "r"(in[i]), "r"(in[j]) : "hi", "lo");
        h = mix(mix(mix(mix(h, hi), lo), uhi), ulo);
      }
    line("div/divu", h);
  }
  OP1("clz", "clz %0, %1");
  OP1("clo", "clo %0, %1");
  OP1("seb", "seb %0, %1");
  OP1("seh", "seh %0, %1");
  OP1("wsbh", "wsbh %0, %1");
  OP1("ext 5,11", "ext %0, %1, 5, 11");
  OP1("ext 0,32", "ext %0, %1, 0, 32");
  OP1("ext 31,1", "ext %0, %1, 31, 1");
  OP1("ins 3,9", "ins %0, %1, 3, 9");
  OP1("ins 16,16", "ins %0, %1, 16, 16");
  OP1("sll 7", "sll %0, %1, 7");
  OP1("srl 13", "srl %0, %1, 13");
  OP1("sra 13", "sra %0, %1, 13");
  OP1("rotr 9", "rotr %0, %1, 9");
  OP1("addiu -32768", "addiu %0, %1, -32768");
  OP1("slti -1", "slti %0, %1, -1");
  OP1("sltiu -1", "sltiu %0, %1, -1");
  OP1("sltiu 0x8000", "sltiu %0, %1, 0x7fff");
  OP1("andi", "andi %0, %1, 0x8421");
  OP1("ori", "ori %0, %1, 0x8421");
  OP1("xori", "xori %0, %1, 0xffff");
  OP1("lui", "lui %0, 0x8421\n\taddu %0, %0, %1");
  puts_("done\n");
  return 0;
}
