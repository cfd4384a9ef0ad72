// The generator behind manualSeed: xoshiro128** (Blackman & Vigna), seeded through
// splitmix32. Same seed, same numbers, on every engine; the bits are ours, not PyTorch's.
import { alloc, free } from './alloc';
import { topk_row } from './softmax';

let s0: u32 = 0x9e3779b9, s1: u32 = 0x243f6a88, s2: u32 = 0xb7e15162, s3: u32 = 0x12345678;

@inline function next(): u32 {
  const r = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl<u32>(s3, 11);
  return r;
}

function splitmix(x: u32): u32 {
  x += 0x9e3779b9;
  x = (x ^ (x >>> 16)) * 0x85ebca6b;
  x = (x ^ (x >>> 13)) * 0xc2b2ae35;
  return x ^ (x >>> 16);
}

/** Re-seeds the generator from two 32-bit halves of the seed. */
export function rng_seed(lo: u32, hi: u32): void {
  s0 = splitmix(lo); s1 = splitmix(s0 ^ hi); s2 = splitmix(s1 + 0x632be5ab); s3 = splitmix(s2 ^ 0x5851f42d);
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
}

// uniform in [0, 1) from the top 24 bits: exact in f32
@inline function u01(): f32 { return <f32>(next() >>> 8) * (<f32>1.0 / <f32>16777216.0); }

/** p[i] = lo + (hi − lo)·u, u uniform in [0, 1). */
export function rng_uniform(p: usize, n: i32, lo: f32, hi: f32): void {
  const w = hi - lo;
  for (let i = 0; i < n; i++) store<f32>(p + (<usize>i << 2), lo + w * u01());
}

/**
 * Default initialisations: p[i] uniform in [−b, b) with b = 1/√x (mode 0: PyTorch's RNN/Linear
 * init, x = fan-in or hidden size) or b = √x (mode 1: Glorot, x = 6/(fan_in + fan_out)), the bound
 * computed here in f64 and rounded once to f32.
 */
export function rng_uniform_sym(p: usize, n: i32, x: f64, mode: i32): void {
  const b = mode ? Math.sqrt(x) : 1 / Math.sqrt(x);
  rng_uniform(p, n, <f32>(-b), <f32>b);
}

/** p[i] ~ N(mean, std²) by Box–Muller in f64. */
export function rng_normal(p: usize, n: i32, mean: f32, std: f32): void {
  for (let i = 0; i < n; i += 2) {
    const u1 = (<f64>(next() >>> 8) + 1) / 16777217.0;   // (0, 1]
    const u2 = <f64>(next() >>> 8) / 16777216.0;
    const r = Math.sqrt(-2 * Math.log(u1)), a = 2 * Math.PI * u2;
    store<f32>(p + (<usize>i << 2), mean + std * <f32>(r * Math.cos(a)));
    if (i + 1 < n) store<f32>(p + (<usize>(i + 1) << 2), mean + std * <f32>(r * Math.sin(a)));
  }
}

/**
 * Dropout mask: 0 with probability p, else 1/(1 − p) (PyTorch's inverted dropout). The scale is
 * PyTorch's bit for bit: noise.div_(1 - p) divides in f32 by 1 − p computed in double and rounded.
 */
export function rng_dropout_mask(m: usize, n: i32, p: f64): void {
  const keep: f32 = <f32>1 / <f32>(1.0 - p);
  const q = <f32>p;
  for (let i = 0; i < n; i++) store<f32>(m + (<usize>i << 2), u01() < q ? <f32>0 : keep);
}

/** p[i] = a random permutation of 0 … n−1 (i32), Fisher–Yates. */
export function rng_permutation(p: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(p + (<usize>i << 2), i);
  for (let i = n - 1; i > 0; i--) {
    const j = <i32>(<u64>next() * <u64>(i + 1) >> 32);
    const a = load<i32>(p + (<usize>i << 2));
    store<i32>(p + (<usize>i << 2), load<i32>(p + (<usize>j << 2)));
    store<i32>(p + (<usize>j << 2), a);
  }
}

// ---- sampling (multinomial, sample) ------------------------------------------------------------

// uniform in [0, 1) with 53 random bits (two outputs): resolves probabilities far below 2^-24
@inline function u53(): f64 {
  const a = <f64>(next() >>> 5), b = <f64>(next() >>> 6);
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

@inline function ldw(p: usize, j: i32): f64 { return <f64>load<f32>(p + (<usize>j << 2)); }

/**
 * Checks N rows of C weights for multinomial: returns −1 when every row has only finite,
 * non-negative weights and at least `need` of them non-zero; else the first failing row.
 */
export function multinomial_check(N: i32, C: i32, p: usize, need: i32): i32 {
  for (let n = 0; n < N; n++) if (weights_row_count(C, p + (<usize>(n * C) << 2)) < need) return n;
  return -1;
}

/** Number of non-zero weights among C, or −1 if one is negative, NaN or infinite. */
export function weights_row_count(C: i32, p: usize): i32 {
  let nz = 0;
  for (let j = 0; j < C; j++) {
    const v = load<f32>(p + (<usize>j << 2));
    if (!(v >= 0) || v == Infinity) return -1;
    if (v > 0) nz++;
  }
  return nz;
}

/**
 * A position drawn from weights w[0 … n) (f64, non-negative, some > 0; total = their sum in
 * order): with u uniform in [0, 1), the first position whose running sum exceeds u·total (the
 * last non-zero weight if rounding lets u·total reach total).
 */
function drawFrom(w: usize, n: i32, total: f64): i32 {
  const target = u53() * total;
  let cum: f64 = 0, last = -1;
  for (let j = 0; j < n; j++) {
    const v = load<f64>(w + (<usize>j << 3));
    if (v > 0) {
      cum += v;
      last = j;
      if (cum > target) return j;
    }
  }
  return last;
}

/**
 * numSamples draws per row from N rows of C non-negative weights p (multinomial_check passed),
 * written as f32 indices to out (N, numSamples). With replacement: each draw by inverse CDF over
 * the row's running sums (f64, index order; a binary search). Without: each draw from the weights
 * left (the drawn one set to 0, the rest renormalised), numSamples ≤ the non-zero count.
 */
export function multinomial(N: i32, C: i32, p: usize, numSamples: i32, replacement: i32, out: usize): void {
  const w = alloc(<usize>C << 3);
  for (let n = 0; n < N; n++) {
    const row = p + (<usize>(n * C) << 2), o = out + (<usize>(n * numSamples) << 2);
    if (replacement) {
      // cum[j] = w_0 + … + w_j; the draw is the first j with cum[j] > u·cum[C−1]
      let cum: f64 = 0, last = 0;
      for (let j = 0; j < C; j++) {
        const v = ldw(row, j);
        cum += v;
        if (v > 0) last = j;
        store<f64>(w + (<usize>j << 3), cum);
      }
      for (let s = 0; s < numSamples; s++) {
        const target = u53() * cum;
        let lo = 0, hi = C;                 // first j in [lo, hi) with cum[j] > target
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (load<f64>(w + (<usize>mid << 3)) > target) hi = mid; else lo = mid + 1;
        }
        store<f32>(o + (<usize>s << 2), <f32>(lo < C ? lo : last));
      }
    } else {
      for (let j = 0; j < C; j++) store<f64>(w + (<usize>j << 3), ldw(row, j));
      for (let s = 0; s < numSamples; s++) {
        let total: f64 = 0;
        for (let j = 0; j < C; j++) total += load<f64>(w + (<usize>j << 3));
        const j = drawFrom(w, C, total);
        store<f64>(w + (<usize>j << 3), 0);
        store<f32>(o + (<usize>s << 2), <f32>j);
      }
    }
  }
  free(w);
}

/**
 * One index per row of N rows of C logits x (row stride ldx floats), drawn from
 * softmax(x / temperature) restricted to the topK largest logits (topK ≤ 0 or ≥ C: all; ties by
 * lower index). Weights e^((x_j − m)/temperature) in f64, m the largest kept logit. Every row is
 * checked first: a NaN or +Infinity logit, or no finite one, returns −(row + 1) before anything
 * is drawn. Otherwise writes out[n] (i32, if out ≠ 0) and returns the last row's index.
 */
export function sample_logits(N: i32, C: i32, x: usize, ldx: i32, temperature: f64, topK: i32, out: usize): i32 {
  for (let n = 0; n < N; n++) {
    const row = x + (<usize>n * <usize>ldx << 2);
    let finite = false;
    for (let j = 0; j < C; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      if (v != v || v == Infinity) return -(n + 1);
      if (v != -Infinity) finite = true;
    }
    if (!finite) return -(n + 1);
  }
  const k = topK > 0 && topK < C ? topK : C;
  const w = alloc(<usize>k << 3);
  const list = k < C ? alloc(<usize>k << 2) : 0;
  let r = 0;
  for (let n = 0; n < N; n++) {
    const row = x + (<usize>n * <usize>ldx << 2);
    if (list) topk_row(row, 1, C, k, true, list);
    let m: f64 = -Infinity;
    for (let q = 0; q < k; q++) m = max(m, ldw(row, list ? load<i32>(list + (<usize>q << 2)) : q));
    let total: f64 = 0;
    for (let q = 0; q < k; q++) {
      const v = Math.exp((ldw(row, list ? load<i32>(list + (<usize>q << 2)) : q) - m) / temperature);
      store<f64>(w + (<usize>q << 3), v);
      total += v;
    }
    const q = drawFrom(w, k, total);
    r = list ? load<i32>(list + (<usize>q << 2)) : q;
    if (out) store<i32>(out + (<usize>n << 2), r);
  }
  free(w);
  free(list);
  return r;
}
