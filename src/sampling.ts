// Drawing from the seeded generator (manualSeed; assembly/random.ts): multinomial, and sample for
// generating text one token at a time. Same seed, same draws, in every engine.
import { RnnError, fail, show } from './errors.js';
import { safePoint } from './storage.js';
import { Tensor, empty } from './tensor.js';
import { F32, I32, w, type WasmExports } from './wasm.js';

export interface MultinomialOptions {
  /** Draw with replacement (default false: each category at most once per row, like PyTorch). */
  replacement?: boolean;
}

/**
 * Draws category indices from non-negative weights, like `torch.multinomial(probs, numSamples,
 * replacement)`: probs (C) or (N, C) (need not sum to 1) → indices (numSamples) or (N, numSamples),
 * a tensor of integral floats. Without replacement the draws of a row are distinct, each from
 * the weights not yet drawn, so numSamples may not exceed a row's non-zero weights. Driven by
 * the seeded generator (manualSeed): the same seed gives the same indices in every engine (not
 * PyTorch's bits: its generator differs). Negative, NaN or infinite weights, or a row of zeros,
 * are an RnnError (found before anything is drawn).
 */
export function multinomial(probs: Tensor, numSamples: number, opts: MultinomialOptions = {}): Tensor {
  if (!(probs instanceof Tensor)) fail('probs', 'a Tensor', probs);
  if (probs.dim !== 1 && probs.dim !== 2) fail('probs', 'weights of shape (C) or (N, C)', `shape ${show(probs.shape)}`, true);
  const { replacement = false } = opts ?? {};
  if (typeof replacement !== 'boolean') fail('replacement', 'a boolean', replacement);
  const C = probs.shape[probs.dim - 1], N = probs.dim === 2 ? probs.shape[0] : 1;
  if (C === 0) fail('probs', 'at least one category', `shape ${show(probs.shape)}`, true);
  if (!Number.isInteger(numSamples) || numSamples < 1) fail('numSamples', 'an integer >= 1', numSamples);
  if (!replacement && numSamples > C) {
    fail('numSamples', `at most ${C} (the number of categories) without replacement`, numSamples);
  }
  safePoint();
  const e = w();
  const p = probs.readPtr;
  const bad = e.multinomial_check(N, C, p, replacement ? 1 : numSamples);
  if (bad >= 0) {
    const nz = e.weights_row_count(C, p + bad * C * 4);
    const where = probs.dim === 2 ? `probs row ${bad}` : 'probs';
    if (nz < 0) throw new RnnError(`${where}: expected finite, non-negative weights, got a negative, NaN or infinite weight`);
    if (nz === 0) throw new RnnError(`${where}: expected at least one non-zero weight, got all zeros`);
    throw new RnnError(`numSamples: expected at most ${nz} (the non-zero weights of ${where}) without replacement, got ${numSamples}`);
  }
  const out = empty(probs.dim === 2 ? [N, numSamples] : [numSamples]);
  e.multinomial(N, C, probs.readPtr, numSamples, replacement ? 1 : 0, out.ptr);
  return out;
}

export interface SampleOptions {
  /** Divides the logits (> 0, finite; default 1): below 1 sharpens, above 1 flattens. */
  temperature?: number;
  /** Keep only the topK largest logits (ties by lower index); undefined (default) keeps all. */
  topK?: number | null;
}

// one block of Wasm memory reused by every sample() call (logits copied in, row indices out)
let scratch = 0, scratchBytes = 0, scratchOwner: WasmExports | null = null;

function scratchPtr(e: WasmExports, bytes: number): number {
  if (scratchOwner !== e || scratchBytes < bytes) {
    if (scratchOwner === e) e.free(scratch);
    const n = Math.max(bytes, 1024, 2 * (scratchOwner === e ? scratchBytes : 0));
    scratch = e.alloc(n);
    if (scratch === 0) throw new RangeError(`wasm-rnn: out of WebAssembly memory allocating ${n} bytes`);
    scratchBytes = n;
    scratchOwner = e;
  }
  return scratch;
}

/**
 * Draws the next token from logits, the helper to call per character when generating text:
 * the index j with probability softmax(logits / temperature)_j, restricted to the `topK` largest
 * logits when given. logits (C) — a Tensor or a Float32Array such as a step() output — gives a
 * number; a (N, C) Tensor gives number[] (one per row). −Infinity logits are never drawn; NaN,
 * +Infinity or a row without a finite logit is an RnnError. One Wasm call, no tensor allocated;
 * driven by the seeded generator (manualSeed).
 */
export function sample(logits: Float32Array, opts?: SampleOptions): number;
export function sample(logits: Tensor, opts?: SampleOptions): number | number[];
export function sample(logits: Tensor | Float32Array, opts: SampleOptions = {}): number | number[] {
  const { temperature = 1, topK } = opts ?? {};
  if (typeof temperature !== 'number' || !(temperature > 0) || temperature === Infinity) fail('temperature', 'a finite number > 0', temperature);
  if (topK !== undefined && topK !== null && (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1)) {
    fail('topK', 'an integer >= 1 (or undefined: no limit)', topK);
  }
  let N = 1, C: number, batched = false;
  if (logits instanceof Tensor) {
    if (logits.dim !== 1 && logits.dim !== 2) fail('logits', 'a tensor of shape (C) or (N, C)', `shape ${show(logits.shape)}`, true);
    batched = logits.dim === 2;
    C = logits.shape[logits.dim - 1];
    if (batched) N = logits.shape[0];
  } else if (logits instanceof Float32Array) {
    C = logits.length;
  } else {
    fail('logits', 'a Tensor or a Float32Array', logits);
  }
  if (C === 0) fail('logits', 'at least one class', `${C} classes`, true);
  safePoint();
  const e = w();
  let ptr: number;
  if (logits instanceof Tensor) ptr = logits.readPtr;
  else if (logits.buffer === e.memory.buffer) ptr = logits.byteOffset;     // already in Wasm memory
  else { ptr = scratchPtr(e, C * 4); F32().set(logits, ptr >> 2); }
  const out = batched && N > 0 ? scratchPtr(e, N * 4) : 0;
  const r = e.sample_logits(N, C, ptr, C, temperature, topK ?? 0, out);
  if (r < 0) {
    throw new RnnError(`logits${batched ? ` row ${-r - 1}` : ''}: expected finite values or -Infinity, at least one finite, got NaN, +Infinity or only -Infinity`);
  }
  if (!batched) return r;
  return Array.from(I32().subarray(out >> 2, (out >> 2) + N));
}
