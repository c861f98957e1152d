// Shared helpers of the oracle programs: output on the Malta ISA UART (ttyS0: PCI I/O 0x3F8 behind the
// GT-64120 window at physical 0x18000000, as QEMU's -kernel boot loader maps it) and the exception log.
#include <stdint.h>

#define UART ((volatile uint8_t *)0xb80003f8)

static void putc_(char c) { UART[0] = (uint8_t)c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void hex(uint32_t v) {
  for (int i = 28; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}
static void line(const char *name, uint32_t v) { puts_(name); putc_(' '); hex(v); putc_('\n'); }

struct exc_log { uint32_t vector, cause, epc, badvaddr, status, count, resume; };
extern volatile struct exc_log exc_log;

#define MFC0(reg, sel) ({ uint32_t v_; __asm__ volatile("mfc0 %0, $" #reg ", " #sel : "=r"(v_)); v_; })
#define MTC0(reg, sel, v) __asm__ volatile("mtc0 %0, $" #reg ", " #sel "\n\tehb" ::"r"((uint32_t)(v)))
