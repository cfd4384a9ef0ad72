// safetensors, the format of Python's `safetensors.torch.save_file` / `load_file`.
// reference: https://github.com/huggingface/safetensors (README, "Format")
//
//   [8 bytes]  N, unsigned 64-bit little-endian: the header's length in bytes
//   [N bytes]  the header: UTF-8 JSON, padded with spaces to a multiple of 8 bytes
//              { "__metadata__"?: { string: string },
//                name: { "dtype": "F32", "shape": [d0, d1, …], "data_offsets": [begin, end] }, … }
//   [rest]     the data: every tensor row-major, little-endian, at data_offsets (relative to the
//              start of this section); the tensors tile it with no gap and no overlap.
//
// F32 is copied into Wasm memory byte for byte; F16 and BF16 are widened to f32 exactly and F64
// is rounded to nearest f32, all in Wasm (assembly/convert.ts). I8 (a quantized model's weights)
// loads as an Int8Tensor and an Int8Tensor saves as I8. Every check runs before any Wasm memory is
// touched.
import { decodeUtf8, encodeUtf8 } from './utf8.js';
import { RnnError, fail, show } from './errors.js';
import { safePoint, Storage } from './storage.js';
import { Tensor, numel } from './tensor.js';
import { Int8Tensor } from './int8.js';
import { w } from './wasm.js';

/** Bytes per element of every dtype the format names (wasm-rnn reads F32, F16, BF16, F64 and I8). */
const DTYPE_SIZE: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
const READABLE = ['F32', 'F16', 'BF16', 'F64', 'I8'];
/** The header may not be longer than this (the Rust implementation's limit). */
const MAX_HEADER = 100_000_000;

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry { dtype: string; shape: number[]; dataOffsets: [number, number] }

/** A parsed, validated header: tensors in data order, and the optional `__metadata__`. */
export interface SafetensorsHeader {
  tensors: Record<string, SafetensorsEntry>;
  metadata: Record<string, string> | null;
  /** Byte offset of the data section in the file (8 + N). */
  dataStart: number;
}

function asBytes(bytes: unknown, arg: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return fail(arg, 'a Uint8Array or an ArrayBuffer (the bytes of a .safetensors file)', bytes);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Reads and checks the header of a safetensors file without loading any tensor.
 * Throws RnnError for a file that is not valid safetensors: too short, a header length past the
 * end, a header that is not a UTF-8 JSON object, an entry without dtype/shape/data_offsets, a
 * byte range that does not match dtype × shape, ranges that overlap, leave gaps or run past the
 * end of the file, or a `__metadata__` that is not an object of strings.
 */
export function safetensorsHeader(bytes: Uint8Array | ArrayBuffer): SafetensorsHeader {
  const b = asBytes(bytes, 'bytes');
  if (b.length < 8) fail('bytes', 'at least 8 bytes (the header length of a safetensors file)', `${b.length} bytes`, true);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const lo = dv.getUint32(0, true), hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (hi !== 0 || n > MAX_HEADER) fail('bytes', `a header length of at most ${MAX_HEADER} bytes`, `${n}`, true);
  if (n > b.length - 8) fail('bytes', `a header of ${n} bytes after the 8-byte length (the length field)`, `a file of ${b.length} bytes`, true);
  const text = decodeUtf8(b.subarray(8, 8 + n));
  if (text === null) return fail('bytes', 'a UTF-8 header', 'bytes that are not UTF-8', true);
  if (text[0] !== '{') fail('bytes', "a JSON header starting with '{'", JSON.stringify(text.slice(0, 20)), true);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail('bytes', 'a JSON header', `invalid JSON (${(e as Error).message})`, true);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('bytes', 'a JSON object as header', json);
  const dataLen = b.length - 8 - n;
  let metadata: Record<string, string> | null = null;
  const entries: [string, SafetensorsEntry][] = [];
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) fail('__metadata__', 'an object of strings', v);
      for (const [k, s] of Object.entries(v as object)) if (typeof s !== 'string') fail(`__metadata__[${show(k)}]`, 'a string', s);
      metadata = { ...(v as Record<string, string>) };
      continue;
    }
    const at = `safetensors[${show(name)}]`;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(at, 'an object { dtype, shape, data_offsets }', v);
    const { dtype, shape, data_offsets: off } = v as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_SIZE)) fail(`${at}.dtype`, `one of ${Object.keys(DTYPE_SIZE).join(', ')}`, dtype);
    if (!Array.isArray(shape) || !shape.every(isCount)) fail(`${at}.shape`, 'an array of non-negative integers', shape);
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isCount)) fail(`${at}.data_offsets`, 'a pair [begin, end] of non-negative integers', off);
    const [begin, end] = off as [number, number];
    if (begin > end) fail(`${at}.data_offsets`, 'begin <= end', off);
    if (end > dataLen) fail(`${at}.data_offsets`, `offsets within the ${dataLen} data bytes`, off);
    const want = numel(shape as number[]) * DTYPE_SIZE[dtype as string];
    if (end - begin !== want) {
      throw new RnnError(`${at}.data_offsets: expected ${want} bytes (${dtype} × shape ${show(shape)}), got ${end - begin} (${show(off)})`);
    }
    entries.push([name, { dtype: dtype as string, shape: (shape as number[]).slice(), dataOffsets: [begin, end] }]);
  }
  // the tensors must tile the data section: sorted by begin, each starts where the last ended
  entries.sort((x, y) => x[1].dataOffsets[0] - y[1].dataOffsets[0] || x[1].dataOffsets[1] - y[1].dataOffsets[1]);
  let pos = 0, prev = '';
  for (const [name, e] of entries) {
    const [begin, end] = e.dataOffsets;
    if (begin < pos) throw new RnnError(`safetensors[${show(name)}].data_offsets: expected a byte range after ${show(prev)}'s (ending at ${pos}), got ${show(e.dataOffsets)}, which overlaps it`);
    if (begin > pos) throw new RnnError(`safetensors[${show(name)}].data_offsets: expected to start at byte ${pos}${prev ? ` where ${show(prev)} ends` : ''}, got ${begin} (a gap of ${begin - pos} bytes)`);
    pos = end;
    prev = name;
  }
  if (pos !== dataLen) fail('bytes', `${pos} data bytes after the header (what the tensors cover)`, `${dataLen}`, true);
  return { tensors: Object.fromEntries(entries), metadata, dataStart: 8 + n };
}

/**
 * Loads every tensor of a safetensors file (the bytes of a `.safetensors` file, as written by
 * Python's `safetensors.torch.save_file(model.state_dict(), path)`) as f32 Tensors of the stored
 * shapes, in the file's data order: `model.loadStateDict(loadSafetensors(bytes))`.
 * F32 loads as is; F16 and BF16 are widened exactly; F64 is rounded to nearest f32; I8 (the int8
 * weights of a quantized model, see quantize()) loads as an Int8Tensor of the same values. Any other
 * dtype (I64, U8, BOOL, …) and any malformed file throw RnnError before any Wasm memory is used.
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  const b = asBytes(bytes, 'bytes');
  const h = safetensorsHeader(b);
  for (const [name, e] of Object.entries(h.tensors)) {
    if (!READABLE.includes(e.dtype)) {
      fail(`safetensors[${show(name)}].dtype`, `${READABLE.join(', ')} (the types wasm-rnn reads)`, e.dtype);
    }
  }
  safePoint();
  const out: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(h.tensors)) {
    const src = b.subarray(h.dataStart + info.dataOffsets[0], h.dataStart + info.dataOffsets[1]);
    out[name] = tensorFromBytes(src, info.dtype as FloatDtype, info.shape);
  }
  return out;
}

/** The stored float types wasm-rnn reads (and I8, read as an Int8Tensor). */
export type FloatDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I8';

/**
 * @internal A Tensor from little-endian bytes of `dtype` (already checked: src holds exactly
 * numel(shape) values). F32 is copied byte for byte; the others are converted in Wasm.
 */
export function tensorFromBytes(src: Uint8Array, dtype: FloatDtype, shape: number[]): Tensor {
  const e = w();
  const n = numel(shape);
  const s = Storage.alloc(n);
  if (dtype === 'F32') {
    const p = s.ptr;
    new Uint8Array(e.memory.buffer, p, src.length).set(src);
  } else if (n > 0) {
    const raw = Storage.alloc(Math.ceil(src.length / 4));
    const p = raw.ptr;
    new Uint8Array(e.memory.buffer, p, src.length).set(src);
    if (dtype === 'F16') e.f16_to_f32(raw.ptr, s.ptr, n);
    else if (dtype === 'BF16') e.bf16_to_f32(raw.ptr, s.ptr, n);
    else if (dtype === 'I8') e.i8_to_f32(raw.ptr, s.ptr, n);
    else e.f64_to_f32(raw.ptr, s.ptr, n);
    raw.dispose();
  }
  return dtype === 'I8' ? new Int8Tensor(s, shape) : new Tensor(s, shape);
}

/** Orders strings by code point, as Rust orders the UTF-8 bytes of tensor names. */
function byCodePoint(a: string, b: string): number {
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

/**
 * Writes tensors as a safetensors file (F32; an Int8Tensor as I8), byte for byte what Python's
 * `safetensors.torch.save_file(tensors, path, metadata)` writes for the same f32 tensors: names
 * sorted, data in that order, the JSON header padded with spaces to 8 bytes.
 * stateDict: name → Tensor, e.g. `model.stateDict()`; metadata: optional string → string map
 * stored as `__metadata__`. Returns the file's bytes.
 */
export function saveSafetensors(stateDict: Record<string, Tensor>, metadata?: Record<string, string> | null): Uint8Array {
  if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) fail('stateDict', 'an object of name → Tensor', stateDict);
  const names = Object.keys(stateDict).sort(byCodePoint);
  for (const k of names) {
    if (k === '__metadata__') fail('stateDict', 'tensor names other than "__metadata__" (reserved by the format)', k);
    if (!(stateDict[k] instanceof Tensor)) fail(`stateDict[${show(k)}]`, 'a Tensor', stateDict[k]);
  }
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) fail('metadata', 'an object of strings', metadata);
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') fail(`metadata[${show(k)}]`, 'a string', v);
  }
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = Object.fromEntries(Object.keys(metadata).sort(byCodePoint).map((k) => [k, metadata[k]]));
  let pos = 0;
  const size = (t: Tensor) => (t instanceof Int8Tensor ? 1 : 4);
  for (const k of names) {
    const t = stateDict[k];
    header[k] = { dtype: t instanceof Int8Tensor ? 'I8' : 'F32', shape: t.shape.slice(), data_offsets: [pos, pos + t.numel * size(t)] };
    pos += t.numel * size(t);
  }
  const json = encodeUtf8(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  const out = new Uint8Array(8 + json.length + pad + pos);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, json.length + pad, true);
  dv.setUint32(4, 0, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + json.length + pad);
  safePoint();
  const e = w();
  let at = 8 + (out.length - 8 - pos);
  for (const k of names) {
    const t = stateDict[k];
    const nb = t.numel * size(t);
    if (nb && t instanceof Int8Tensor) {
      const tmp = Storage.alloc(Math.ceil(nb / 4)), p = t.readPtr;
      e.f32_to_i8(p, tmp.ptr, t.numel);
      out.set(new Uint8Array(e.memory.buffer, tmp.ptr, nb), at);
      tmp.dispose();
    } else if (nb) {
      const p = t.ptr;   // may bring evicted data back (and grow memory): take it before the view
      out.set(new Uint8Array(e.memory.buffer, p, nb), at);
    }
    at += nb;
  }
  return out;
}
