// Limits on what a file may ask the loaders for (safetensors, ONNX, TF.js model.json). Past one, a
// loader throws an RnnError naming the limit and the value found, after work linear in the file's
// size and before any Wasm memory is touched. docs/interchange.md lists them ("Limits").
// No Wasm state here: wasm-rnn/onnx bundles this file too.
import { RnnError } from './errors.js';

export const LIMITS = {
  /** Bytes of a safetensors JSON header (the limit of the Rust implementation Python uses). */
  safetensorsHeaderBytes: 100_000_000,
  /** Tensors in one safetensors file. */
  safetensorsTensors: 65_536,
  /** Nesting of arrays and objects in JSON from a file (safetensors header, model.json text). */
  jsonDepth: 64,
  /** Dimensions of one tensor in a file. */
  rank: 64,
  /** Every dimension of a tensor in a file, and the product of its non-zero dimensions (2^31 − 1). */
  dimension: 2 ** 31 - 1,
  /** Nodes in an ONNX graph. */
  onnxNodes: 100_000,
  /** RNN / LSTM / GRU nodes in an ONNX graph (each becomes a module). */
  onnxRecurrentNodes: 1_024,
  /** Parameters of all the modules loadOnnx builds together (2^28 float32 values = 1 GiB)… */
  onnxParameters: 2 ** 28,
  /** …and at most this many per byte of the file (or 2^24 in all, for small files). */
  onnxParametersPerFileByte: 1,
  /** Protobuf fields in one ONNX message (non-packed repeated values count one each). */
  protobufFields: 2 ** 22,
  /** Layers in a TF.js model.json. */
  tfjsLayers: 10_000,
} as const;

/** 1234567 → "1,234,567" (the same in every engine, with or without Intl). */
export const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** The RnnError for a value past a limit: `arg: expected at most N things (wasm-rnn's limit), got M`. */
export function overLimit(arg: string, what: string, limit: number, got: number | string): never {
  throw new RnnError(`${arg}: expected at most ${grouped(limit)} ${what} (wasm-rnn's limit), got ${typeof got === 'number' ? grouped(got) : got}`);
}

/**
 * Checks the dims of a tensor stored in a file: at most LIMITS.rank of them, each an integer in
 * [0, 2^31 − 1], and the product of the non-zero ones at most 2^31 − 1 — so no size or stride
 * computed from them can pass 32 bits, even for a tensor with no elements ([0, 2^40] is refused).
 */
export function checkFileDims(arg: string, dims: readonly unknown[]): void {
  if (dims.length > LIMITS.rank) overLimit(arg, 'dimensions', LIMITS.rank, dims.length);
  let p = 1;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new RnnError(`${arg}: expected non-negative integer dimensions, got ${typeof d === 'number' ? d : typeof d} at dimension ${i}`);
    }
    if (d > LIMITS.dimension) overLimit(`${arg}[${i}]`, 'elements along one dimension', LIMITS.dimension, d);
    if (d > 0) p *= d;
    if (p > LIMITS.dimension) overLimit(arg, 'elements (the product of the non-zero dimensions)', LIMITS.dimension, `[${dims.join(', ')}]`);
  }
}

/**
 * One pass over JSON text, strings skipped: refuses nesting deeper than LIMITS.jsonDepth before
 * JSON.parse builds it (some engines' JSON.parse recurse; V8's takes seconds on millions of levels),
 * and counts the members of the top-level object. Malformed text is left for JSON.parse to report.
 */
export function scanJson(text: string, arg: string): { topMembers: number } {
  let depth = 0, top = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {                                   // a string: skip to its closing quote
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {              // { [
      if (++depth > LIMITS.jsonDepth) overLimit(arg, 'levels of nested JSON arrays and objects', LIMITS.jsonDepth, `more, at character ${i}`);
    } else if (c === 0x7d || c === 0x5d) {              // } ]
      depth--;
    } else if (c === 0x3a && depth === 1) {             // a member of the top-level object
      top++;
    }
  }
  return { topMembers: top };
}

/**
 * The bytes of a Uint8Array, another typed array or DataView (its bytes), an ArrayBuffer or a
 * SharedArrayBuffer, or null for anything else — a proxy, a revoked proxy or a detached buffer
 * included, without throwing. `plain`: always a plain Uint8Array view (a Node Buffer's
 * subarray/slice differ from Uint8Array's).
 */
export function byteView(bytes: unknown, plain = false): Uint8Array | null {
  try {
    if (ArrayBuffer.isView(bytes)) {
      if (bytes instanceof Uint8Array && !plain) return bytes;
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    if (bytes instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && bytes instanceof SharedArrayBuffer)) {
      return new Uint8Array(bytes as ArrayBuffer);
    }
  } catch {
    // a revoked proxy, a detached buffer
  }
  return null;
}
