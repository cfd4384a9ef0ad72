// The determinism suite: one plain ESM file that runs unchanged in Node, Deno, Bun, workerd,
// Chromium and Firefox (main thread and Web Worker). It talks to the library only through its
// PUBLIC API (`lib` is the namespace of dist/index.js or dist/slim.js, already initialised).
//
// Every case returns named parts (Float32Arrays, in a fixed order); a case's bytes are its parts'
// bytes concatenated, and their SHA-256 is compared with test/runtimes/golden.json. Per-part
// hashes are kept too, so a mismatch names the exact tensor (and epoch / timestep) that differs.
//
// Rules for editing: keep it engine-neutral (no node:*, no Deno.*, no DOM), keep every number
// that matters computed by the library (inputs come from manualSeed + randn/rand), and regenerate
// the golden hashes (test/runtimes/README.md) only for a deliberate change of the cases or numerics.

/** Forward + backward through the public API; returns the parts in a fixed order. */
function forwardBackward(lib, m, kind, x, state, opts) {
  const { randn } = lib;
  let out, hN, cN = null;
  if (kind === 'LSTM') [out, [hN, cN]] = m.forward(x, state, opts);
  else [out, hN] = m.forward(x, state, opts);
  // a loss that weighs every output, hN (and cN) element differently, so every gradient is exercised
  let loss = out.mul(randn(out.shape)).sum().add(hN.mul(randn(hN.shape)).sum());
  if (cN) loss = loss.add(cN.mul(randn(cN.shape)).sum());
  m.zeroGrad();
  loss.backward();
  const parts = [['output', out.toFloat32Array()], ['hN', hN.toFloat32Array()]];
  if (cN) parts.push(['cN', cN.toFloat32Array()]);
  parts.push(['loss', f32(loss.item())]);
  parts.push(['grad.x', x.grad.toFloat32Array()]);
  const st = Array.isArray(state) ? state : [state];
  if (st[0]) parts.push(['grad.h0', st[0].grad.toFloat32Array()]);
  if (st[1]) parts.push(['grad.c0', st[1].grad.toFloat32Array()]);
  for (const [name, p] of m.namedParameters()) parts.push(['grad.' + name, p.grad.toFloat32Array()]);
  return parts;
}

const f32 = (...v) => new Float32Array(v);
const prefixed = (prefix, parts) => parts.map(([k, v]) => [prefix + k, v]);

/** The cases, in a fixed order: name → () => [[partName, Float32Array], ...]. */
export function caseList(lib) {
  const { RNN, LSTM, GRU, Linear, Module, Adam, crossEntropy, nllLoss, multinomial, sample, manualSeed, randn, rand } = lib;
  const rg = { requiresGrad: true };
  return {
    // Elman RNN, tanh, 2 layers, with h0: forward and every gradient
    rnn_tanh: () => {
      manualSeed(101);
      const m = new RNN(4, 6, { numLayers: 2 });
      return forwardBackward(lib, m, 'RNN', randn([5, 3, 4], rg), randn([2, 3, 6], rg));
    },
    // Elman RNN, relu, bidirectional, batchFirst
    rnn_relu_bidir: () => {
      manualSeed(102);
      const m = new RNN(5, 7, { nonlinearity: 'relu', bidirectional: true, batchFirst: true });
      return forwardBackward(lib, m, 'RNN', randn([3, 6, 5], rg), randn([2, 3, 7], rg));
    },
    // LSTM, 2 layers, bidirectional, with (h0, c0)
    lstm_bidir_2layer: () => {
      manualSeed(103);
      const m = new LSTM(4, 8, { numLayers: 2, bidirectional: true });
      return forwardBackward(lib, m, 'LSTM', randn([6, 3, 4], rg), [randn([4, 3, 8], rg), randn([4, 3, 8], rg)]);
    },
    // LSTM with projection (h has projSize features), 2 layers
    lstm_proj: () => {
      manualSeed(104);
      const m = new LSTM(6, 11, { projSize: 4, numLayers: 2 });
      return forwardBackward(lib, m, 'LSTM', randn([5, 2, 6], rg), [randn([2, 2, 4], rg), randn([2, 2, 11], rg)]);
    },
    // GRU, 3 layers, bidirectional (PyTorch's reset-after candidate)
    gru_bidir_3layer: () => {
      manualSeed(105);
      const m = new GRU(3, 9, { numLayers: 3, bidirectional: true });
      return forwardBackward(lib, m, 'GRU', randn([7, 2, 3], rg), randn([6, 2, 9], rg));
    },
    // variable lengths (pack_padded_sequence semantics), one module of each kind
    varlen: () => {
      manualSeed(106);
      const lengths = [5, 2, 4, 1];
      const rnn = new RNN(3, 5, { numLayers: 2, bidirectional: true });
      const lstm = new LSTM(3, 6, { bidirectional: true, batchFirst: true });
      const gru = new GRU(3, 4, { numLayers: 2 });
      return [
        ...prefixed('rnn.', forwardBackward(lib, rnn, 'RNN', randn([5, 4, 3], rg), randn([4, 4, 5], rg), { lengths })),
        ...prefixed('lstm.', forwardBackward(lib, lstm, 'LSTM', randn([4, 5, 3], rg), [randn([2, 4, 6], rg), randn([2, 4, 6], rg)], { lengths })),
        ...prefixed('gru.', forwardBackward(lib, gru, 'GRU', randn([5, 4, 3], rg), null, { lengths })),
      ];
    },
    // streaming: step() one timestep at a time, every step's output and the final state
    step: () => {
      manualSeed(107);
      const parts = [];
      const mods = [['rnn', new RNN(4, 6, { numLayers: 2, nonlinearity: 'relu' })], ['lstm', new LSTM(4, 7, { numLayers: 2, projSize: 3 })],
        ['gru', new GRU(4, 5, { numLayers: 2 })]];
      for (const [name, m] of mods) {
        const x = randn([6, 3, 4]);
        let st;
        for (let t = 0; t < 6; t++) {
          st = m.step(x.select(0, t), st);
          parts.push([`${name}.output.t${t}`, st.output.slice()]);
        }
        parts.push([`${name}.h`, st.h.slice()]);
        if (st.c) parts.push([`${name}.c`, st.c.slice()]);
      }
      return parts;
    },
    // tutorial 003: RNN(5, 10, batchFirst) + Linear(10, 2), Adam(0.01), crossEntropy, 20 epochs
    train_tutorial003: () => {
      manualSeed(3);
      class SimpleRNN extends Module {
        constructor() { super(); this.rnn = new RNN(5, 10, { batchFirst: true }); this.fc = new Linear(10, 2); }
        forward(x) { const [, hidden] = this.rnn.forward(x); return this.fc.forward(hidden.select(0, 0)); }
      }
      const model = new SimpleRNN();
      const x = randn([16, 8, 5]);
      const labels = Array.from(rand([16]).toFloat32Array(), (v) => (v < 0.5 ? 0 : 1));
      const opt = new Adam(model.parameters(), { lr: 0.01 });
      const parts = [['init.logits', lib.noGrad(() => model.forward(x)).toFloat32Array()]];
      for (let epoch = 0; epoch < 20; epoch++) {
        const loss = crossEntropy(model.forward(x), labels);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        parts.push([`epoch${epoch}.loss`, f32(loss.item())]);
        if (epoch === 0 || epoch === 19) {
          for (const [k, p] of model.namedParameters()) parts.push([`epoch${epoch}.grad.${k}`, p.grad.toFloat32Array()]);
        }
      }
      for (const [k, p] of model.namedParameters()) parts.push([`final.${k}`, p.toFloat32Array()]);
      parts.push(['final.logits', lib.noGrad(() => model.forward(x)).toFloat32Array()]);
      return parts;
    },
    // softmax, logSoftmax, exp, log, max, topk, crossEntropy (ignoreIndex, labelSmoothing), nllLoss:
    // values and the gradient of a loss that weighs every output differently
    ops: () => {
      manualSeed(108);
      const x = randn([6, 9], rg);
      const targets = [3, -100, 0, 8, 8, -100];
      const outs = [
        ['softmax', x.softmax(1)], ['logSoftmax', x.logSoftmax(0)], ['exp', x.exp()], ['log', x.exp().add(0.25).log()],
        ['max', x.max(1).values], ['topk', x.topk(4, 0).values],
        ['crossEntropy', crossEntropy(x, targets, { labelSmoothing: 0.1 })],
        ['crossEntropy.none', crossEntropy(x, targets, { reduction: 'none' })],
        ['nllLoss', nllLoss(x.logSoftmax(1), targets, { reduction: 'sum' })],
      ];
      let loss = null;
      for (const [, o] of outs) { const t = o.mul(randn(o.shape)).sum(); loss = loss ? loss.add(t) : t; }
      loss.backward();
      return [...outs.map(([k, o]) => [k, o.toFloat32Array()]), ['indices', x.max(1).indices.toFloat32Array()],
        ['argmax', x.argmax(0).toFloat32Array()], ['grad.x', x.grad.toFloat32Array()]];
    },
    // multinomial (with and without replacement) and sample (temperature, topK; a (N, C) tensor and a
    // Float32Array row one draw at a time, as when generating text) after manualSeed
    sampling: () => {
      manualSeed(109);
      const logits = randn([4, 13]).mul(2);
      const probs = logits.softmax(1);
      const row = logits.select(0, 1).toFloat32Array();
      const seq = [];
      for (let i = 0; i < 100; i++) seq.push(sample(row, { temperature: 1.3 }));
      return [
        ['multinomial.replacement', multinomial(probs, 50, { replacement: true }).toFloat32Array()],
        ['multinomial.noReplacement', multinomial(probs, 13).toFloat32Array()],
        ['sample.rows', Float32Array.from(sample(logits, { temperature: 0.8, topK: 5 }))],
        ['sample.seq', Float32Array.from(seq)],
        ['sample.topK', Float32Array.from({ length: 50 }, () => sample(row, { topK: 3 }))],
      ];
    },
  };
}

const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function concat(parts) {
  const n = parts.reduce((s, [, v]) => s + v.byteLength, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const [, v] of parts) { out.set(bytesOf(v), o); o += v.byteLength; }
  return out;
}

/** Every case's parts: { caseName: [[partName, Float32Array], ...] }. */
export async function runCaseParts(lib) {
  const out = {};
  for (const [name, fn] of Object.entries(caseList(lib))) out[name] = fn();
  return out;
}

/** Every case's bytes (its parts' Float32Array bytes concatenated): { caseName: Uint8Array }. */
export async function runCases(lib) {
  const out = {};
  for (const [name, parts] of Object.entries(await runCaseParts(lib))) out[name] = concat(parts);
  return out;
}

/** SHA-256 as lowercase hex, with the platform's crypto.subtle. */
export async function sha256(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs the suite and hashes it: { cases: { name: sha256 }, parts: { 'name/part': sha256 }, ms }.
 * This is what every runner reports; test/runtimes/golden.mjs compares it with golden.json.
 */
export async function hashSuite(lib) {
  const t0 = Date.now();
  const all = await runCaseParts(lib);
  const ms = Date.now() - t0;
  return { ...(await hashParts(all)), ms };
}

/** Hashes the output of runCaseParts (e.g. computed where crypto.subtle is missing: an AudioWorklet). */
export async function hashParts(all) {
  const cases = {}, parts = {};
  for (const [name, ps] of Object.entries(all)) {
    cases[name] = await sha256(concat(ps));
    for (const [p, v] of ps) parts[`${name}/${p}`] = await sha256(bytesOf(v));
  }
  return { cases, parts };
}
