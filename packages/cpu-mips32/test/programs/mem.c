// Memory oracle: sub-word loads with sign extension, unaligned LWL/LWR/SWL/SWR at every offset, and
// LL/SC (success, and failure after an ERET cleared LLbit).
#include "common.h"

static uint8_t buf[32] __attribute__((aligned(8)));

static void fill(void) {
  for (int i = 0; i < 32; i++) buf[i] = (uint8_t)(0x81 + i * 0x11);
}

int main(void) {
  puts_("mem oracle\n");
  fill();
  for (int k = 0; k < 4; k++) {
    int32_t b, h;
    uint32_t bu, hu;
    __asm__ volatile("lb %0, 0(%1)" : "=r"(b) : "r"(buf + 4 + k));
    __asm__ volatile("lbu %0, 0(%1)" : "=r"(bu) : "r"(buf + 4 + k));
    line("lb", (uint32_t)b);
    line("lbu", bu);
    if ((k & 1) == 0) {
      __asm__ volatile("lh %0, 0(%1)" : "=r"(h) : "r"(buf + 4 + k));
      __asm__ volatile("lhu %0, 0(%1)" : "=r"(hu) : "r"(buf + 4 + k));
      line("lh", (uint32_t)h);
      line("lhu", hu);
    }
  }
  for (int k = 0; k < 8; k++) {
    uint32_t l = 0x11223344, r = 0x55667788, both = 0;
    __asm__ volatile("lwl %0, 0(%1)" : "+r"(l) : "r"(buf + 8 + k));
    __asm__ volatile("lwr %0, 0(%1)" : "+r"(r) : "r"(buf + 8 + k));
    __asm__ volatile("lwl %0, 3(%1)\n\tlwr %0, 0(%1)" : "+r"(both) : "r"(buf + 8 + k));
    line("lwl", l);
    line("lwr", r);
    line("ulw", both);
  }
  for (int k = 0; k < 8; k++) {
    fill();
    __asm__ volatile("swl %0, 0(%1)" ::"r"(0xa1b2c3d4), "r"(buf + 8 + k) : "memory");
    line("swl", ((volatile uint32_t *)buf)[2 + k / 4]);
    fill();
    __asm__ volatile("swr %0, 0(%1)" ::"r"(0xa1b2c3d4), "r"(buf + 8 + k) : "memory");
    line("swr", ((volatile uint32_t *)buf)[2 + k / 4]);
    fill();
    __asm__ volatile("swl %0, 3(%1)\n\tswr %0, 0(%1)" ::"r"(0xa1b2c3d4), "r"(buf + 8 + k) : "memory");
    line("usw.lo", ((volatile uint32_t *)buf)[2]);
    line("usw.hi", ((volatile uint32_t *)buf)[3]);
  }
  fill();
  {
    uint32_t v, ok;
    volatile uint32_t *w = (volatile uint32_t *)buf;
    __asm__ volatile("ll %0, 0(%2)\n\taddiu %0, %0, 1\n\tmove %1, %0\n\tsc %1, 0(%2)" : "=&r"(v), "=&r"(ok) : "r"(w) : "memory");
    line("sc ok", ok);
    line("sc value", w[0]);
    __asm__ volatile("ll %0, 0(%2)\n\tsyscall\n\tmove %1, %0\n\tsc %1, 0(%2)" : "=&r"(v), "=&r"(ok) : "r"(w) : "memory");
    line("sc after eret", ok);
    line("value kept", w[0]);
    line("exceptions", exc_log.count);
  }
  {
    volatile uint16_t *hw = (volatile uint16_t *)(buf + 16);
    volatile uint8_t *bw = buf + 20;
    hw[0] = 0xbeef;
    hw[1] = 0x1234;
    bw[0] = 0x01;
    bw[3] = 0xfe;
    line("sh", ((volatile uint32_t *)buf)[4]);
    line("sb", ((volatile uint32_t *)buf)[5]);
  }
  puts_("done\n");
  return 0;
}
