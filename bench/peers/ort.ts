/// <reference types="node" />
// onnxruntime-node (native CPU) and onnxruntime-web (Wasm, in Node) on W1–W3: one ONNX
// RNN / LSTM / GRU node per layer, built by bench/peers/onnx.ts from wasm-rnn's state dict.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { GATES, type Workload } from '../workloads.js';
import { onnxModel, type OnnxNode, type OnnxTensor } from './onnx.js';

export type StateArrays = Record<string, Float32Array>;

/**
 * PyTorch gate blocks → ONNX gate blocks: ONNX LSTM is i,o,f,c (PyTorch i,f,g,o); ONNX GRU is
 * z,r,h (PyTorch r,z,n). Entry k is the PyTorch block that goes to ONNX position k.
 */
const ONNX_ORDER = { RNN: [0], LSTM: [0, 3, 1, 2], GRU: [1, 0, 2] };

/** Reorders the gate blocks (rows of H·cols floats) of a [G·H, cols] matrix or [G·H] vector. */
export function permuteGates(a: Float32Array, order: number[], H: number, cols = 1): Float32Array {
  const out = new Float32Array(a.length);
  const block = H * cols;
  order.forEach((src, dst) => out.set(a.subarray(src * block, (src + 1) * block), dst * block));
  return out;
}

function cat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** ONNX model bytes equivalent to wasm-rnn's module with state dict `sd`: X (T,B,I) → Y (T,B,D·H). */
export function onnxRecurrentModel(w: Workload, sd: StateArrays): Uint8Array {
  const { mode, L, D, T, B, I, H } = w;
  const G = GATES[mode];
  const order = ONNX_ORDER[mode];
  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  let x = 'X';
  for (let l = 0; l < L; l++) {
    const inl = l === 0 ? I : D * H;
    const Ws: Float32Array[] = [], Rs: Float32Array[] = [], Bs: Float32Array[] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d ? '_reverse' : ''}`;
      Ws.push(permuteGates(sd['weight_ih' + sfx], order, H, inl));
      Rs.push(permuteGates(sd['weight_hh' + sfx], order, H, H));
      Bs.push(permuteGates(sd['bias_ih' + sfx], order, H), permuteGates(sd['bias_hh' + sfx], order, H));
    }
    inits.push({ name: `W${l}`, dims: [D, G * H, inl], f32: cat(Ws) });
    inits.push({ name: `R${l}`, dims: [D, G * H, H], f32: cat(Rs) });
    inits.push({ name: `B${l}`, dims: [D, 2 * G * H], f32: cat(Bs) });
    const attrs: OnnxNode['attrs'] = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward' };
    if (mode === 'GRU') attrs.linear_before_reset = 1; // PyTorch's GRU: r ⊙ (W_hn h + b_hn)
    nodes.push({ op: mode, inputs: [x, `W${l}`, `R${l}`, `B${l}`], outputs: [`Y${l}`], attrs });
    // Y (T, D, B, H) → (T, B, D·H), as torch.onnx.export writes it
    const y = l === L - 1 ? 'Y' : `X${l + 1}`;
    if (D === 1) {
      nodes.push({ op: 'Squeeze', inputs: [`Y${l}`, 'axis1'], outputs: [y] });
    } else {
      nodes.push({ op: 'Transpose', inputs: [`Y${l}`], outputs: [`Yt${l}`], attrs: { perm: [0, 2, 1, 3] } });
      nodes.push({ op: 'Reshape', inputs: [`Yt${l}`, 'shapeTBx'], outputs: [y] });
    }
    x = y;
  }
  if (D === 1) inits.push({ name: 'axis1', dims: [1], i64: [1] });
  else inits.push({ name: 'shapeTBx', dims: [3], i64: [T, B, -1] });
  return onnxModel({
    nodes, initializers: inits,
    inputs: [{ name: 'X', dims: [T, B, I] }], outputs: [{ name: 'Y', dims: [T, B, D * H] }],
  });
}

export interface OrtRunner { name: string; run(x: Float32Array): Promise<Float32Array>; release(): Promise<void> }

export async function ortNodeRunner(model: Uint8Array, dims: number[]): Promise<OrtRunner> {
  const s = await ortNode.InferenceSession.create(model, {
    executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1,
    executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  return {
    name: 'onnxruntime-node',
    async run(x) { return (await s.run({ X: new ortNode.Tensor('float32', x, dims) })).Y.data as Float32Array; },
    release: () => s.release(),
  };
}

let webReady = false;
function setupWeb(): void {
  if (webReady) return;
  // the .wasm and its .mjs glue straight from node_modules/onnxruntime-web/dist/
  const require = createRequire(import.meta.url);
  ortWeb.env.wasm.wasmPaths = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')) + '/';
  ortWeb.env.wasm.numThreads = 1;
  (ortWeb.env.wasm as { simd?: boolean }).simd = true; // deprecated in 1.30 (always SIMD); kept as asked
  ortWeb.env.wasm.proxy = false;
  webReady = true;
}

export async function ortWebRunner(model: Uint8Array, dims: number[]): Promise<OrtRunner> {
  setupWeb();
  const s = await ortWeb.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return {
    name: 'onnxruntime-web',
    async run(x) { return (await s.run({ X: new ortWeb.Tensor('float32', x, dims) })).Y.data as Float32Array; },
    release: () => s.release(),
  };
}

export const ortVersions = () => ({ node: ortNode.env.versions?.node ?? '?', web: ortWeb.env.versions?.web ?? '?' });
