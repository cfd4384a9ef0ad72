// Vector (f32x4) exp, tanh and sigmoid: deterministic, within 1 ulp.
//
// AssemblyScript-internal (not Wasm exports): inlined into the activation loops
// (activations.ts) and into fused kernels.
//
// Contract
// - exp4/tanh4/sigmoid4 work lane by lane on four f32; exp1/tanh1/sigmoid1 run the very same
//   vector code on a splatted scalar and return lane 0, so a scalar tail element gets exactly
//   the bits it would get inside a vector.
// - Only IEEE-exact Wasm operations: f32x4 add/sub/mul/div/abs/neg/pmin/pmax/compare,
//   bitselect/and/or and i32x4 add/sub/shifts on the bit patterns. No relaxed SIMD, no FMA, no
//   tables, no calls: the bits are the same on every engine and CPU.
// - NaN in -> the same NaN out (input bits passed through unchanged). Without that final select
//   the sign and payload of a NaN made by arithmetic would depend on the CPU (x86 vs ARM).
// - Accuracy, measured exhaustively over all 2^32 inputs against the float64 result rounded to
//   f32 (Math.tanh, 1/(1+Math.exp(-x)), Math.exp; test/vmath.test.ts re-checks a 2 M sample):
//     tanh4     max 1 ulp (max 1.07 ulp against the unrounded float64 value), 99.87% correctly
//               rounded; tanh(+-0) = +-0, exactly +-1 from |x| >= 9.0109139 (= 13 ln 2, where
//               the rounded float64 result becomes 1 too) and for +-inf; monotonic
//     sigmoid4  max 1 ulp (1.47 unrounded), 98.2% correctly rounded; below 2^-126 at most one
//               step of 2^-149 off; exactly 1 from x >= 17.33 (25 ln 2), exactly 0 from
//               x <= -103.972 (150 ln 2); sigmoid(0) = 0.5, sigmoid(+inf) = 1, sigmoid(-inf) = +0;
//               not monotonic (the last rounding can step back by 1 ulp: 760 k places)
//     exp4      max 1 ulp (0.98 unrounded), 99.6% correctly rounded; denormals at most one step
//               off; +inf from x >= 88.72284, +0 from x <= -103.972; monotonic
//
// Method
// exp (Cody & Waite range reduction + polynomial, the scheme of Cephes expf.c (S. Moshier) and
// FreeBSD msun/src/e_expf.c; own code, own minimax coefficients):
//   n = round(x / ln 2), r = x - n ln 2 (in two pieces, exact), |r| <= 0.3466
//   e^x = 2^n (1 + s),  s = r + r^2 Q(r)  (Q: degree-4 minimax fit)
//   n is found with the "shifter" trick: t = x log2(e) + 1.5 * 2^23 rounds x log2(e) to an
//   integer held in the low mantissa bits of t, so  (bits(t) << 23)  is already n << 23 and
//   2^n is one integer add away; n = t - 1.5 * 2^23 is the same integer as an f32.
// tanh (odd polynomial near 0, 1 - 2/(e^2x + 1) elsewhere: the split of Cephes tanhf.c, own
// coefficients and switch point):
//   |x| < 0.75:  tanh x = x + x^3 P(x^2)  (P: degree-5 minimax fit on the relative error)
//                 -- never 1 - 2/(e^2x + 1) near 0, which cancels every bit
//   |x| >= 0.75: tanh |x| = 1 - 2 / (e^{2|x|} + 1), with |x| clamped to 9.5 (above 9.0109 the
//                 f32 result is 1 anyway; the clamp keeps e^{2|x|} finite for +-inf)
//   then the sign of x is put back (so tanh(-0) = -0 and tanh is exactly odd).
// sigmoid, with e = e^{-|x|} in (0, 1] (never overflows; |x| clamped to 110 where e^{-|x|}
// rounds to 0):
//   x >= 0: 1 / (1 + e),   x < 0: e / (1 + e)
//   Done plainly that measured 2.2 ulp (the 0.5 ulp rounding of e is doubled when e and the result
//   sit at opposite ends of their binades), so e is kept as e_hi + e_lo (the rounding error
//   of 1 + s, exact by Fast2Sum) and the rounding error of 1 + e_hi is kept as well; one
//   first-order correction q + w (num_lo - q Delta) then removes both, with 1/(1 + e) ~ q
//   (x >= 0) or 1 - q (x < 0) standing in for a second division.
//   e is scaled by 2^(n+64) then by 2^-64, so in the denormal range it is rounded only once.
//
// Polynomial coefficients: weighted minimax (Lawson's iteration on 4000 Chebyshev nodes,
// reference values from mpmath at 40 digits) of the relative error of the final function,
// then rounded to the nearest f32; the f32 bit pattern is given next to each.

// ---- exp range reduction ----------------------------------------------------------------
const LOG2E: f32 = 1.442695;           // 1/ln 2 rounded to f32 (0x3fb8aa3b); only picks n
const SHIFTER: f32 = 12582912.0;       // 1.5 * 2^23 (0x4b400000): x + SHIFTER rounds x to an
                                       // integer (ties to even) for |x| < 2^22
const SHIFTER_BITS: i32 = 0x4b400000;  // bits(SHIFTER): bits(t) - SHIFTER_BITS = n
const LN2_HI: f32 = 0.693359375;       // 355/512, ln 2 to 9 bits (Cephes expf "C1"): n * LN2_HI
                                       // is exact for |n| < 2^15 and x - n * LN2_HI is exact
                                       // (Sterbenz) because x ~ n ln 2
const LN2_LO: f32 = -2.1219444e-4;     // ln 2 - 355/512 = -2.12194440054690583e-4 rounded to
                                       // f32 (0xb95e8083)
// e^r = 1 + r + r^2 (E0 + E1 r + E2 r^2 + E3 r^3 + E4 r^4) on |r| <= 0.35; minimax relative
// error of the polynomial 3.3e-9 (Taylor would be 1/2, 1/6, 1/24, 1/120, 1/720)
const E0: f32 = 0.49999994;            // 0x3efffffe
const E1: f32 = 0.16666515;            // 0x3e2aaa45
const E2: f32 = 0.041668456;           // 0x3d2aac8b
const E3: f32 = 0.00836941;            // 0x3c091fda
const E4: f32 = 0.0013813161;          // 0x3ab50d47
const EXP_MIN: f32 = -110.0;           // exp clamp: e^-110 = 1.7e-48 rounds to 0 (half the
                                       // smallest denormal is 7.0e-46); n >= -159
const EXP_MAX: f32 = 89.0;             // exp clamp: e^89 = 4.5e38 > FLT_MAX rounds to +inf;
                                       // n <= 128, and |x log2 e| << 2^22 for the shifter
const ONE_BITS: i32 = 0x3f800000;      // bits(1.0f): (n << 23) + ONE_BITS = bits(2^n)
const BIAS64_BITS: i32 = 0x5f800000;   // bits(2^64) = (127 + 64) << 23
const TWO_M64: f32 = 5.421010862427522e-20; // 2^-64 (0x1f800000), exact

// ---- tanh ---------------------------------------------------------------------------------
const TANH_POLY_MAX: f32 = 0.75;       // |x| < 0.75: polynomial. At and above, t = 2/(E + 1)
                                       // <= 0.365 and 1 - t >= 0.635: the relative error of t
                                       // reaches the result scaled by <= 0.365/0.635 = 0.57
                                       // (switching at 0.55 or 0.625 measured 1.3-1.4 ulp
                                       // against float64, at 0.75 1.07)
const TANH_CLAMP: f32 = 9.5;           // tanh(x) rounds to 1 in f32 from x = 13 ln 2 = 9.0109
                                       // (1 - tanh x = 2/(e^2x + 1) < 2^-25); e^19 is finite
// tanh x = x + x^3 (T0 + T1 z + T2 z^2 + T3 z^3 + T4 z^4 + T5 z^5), z = x^2, |x| <= 0.75;
// minimax relative error of tanh 1.6e-9 (Taylor would be -1/3, 2/15, -17/315, ...)
const T0: f32 = -0.33333316;           // 0xbeaaaaa5
const T1: f32 = 0.13332695;            // 0x3e0886dc
const T2: f32 = -0.053892724;          // 0xbd5cbe9e
const T3: f32 = 0.021452034;           // 0x3cafbc2d
const T4: f32 = -0.0076572555;         // 0xbbfae9b7
const T5: f32 = 0.0017369358;          // 0x3ae3a9e5

// ---- sigmoid ------------------------------------------------------------------------------
const SIGMOID_CLAMP: f32 = 110.0;      // e^-110 rounds to 0: sigmoid(-x) = 0, sigmoid(x) = 1
const SIGN_BITS: i32 = <i32>0x80000000;    // f32 sign bit


// ---- constants as vectors ------------------------------------------------------------------
// V8 (Node 20's V8 11 at least) rebuilds a v128 constant at every use inside a loop from a
// 64-bit immediate: three instructions, which made up nearly half of tanh4. A 16-byte load from
// this table is one instruction. Same values, so the same bits. Entry i holds 4 copies of one f32.
const KTAB: usize = memory.data<f32>([
  EXP_MIN, EXP_MIN, EXP_MIN, EXP_MIN,   // 0
  EXP_MAX, EXP_MAX, EXP_MAX, EXP_MAX,   // 1
  LOG2E, LOG2E, LOG2E, LOG2E,   // 2
  SHIFTER, SHIFTER, SHIFTER, SHIFTER,   // 3
  LN2_HI, LN2_HI, LN2_HI, LN2_HI,   // 4
  LN2_LO, LN2_LO, LN2_LO, LN2_LO,   // 5
  E0, E0, E0, E0,   // 6
  E1, E1, E1, E1,   // 7
  E2, E2, E2, E2,   // 8
  E3, E3, E3, E3,   // 9
  E4, E4, E4, E4,   // 10
  TANH_POLY_MAX, TANH_POLY_MAX, TANH_POLY_MAX, TANH_POLY_MAX,   // 11
  TANH_CLAMP, TANH_CLAMP, TANH_CLAMP, TANH_CLAMP,   // 12
  T0, T0, T0, T0,   // 13
  T1, T1, T1, T1,   // 14
  T2, T2, T2, T2,   // 15
  T3, T3, T3, T3,   // 16
  T4, T4, T4, T4,   // 17
  T5, T5, T5, T5,   // 18
  SIGMOID_CLAMP, SIGMOID_CLAMP, SIGMOID_CLAMP, SIGMOID_CLAMP,   // 19
  TWO_M64, TWO_M64, TWO_M64, TWO_M64,   // 20
  <f32>1.0, <f32>1.0, <f32>1.0, <f32>1.0,   // 21
  <f32>2.0, <f32>2.0, <f32>2.0, <f32>2.0,   // 22
  18446744073709551616.0, 18446744073709551616.0, 18446744073709551616.0, 18446744073709551616.0,   // 23
  -0.0, -0.0, -0.0, -0.0,   // 24
], 16);
// @ts-ignore: decorator
@inline function kv(i: i32): v128 { return v128.load(KTAB + (<usize>i << 4)); }
const K_EXP_MIN: i32 = 0;
const K_EXP_MAX: i32 = 1;
const K_LOG2E: i32 = 2;
const K_SHIFTER: i32 = 3;
const K_LN2_HI: i32 = 4;
const K_LN2_LO: i32 = 5;
const K_E0: i32 = 6;
const K_E1: i32 = 7;
const K_E2: i32 = 8;
const K_E3: i32 = 9;
const K_E4: i32 = 10;
const K_TANH_POLY_MAX: i32 = 11;
const K_TANH_CLAMP: i32 = 12;
const K_T0: i32 = 13;
const K_T1: i32 = 14;
const K_T2: i32 = 15;
const K_T3: i32 = 16;
const K_T4: i32 = 17;
const K_T5: i32 = 18;
const K_SIGMOID_CLAMP: i32 = 19;
const K_TWO_M64: i32 = 20;
const K_ONE: i32 = 21;
const K_TWO: i32 = 22;
const K_BIAS64: i32 = 23;
const K_NEGZERO: i32 = 24;

// s = e^r - 1 for the reduced argument r (|r| <= 0.35), without the final "1 +"
@inline function expPoly(r: v128): v128 {
  let q = f32x4.add(f32x4.mul(kv(K_E4), r), kv(K_E3));
  q = f32x4.add(f32x4.mul(q, r), kv(K_E2));
  q = f32x4.add(f32x4.mul(q, r), kv(K_E1));
  q = f32x4.add(f32x4.mul(q, r), kv(K_E0));
  return f32x4.add(r, f32x4.mul(f32x4.mul(r, r), q));
}

// t = x log2(e) + SHIFTER: n = round(x / ln 2) sits in the low mantissa bits of t
@inline function expShift(x: v128): v128 {
  return f32x4.add(f32x4.mul(x, kv(K_LOG2E)), kv(K_SHIFTER));
}

// r = x - n ln 2 with n = t - SHIFTER (an integer-valued f32)
@inline function expReduce(x: v128, t: v128): v128 {
  const n = f32x4.sub(t, kv(K_SHIFTER));
  return f32x4.sub(f32x4.sub(x, f32x4.mul(n, kv(K_LN2_HI))), f32x4.mul(n, kv(K_LN2_LO)));
}

// Puts back the input NaNs (bits unchanged) over a result computed on garbage for them.
@inline function keepNaN(v: v128, res: v128): v128 {
  return v128.bitselect(v, res, f32x4.ne(v, v));
}

/** e^x lane-wise; exact 0 below -103.97, +inf above 88.72, denormals rounded once. */
@inline export function exp4(v: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(v, kv(K_EXP_MIN)), kv(K_EXP_MAX));
  const t = expShift(x);
  const p = f32x4.add(kv(K_ONE), expPoly(expReduce(x, t)));
  // 2^n = 2^n1 * 2^n2 with n1 = n >> 1, n2 = n - n1 (both within [-80, 65], normal): p * 2^n1
  // is exact, the second product rounds once (to a denormal, to +inf or exactly)
  const n = i32x4.sub(t, kv(K_SHIFTER));
  const n1 = i32x4.shr_s(n, 1);
  const s1 = i32x4.add(i32x4.shl(n1, 23), kv(K_ONE));
  const s2 = i32x4.add(i32x4.shl(i32x4.sub(n, n1), 23), kv(K_ONE));
  return keepNaN(v, f32x4.mul(f32x4.mul(p, s1), s2));
}

/** tanh(x) lane-wise. */
@inline export function tanh4(v: v128): v128 {
  const a = f32x4.abs(v);
  // near 0: a + a^3 P(a^2)
  const z = f32x4.mul(a, a);
  let q = f32x4.add(f32x4.mul(kv(K_T5), z), kv(K_T4));
  q = f32x4.add(f32x4.mul(q, z), kv(K_T3));
  q = f32x4.add(f32x4.mul(q, z), kv(K_T2));
  q = f32x4.add(f32x4.mul(q, z), kv(K_T1));
  q = f32x4.add(f32x4.mul(q, z), kv(K_T0));
  const small = f32x4.add(a, f32x4.mul(f32x4.mul(a, z), q));
  // elsewhere: 1 - 2/(e^{2a} + 1); 2a <= 19 so 2^n (n <= 28) is one normal scale
  const m = f32x4.pmin(a, kv(K_TANH_CLAMP));
  const x = f32x4.add(m, m); // exact
  const t = expShift(x);
  const p = f32x4.add(kv(K_ONE), expPoly(expReduce(x, t)));
  const e = f32x4.mul(p, i32x4.add(i32x4.shl(t, 23), kv(K_ONE)));
  const one = kv(K_ONE);
  const large = f32x4.sub(one, f32x4.div(kv(K_TWO), f32x4.add(e, one)));
  const res = v128.bitselect(small, large, f32x4.lt(a, kv(K_TANH_POLY_MAX)));
  // sign of x onto |result|; NaN lanes take all of x
  const mask = v128.or(f32x4.ne(v, v), kv(K_NEGZERO));
  return v128.bitselect(v, res, mask);
}

/** 1 / (1 + e^-x) lane-wise. */
@inline export function sigmoid4(v: v128): v128 {
  const one = kv(K_ONE);
  const x = f32x4.neg(f32x4.pmin(f32x4.abs(v), kv(K_SIGMOID_CLAMP))); // -|x| in [-110, 0]
  const t = expShift(x);
  const s = expPoly(expReduce(x, t));
  const pHi = f32x4.add(one, s);
  const pLo = f32x4.sub(s, f32x4.sub(pHi, one)); // (1 + s) - pHi exactly (Fast2Sum, |s| < 1)
  // 2^(n+64): n >= -159, so n + 64 is a normal exponent; the 2^-64 afterwards rounds once
  const sc = i32x4.add(i32x4.shl(t, 23), kv(K_BIAS64));
  const eHi = f32x4.mul(f32x4.mul(pHi, sc), kv(K_TWO_M64));
  const eLo = f32x4.mul(f32x4.mul(pLo, sc), kv(K_TWO_M64));
  const d = f32x4.add(one, eHi);
  // Delta = (1 + eHi + eLo) - d: rounding error of d (exact, Fast2Sum, eHi <= 1) plus eLo
  const delta = f32x4.add(f32x4.sub(eHi, f32x4.sub(d, one)), eLo);
  const neg = f32x4.lt(v, f32x4.splat(<f32>0.0));
  const q = f32x4.div(v128.bitselect(eHi, one, neg), d);
  // num/(d + Delta) ~ q + (1/d) (numLo - q Delta), numLo = eLo (x < 0) or 0, 1/d ~ 1 - q or q
  const w = v128.bitselect(f32x4.sub(one, q), q, neg);
  const numLo = v128.and(eLo, neg);
  const res = f32x4.add(q, f32x4.mul(w, f32x4.sub(numLo, f32x4.mul(q, delta))));
  return keepNaN(v, res);
}

// The scalar forms are plain functions, not inlined: they serve the 0-3 element tails of
// vector loops and the scalar backward passes, and one copy each keeps the module small.
/** Scalar e^x: the same bits as a lane of exp4. */
export function exp1(x: f32): f32 { return f32x4.extract_lane(exp4(f32x4.splat(x)), 0); }
/** Scalar tanh: the same bits as a lane of tanh4. */
export function tanh1(x: f32): f32 { return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0); }
/** Scalar sigmoid: the same bits as a lane of sigmoid4. */
export function sigmoid1(x: f32): f32 { return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0); }
