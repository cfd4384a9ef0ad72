// Optimizers against PyTorch 1.13's update formulas written here with Math.fround after every
// f32 operation (+, −, ×, ÷ and √ of f32 values done in float64 and rounded once are exactly the
// f32 operations), so the reference reproduces the kernel's arithmetic; only the float64 bias
// corrections (beta ** step) may differ by an ulp between Math.pow and the module's pow. Plus a
// property: elements with the same value and gradient history get the same bits wherever they
// fall (the 4-wide body or the scalar tail).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib } from './helpers.js';
import { loadWasm } from './wasm.js';

const f = Math.fround;

interface AdamCfg { decoupled: boolean; wd: number; amsgrad: boolean; maximize: boolean }

/** One Adam/AdamW step on float32 arrays in place, PyTorch 1.13's single-tensor order. */
function adamRef(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array,
  step: number, lr: number, b1: number, b2: number, eps: number, c: AdamCfg): void {
  const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
  const nstep = f(-(lr / bc1)), bc2s = f(Math.sqrt(bc2));
  for (let i = 0; i < p.length; i++) {
    let pv = p[i], gv = g[i];
    if (c.maximize) gv = -gv;
    if (c.wd !== 0) {
      if (c.decoupled) pv = f(pv * f(1 - lr * c.wd));
      else gv = f(gv + f(f(c.wd) * pv));
    }
    m[i] = f(f(m[i] * f(b1)) + f(f(1 - b1) * gv));
    v[i] = f(f(v[i] * f(b2)) + f(f(f(1 - b2) * gv) * gv));
    let vd = v[i];
    if (c.amsgrad) { vmax[i] = Math.max(vmax[i], v[i]); vd = vmax[i]; }
    const den = f(f(f(Math.sqrt(vd)) / bc2s) + f(eps));
    p[i] = f(pv + f(f(nstep * m[i]) / den));
  }
}

/** Distance in units in the last place between two finite float32 values. */
function ulps(a: number, b: number): number {
  const ia = new Int32Array(new Float32Array([a]).buffer)[0], ib = new Int32Array(new Float32Array([b]).buffer)[0];
  const oa = ia < 0 ? -2147483648 - ia : ia, ob = ib < 0 ? -2147483648 - ib : ib;
  return Math.abs(oa - ob);
}

const configs: AdamCfg[] = [];
for (const decoupled of [false, true]) for (const wd of [0, 0.05]) for (const amsgrad of [false, true]) for (const maximize of [false, true]) {
  configs.push({ decoupled, wd, amsgrad, maximize });
}

for (const c of configs) {
  const name = `${c.decoupled ? 'AdamW' : 'Adam'} weightDecay ${c.wd}${c.amsgrad ? ' amsgrad' : ''}${c.maximize ? ' maximize' : ''}`;
  test(`${name}: 8 steps on 11 parameters match the f32 reference`, () => {
    lib.manualSeed(11);
    const n = 11, lr = 0.01, betas: [number, number] = [0.8, 0.95], eps = 1e-6;
    const p = lib.randn([n]).requiresGrad_();
    const opts = { lr, betas, eps, weightDecay: c.wd, amsgrad: c.amsgrad, maximize: c.maximize };
    const opt = c.decoupled ? new lib.AdamW([p], opts) : new lib.Adam([p], opts);
    const rp = p.toFloat32Array(), rm = new Float32Array(n), rv = new Float32Array(n), rvmax = new Float32Array(n);
    let worst = 0;
    for (let step = 1; step <= 8; step++) {
      const coef = lib.randn([n]);
      opt.zeroGrad();
      p.mul(coef).sum().backward();                 // grad = coef
      adamRef(rp, coef.toFloat32Array(), rm, rv, rvmax, step, lr, betas[0], betas[1], eps, c);
      opt.step();
      const got = p.toFloat32Array();
      for (let i = 0; i < n; i++) worst = Math.max(worst, ulps(got[i], rp[i]));
      rp.set(got);                                   // next step from the kernel's values
    }
    assert.ok(worst <= 1, `max ${worst} ulp from the reference`);
  });
}

test('Adam and AdamW: equal values and gradients give equal bits in the vector body and the scalar tail', () => {
  for (const [Opt, opts] of [[lib.Adam, { lr: 0.1, weightDecay: 0.1, amsgrad: true }], [lib.AdamW, { lr: 0.1 }]] as const) {
    const n = 9;                                      // lanes 0–3 and 4–7 in the body, 8 in the tail
    const p = lib.full([n], 0.37).requiresGrad_();
    const opt = new Opt([p], opts);
    for (let step = 0; step < 5; step++) {
      opt.zeroGrad();
      p.mul(lib.full([n], 1.5 - step)).sum().backward();
      opt.step();
    }
    const got = p.toFloat32Array();
    assert.ok(got[0] !== 0.37, 'the parameters moved');
    for (let i = 1; i < n; i++) assert.ok(Object.is(got[i], got[0]), `element ${i}: ${got[i]} vs ${got[0]}`);
  }
});


// ---- the bias corrections' β^step: correctly rounded, against exact BigInt arithmetic ----------

/** x^n rounded to nearest-even f64, exactly (x > 0 finite, result a normal f64). */
function powExact(x: number, n: number): number {
  if (n === 0) return 1;
  // x = M · 2^E with M an odd or 53-bit integer
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const bits = dv.getBigUint64(0);
  const bexp = Number((bits >> 52n) & 0x7ffn);
  let M = (bits & ((1n << 52n) - 1n)) | (bexp ? 1n << 52n : 0n);
  let E = (bexp ? bexp : 1) - 1075;
  const P = M ** BigInt(n), PE = E * n;               // x^n = P · 2^PE exactly
  const L = P.toString(2).length;
  const drop = L - 53;                                  // keep 53 bits, round half to even
  if (drop <= 0) return Number(P) * 2 ** PE;
  let q = P >> BigInt(drop);
  const rem = P - (q << BigInt(drop)), half = 1n << BigInt(drop - 1);
  if (rem > half || (rem === half && (q & 1n))) q += 1n;
  return Number(q) * 2 ** (PE + drop);                  // q < 2^54: exact; the scale is a power of 2
}

test('powi (Adam/AdamW bias corrections β^step) is correctly rounded', () => {
  const w = loadWasm();
  const powi = w.powi as unknown as (x: number, n: number) => number;
  const bases = [0.9, 0.99, 0.999, 0.9999, 0.95, 0.8, 0.5, 0.3, 0.123456789, 0.99999, 1 - 2 ** -40];
  let checked = 0;
  for (const x of bases) {
    const steps = [0, 1, 2, 3, 7, 10, 64, 100, 255, 999, 1000, 4097, 12345, 65536, 100003, 1 << 20];
    for (let n = 1; n <= 300; n++) steps.push(n);
    for (const n of steps) {
      if (Math.log2(x) * n < -1000) continue;           // keep the result a normal f64
      assert.is(powi(x, n), powExact(x, n), `${x}^${n}`);
      checked++;
    }
  }
  assert.ok(checked > 3000);
  assert.is(powi(0.9, 1 << 30), 0, 'underflow');
});

test.run();
