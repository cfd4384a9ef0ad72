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
import { LIMITS, byteView, checkFileDims, grouped, overLimit, scanJson } from './limits.js';
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

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry { dtype: string; shape: number[]; dataOffsets: [number, number] }

/** A parsed, validated header: tensors in data order, and the optional `__metadata__`. */
export interface SafetensorsHeader {
  /** name → entry, a null-prototype object (a tensor may be called `__proto__` or `constructor`). */
  tensors: Record<string, SafetensorsEntry>;
  /** The `__metadata__` strings (a null-prototype object), or null. */
  metadata: Record<string, string> | null;
  /** Byte offset of the data section in the file (8 + N). */
  dataStart: number;
}

function asBytes(bytes: unknown, arg: string): Uint8Array {
  const b = byteView(bytes);
  return b ?? fail(arg, 'a Uint8Array or an ArrayBuffer (the bytes of a .safetensors file)', bytes);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const SAVE_HINT = 'save the weights as safetensors in Python: from safetensors.torch import save_file; save_file(model.state_dict(), "model.safetensors")';

/** What the first bytes say the file is, when it is plainly another format (a message that teaches). */
function otherFormat(b: Uint8Array): string | null {
  const at = (i: number, ...xs: number[]) => xs.every((x, k) => b[i + k] === x);
  if (at(0, 0x50, 0x4b, 0x03, 0x04) || at(0, 0x50, 0x4b, 0x05, 0x06)) {
    return `a ZIP archive: a PyTorch .pt/.pth file written by torch.save (or a Keras .keras file)? Not readable here; ${SAVE_HINT}`;
  }
  if (b[0] === 0x80 && b[1] >= 2 && b[1] <= 5) {
    return `a Python pickle: a PyTorch .pt/.pth file written by torch.save in the legacy format? Not readable here; ${SAVE_HINT}`;
  }
  if (at(0, 0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)) {
    return 'an HDF5 file: a Keras .h5 model? Convert it with `tensorflowjs_converter --input_format keras model.h5 out/` and load out/model.json with loadLayersModelFromJSON';
  }
  if (at(0, 0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59)) return 'a NumPy .npy array; save tensors with safetensors.numpy.save_file instead';
  if (at(0, 0x1f, 0x8b)) return 'gzip-compressed data (decompress it first)';
  if (at(0, 0x00, 0x61, 0x73, 0x6d)) return 'a WebAssembly module';
  // ONNX ModelProto: field 1 (ir_version, a small varint), then another field of ModelProto
  if (b[0] === 0x08 && b[1] >= 1 && b[1] < 0x40 && [0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42].includes(b[2])) {
    return "an ONNX model: load it with loadOnnx from 'wasm-rnn/onnx'";
  }
  let i = 0;
  while (i < b.length && i < 64 && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  if (b[i] === 0x7b || b[i] === 0x5b) {
    return 'JSON text, not a safetensors file (which starts with an 8-byte header length): a TF.js model.json? Load it with loadLayersModelFromJSON';
  }
  return null;
}

/** Throws the teaching message when the bytes are another known format, else the generic one. */
function notSafetensors(b: Uint8Array, expected: string, got: string): never {
  const other = otherFormat(b);
  if (other) throw new RnnError(`bytes: expected a safetensors file, got ${other}`);
  return fail('bytes', expected, got, true);
}

/**
 * Reads and checks the header of a safetensors file without loading any tensor.
 * Throws RnnError for a file that is not valid safetensors: too short, a header length past the
 * end, a header that is not a UTF-8 JSON object starting with `{` (a byte-order mark is refused,
 * as in Python's and Rust's safetensors), an entry without dtype/shape/data_offsets, a byte range
 * that does not match dtype × shape, ranges that overlap, leave gaps or run past the end of the
 * file, a `__metadata__` that is not an object of strings, or past the limits (header of
 * 100,000,000 bytes, 65,536 tensors, 64 dimensions, 2^31 − 1 elements, JSON 64 levels deep).
 * A PyTorch .pt file, a pickle, an ONNX model, an HDF5 or JSON file gets a message saying so.
 */
export function safetensorsHeader(bytes: Uint8Array | ArrayBuffer): SafetensorsHeader {
  const b = asBytes(bytes, 'bytes');
  if (b.length < 8) notSafetensors(b, 'at least 8 bytes (the header length of a safetensors file)', `${b.length} bytes`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const lo = dv.getUint32(0, true), hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  const MAX = LIMITS.safetensorsHeaderBytes;
  if (hi !== 0 || n > MAX) notSafetensors(b, `a header length of at most ${grouped(MAX)} bytes`, `${n}`);
  if (n > b.length - 8) notSafetensors(b, `a header of ${n} bytes after the 8-byte length (the length field)`, `a file of ${b.length} bytes`);
  if (n === 0 || b[8] !== 0x7b) {
    const head = b.subarray(8, 8 + Math.min(n, 8));
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    notSafetensors(b, "a JSON header starting with '{'", bom ? 'a UTF-8 byte-order mark (EF BB BF) first' : n === 0 ? 'an empty header' : `bytes ${Array.from(head, (x) => x.toString(16).padStart(2, '0')).join(' ')}`);
  }
  const text = decodeUtf8(b.subarray(8, 8 + n));
  if (text === null) return fail('bytes', 'a UTF-8 header', 'bytes that are not UTF-8', true);
  const { topMembers } = scanJson(text, 'safetensors header');
  if (topMembers > LIMITS.safetensorsTensors + 1) overLimit('safetensors header', 'tensors', LIMITS.safetensorsTensors, `${grouped(topMembers)} entries`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail('bytes', 'a JSON header', `invalid JSON (${show(String((e as Error)?.message))})`, true);
  }
  if (!isObject(json)) return fail('bytes', 'a JSON object as header', json);
  const dataLen = b.length - 8 - n;
  let metadata: Record<string, string> | null = null;
  const entries: [string, SafetensorsEntry][] = [];
  const where = (name: string) => `safetensors[${show(name)}]`;
  for (const name of Object.keys(json)) {
    const v = json[name];
    if (name === '__metadata__') {
      if (!isObject(v)) fail('__metadata__', 'an object of strings', v);
      metadata = Object.create(null) as Record<string, string>;
      for (const k of Object.keys(v)) {
        const s = v[k];
        if (typeof s !== 'string') fail(`__metadata__[${show(k)}]`, 'a string', s);
        metadata[k] = s;
      }
      continue;
    }
    if (!isObject(v)) fail(where(name), 'an object { dtype, shape, data_offsets }', v);
    const { dtype, shape, data_offsets: off } = v;
    if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(DTYPE_SIZE, dtype)) fail(`${where(name)}.dtype`, `one of ${Object.keys(DTYPE_SIZE).join(', ')}`, dtype);
    if (!Array.isArray(shape) || !shape.every(isCount)) fail(`${where(name)}.shape`, 'an array of non-negative integers', shape);
    checkFileDims(`${where(name)}.shape`, shape);
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isCount)) fail(`${where(name)}.data_offsets`, 'a pair [begin, end] of non-negative integers', off);
    const [begin, end] = off as [number, number];
    if (begin > end) fail(`${where(name)}.data_offsets`, 'begin <= end', off);
    if (end > dataLen) fail(`${where(name)}.data_offsets`, `offsets within the ${dataLen} data bytes`, off);
    const want = numel(shape as number[]) * DTYPE_SIZE[dtype as string];
    if (end - begin !== want) {
      throw new RnnError(`${where(name)}.data_offsets: expected ${want} bytes (${dtype} × shape ${show(shape)}), got ${end - begin} (${show(off)})`);
    }
    entries.push([name, { dtype: dtype as string, shape: (shape as number[]).slice(), dataOffsets: [begin, end] }]);
  }
  if (entries.length > LIMITS.safetensorsTensors) overLimit('safetensors header', 'tensors', LIMITS.safetensorsTensors, entries.length);
  // the tensors must tile the data section: sorted by begin, each starts where the last ended
  entries.sort((x, y) => x[1].dataOffsets[0] - y[1].dataOffsets[0] || x[1].dataOffsets[1] - y[1].dataOffsets[1]);
  let pos = 0, prev = '';
  const tensors = Object.create(null) as Record<string, SafetensorsEntry>;
  for (const [name, e] of entries) {
    const [begin, end] = e.dataOffsets;
    if (begin < pos) throw new RnnError(`${where(name)}.data_offsets: expected a byte range after ${show(prev)}'s (ending at ${pos}), got ${show(e.dataOffsets)}, which overlaps it`);
    if (begin > pos) throw new RnnError(`${where(name)}.data_offsets: expected to start at byte ${pos}${prev ? ` where ${show(prev)} ends` : ''}, got ${begin} (a gap of ${begin - pos} bytes)`);
    pos = end;
    prev = name;
    tensors[name] = e;
  }
  if (pos !== dataLen) fail('bytes', `${pos} data bytes after the header (what the tensors cover)`, `${dataLen}`, true);
  return { tensors, metadata, dataStart: 8 + n };
}

/**
 * Loads every tensor of a safetensors file (the bytes of a `.safetensors` file, as written by
 * Python's `safetensors.torch.save_file(model.state_dict(), path)`) as f32 Tensors of the stored
 * shapes, in the file's data order: `model.loadStateDict(loadSafetensors(bytes))`. The result is a
 * null-prototype object, so any tensor name (`__proto__`, `constructor`) is an ordinary key.
 * F32 loads as is; F16 and BF16 are widened exactly; F64 is rounded to nearest f32; I8 (the int8
 * weights of a quantized model, see quantize()) loads as an Int8Tensor of the same values. Any other
 * dtype (I64, U8, BOOL, …) and any malformed file throw RnnError before any Wasm memory is used.
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  const b = asBytes(bytes, 'bytes');
  const h = safetensorsHeader(b);
  const names = Object.keys(h.tensors);
  for (const name of names) {
    const e = h.tensors[name];
    if (!READABLE.includes(e.dtype)) {
      fail(`safetensors[${show(name)}].dtype`, `${READABLE.join(', ')} (the types wasm-rnn reads)`, e.dtype);
    }
  }
  safePoint();
  const out = Object.create(null) as Record<string, Tensor>;
  for (const name of names) {
    const info = h.tensors[name];
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
  if (names.length > LIMITS.safetensorsTensors) overLimit('stateDict', 'tensors (what loadSafetensors reads back)', LIMITS.safetensorsTensors, names.length);
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) fail('metadata', 'an object of strings', metadata);
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') fail(`metadata[${show(k)}]`, 'a string', v);
  }
  // null-prototype objects: a name like "__proto__" stays a key (JSON.stringify writes it)
  const header = Object.create(null) as Record<string, unknown>;
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
  if (json.length + pad > LIMITS.safetensorsHeaderBytes) overLimit('stateDict', 'bytes of header (names and metadata)', LIMITS.safetensorsHeaderBytes, json.length + pad);
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
