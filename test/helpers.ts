// Shared test helpers: the library under test is the built bundle in dist/.
import * as assert from 'uvu/assert';
import * as lib from '../dist/index.js';
import { loadCase, type Case } from './vectors.js';

export { lib };
await lib.init();

/** max |a − ref| and the largest |ref| */
export function maxDiff(a: ArrayLike<number>, ref: ArrayLike<number>): { err: number; scale: number } {
  assert.is(a.length, ref.length, 'length');
  let err = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - ref[i]);
    if (!(d <= err)) err = Number.isNaN(d) ? Infinity : d;
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return { err, scale };
}

/**
 * The accuracy contract: our float32 error against the float64 reference is at most 10× PyTorch's own
 * float32 error on the same case. The tolerance never drops below 10 half-ulps of the largest reference
 * value (2^-24 relative), for tensors where PyTorch happened to be exact.
 */
export function within10x(c: Case, key: string, ours: ArrayLike<number>, report?: string[]): void {
  const ref = c.f64('ref.' + key);
  const torchErr = c.meta.torch_err[key];
  assert.ok(torchErr !== undefined, `${c.meta.name}: no torch_err for ${key}`);
  const { err, scale } = maxDiff(ours, ref);
  const tol = 10 * Math.max(torchErr, scale * 2 ** -24);
  report?.push(`${c.meta.name} ${key}: err ${err.toExponential(2)} torch ${torchErr.toExponential(2)} (${(err / Math.max(torchErr, 1e-30)).toFixed(2)}x)`);
  assert.ok(err <= tol, `${c.meta.name} ${key}: error ${err.toExponential(3)} > 10 × torch error ${torchErr.toExponential(3)} (tol ${tol.toExponential(3)})`);
}

/** A case's tensor as a library Tensor. */
export function T(c: Case, name: string, requiresGrad = false): lib.Tensor {
  return lib.tensor(c.f32(name), c.shape(name), { requiresGrad });
}

/** The case's parameters as a state dict under `prefix`. */
export function stateDict(c: Case, prefix = ''): Record<string, lib.Tensor> {
  const sd: Record<string, lib.Tensor> = {};
  for (const n of c.names) if (n.startsWith('param.')) sd[n.slice(6).replace(/^/, '')] = T(c, n);
  return prefix ? Object.fromEntries(Object.entries(sd).map(([k, v]) => [prefix + k, v])) : sd;
}

export { loadCase };

/** Asserts that two float arrays hold the same bits (NaN payloads and the sign of zero included). */
export function bitsEqual(a: Float32Array, b: Float32Array, what: string): void {
  assert.is(a.length, b.length, what + ' length');
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) assert.unreachable(`${what}[${i}]: ${a[i]} (0x${ua[i].toString(16)}) vs ${b[i]} (0x${ub[i].toString(16)})`);
  }
}

/**
 * `fn` must throw an RnnError whose message has every fragment, with the Wasm heap untouched
 * (`memoryStats().liveBytes` unchanged). Returns the message.
 */
export function rejects(fn: () => unknown, ...fragments: string[]): string {
  const before = lib.memoryStats().liveBytes;
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof lib.RnnError, `expected RnnError, got ${err instanceof Error ? err.stack : err}`);
  const msg = (err as Error).message;
  for (const f of fragments) assert.ok(msg.includes(f), `message "${msg.slice(0, 400)}" lacks "${f}"`);
  assert.is(lib.memoryStats().liveBytes, before, `no Wasm memory touched (${fragments[0] ?? msg.slice(0, 80)})`);
  return msg;
}
