/*
 * A freestanding runtime for the C test programs (no libc): _start, write/exit through int 80h
 * (the Linux i386 system call ABI, which test/cprog/run.ts answers in cpu-ia32) and output
 * helpers that print exact bit patterns, so the host processor's output is the expected output.
 */
#ifndef RT_H
#define RT_H

typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned short u16;

static inline int sys3(int n, int a, int b, int c) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}

static char outbuf[4096];
static int outlen;

static void flush(void) {
  if (outlen) sys3(4, 1, (int)outbuf, outlen);
  outlen = 0;
}
static void putch(char c) {
  if (outlen == sizeof outbuf) flush();
  outbuf[outlen++] = c;
}
static void puts_(const char *s) {
  while (*s) putch(*s++);
}
static void hex(u64 v, int digits) {
  for (int i = digits - 1; i >= 0; i--) putch("0123456789abcdef"[(v >> (4 * i)) & 15]);
}
static void dec(long long v) {
  char b[24];
  int n = 0;
  u64 u = v < 0 ? -(u64)v : (u64)v;
  if (v < 0) putch('-');
  do b[n++] = (char)('0' + u % 10); while (u /= 10);
  while (n) putch(b[--n]);
}
static void put_f(float x) {
  union { float f; u32 u; } v = {x};
  hex(v.u, 8);
}
static void put_d(double x) {
  union { double d; u64 u; } v = {x};
  hex(v.u, 16);
}
static void put_ld(long double x) {
  union { long double l; struct { u64 m; u16 se; } p; } v;
  v.l = x;
  hex(v.p.se, 4);
  putch(':');
  hex(v.p.m, 16);
}
static void label(const char *s) {
  puts_(s);
  putch(' ');
}
static void nl(void) { putch('\n'); }

static u16 fpu_cw(void) {
  u16 cw;
  __asm__ volatile("fnstcw %0" : "=m"(cw));
  return cw;
}
static void set_cw(u16 cw) { __asm__ volatile("fldcw %0" : : "m"(cw)); }
static u16 fpu_sw(void) {
  u16 sw;
  __asm__ volatile("fnstsw %0" : "=m"(sw));
  return sw;
}

int main(void);

__asm__(".text\n.globl _start\n_start:\n  call main\n  pushl %eax\n  call rt_exit\n");
void rt_exit(int code) {
  flush();
  sys3(1, code, 0, 0);
  for (;;) {
  }
}

#endif
