// Loader for the PyTorch reference vectors in test/vectors/ (written by test/gen_vectors.py; format in
// test/vectors/README.md). Paths are relative to test/vectors/, e.g. loadCase('lstm/lstm_basic.json').
import { readFileSync, readdirSync } from 'node:fs';

type DType = 'f32' | 'f64' | 'i32';
type Tensor = { shape: number[]; dtype: DType; data: string };

export type Case = {
  /** Everything in the file except `tensors`: name, kind, config, batched, has_h0, lengths, torch_err, ... */
  meta: any;
  /** Tensor names in file order. */
  names: string[];
  has(name: string): boolean;
  shape(name: string): number[];
  /** Values as float32 (f64 tensors are narrowed, i32 converted). */
  f32(name: string): Float32Array;
  /** Values as float64 (f32 tensors are widened exactly, i32 converted). */
  f64(name: string): Float64Array;
  /** Values as int32 (for `lengths`, `labels`). */
  i32(name: string): Int32Array;
};

const root = new URL('./vectors/', import.meta.url);
const SIZE: Record<DType, number> = { f32: 4, f64: 8, i32: 4 };

/** Decode a tensor's little-endian base64 payload into plain numbers of its own dtype. */
function decode(t: Tensor): Float32Array | Float64Array | Int32Array {
  const bin = atob(t.data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const n = bytes.length / SIZE[t.dtype];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (t.dtype === 'f32') { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = dv.getFloat32(4 * i, true); return a; }
  if (t.dtype === 'f64') { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = dv.getFloat64(8 * i, true); return a; }
  if (t.dtype === 'i32') { const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = dv.getInt32(4 * i, true); return a; }
  throw new Error(`unknown dtype ${(t as Tensor).dtype}`);
}

export function loadCase(relPath: string): Case {
  const path = relPath.endsWith('.json') ? relPath : relPath + '.json';
  const { tensors, ...meta } = JSON.parse(readFileSync(new URL(path, root), 'utf8'));
  const get = (name: string): Tensor => {
    const t = tensors[name];
    if (!t) throw new Error(`${path}: no tensor "${name}" (has: ${Object.keys(tensors).join(', ')})`);
    return t;
  };
  const cache = new Map<string, Float32Array | Float64Array | Int32Array>();
  const raw = (name: string) => {
    let a = cache.get(name);
    if (!a) cache.set(name, (a = decode(get(name))));
    return a;
  };
  return {
    meta,
    names: Object.keys(tensors),
    has: (name) => name in tensors,
    shape: (name) => get(name).shape.slice(),
    // fresh copies, so callers may mutate them
    f32: (name) => Float32Array.from(raw(name)),
    f64: (name) => Float64Array.from(raw(name)),
    i32: (name) => Int32Array.from(raw(name)),
  };
}

/** Relative paths (from test/vectors/) of every case file under test/vectors/<dir>, sorted. */
export function listCases(dir: string): string[] {
  const base = dir.replace(/\/+$/, '');
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(new URL(rel + '/', root), { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${rel}/${e.name}`);
      else if (e.name.endsWith('.json')) out.push(`${rel}/${e.name}`);
    }
  };
  walk(base);
  return out.sort();
}
