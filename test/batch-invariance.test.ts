// Batch invariance, wider than test/stream.test.ts: a sequence gives the same bits run alone (B = 1)
// and at any position of a batch of 2 to 64 — outputs, hN/cN, and the gradients of the input and of
// h0/c0 — for RNN (tanh, relu), LSTM (plain, projSize) and GRU (both candidate forms), one- and
// multi-layer, uni- and bidirectional, time- and batch-first, full and variable lengths; and step().
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, bitsEqual } from './helpers.js';

const SIZES = [2, 3, 8, 33, 64];
const MAXB = 64;
const T = 5;

/** Positions checked in a batch of B: first, second, middle, last. */
const positions = (B: number) => [...new Set([0, 1, B >> 1, B - 1])].filter((p) => p < B);

/** Entry `pos` of dimension 1 of a row-major (A, B, C) array: A·C values. */
function pick(a: Float32Array, A: number, B: number, pos: number): Float32Array {
  const C = a.length / (A * B);
  const out = new Float32Array(A * C);
  for (let i = 0; i < A; i++) out.set(a.subarray((i * B + pos) * C, (i * B + pos + 1) * C), i * C);
  return out;
}

type Mod = lib.RNN | lib.LSTM | lib.GRU;
interface Config { name: string; make: () => Mod; withState: boolean; varlen?: boolean }

const configs: Config[] = [
  { name: 'RNN tanh', make: () => new lib.RNN(5, 7), withState: true },
  { name: 'RNN relu 2 layers bidirectional batchFirst', make: () => new lib.RNN(4, 6, { numLayers: 2, nonlinearity: 'relu', bidirectional: true, batchFirst: true }), withState: true },
  { name: 'LSTM 2 layers', make: () => new lib.LSTM(5, 9, { numLayers: 2 }), withState: true },
  { name: 'LSTM projSize bidirectional', make: () => new lib.LSTM(6, 11, { projSize: 4, bidirectional: true }), withState: true },
  { name: 'GRU 2 layers bidirectional', make: () => new lib.GRU(3, 13, { numLayers: 2, bidirectional: true }), withState: true },
  { name: 'GRU resetAfter=false batchFirst', make: () => new lib.GRU(4, 8, { resetAfter: false, batchFirst: true } as lib.GRUOptions), withState: false },
  { name: 'RNN tanh variable lengths', make: () => new lib.RNN(3, 6, { numLayers: 2 }), withState: false, varlen: true },
  { name: 'LSTM bidirectional variable lengths', make: () => new lib.LSTM(4, 5, { bidirectional: true }), withState: true, varlen: true },
  { name: 'GRU variable lengths batchFirst', make: () => new lib.GRU(5, 7, { batchFirst: true }), withState: false, varlen: true },
];

interface Run { out: Float32Array; hN: Float32Array; cN?: Float32Array; gx: Float32Array; gh0?: Float32Array; gc0?: Float32Array }

for (const cfg of configs) {
  test(`${cfg.name}: a sequence alone and at positions of batches ${SIZES.join(', ')} gives the same bits`, () => {
    lib.manualSeed(2024);
    const m = cfg.make();
    const lstm = m instanceof lib.LSTM;
    const bf = m.batchFirst;
    const LD = m.numLayers * m.numDirections, Ho = m.hiddenOut, H = m.hiddenSize;
    const I = m.inputSize;
    // one pool of MAXB sequences; a batch of B is its first B
    const xs = lib.randn(bf ? [MAXB, T, I] : [T, MAXB, I]);
    const h0s = cfg.withState ? lib.randn([LD, MAXB, Ho]) : null;
    const c0s = cfg.withState && lstm ? lib.randn([LD, MAXB, H]) : null;
    const lens = Array.from({ length: MAXB }, (_, i) => 1 + ((i * 7 + 3) % T)); // every length 1..T occurs
    const bdim = bf ? 0 : 1;

    const run = (lo: number, hi: number): Run => {
      const x = xs.slice(bdim, lo, hi).detach().requiresGrad_();
      const h0 = h0s ? h0s.slice(1, lo, hi).detach().requiresGrad_() : null;
      const c0 = c0s ? c0s.slice(1, lo, hi).detach().requiresGrad_() : null;
      const opts = cfg.varlen ? { lengths: lens.slice(lo, hi) } : undefined;
      let out: lib.Tensor, hN: lib.Tensor, cN: lib.Tensor | null = null;
      if (m instanceof lib.LSTM) [out, [hN, cN]] = m.forward(x, [h0, c0], opts);
      else [out, hN] = (m as lib.RNN).forward(x, h0, opts);
      let loss = out.mul(out).sum().add(hN.mul(hN).sum());
      if (cN) loss = loss.add(cN.mul(cN).sum());
      loss.backward();
      return {
        out: out.toFloat32Array(), hN: hN.toFloat32Array(), cN: cN?.toFloat32Array(), gx: x.grad!.toFloat32Array(),
        gh0: h0?.grad!.toFloat32Array(), gc0: c0?.grad!.toFloat32Array(),
      };
    };
    // (T, B, C) time-major or (B, T, C) batch-first: entry pos of a batch as the alone run's layout
    const entry = (a: Float32Array, B: number, pos: number) => (bf ? a.subarray(pos * (a.length / B), (pos + 1) * (a.length / B)) : pick(a, T, B, pos));

    const alone = new Map<number, Run>();
    for (const B of SIZES) for (const p of positions(B)) if (!alone.has(p)) alone.set(p, run(p, p + 1));
    for (const B of SIZES) {
      const b = run(0, B);
      for (const pos of positions(B)) {
        const a = alone.get(pos)!, at = `B=${B} pos=${pos}`;
        bitsEqual(a.out, entry(b.out, B, pos), `${at} output`);
        bitsEqual(a.gx, entry(b.gx, B, pos), `${at} grad x`);
        bitsEqual(a.hN, pick(b.hN, LD, B, pos), `${at} hN`);
        if (a.cN) bitsEqual(a.cN, pick(b.cN!, LD, B, pos), `${at} cN`);
        if (a.gh0) bitsEqual(a.gh0, pick(b.gh0!, LD, B, pos), `${at} grad h0`);
        if (a.gc0) bitsEqual(a.gc0, pick(b.gc0!, LD, B, pos), `${at} grad c0`);
      }
    }
  });
}

const stepMakers: [string, () => Mod][] = [
  ['RNN relu 2 layers', () => new lib.RNN(4, 6, { numLayers: 2, nonlinearity: 'relu' })],
  ['LSTM projSize 2 layers', () => new lib.LSTM(5, 9, { numLayers: 2, projSize: 3 })],
  ['GRU', () => new lib.GRU(3, 10)],
];

for (const [name, make] of stepMakers) {
  test(`${name}: step() gives the same bits alone and in batches of ${SIZES.join(', ')}`, () => {
    lib.manualSeed(77);
    const m = make();
    const I = m.inputSize, L = m.numLayers;
    const xs = lib.randn([T, MAXB, I]).toFloat32Array();
    const stepRun = (lo: number, hi: number) => {
      const B = hi - lo, outs: Float32Array[] = [];
      let st: lib.StepState | undefined;
      for (let t = 0; t < T; t++) {
        st = m.step(xs.slice((t * MAXB + lo) * I, (t * MAXB + hi) * I), st);
        outs.push(st.output.slice());
      }
      return { outs, h: st!.h.slice(), c: st!.c?.slice(), B };
    };
    const alone = new Map<number, ReturnType<typeof stepRun>>();
    for (const B of SIZES) for (const p of positions(B)) if (!alone.has(p)) alone.set(p, stepRun(p, p + 1));
    for (const B of SIZES) {
      const b = stepRun(0, B);
      for (const pos of positions(B)) {
        const a = alone.get(pos)!, at = `B=${B} pos=${pos}`;
        for (let t = 0; t < T; t++) bitsEqual(a.outs[t], pick(b.outs[t], 1, B, pos), `${at} output t=${t}`);
        bitsEqual(a.h, pick(b.h, L, B, pos), `${at} h`);
        if (a.c) bitsEqual(a.c, pick(b.c!, L, B, pos), `${at} c`);
      }
    }
  });
}

// Inference (noGrad) caches no gates and projects the input a chunk of steps at a time (about
// 256 KiB of gate rows per chunk); a recording forward projects every step at once. Long enough
// sequences to take several chunks, the last one partial, must give the recording forward's bits.
const inferMakers: [string, () => Mod, boolean][] = [
  ['RNN tanh 2 layers bidirectional', () => new lib.RNN(6, 64, { numLayers: 2, bidirectional: true }), false],
  ['LSTM 2 layers bidirectional', () => new lib.LSTM(5, 48, { numLayers: 2, bidirectional: true }), false],
  ['LSTM projSize, no bias, variable lengths', () => new lib.LSTM(5, 40, { projSize: 7, bias: false, bidirectional: true }), true],
  ['GRU 2 layers bidirectional', () => new lib.GRU(4, 64, { numLayers: 2, bidirectional: true }), false],
  ['GRU no bias, variable lengths', () => new lib.GRU(4, 64, { bias: false, bidirectional: true }), true],
  ['GRU resetAfter=false, variable lengths', () => new lib.GRU(3, 56, { resetAfter: false, bidirectional: true } as lib.GRUOptions), true],
];

for (const [name, make, varlen] of inferMakers) {
  test(`${name}: forward under noGrad (chunked input projection) gives the bits of a recording forward`, () => {
    lib.manualSeed(5);
    const m = make();
    const TL = 190, B = 5;
    const x = lib.randn([TL, B, m.inputSize]);
    const opts = varlen ? { lengths: [TL, 1, 97, 150, 189] } : undefined;
    const run = () => {
      const r = m instanceof lib.LSTM ? m.forward(x, null, opts) : (m as lib.RNN).forward(x, null, opts);
      const [out, st] = r as [lib.Tensor, lib.Tensor | [lib.Tensor, lib.Tensor]];
      const parts = [out, ...(Array.isArray(st) ? st : [st])];
      const values = parts.map((t) => t.toFloat32Array());
      if (out.requiresGrad) out.sum().backward();   // runs the graph, which frees its caches
      return values;
    };
    const recorded = run();
    const inferred = lib.noGrad(run);
    recorded.forEach((a, i) => bitsEqual(inferred[i], a, `part ${i}`));
    // and they are real numbers
    assert.ok(recorded[0].some((v) => v !== 0) && recorded[0].every(Number.isFinite));
  });
}

test.run();
