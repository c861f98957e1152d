// FPU oracle program (24Kf CP1): C float/double code as gcc -march=24kf -mhard-float compiles it,
// and inline assembly for the instructions and modes C does not reach. Every result is printed as
// raw bits with FCSR after it; exceptions print what exc_log caught (Cause, EPC offset).
#include "../programs/common.h"

#define ST_CU1 (1u << 29)
#define ST_FR (1u << 26)

static uint32_t fcsr(void) { uint32_t v; __asm__ volatile("cfc1 %0, $31" : "=r"(v)); return v; }
static void set_fcsr(uint32_t v) { __asm__ volatile("ctc1 %0, $31" ::"r"(v)); }
static uint32_t fbits(float f) { union { float f; uint32_t u; } x = {.f = f}; return x.u; }
static float bitsf(uint32_t u) { union { float f; uint32_t u; } x = {.u = u}; return x.f; }
static uint64_t dbits(double d) { union { double d; uint64_t u; } x = {.d = d}; return x.u; }
static double bitsd(uint64_t u) { union { double d; uint64_t u; } x = {.u = u}; return x.d; }
static void line64(const char *name, uint64_t v) {
  puts_(name); putc_(' '); hex((uint32_t)(v >> 32)); hex((uint32_t)v); putc_('\n');
}
static void flags(void) { line("  fcsr", fcsr()); }

static volatile uint32_t last_count;
static void exc(const char *what) {
  uint32_t n = exc_log.count;
  puts_(what); putc_(' ');
  if (n == last_count) puts_("none\n");
  else { hex(exc_log.cause & 0x3000007c); putc_('\n'); }
  last_count = n;
}

// ---- operations on raw bits (FR = 0: a double is the pair $f2/$f3 etc.) ----
#define OP_S3(fn, ins) \
  static uint32_t fn(uint32_t a, uint32_t b) { uint32_t r = 0; \
    __asm__ volatile("mtc1 %1, $f2\n\tmtc1 %2, $f4\n\tmtc1 $zero, $f0\n\t" ins " $f0, $f2, $f4\n\tmfc1 %0, $f0" \
                     : "=r"(r) : "r"(a), "r"(b) : "$f0", "$f2", "$f4"); return r; }
#define OP_S2(fn, ins) \
  static uint32_t fn(uint32_t a) { uint32_t r = 0; \
    __asm__ volatile("mtc1 %1, $f2\n\tmtc1 $zero, $f0\n\t" ins " $f0, $f2\n\tmfc1 %0, $f0" \
                     : "=r"(r) : "r"(a) : "$f0", "$f2"); return r; }
#define OP_D3(fn, ins) \
  static uint64_t fn(uint64_t a, uint64_t b) { uint32_t lo, hi; \
    __asm__ volatile("mtc1 %2, $f2\n\tmtc1 %3, $f3\n\tmtc1 %4, $f4\n\tmtc1 %5, $f5\n\tmtc1 $zero, $f0\n\tmtc1 $zero, $f1\n\t" \
                     ins " $f0, $f2, $f4\n\tmfc1 %0, $f0\n\tmfc1 %1, $f1" \
                     : "=&r"(lo), "=&r"(hi) : "r"((uint32_t)a), "r"((uint32_t)(a >> 32)), "r"((uint32_t)b), \
                       "r"((uint32_t)(b >> 32)) : "$f0", "$f1", "$f2", "$f3", "$f4", "$f5"); \
    return ((uint64_t)hi << 32) | lo; }
#define OP_D2(fn, ins) \
  static uint64_t fn(uint64_t a) { uint32_t lo, hi; \
    __asm__ volatile("mtc1 %2, $f2\n\tmtc1 %3, $f3\n\tmtc1 $zero, $f0\n\tmtc1 $zero, $f1\n\t" ins " $f0, $f2\n\tmfc1 %0, $f0\n\tmfc1 %1, $f1" \
                     : "=&r"(lo), "=&r"(hi) : "r"((uint32_t)a), "r"((uint32_t)(a >> 32)) : "$f0", "$f1", "$f2", "$f3"); \
    return ((uint64_t)hi << 32) | lo; }

OP_S3(add_s, "add.s") OP_S3(sub_s, "sub.s") OP_S3(mul_s, "mul.s") OP_S3(div_s, "div.s")
OP_S2(sqrt_s, "sqrt.s") OP_S2(abs_s, "abs.s") OP_S2(neg_s, "neg.s") OP_S2(recip_s, "recip.s") OP_S2(rsqrt_s, "rsqrt.s")
OP_S2(cvt_w_s, "cvt.w.s") OP_S2(round_w_s, "round.w.s") OP_S2(trunc_w_s, "trunc.w.s") OP_S2(ceil_w_s, "ceil.w.s")
OP_S2(floor_w_s, "floor.w.s") OP_S2(cvt_s_w, "cvt.s.w")
OP_D3(add_d, "add.d") OP_D3(sub_d, "sub.d") OP_D3(mul_d, "mul.d") OP_D3(div_d, "div.d")
OP_D2(sqrt_d, "sqrt.d") OP_D2(abs_d, "abs.d") OP_D2(neg_d, "neg.d") OP_D2(mov_d, "mov.d")

static uint32_t cvt_s_d(uint64_t a) { uint32_t r;
  __asm__ volatile("mtc1 %1, $f2\n\tmtc1 %2, $f3\n\tcvt.s.d $f0, $f2\n\tmfc1 %0, $f0"
                   : "=r"(r) : "r"((uint32_t)a), "r"((uint32_t)(a >> 32)) : "$f0", "$f2", "$f3"); return r; }
static uint32_t cvt_w_d(uint64_t a) { uint32_t r;
  __asm__ volatile("mtc1 %1, $f2\n\tmtc1 %2, $f3\n\tcvt.w.d $f0, $f2\n\tmfc1 %0, $f0"
                   : "=r"(r) : "r"((uint32_t)a), "r"((uint32_t)(a >> 32)) : "$f0", "$f2", "$f3"); return r; }
static uint64_t cvt_d_s(uint32_t a) { uint32_t lo, hi;
  __asm__ volatile("mtc1 %2, $f2\n\tcvt.d.s $f0, $f2\n\tmfc1 %0, $f0\n\tmfc1 %1, $f1"
                   : "=&r"(lo), "=&r"(hi) : "r"(a) : "$f0", "$f1", "$f2"); return ((uint64_t)hi << 32) | lo; }
static uint64_t cvt_d_w(uint32_t a) { uint32_t lo, hi;
  __asm__ volatile("mtc1 %2, $f2\n\tcvt.d.w $f0, $f2\n\tmfc1 %0, $f0\n\tmfc1 %1, $f1"
                   : "=&r"(lo), "=&r"(hi) : "r"(a) : "$f0", "$f1", "$f2"); return ((uint64_t)hi << 32) | lo; }

// All 16 C.cond.S on one pair: bit n of the result = condition n (cc 0), via MOVT on a GPR.
#define CMP1(n, c) \
  __asm__ volatile("c." c ".s $f2, $f4\n\tmovt %0, %1, $fcc0" : "+r"(bits) : "r"(bits | (1u << n)));
static uint32_t cmp_s_all(uint32_t a, uint32_t b) {
  uint32_t bits = 0;
  __asm__ volatile("mtc1 %0, $f2\n\tmtc1 %1, $f4" ::"r"(a), "r"(b) : "$f2", "$f4");
  CMP1(0, "f") CMP1(1, "un") CMP1(2, "eq") CMP1(3, "ueq") CMP1(4, "olt") CMP1(5, "ult") CMP1(6, "ole")
  CMP1(7, "ule") CMP1(8, "sf") CMP1(9, "ngle") CMP1(10, "seq") CMP1(11, "ngl") CMP1(12, "lt") CMP1(13, "nge")
  CMP1(14, "le") CMP1(15, "ngt")
  return bits;
}
#define CMPD(n, c) \
  __asm__ volatile("c." c ".d $fcc3, $f2, $f4\n\tmovt %0, %1, $fcc3" : "+r"(bits) : "r"(bits | (1u << n)));
static uint32_t cmp_d_all(uint64_t a, uint64_t b) {
  uint32_t bits = 0;
  __asm__ volatile("mtc1 %0, $f2\n\tmtc1 %1, $f3\n\tmtc1 %2, $f4\n\tmtc1 %3, $f5" ::"r"((uint32_t)a),
                   "r"((uint32_t)(a >> 32)), "r"((uint32_t)b), "r"((uint32_t)(b >> 32)) : "$f2", "$f3", "$f4", "$f5");
  CMPD(0, "f") CMPD(1, "un") CMPD(2, "eq") CMPD(3, "ueq") CMPD(4, "olt") CMPD(5, "ult") CMPD(6, "ole")
  CMPD(7, "ule") CMPD(8, "sf") CMPD(9, "ngle") CMPD(10, "seq") CMPD(11, "ngl") CMPD(12, "lt") CMPD(13, "nge")
  CMPD(14, "le") CMPD(15, "ngt")
  return bits;
}

static const uint32_t S_VALS[] = {
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40490fdb, 0x7f7fffff, 0xff7fffff,
  0x00800000, 0x007fffff, 0x00000001, 0x80000001, 0x7f800000, 0xff800000, 0x7fbfffff, 0x7fc00000,
  0x3eaaaaab, 0x4f000000, 0xcf000001, 0x5f000000, 0x3f000000, 0x3fc00001, 0x40200000, 0x00400000,
};
#define NS (sizeof S_VALS / sizeof S_VALS[0])
static const uint64_t D_VALS[] = {
  0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
  0x400921fb54442d18ull, 0x7fefffffffffffffull, 0x0010000000000000ull, 0x000fffffffffffffull,
  0x0000000000000001ull, 0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff7ffffffffffffull,
  0x7ff8000000000000ull, 0x3fd5555555555555ull, 0x41dfffffffc00000ull, 0xc1e0000000200000ull,
  0x3fe0000000000000ull, 0x3ff8000000000001ull, 0x47efffffe0000000ull, 0x36a0000000000000ull,
};
#define ND (sizeof D_VALS / sizeof D_VALS[0])

static void arith_s(void) {
  for (uint32_t rm = 0; rm < 4; rm++) {
    line("rm", rm);
    for (unsigned i = 0; i < NS; i++)
      for (unsigned j = 0; j < NS; j += 3) {
        uint32_t a = S_VALS[i], b = S_VALS[j];
        set_fcsr(rm); uint32_t r0 = add_s(a, b); uint32_t f0 = fcsr();
        set_fcsr(rm); uint32_t r1 = sub_s(a, b); uint32_t f1 = fcsr();
        set_fcsr(rm); uint32_t r2 = mul_s(a, b); uint32_t f2 = fcsr();
        set_fcsr(rm); uint32_t r3 = div_s(a, b); uint32_t f3 = fcsr();
        hex(a); putc_(' '); hex(b); putc_(' ');
        hex(r0); putc_('/'); hex(f0 >> 2); putc_(' '); hex(r1); putc_('/'); hex(f1 >> 2); putc_(' ');
        hex(r2); putc_('/'); hex(f2 >> 2); putc_(' '); hex(r3); putc_('/'); hex(f3 >> 2); putc_('\n');
      }
  }
}

static void unary_s(void) {
  for (uint32_t rm = 0; rm < 4; rm++)
    for (unsigned i = 0; i < NS; i++) {
      uint32_t a = S_VALS[i];
      uint32_t (*fns[])(uint32_t) = {sqrt_s, abs_s, neg_s, recip_s, rsqrt_s, cvt_w_s, round_w_s, trunc_w_s,
                                     ceil_w_s, floor_w_s, cvt_s_w};
      hex(rm); putc_(' '); hex(a);
      for (unsigned k = 0; k < sizeof fns / sizeof fns[0]; k++) {
        set_fcsr(rm); uint32_t r = fns[k](a); uint32_t f = fcsr();
        putc_(' '); hex(r); putc_('/'); hex(f >> 2);
      }
      putc_('\n');
    }
}

static void arith_d(void) {
  for (uint32_t rm = 0; rm < 4; rm++) {
    line("rm", rm);
    for (unsigned i = 0; i < ND; i++)
      for (unsigned j = 0; j < ND; j += 3) {
        uint64_t a = D_VALS[i], b = D_VALS[j];
        uint64_t (*fns[])(uint64_t, uint64_t) = {add_d, sub_d, mul_d, div_d};
        hex((uint32_t)(a >> 32)); hex((uint32_t)a); putc_(' '); hex((uint32_t)(b >> 32)); hex((uint32_t)b);
        for (unsigned k = 0; k < 4; k++) {
          set_fcsr(rm); uint64_t r = fns[k](a, b); uint32_t f = fcsr();
          putc_(' '); hex((uint32_t)(r >> 32)); hex((uint32_t)r); putc_('/'); hex(f >> 2);
        }
        putc_('\n');
      }
  }
  for (uint32_t rm = 0; rm < 4; rm++)
    for (unsigned i = 0; i < ND; i++) {
      uint64_t a = D_VALS[i];
      hex(rm); putc_(' '); hex((uint32_t)(a >> 32)); hex((uint32_t)a);
      set_fcsr(rm); uint64_t r = sqrt_d(a); uint32_t f = fcsr();
      putc_(' '); hex((uint32_t)(r >> 32)); hex((uint32_t)r); putc_('/'); hex(f >> 2);
      set_fcsr(rm); r = abs_d(a); f = fcsr();
      putc_(' '); hex((uint32_t)(r >> 32)); hex((uint32_t)r); putc_('/'); hex(f >> 2);
      set_fcsr(rm); r = neg_d(a) ^ mov_d(a); f = fcsr();
      putc_(' '); hex((uint32_t)(r >> 32)); hex((uint32_t)r); putc_('/'); hex(f >> 2);
      set_fcsr(rm); uint32_t w = cvt_s_d(a); f = fcsr();
      putc_(' '); hex(w); putc_('/'); hex(f >> 2);
      set_fcsr(rm); w = cvt_w_d(a); f = fcsr();
      putc_(' '); hex(w); putc_('/'); hex(f >> 2);
      putc_('\n');
    }
  for (unsigned i = 0; i < NS; i++) {
    set_fcsr(0); uint64_t r = cvt_d_s(S_VALS[i]); line64("cvt.d.s", r); flags();
    set_fcsr(3); r = cvt_d_w(S_VALS[i]); line64("cvt.d.w", r); flags();
  }
}

static void compares(void) {
  for (unsigned i = 0; i < NS; i += 2)
    for (unsigned j = 0; j < NS; j += 5) {
      set_fcsr(0);
      uint32_t r = cmp_s_all(S_VALS[i], S_VALS[j]);
      hex(S_VALS[i]); putc_(' '); hex(S_VALS[j]); putc_(' '); hex(r); putc_(' '); hex(fcsr()); putc_('\n');
    }
  for (unsigned i = 0; i < ND; i += 2)
    for (unsigned j = 1; j < ND; j += 4) {
      set_fcsr(0);
      uint32_t r = cmp_d_all(D_VALS[i], D_VALS[j]);
      hex(r); putc_(' '); hex(fcsr()); putc_('\n');
    }
}

// C code as the compiler emits it.
static volatile float vf[4] = {1.5f, -2.25f, 3.0e38f, 1.0e-40f};
static volatile double vd[4] = {0.1, -7.5, 1.0e308, 4.9e-324};
static volatile int vi[3] = {-7, 123456789, 0x7fffffff};
static void c_code(void) {
  set_fcsr(0);
  float s = 0; double d = 0;
  for (int k = 0; k < 10; k++) { s = s * 1.1f + vf[k & 3]; d = d * 0.7 + vd[k & 3] / 3.0; }
  line("c.sum.s", fbits(s)); line64("c.sum.d", dbits(d)); flags();
  line("c.sqrt", fbits(__builtin_sqrtf(vf[0])));
  line64("c.sqrtd", dbits(__builtin_sqrt(vd[0])));
  line("c.i2f", fbits((float)vi[1])); line64("c.i2d", dbits((double)vi[2]));
  line("c.f2i", (uint32_t)(int)vf[1]); line("c.d2i", (uint32_t)(int)vd[1]);
  line("c.cmp", (vf[0] < vf[1]) | ((vd[0] <= vd[1]) << 1) | ((vf[2] > vf[3]) << 2) | ((vd[2] != vd[3]) << 3) |
                ((vf[0] == vf[0]) << 4));
  double nan = bitsd(0x7ff7ffffffffffffull);
  line("c.nan", (nan < 1.0) | ((nan == nan) << 1) | ((nan != nan) << 2)); flags();
  line("c.inf", fbits(vf[2] * 10.0f)); flags();
  line("c.tiny", fbits(vf[3] * 0.5f)); flags();
  line("c.f2d", (uint32_t)(dbits((double)vf[3]) >> 32));
  line("c.d2f", fbits((float)vd[0])); flags();
  line("c.unsigned", (uint32_t)(unsigned)vd[2] ^ (uint32_t)(float)(unsigned)vi[1]);
  (void)bitsf;
}

static void control(void) {
  uint32_t fir; __asm__ volatile("cfc1 %0, $0" : "=r"(fir)); line("fir", fir);
  set_fcsr(0xffffffff); line("fcsr.all", fcsr());
  set_fcsr(0);
  uint32_t v;
  __asm__ volatile("li %0, 0xa5\n\tctc1 %0, $25\n\tcfc1 %0, $25" : "=&r"(v)); line("fccr", v); line("fcsr", fcsr());
  __asm__ volatile("li %0, 0x3f07c\n\tctc1 %0, $26\n\tcfc1 %0, $26" : "=&r"(v)); line("fexr", v); line("fcsr", fcsr());
  __asm__ volatile("li %0, 0xf87\n\tctc1 %0, $28\n\tcfc1 %0, $28" : "=&r"(v)); line("fenr", v); line("fcsr", fcsr());
  exc("fenr.trap"); // cause bits whose enables are now set
  set_fcsr(0);
  __asm__ volatile("cfc1 %0, $2" : "=r"(v)); line("cfc1.2", v);
  // BC1T/BC1F/BC1TL/BC1FL on cc 0 and 5
  set_fcsr(0x800000 | 0x20000000);
  uint32_t taken = 0;
  __asm__ volatile(".set noreorder\n\t"
                   "bc1t 1f\n\tnop\n\tori %0, %0, 1\n1:\t"
                   "bc1f $fcc5, 2f\n\tnop\n\tori %0, %0, 2\n2:\t"
                   "bc1fl 3f\n\tori %0, %0, 4\n\tori %0, %0, 8\n3:\t"
                   "bc1tl $fcc5, 4f\n\tori %0, %0, 16\n\tori %0, %0, 32\n4:\t"
                   ".set reorder" : "+r"(taken));
  line("bc1", taken);
  // MOVF/MOVT on GPRs and MOVZ/MOVN/MOVF.fmt
  uint32_t g = 0;
  __asm__ volatile("li $t0, 7\n\tmovf %0, $t0, $fcc1\n\t" : "+r"(g) :: "$t0"); line("movf", g);
  __asm__ volatile("li $t0, 9\n\tmovt %0, $t0, $fcc1\n\t" : "+r"(g) :: "$t0"); line("movt", g);
  __asm__ volatile("li $t0, 0x40000000\n\tmtc1 $t0, $f6\n\tmtc1 $zero, $f8\n\tli $t1, 0\n\t"
                   "movz.s $f8, $f6, $t1\n\tmfc1 %0, $f8\n\t" : "=r"(g) :: "$t0", "$t1", "$f6", "$f8"); line("movz.s", g);
  __asm__ volatile("mtc1 $zero, $f8\n\tli $t1, 0\n\tmovn.s $f8, $f6, $t1\n\tmfc1 %0, $f8\n\t" : "=r"(g) :: "$t1", "$f8"); line("movn.s", g);
  __asm__ volatile("mtc1 $zero, $f8\n\tmovt.s $f8, $f6, $fcc5\n\tmfc1 %0, $f8\n\t" : "=r"(g) :: "$f8"); line("movt.s", g);
  __asm__ volatile("mtc1 $zero, $f8\n\tmovf.s $f8, $f6, $fcc5\n\tmfc1 %0, $f8\n\t" : "=r"(g) :: "$f8"); line("movf.s", g);
  set_fcsr(0);
}

static volatile uint64_t mem64[4] __attribute__((aligned(8))) = {0x0123456789abcdefull, 0x3ff0000000000000ull};
static void loads_stores(void) {
  uint32_t lo, hi;
  __asm__ volatile("ldc1 $f10, 0(%2)\n\tmfc1 %0, $f10\n\tmfc1 %1, $f11" : "=&r"(lo), "=&r"(hi) : "r"(mem64) : "$f10", "$f11");
  line("ldc1.lo", lo); line("ldc1.hi", hi);
  __asm__ volatile("sdc1 $f10, 16(%0)\n\tlwc1 $f12, 4(%0)\n\tswc1 $f12, 24(%0)" ::"r"(mem64) : "$f12", "memory");
  line64("sdc1", mem64[2]); line64("swc1", mem64[3]);
  uint32_t idx = 8;
  __asm__ volatile("ldxc1 $f14, %2(%3)\n\tmfc1 %0, $f14\n\tmfc1 %1, $f15" : "=&r"(lo), "=&r"(hi) : "r"(idx), "r"(mem64) : "$f14", "$f15");
  line("ldxc1.lo", lo); line("ldxc1.hi", hi);
  __asm__ volatile("lwxc1 $f16, %1(%2)\n\tmfc1 %0, $f16" : "=r"(lo) : "r"(idx), "r"(mem64) : "$f16"); line("lwxc1", lo);
  __asm__ volatile("swxc1 $f16, %0(%1)\n\tsdxc1 $f14, %0(%2)" ::"r"(idx), "r"(mem64 + 1), "r"(mem64 + 2) : "memory");
  line64("swxc1", mem64[2]); line64("sdxc1", mem64[3]);
  // madd/msub/nmadd/nmsub
  uint32_t r;
  __asm__ volatile("lui $t0, 0x3fc0\n\tmtc1 $t0, $f2\n\tlui $t0, 0x4020\n\tmtc1 $t0, $f4\n\tlui $t0, 0xbf80\n\tmtc1 $t0, $f6\n\t"
                   "madd.s $f0, $f6, $f2, $f4\n\tmfc1 %0, $f0" : "=r"(r) :: "$t0", "$f0", "$f2", "$f4", "$f6"); line("madd.s", r);
  __asm__ volatile("msub.s $f0, $f6, $f2, $f4\n\tmfc1 %0, $f0" : "=r"(r) :: "$f0"); line("msub.s", r);
  __asm__ volatile("nmadd.s $f0, $f6, $f2, $f4\n\tmfc1 %0, $f0" : "=r"(r) :: "$f0"); line("nmadd.s", r);
  __asm__ volatile("nmsub.s $f0, $f6, $f2, $f4\n\tmfc1 %0, $f0" : "=r"(r) :: "$f0"); line("nmsub.s", r);
  __asm__ volatile("lui $t0, 0x7f80\n\tmtc1 $t0, $f2\n\tmtc1 $zero, $f4\n\tnmadd.s $f0, $f6, $f2, $f4\n\tmfc1 %0, $f0"
                   : "=r"(r) :: "$t0", "$f0", "$f2", "$f4"); line("nmadd.nan", r); flags();
  set_fcsr(0);
  __asm__ volatile("ldc1 $f2, 8(%1)\n\tmadd.d $f0, $f2, $f2, $f2\n\tnmsub.d $f4, $f0, $f2, $f0\n\tmfc1 %0, $f5"
                   : "=r"(r) : "r"(mem64) : "$f0", "$f1", "$f2", "$f3", "$f4", "$f5"); line("nmsub.d", r);
}

static void exceptions(void) {
  last_count = exc_log.count;
  // enabled Invalid: 0/0 traps, the destination keeps its value, Cause has V, Flags not set
  set_fcsr(1 << 11);
  uint32_t r = div_s(0, 0); line("trap.div", r); exc("trap.v"); line("  fcsr", fcsr());
  set_fcsr(1 << 10); r = div_s(0x3f800000, 0); exc("trap.z"); line("  fcsr", fcsr());
  set_fcsr(1 << 9); r = mul_s(0x7f7fffff, 0x7f7fffff); exc("trap.o"); line("  fcsr", fcsr());
  set_fcsr(1 << 8); r = mul_s(0x00800000, 0x3f000001); exc("trap.u"); line("  fcsr", fcsr());
  set_fcsr(1 << 7); r = add_s(0x3f800000, 0x33000001); exc("trap.i"); line("  fcsr", fcsr());
  set_fcsr(1 << 7); r = add_s(0x3f800000, 0x3f800000); exc("notrap"); line("  fcsr", fcsr());
  set_fcsr(1 << 11); r = cmp_s_all(0x7fc00000, 0); exc("trap.cmp"); line("  bits", r);
  set_fcsr(0); (void)r;
  // FS (flush to zero)
  set_fcsr(1 << 24); line("fs.mul", mul_s(0x00800000, 0x3f000000)); line("  fcsr", fcsr());
  set_fcsr(1 << 24); line("fs.tiny", mul_s(0x00800000, 0x3f7fffff)); line("  fcsr", fcsr());
  set_fcsr(0); line("nofs.tiny", mul_s(0x00800000, 0x3f7fffff)); line("  fcsr", fcsr());
  set_fcsr(0); line("nofs.round", mul_s(0x00800001, 0x3f7fffff)); line("  fcsr", fcsr());
  set_fcsr(0); line("under.exact", mul_s(0x00800000, 0x3f000000)); line("  fcsr", fcsr());
  // Reserved: a double on an odd register with FR = 0, CVT.L with FR = 0, PS format
  __asm__ volatile(".word 0x46211040"); exc("ri.add.d.odd");         // add.d $f1, $f2, $f1
  __asm__ volatile(".word 0x46001025"); exc("ri.cvt.l.s");           // cvt.l.s $f0, $f2
  __asm__ volatile(".word 0x46c41000"); exc("ri.ps");                // add.ps
  __asm__ volatile(".word 0x46201055"); exc("ri.recip.d");           // recip.d $f1?, fr=0
  __asm__ volatile(".word 0x46001055"); exc("recip.s");              // recip.s $f1, $f2
  { uint32_t r2; set_fcsr(0);
    __asm__ volatile("lui $t0, 0xc000\n\tmtc1 $t0, $f2\n\tlui $t0, 0x3f80\n\tmtc1 $t0, $f4\n\t"
                     ".word 0x46041075\n\tcfc1 %0, $31" : "=r"(r2) :: "$t0", "$f2", "$f4"); // cabs.ule.s
    exc("cabs.s"); line("  fcsr", r2);
    __asm__ volatile("lui $t0, 0xbf80\n\tmtc1 $t0, $f2\n\t.word 0x460410f2\n\tcfc1 %0, $31" // cabs.eq.s $fcc0? (fd=3)
                     : "=r"(r2) :: "$t0", "$f2"); exc("cabs.eq"); line("  fcsr", r2); set_fcsr(0); }
  __asm__ volatile(".word 0x4c400005"); exc("ri.luxc1");             // luxc1 $f0, $0($v0)
  __asm__ volatile(".word 0x46001059"); exc("ri.s.funct25");
  __asm__ volatile(".word 0x45200000\n\tnop"); exc("ri.bc1any2");
  // CU1 = 0: Coprocessor Unusable with CE = 1, also for MOVCI and LWC1
  MTC0(12, 0, MFC0(12, 0) & ~ST_CU1);
  __asm__ volatile("mfc1 $t0, $f0" ::: "$t0"); exc("cpu.mfc1");
  __asm__ volatile("movf $t0, $t1, $fcc0" ::: "$t0"); exc("cpu.movci");
  __asm__ volatile("lwc1 $f0, 0($sp)"); exc("cpu.lwc1");
  __asm__ volatile(".word 0x4c000000"); exc("cpu.cop1x");
  MTC0(12, 0, MFC0(12, 0) | ST_CU1);
  // alignment: LDC1 on a 4-aligned address
  __asm__ volatile("ldc1 $f0, 4(%0)" ::"r"(mem64) : "$f0", "$f1"); exc("adel.ldc1");
  line("  badvaddr", exc_log.badvaddr - (uint32_t)mem64);
}

#define FP64 ".set push\n\t.set fp=64\n\t"
#define FP64_END "\n\t.set pop"
static void fr1(void) {
  MTC0(12, 0, MFC0(12, 0) | ST_FR);
  line("status.fr", MFC0(12, 0) & ST_FR);
  uint32_t lo, hi, r;
  __asm__ volatile(FP64 "ldc1 $f1, 8(%2)\n\tmfc1 %0, $f1\n\tmfhc1 %1, $f1" FP64_END : "=&r"(lo), "=&r"(hi) : "r"(mem64) : "$f1");
  line("fr1.lo", lo); line("fr1.hi", hi);
  __asm__ volatile(FP64 "li $t0, 0x40000000\n\tmthc1 $t0, $f3\n\tmtc1 $zero, $f3\n\tadd.d $f5, $f1, $f3\n\tmfhc1 %0, $f5\n\tmfc1 %1, $f5"
                   : "=&r"(r), "=&r"(lo) :: "$t0", "$f3", "$f5"); line("fr1.add.d", r); line("  lo", lo);
  __asm__ volatile(FP64 "li $t0, 0x4f000000\n\tmtc1 $t0, $f7\n\tcvt.l.s $f9, $f7\n\tmfc1 %0, $f9\n\tmfhc1 %1, $f9"
                   : "=&r"(lo), "=&r"(hi) :: "$t0", "$f7", "$f9"); line("cvt.l.s", lo); line("  hi", hi); flags();
  __asm__ volatile(FP64 "li $t0, 0x5f800000\n\tmtc1 $t0, $f7\n\ttrunc.l.s $f9, $f7\n\tmfc1 %0, $f9\n\tmfhc1 %1, $f9"
                   : "=&r"(lo), "=&r"(hi) :: "$t0", "$f7", "$f9"); line("trunc.l.ovf", lo); line("  hi", hi); flags();
  set_fcsr(0);
  __asm__ volatile(FP64 "li $t0, -3\n\tmtc1 $t0, $f11\n\tli $t0, -1\n\tmthc1 $t0, $f11\n\tcvt.d.l $f13, $f11\n\tcvt.s.l $f15, $f11\n\t"
                   "mfhc1 %0, $f13\n\tmfc1 %1, $f15" FP64_END : "=&r"(hi), "=&r"(lo) :: "$t0", "$f11", "$f13", "$f15");
  line("cvt.d.l", hi); line("cvt.s.l", lo);
  __asm__ volatile(FP64 "luxc1 $f17, %2(%3)\n\tmfc1 %0, $f17\n\tmfhc1 %1, $f17" FP64_END : "=&r"(lo), "=&r"(hi) : "r"(12), "r"(mem64) : "$f17");
  line("luxc1.lo", lo); line("luxc1.hi", hi);
  __asm__ volatile(FP64 "recip.d $f19, $f1\n\tmfhc1 %0, $f19\n\trsqrt.d $f19, $f1\n\tmfhc1 %1, $f19" FP64_END : "=&r"(lo), "=&r"(hi) :: "$f19");
  line("recip.d", lo); line("rsqrt.d", hi);
  // back to FR = 0: the even/odd pair view of the same storage
  MTC0(12, 0, MFC0(12, 0) & ~ST_FR);
  __asm__ volatile("mfc1 %0, $f1\n\tmfc1 %1, $f2" : "=&r"(lo), "=&r"(hi)); line("fr0.f1", lo); line("fr0.f2", hi);
}

int main(void) {
  puts_("fpu oracle\n");
  MTC0(12, 0, MFC0(12, 0) | ST_CU1);
  line("status.cu1", MFC0(12, 0) & (ST_CU1 | ST_FR));
  line("config1.fp", MFC0(16, 1) & 1);
  last_count = exc_log.count;
  control();
  loads_stores();
  c_code();
  arith_s();
  unary_s();
  arith_d();
  compares();
  exceptions();
  fr1();
  puts_("done\n");
  return 0;
}
