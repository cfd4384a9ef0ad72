// The generator behind manualSeed: xoshiro128** (Blackman & Vigna), seeded through
// splitmix32. Same seed, same numbers, on every engine; the bits are ours, not PyTorch's.
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
