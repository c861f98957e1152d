// Numeric kernels as gcc -O2 -march=24kf compiles them (compares and BC1
// branches, conversions, float/double mixes): results printed as raw bits.
#include "../programs/common.h"

static uint32_t fcsr(void) { uint32_t v; __asm__ volatile("cfc1 %0, $31" : "=r"(v)); return v; }
static void set_fcsr(uint32_t v) { __asm__ volatile("ctc1 %0, $31" ::"r"(v)); }
static uint64_t dbits(double d) { union { double d; uint64_t u; } x = {.d = d}; return x.u; }
static uint32_t fbits(float f) { union { float f; uint32_t u; } x = {.f = f}; return x.u; }
static void line64(const char *name, uint64_t v) {
  puts_(name); putc_(' '); hex((uint32_t)(v >> 32)); hex((uint32_t)v); putc_('\n');
}

#define N 12
static double a[N][N], b[N][N], c[N][N];
static float fa[64];
static volatile double seedv = 0.6180339887498949;

static double newton_sqrt(double x) {
  double r = x > 1.0 ? x / 2.0 : 1.0;
  for (int k = 0; k < 60; k++) r = 0.5 * (r + x / r);
  return r;
}
static double sin_series(double x) {
  double term = x, sum = x;
  for (int k = 1; k < 20; k++) { term = -term * x * x / ((2 * k) * (2 * k + 1)); sum += term; }
  return sum;
}
static double horner(const double *p, int n, double x) {
  double r = p[n - 1];
  for (int k = n - 2; k >= 0; k--) r = r * x + p[k];
  return r;
}
static int mandel(double cr, double ci) {
  double zr = 0, zi = 0;
  int n = 0;
  while (n < 60 && zr * zr + zi * zi <= 4.0) { double t = zr * zr - zi * zi + cr; zi = 2 * zr * zi + ci; zr = t; n++; }
  return n;
}

static void run(void) {
  double s = seedv;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) { s = s * 3.9 * (1.0 - s); a[i][j] = s - 0.5; s = s * 3.9 * (1.0 - s); b[i][j] = s * 2.0; }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double t = 0;
      for (int k = 0; k < N; k++) t += a[i][k] * b[k][j];
      c[i][j] = t;
    }
  uint32_t h = 0;
  for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) { uint64_t v = dbits(c[i][j]); h = (h * 31) ^ (uint32_t)v ^ (uint32_t)(v >> 32); }
  line("matmul.hash", h);
  line64("c[3][7]", dbits(c[3][7]));
  for (int k = 1; k < 6; k++) line64("sqrt", dbits(newton_sqrt(k * 7.25)));
  for (int k = -3; k <= 3; k++) line64("sin", dbits(sin_series(k * 0.7)));
  static const double p[] = {1.0, -0.5, 0.3333333333333333, -0.25, 0.2, -0.16666666666666666};
  for (int k = 0; k < 4; k++) line64("horner", dbits(horner(p, 6, 0.1 + k * 0.3)));
  uint32_t m = 0;
  for (int y = -6; y < 6; y++) for (int x = -10; x < 4; x++) m = m * 7 + (uint32_t)mandel(x / 5.0, y / 5.0);
  line("mandel", m);
  float f = 1.0f;
  for (int k = 0; k < 64; k++) { fa[k] = f; f = f * 1.37f - (float)k / 3.0f; }
  float fs = 0;
  for (int k = 0; k < 64; k++) fs += fa[k] * fa[63 - k];
  line("float.dot", fbits(fs));
  int ints = 0;
  for (int k = 0; k < 64; k++) ints += (int)(fa[k] / 1000.0f) + (int)(double)(unsigned)(k * 12345u);
  line("ints", (uint32_t)ints);
  line("to.int", (uint32_t)(int)(c[1][1] * 1e8));
  line64("from.uint", dbits((double)(unsigned)(h * 2654435761u)));
  line("fcsr", fcsr());
}

int main(void) {
  puts_("fpu kernels\n");
  MTC0(12, 0, MFC0(12, 0) | (1u << 29));
  for (uint32_t rm = 0; rm < 4; rm++) {
    line("rm", rm);
    set_fcsr(rm);
    run();
  }
  puts_("done\n");
  return 0;
}
