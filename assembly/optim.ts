// Optimizer updates, one parameter tensor per call, with PyTorch 1.13's formulas and
// order of f32 operations (torch/optim/sgd.py, adam.py, adamw.py: the single-tensor path).
// Scalars derived from hyper-parameters (bias corrections, step size) are computed here in
// f64, like Python does, so no JS Math reaches the numbers.

/**
 * SGD: d = g + wd·p; with momentum: buf = first ? d : buf·μ + (1 − dampening)·d,
 * d = nesterov ? d + μ·buf : buf; p −= lr·d.
 */
export function sgd_step(n: i32, p: usize, g: usize, buf: usize, lr: f64, momentum: f64, dampening: f64,
                         wd: f64, nesterov: i32, maximize: i32, first: i32): void {
  const wdf = <f32>wd, mu = <f32>momentum, damp = <f32>(1 - dampening), nlr = <f32>(-lr);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let d = load<f32>(g + o);
    if (maximize) d = -d;
    if (wd != 0) d = d + wdf * pv;
    if (momentum != 0) {
      let b: f32;
      if (first) b = d;
      else b = load<f32>(buf + o) * mu + damp * d;
      store<f32>(buf + o, b);
      d = nesterov ? d + mu * b : b;
    }
    store<f32>(p + o, pv + nlr * d);
  }
}

// x^n for an integer n ≥ 0 (the bias corrections β^step), correctly rounded in all but
// astronomically rare cases, like the libm pow Python calls: binary powering in double-double
// arithmetic (each product exact to about 2^-104 through Dekker's splitting, no FMA), then one
// rounding to f64. (AssemblyScript's general Math.pow would cost 2.5 kB of Wasm for this.)
const SPLIT: f64 = 134217729.0;   // 2^27 + 1
let ddLo: f64 = 0;                // low part of the last dd_mul
@inline function dd_mul(ah: f64, al: f64, bh: f64, bl: f64): f64 {
  const p = ah * bh;
  const ca = SPLIT * ah, ahh = ca - (ca - ah), ahl = ah - ahh;
  const cb = SPLIT * bh, bhh = cb - (cb - bh), bhl = bh - bhh;
  const e = ((ahh * bhh - p) + ahh * bhl + ahl * bhh) + ahl * bhl + (ah * bl + al * bh);
  const s = p + e;
  ddLo = e - (s - p);
  return s;
}
export function powi(x: f64, n: i32): f64 {
  let rh: f64 = 1, rl: f64 = 0, bh = x, bl: f64 = 0;
  while (n > 0) {
    if (n & 1) { rh = dd_mul(rh, rl, bh, bl); rl = ddLo; }
    n >>= 1;
    if (n > 0) { bh = dd_mul(bh, bl, bh, bl); bl = ddLo; }
  }
  return rh + rl;
}

/**
 * Adam / AdamW step `step` (1-based). decoupled = 1 is AdamW (p ·= 1 − lr·wd first),
 * otherwise weight decay is added to the gradient. vmax is used when amsgrad = 1.
 */
export function adam_step(n: i32, p: usize, g: usize, m: usize, v: usize, vmax: usize, step: i32,
                          lr: f64, beta1: f64, beta2: f64, eps: f64, wd: f64,
                          decoupled: i32, amsgrad: i32, maximize: i32): void {
  const bc1 = 1 - powi(beta1, step);
  const bc2 = 1 - powi(beta2, step);
  const stepSize = lr / bc1;
  const bc2s = <f32>Math.sqrt(bc2);
  const b1 = <f32>beta1, b2 = <f32>beta2, a1 = <f32>(1 - beta1), a2 = <f32>(1 - beta2);
  const epsf = <f32>eps, nstep = <f32>(-stepSize), wdf = <f32>wd, decay = <f32>(1 - lr * wd);
  // four parameters at a time: lane for lane the scalar loop's f32 operations in its order
  // (f32x4 sqrt and div are IEEE-exact like their scalar forms), then the scalar loop for the rest
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), va1 = f32x4.splat(a1), va2 = f32x4.splat(a2);
  const veps = f32x4.splat(epsf), vnstep = f32x4.splat(nstep), vwd = f32x4.splat(wdf), vdecay = f32x4.splat(decay);
  const vbc2s = f32x4.splat(bc2s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (maximize) gv = f32x4.neg(gv);
    if (wd != 0) {
      if (decoupled) pv = f32x4.mul(pv, vdecay);
      else gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    }
    const mv = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(va1, gv));
    const vv = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(va2, gv), gv));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    let vd = vv;
    if (amsgrad) {
      vd = f32x4.max(v128.load(vmax + o), vv);
      v128.store(vmax + o, vd);
    }
    const den = f32x4.add(f32x4.div(f32x4.sqrt(vd), vbc2s), veps);
    v128.store(p + o, f32x4.add(pv, f32x4.div(f32x4.mul(vnstep, mv), den)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let pv = load<f32>(p + o);
    let gv = load<f32>(g + o);
    if (maximize) gv = -gv;
    if (wd != 0) {
      if (decoupled) pv = pv * decay;
      else gv = gv + wdf * pv;
    }
    const mv = load<f32>(m + o) * b1 + a1 * gv;
    const vv = load<f32>(v + o) * b2 + a2 * gv * gv;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    let den: f32;
    if (amsgrad) {
      const vm = max(load<f32>(vmax + o), vv);
      store<f32>(vmax + o, vm);
      den = Mathf.sqrt(vm) / bc2s + epsf;
    } else {
      den = Mathf.sqrt(vv) / bc2s + epsf;
    }
    store<f32>(p + o, pv + nstep * mv / den);
  }
}

/** Σ x[i]² over n floats, in f64 (gradient-norm clipping). */
export function sumsq(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) { const v = <f64>load<f32>(x + (<usize>i << 2)); s += v * v; }
  return s;
}

/**
 * Gradient-norm clipping over `count` tensors listed at `list` as (ptr, n) i32 pairs:
 * total = ‖all‖₂; if maxNorm / (total + 1e-6) < 1 every gradient is scaled by it. Returns total.
 */
export function clip_grad_norm(list: usize, count: i32, maxNorm: f64): f64 {
  let s: f64 = 0;
  for (let k = 0; k < count; k++) {
    const q = list + (<usize>k << 3);
    s += sumsq(<usize>load<u32>(q), load<i32>(q + 4));
  }
  const total = Math.sqrt(s);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    const c = <f32>coef;
    for (let k = 0; k < count; k++) {
      const q = list + (<usize>k << 3);
      const x = <usize>load<u32>(q), n = load<i32>(q + 4);
      for (let i = 0; i < n; i++) store<f32>(x + (<usize>i << 2), load<f32>(x + (<usize>i << 2)) * c);
    }
  }
  return total;
}
