/*
 * x87 numeric kernels in C, compiled by gcc -m32 for the x87 (the build script makes a P6 build,
 * with FCOMI/FCMOV, and a 386 build, with FNSTSW/SAHF). Every result is printed as its exact bit
 * pattern; the expected output is what this machine's own processor printed.
 */
#include "rt.h"

static u32 seed = 12345;
static u32 rnd(void) { return seed = seed * 1103515245u + 12345u; }

/* Doubles of many magnitudes and classes: normals, small integers, zeros, denormals, infinities, NaNs. */
static double sample(void) {
  u32 k = rnd() >> 28, a = rnd(), b = rnd();
  union { double d; u64 u; } v;
  switch (k) {
  case 0: return (double)(int)(a % 2001) - 1000;
  case 1: return 0.0;
  case 2: v.u = (u64)(b & 0xfffff) << 32 | a; return v.d; /* denormal */
  case 3: v.u = 0x7ff0000000000000ull | ((u64)(k & 1) << 63); return v.d;
  case 4: v.u = 0x7ff8000000000000ull | a; return v.d;
  default:
    v.u = ((u64)(b & 0x800fffff) << 32 | a) | ((u64)(1023 + (int)(rnd() % 160) - 80) << 52);
    return v.d;
  }
}

static void arithmetic(void) {
  label("arith");
  nl();
  for (int i = 0; i < 40; i++) {
    volatile double x = sample(), y = sample();
    long double a = x, b = y;
    put_ld(a + b); putch(' ');
    put_ld(a - b); putch(' ');
    put_ld(a * b); putch(' ');
    put_ld(a / b); putch(' ');
    put_d(x * y + x); putch(' ');
    put_f((float)x / (float)y); putch(' ');
    putch(x < y ? '<' : x > y ? '>' : x == y ? '=' : 'u');
    putch(a <= b ? 'L' : 'g');
    nl();
  }
}

static void conversions(void) {
  static const u16 rc[4] = {0x037f, 0x077f, 0x0b7f, 0x0f7f};
  label("convert");
  nl();
  for (int i = 0; i < 30; i++) {
    volatile double x = sample() * (double)(rnd() % 4096);
    for (int m = 0; m < 4; m++) {
      set_cw(rc[m]);
      long long q;
      int r;
      short s;
      __asm__ volatile("fistpll %0" : "=m"(q) : "t"((long double)x) : "st");
      __asm__ volatile("fistpl %0" : "=m"(r) : "t"((long double)x) : "st");
      __asm__ volatile("fistps %0" : "=m"(s) : "t"((long double)x) : "st");
      hex((u64)q, 16); putch(' '); hex((u32)r, 8); putch(' '); hex((u16)s, 4); putch(' ');
      put_f((float)x); putch(' ');
    }
    set_cw(0x037f);
    long long t = (long long)x; /* truncation through a control-word switch */
    hex((u64)t, 16); putch(' ');
    put_d((double)(long long)(rnd() * 2654435761ull)); putch(' ');
    hex(fpu_sw() & 0x3f, 2);
    __asm__ volatile("fnclex");
    nl();
  }
}

static void precision(void) {
  static const u16 pc[3] = {0x007f, 0x027f, 0x037f};
  label("precision");
  nl();
  for (int i = 0; i < 20; i++) {
    volatile double x = sample(), y = sample();
    for (int m = 0; m < 3; m++) {
      set_cw(pc[m] | (u16)((i & 3) << 10));
      long double a = x, b = y, r;
      __asm__ volatile("fdivr %%st(1), %%st" : "=t"(r) : "0"(a), "u"(b));
      put_ld(r); putch(' ');
      __asm__ volatile("fsqrt" : "=t"(r) : "0"(a < 0 ? -a : a));
      put_ld(r); putch(' ');
    }
    set_cw(0x037f);
    __asm__ volatile("fnclex");
    nl();
  }
}

/* Numeric kernels: Horner, Newton's square root, Kahan summation, an 8x8 matrix product. */
static void kernels(void) {
  label("kernels");
  nl();
  long double p = 0;
  static const long double coef[] = {1.0L, -0.5L, 1.0L / 3, -0.25L, 0.2L, -1.0L / 6, 1.0L / 7};
  for (int i = 0; i < 16; i++) {
    long double x = (long double)i / 7 - 1;
    p = 0;
    for (int k = 6; k >= 0; k--) p = p * x + coef[k];
    put_ld(p); putch(' ');
  }
  nl();
  for (int i = 1; i < 20; i++) {
    double s = i * 1.37, g = s;
    for (int k = 0; k < 8; k++) g = 0.5 * (g + s / g);
    put_d(g); putch(' ');
  }
  nl();
  float sum = 0, c = 0, naive = 0;
  for (int i = 1; i <= 2000; i++) {
    float t = 1.0f / (float)i, y = t - c, z = sum + y;
    c = (z - sum) - y;
    sum = z;
    naive += t;
  }
  put_f(sum); putch(' '); put_f(naive); nl();
  double A[8][8], B[8][8], C[8][8];
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) A[i][j] = (double)(int)(rnd() % 1000) / 7, B[i][j] = (double)(i - j) / 3;
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) {
      long double acc = 0;
      for (int k = 0; k < 8; k++) acc += (long double)A[i][k] * B[k][j];
      C[i][j] = (double)acc;
    }
  for (int i = 0; i < 8; i++) {
    put_d(C[i][i]); putch(' ');
  }
  nl();
}

/* Transcendental and other partial instructions, on in-domain operands. */
static void transcendental(void) {
  label("transcendental");
  nl();
  for (int i = 0; i < 24; i++) {
    long double x = (long double)(int)(rnd() % 20000 - 10000) / 1777, r, r2;
    __asm__ volatile("fsin" : "=t"(r) : "0"(x)); put_ld(r); putch(' ');
    __asm__ volatile("fcos" : "=t"(r) : "0"(x)); put_ld(r); putch(' ');
    __asm__ volatile("fsincos" : "=t"(r), "=u"(r2) : "0"(x)); put_ld(r); putch(' '); put_ld(r2); putch(' ');
    __asm__ volatile("fptan; fstp %%st(0)" : "=t"(r) : "0"(x)); put_ld(r); putch(' ');
    __asm__ volatile("fpatan" : "=t"(r) : "0"(x), "u"(1.5L) : "st(1)"); put_ld(r); putch(' ');
    long double f = x / 16;
    __asm__ volatile("f2xm1" : "=t"(r) : "0"(f)); put_ld(r); putch(' ');
    long double ax = x < 0 ? -x : x;
    __asm__ volatile("fyl2x" : "=t"(r) : "0"(ax + 0.25L), "u"(x) : "st(1)"); put_ld(r); putch(' ');
    __asm__ volatile("fyl2xp1" : "=t"(r) : "0"(f / 8), "u"(x) : "st(1)"); put_ld(r); putch(' ');
    __asm__ volatile("fscale" : "=t"(r) : "0"(x), "u"((long double)(i - 12))); put_ld(r); putch(' ');
    __asm__ volatile("1: fprem; fnstsw %%ax; sahf; jp 1b" : "=t"(r) : "0"(x * 1000), "u"(1.25L) : "ax", "cc");
    put_ld(r); putch(' ');
    __asm__ volatile("1: fprem1; fnstsw %%ax; sahf; jp 1b" : "=t"(r) : "0"(x * 1000), "u"(1.25L) : "ax", "cc");
    put_ld(r); putch(' ');
    __asm__ volatile("fxtract" : "=t"(r), "=u"(r2) : "0"(x)); put_ld(r); putch(' '); put_ld(r2); putch(' ');
    __asm__ volatile("frndint" : "=t"(r) : "0"(x * 3)); put_ld(r);
    nl();
  }
}

/* Packed BCD and the status word after special operations. */
static void bcd_and_status(void) {
  label("bcd");
  nl();
  for (int i = 0; i < 12; i++) {
    unsigned char b[10];
    long double x = (long double)(int)(rnd() % 2000000) * (i & 1 ? -1 : 1) / (1 + i % 3);
    __asm__ volatile("fbstp %0" : "=m"(b) : "t"(x) : "st");
    for (int k = 9; k >= 0; k--) hex(b[k], 2);
    long double back;
    __asm__ volatile("fbld %1" : "=t"(back) : "m"(b));
    putch(' '); put_ld(back); nl();
  }
  volatile double zero = 0, one = 1, big = 1e308, tiny = 1e-308;
  long double r;
  __asm__ volatile("fnclex");
  r = one / zero; put_ld(r); putch(' '); hex(fpu_sw() & 0x3f, 2); nl();
  __asm__ volatile("fnclex");
  r = zero / zero; put_ld(r); putch(' '); hex(fpu_sw() & 0x3f, 2); nl();
  __asm__ volatile("fnclex");
  volatile double d = big * big; put_d(d); putch(' '); hex(fpu_sw() & 0x3f, 2); nl();
  __asm__ volatile("fnclex");
  d = tiny * tiny; put_d(d); putch(' '); hex(fpu_sw() & 0x3f, 2); nl();
  __asm__ volatile("fnclex");
  u16 tw_env[14];
  __asm__ volatile("fldpi; fldz; fld1; fnstenv %0; fstp %%st(0); fstp %%st(0); fstp %%st(0)" : "=m"(tw_env));
  hex(tw_env[4], 4); putch(' '); hex(tw_env[2] & 0x3800, 4); nl();
}

int main(void) {
  put_ld(3.0L); nl();
  hex(fpu_cw(), 4); nl();
  arithmetic();
  conversions();
  precision();
  kernels();
  transcendental();
  bcd_and_status();
  return 0;
}
