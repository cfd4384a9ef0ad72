// File fuzzing (issue 12 item 6, the file half): seeded mutations of valid safetensors, ONNX and TF.js
// model.json + weight files — bit flips, truncations, insertions, length-field edits, dtype / shape /
// offset edits in the safetensors header, protobuf field and varint edits, deep nesting, huge counts,
// duplicate and __proto__ names. Every case must end, within a hang bound, in
//   - a load that is correct (checked against an independent reading of the same bytes), or
//   - an RnnError that left the Wasm heap untouched;
// never a RangeError, TypeError, Wasm trap or hang. Afterwards a known-good LSTM forward still gives
// the same bits.
//
// Each case draws from its own generator seeded by (FUZZ_SEED, case index), so one case replays alone:
//   FUZZ_SEED=… FUZZ_CASE=safetensors:123 node --import tsx node_modules/uvu/bin.js test 'fuzz-files\.test\.ts$'
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as onnx from '../dist/onnx.js';
import * as fb from './filebuild.js';
import { bitsEqual, lib } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_f11e);
const ONLY = process.env.FUZZ_CASE ?? '';          // "kind:index" to replay one case
const HANG_MS = 3000;                              // far above any case (a few ms): only a hang trips it
const COUNTS = { safetensors: 1400, onnx: 1000, tfjs: 600 };

// ------------------------------------------------------------------------------------------ helpers

/** mulberry32, seeded per case */
class Rng {
  private a: number;
  constructor(...seeds: number[]) {
    let h = 0x9e3779b9;
    for (const s of seeds) h = Math.imul(h ^ (s >>> 0), 0x85ebca6b) ^ (h >>> 13);
    this.a = h >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
  chance(p: number): boolean { return this.next() < p; }
  bytes(n: number): Uint8Array { return Uint8Array.from({ length: n }, () => this.int(256)); }
}

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 16, 255, 256, 4095, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 53 - 1, 2 ** 53, -1, -2, -(2 ** 31), 0.5, 1e300];
const NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', '__metadata__', '', 'weight_ih_l0', '\u0000', '😀', 'a'.repeat(5000)];
const JUNK_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 31, 2 ** 53, 1e308, '', 'x', '__proto__', [], [1], [[[[]]]], {}, { __proto__: null }];

function deepValue(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Generic byte-level mutations; returns a description. */
function mutateBytes(r: Rng, b: Uint8Array): [Uint8Array, string] {
  const op = r.int(7);
  const at = r.int(Math.max(b.length, 1));
  switch (op) {
    case 0: { const c = b.slice(); const k = 1 + r.int(4); for (let i = 0; i < k; i++) { const p = r.int(c.length); c[p] ^= 1 << r.int(8); } return [c, `flip ${k} bits`]; }
    case 1: { const c = b.slice(); const k = 1 + r.int(4); for (let i = 0; i < k; i++) c[r.int(c.length)] = r.pick([0, 0xff, 0x7f, 0x80, r.int(256)]); return [c, `set ${k} bytes`]; }
    case 2: return [b.slice(0, at), `truncate at ${at}`];
    case 3: { const ins = r.bytes(1 + r.int(64)); const c = new Uint8Array(b.length + ins.length); c.set(b.subarray(0, at)); c.set(ins, at); c.set(b.subarray(at), at + ins.length); return [c, `insert ${ins.length} bytes at ${at}`]; }
    case 4: { const n = 1 + r.int(64); return [Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + n)]), `delete ${n} bytes at ${at}`]; }
    case 5: { const from = r.int(b.length), n = 1 + r.int(128); const chunk = b.slice(from, from + n); const c = new Uint8Array(b.length + chunk.length); c.set(b.subarray(0, at)); c.set(chunk, at); c.set(b.subarray(at), at + chunk.length); return [c, `duplicate ${chunk.length} bytes from ${from} at ${at}`]; }
    default: { const c = b.slice(); const n = 1 + r.int(32); c.fill(r.pick([0, 0xff]), at, at + n); return [c, `fill ${n} bytes at ${at}`]; }
  }
}

interface Outcome { kind: string; index: number; what: string }

/** Runs one case: the loader call must return (then `check` verifies it) or throw an RnnError leaving the heap as it was. */
function runCase(o: Outcome, call: () => unknown, check: (result: any) => void, cleanup: (result: any) => void): 'ok' | 'refused' {
  const label = `FUZZ_SEED=${SEED} FUZZ_CASE=${o.kind}:${o.index} (${o.what})`;
  const before = lib.memoryStats().liveBytes;
  const t0 = performance.now();
  let result: unknown, error: unknown = null;
  try { result = call(); } catch (e) { error = e; }
  const ms = performance.now() - t0;
  if (ms > HANG_MS) assert.unreachable(`${label}: took ${ms.toFixed(0)} ms`);
  if (error !== null) {
    if (!(error instanceof lib.RnnError)) assert.unreachable(`${label}: threw ${error instanceof Error ? error.stack : String(error)}`);
    if (lib.memoryStats().liveBytes !== before) assert.unreachable(`${label}: RnnError after touching Wasm memory (${(error as Error).message})`);
    return 'refused';
  }
  try { check(result); } catch (e) { throw new Error(`${label}: loaded, but wrong: ${(e as Error).message}`); } finally { cleanup(result); }
  return 'ok';
}

// Float decoding in JS (test-side references)
function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
function sameFloat(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Object.is(Math.fround(a), Math.fround(b));
}
const BITS = new Uint32Array(1), FLOAT = new Float32Array(BITS.buffer);
function decode(bytes: Uint8Array, dtype: string): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), out: number[] = [];
  if (dtype === 'F32') for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(dv.getFloat32(i, true));
  else if (dtype === 'F16') for (let i = 0; i + 2 <= bytes.length; i += 2) out.push(f16(dv.getUint16(i, true)));
  else if (dtype === 'BF16') for (let i = 0; i + 2 <= bytes.length; i += 2) { BITS[0] = dv.getUint16(i, true) << 16; out.push(FLOAT[0]); }
  else if (dtype === 'F64') for (let i = 0; i + 8 <= bytes.length; i += 8) out.push(Math.fround(dv.getFloat64(i, true)));
  return out;
}
function expectValues(got: Float32Array, want: number[], what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) if (!sameFloat(got[i], want[i])) throw new Error(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
}
const product = (s: number[]) => s.reduce((a, b) => a * b, 1);
function saneShape(shape: number[], what: string): void {
  assert.ok(shape.length <= 64 && shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 2 ** 31 - 1), `${what}: shape ${shape}`);
  assert.ok(shape.filter((d) => d > 0).reduce((a, b) => a * b, 1) <= 2 ** 31 - 1, `${what}: shape ${shape} wraps 32 bits`);
}

// ------------------------------------------------------------------------------------------ the known-good model

const vec = (p: string) => new Uint8Array(readFileSync(new URL(`./vectors/${p}`, import.meta.url)));
/** A module loaded from the LSTM fixture (the state dict freed: other test files measure the heap). */
function loadGood(): lib.LSTM {
  const m = new lib.LSTM(5, 7, { numLayers: 2, batchFirst: true });
  const sd = lib.loadSafetensors(vec('safetensors/lstm.safetensors'));
  m.loadStateDict(sd);
  for (const t of Object.values(sd)) t.dispose();
  return m;
}
function forwardBits(m: lib.LSTM): Float32Array {
  const [y, [h, c]] = m.forward(goodX);
  const bits = y.toFloat32Array();
  y.dispose(); h.dispose(); c.dispose();
  return bits;
}
const good = loadGood();
const goodIo = lib.loadSafetensors(vec('safetensors/lstm_io.safetensors'));
const goodX = goodIo.x;
const goodBits = forwardBits(good);

// ------------------------------------------------------------------------------------------ safetensors

/**
 * An independent reading of a safetensors file (the format's rules and the documented limits):
 * the tensors it holds, or null when the file must be refused.
 */
function refSafetensors(b: Uint8Array, forLoad: boolean): { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[] | null {
  if (b.length < 8) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint32(4, true) !== 0) return null;
  const n = dv.getUint32(0, true);
  if (n > 100_000_000 || n > b.length - 8 || n === 0 || b[8] !== 0x7b) return null;
  let json: any;
  try { json = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b.subarray(8, 8 + n))); } catch { return null; }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
  // nesting depth, iteratively
  const stack: [unknown, number][] = [[json, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > 64) return null;
    if (v && typeof v === 'object') for (const k of Object.keys(v)) { const c = (v as any)[k]; if (c && typeof c === 'object') stack.push([c, d + 1]); }
  }
  const SIZES: Record<string, number> = { BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8 };
  const dataLen = b.length - 8 - n;
  const out: { name: string; dtype: string; shape: number[]; bytes: Uint8Array; begin: number; end: number }[] = [];
  for (const name of Object.keys(json)) {
    const v = json[name];
    if (name === '__metadata__') {
      if (!v || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((s) => typeof s !== 'string')) return null;
      continue;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
    const { dtype, shape, data_offsets: off } = v;
    if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(SIZES, dtype)) return null;
    const isCount = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
    if (!Array.isArray(shape) || !shape.every(isCount) || shape.length > 64) return null;
    if (shape.some((d: number) => d > 2 ** 31 - 1) || shape.filter((d: number) => d > 0).reduce((a: number, c: number) => a * c, 1) > 2 ** 31 - 1) return null;
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isCount) || off[0] > off[1] || off[1] > dataLen) return null;
    if (off[1] - off[0] !== product(shape) * SIZES[dtype]) return null;
    out.push({ name, dtype, shape, begin: off[0], end: off[1], bytes: b.subarray(8 + n + off[0], 8 + n + off[1]) });
  }
  if (out.length > 65_536) return null;
  out.sort((x, y) => x.begin - y.begin || x.end - y.end);
  let pos = 0;
  for (const e of out) { if (e.begin !== pos) return null; pos = e.end; }
  if (pos !== dataLen) return null;
  if (forLoad && out.some((e) => !['F32', 'F16', 'BF16', 'F64'].includes(e.dtype))) return null;
  return out;
}

const ST_FILES = ['lstm', 'gru', 'lstm_f16', 'lstm_bf16', 'gru_io', 'lstm_io', 'bool', 'i64', 'dtypes'].map((f) => [f, vec(`safetensors/${f}.safetensors`)] as const);

function stParts(b: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const n = new DataView(b.buffer, b.byteOffset).getUint32(0, true);
  return { header: JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n))), data: b.slice(8 + n) };
}

/** An object with these own keys in this order (a key "__proto__" included). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

function mutateSafetensors(r: Rng, base: Uint8Array, huge: boolean): [Uint8Array, string] {
  const op = r.int(16);
  if (op < 3) return mutateBytes(r, base);
  const { header, data } = stParts(base);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const name = r.pick(names);
  const e = header[name];
  let raw: string | null = null, dataOut = data, what = '';
  switch (op) {
    case 3: { e.dtype = r.pick(['F32', 'F16', 'BF16', 'F64', 'I64', 'BOOL', 'U8', 'F8_E4M3', 'I32', 'Q4', '', 'f32', '__proto__', 5, null]); what = `dtype of ${name} → ${JSON.stringify(e.dtype)}`; break; }
    case 4: {
      const k = r.int(6);
      if (k === 0) e.shape = [...e.shape, r.pick(INTERESTING)];
      else if (k === 1) e.shape = e.shape.slice(1);
      else if (k === 2 && e.shape.length) e.shape[r.int(e.shape.length)] = r.pick(INTERESTING);
      else if (k === 3) e.shape = r.pick(JUNK_VALUES);
      else if (k === 4) e.shape = new Array(r.pick([63, 64, 65, 1000, 100_000])).fill(r.pick([0, 1]));
      else e.shape = [0, r.pick([2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53 - 1]), r.pick([1, 2 ** 31])];
      what = `shape of ${name} → ${JSON.stringify(e.shape)?.slice(0, 60)}`;
      break;
    }
    case 5: {
      const k = r.int(4), off = e.data_offsets;
      if (k === 0) off[r.int(2)] = r.pick(INTERESTING);
      else if (k === 1) { const d = r.pick([-8, -4, -1, 1, 4, 8]); off[0] += d; off[1] += d; }
      else if (k === 2) e.data_offsets = [off[1], off[0]];
      else e.data_offsets = r.pick(JUNK_VALUES);
      what = `data_offsets of ${name} → ${JSON.stringify(e.data_offsets)}`;
      break;
    }
    case 6: {   // rename to a hostile name (order kept)
      const to = r.pick(NAMES);
      const h = objectOf(Object.keys(header).map((k) => [k === name ? to : k, header[k]]));
      raw = JSON.stringify(h);
      what = `rename ${name} → ${JSON.stringify(to).slice(0, 20)}`;
      break;
    }
    case 7: {   // a duplicate key in the text (JSON.parse keeps the last)
      const text = JSON.stringify(header), ent = `${JSON.stringify(name)}:${JSON.stringify(e)}`;
      raw = text.slice(0, -1) + ',' + (r.chance(0.5) ? ent : `${JSON.stringify(name)}:${JSON.stringify({ ...e, data_offsets: [0, e.data_offsets[1] - e.data_offsets[0]] })}`) + '}';
      what = `duplicate key ${name}`;
      break;
    }
    case 8: {   // extra entries: hostile names, empty tensors, or (rarely: they take a while) past the limit
      const k = r.int(3);
      const count = k === 0 ? 1 : k === 2 && huge ? 65_537 - names.length : 1 + r.int(300);
      const extra: [string, unknown][] = [];
      for (let i = 0; i < count; i++) extra.push([count === 1 ? r.pick(NAMES) : `x${i}`, { dtype: 'F32', shape: [0], data_offsets: [0, 0] }]);
      raw = JSON.stringify(objectOf([...Object.keys(header).map((kk) => [kk, header[kk]] as [string, unknown]), ...extra]));
      what = `${count} extra empty entries`;
      break;
    }
    case 9: {
      header.__metadata__ = r.pick<unknown>([{ k: 5 }, [], 'x', null, JSON.parse('{"__proto__": "x", "constructor": "y"}'), deepValue(r.pick([10, 63, 64, 65, 500]))]);   // JSON.stringify copes with 500
      what = `__metadata__ → ${JSON.stringify(header.__metadata__).slice(0, 40)}`;
      break;
    }
    case 10: {
      const d = r.pick([10, 61, 62, 63, 64, 200, 20_000]);
      e.extra = '\u0000DEEP';
      raw = JSON.stringify(header).replace('"\\u0000DEEP"', fb.deepJson(d, r.pick(['array', 'object'])));
      what = `extra field nested ${d} deep in ${name}`;
      break;
    }
    case 11: { raw = r.pick(['\ufeff', ' ', '\n', '\u0000', '[', '']) + JSON.stringify(header); what = `header prefix ${JSON.stringify(raw.slice(0, 1))}`; break; }
    case 12: {
      const k = r.int(3);
      dataOut = k === 0 ? data.slice(0, Math.max(0, data.length - 1 - r.int(8))) : k === 1 ? Uint8Array.from([...data, ...r.bytes(1 + r.int(8))]) : data.slice();
      if (k === 2 && dataOut.length) dataOut[r.int(dataOut.length)] ^= 0xff;   // a changed value: must load, and show the new value
      what = ['data shortened', 'data lengthened', 'one data byte changed'][k];
      break;
    }
    case 13: case 14: {   // a consistent edit: new dtype and/or shape for one tensor, the data re-tiled to match
      const SIZE: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, BOOL: 1, U8: 1, I32: 4 };
      const k = r.int(3);
      if (k !== 1) e.dtype = r.pick(Object.keys(SIZE));
      if (k !== 0) {
        e.shape = r.chance(0.5)
          ? Array.from({ length: r.int(5) }, () => 1 + r.int(6))
          : [...Array.from({ length: r.int(3) }, () => r.pick([1, 3, 2 ** 16, 2 ** 31 - 1, 2 ** 31, 2 ** 40])), 0, ...Array.from({ length: r.int(3) }, () => r.pick([1, 2 ** 16, 2 ** 31 - 1, 2 ** 31]))];
        if (r.chance(0.1)) e.shape = new Array(r.pick([64, 65])).fill(r.pick([0, 1]));
      }
      const parts: Uint8Array[] = [];
      let pos = 0;
      const order = names.slice().sort((a, b) => header[a].data_offsets[0] - header[b].data_offsets[0]);
      for (const nm of order) {
        const t = header[nm];
        const bytes = nm === name ? r.bytes(product(t.shape) * SIZE[t.dtype]) : data.subarray(t.data_offsets[0], t.data_offsets[1]);
        t.data_offsets = [pos, pos + bytes.length];
        pos += bytes.length;
        parts.push(bytes);
      }
      dataOut = new Uint8Array(pos);
      let at = 0;
      for (const p of parts) { dataOut.set(p, at); at += p.length; }
      what = `${name} → ${e.dtype} ${JSON.stringify(e.shape).slice(0, 60)}, data re-tiled`;
      break;
    }
    default: {   // a wrong header length field
      const text = raw ?? JSON.stringify(header);
      const file = fb.safetensorsFile(null, data, text);
      const dv = new DataView(file.buffer);
      const n = dv.getUint32(0, true);
      const k = r.int(4);
      if (k === 0) dv.setUint32(0, n + r.pick([-9, -8, -1, 1, 8, 9]), true);
      else if (k === 1) dv.setUint32(0, r.pick([0, 1, 7, 2 ** 32 - 1, 100_000_001]), true);
      else if (k === 2) dv.setUint32(4, r.pick([1, 0x80000000, 0xffffffff]), true);
      else { dv.setUint32(0, 0xffffffff, true); dv.setUint32(4, 0x000fffff, true); }
      return [file, `header length field → ${dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true)}`];
    }
  }
  const file = fb.safetensorsFile(null, dataOut, raw ?? JSON.stringify(header));
  // now and then a correct length but unpadded header, or NUL padding
  if (r.chance(0.1)) return mutateBytes(r, file);
  return [file, what];
}

test(`safetensors: ${COUNTS.safetensors} mutated files load correctly or are an RnnError`, () => {
  let ok = 0, refused = 0;
  for (let i = 0; i < COUNTS.safetensors; i++) {
    if (ONLY && ONLY !== `safetensors:${i}`) continue;
    const r = new Rng(SEED, 1, i);
    const [fname, base] = r.chance(0.05) ? ST_FILES[ST_FILES.length - 1] : r.pick(ST_FILES.slice(0, -1));
    const [file, what] = mutateSafetensors(r, base, i % 400 === 7);
    const useHeader = r.chance(0.3);
    const ref = refSafetensors(file, !useHeader);
    const out = runCase({ kind: 'safetensors', index: i, what: `${fname}: ${what}` },
      () => (useHeader ? lib.safetensorsHeader(file) : lib.loadSafetensors(file)),
      (res) => {
        assert.ok(ref !== null, 'the reference reading refuses this file');
        if (useHeader) {
          assert.equal(Object.keys(res.tensors).sort(), ref!.map((e) => e.name).sort());
          for (const e of ref!) { assert.equal(res.tensors[e.name].shape, e.shape, e.name); saneShape(e.shape, e.name); }
          return;
        }
        assert.is(Object.getPrototypeOf(res), null);
        assert.equal(Object.keys(res).sort(), ref!.map((e) => e.name).sort());
        for (const e of ref!) {
          const t = res[e.name];
          assert.ok(t instanceof lib.Tensor, e.name);
          assert.equal(t.shape, e.shape, e.name);
          saneShape(t.shape, e.name);
          expectValues(t.toFloat32Array(), decode(e.bytes, e.dtype), `${e.name} (${e.dtype})`);
        }
      },
      (res) => { if (res && !useHeader) for (const k of Object.keys(res)) res[k].dispose(); });
    if (out === 'ok') ok++;
    else { refused++; assert.ok(ref === null, `FUZZ_SEED=${SEED} FUZZ_CASE=safetensors:${i} (${fname}: ${what}): refused a file the reference reads`); }
  }
  if (!ONLY) assert.ok(ok > 50 && refused > 300, `a useful mix: ${ok} loaded, ${refused} refused`);
});

// ------------------------------------------------------------------------------------------ ONNX

/** A protobuf field tree: length-delimited payloads that parse cleanly as messages get `sub`. */
interface PField { num: number; wire: number; value: number; raw: Uint8Array; sub: PField[] | null; badLen?: number }

function pbParse(b: Uint8Array, depth: number): PField[] | null {
  const out: PField[] = [];
  let p = 0;
  const varint = (): number | null => {
    let v = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= b.length) return null;
      const x = b[p++];
      v += (x & 0x7f) * mul;
      mul *= 128;
      if (!(x & 0x80)) return v;
    }
    return null;
  };
  while (p < b.length) {
    const tag = varint();
    if (tag === null || tag < 8) return null;
    const num = Math.floor(tag / 8), wire = tag % 8;
    if (num > 1000) return null;
    if (wire === 0) { const v = varint(); if (v === null) return null; out.push({ num, wire, value: v, raw: new Uint8Array(0), sub: null }); }
    else if (wire === 1 || wire === 5) { const n = wire === 1 ? 8 : 4; if (p + n > b.length) return null; out.push({ num, wire, value: 0, raw: b.slice(p, p + n), sub: null }); p += n; }
    else if (wire === 2) {
      const n = varint();
      if (n === null || p + n > b.length) return null;
      const raw = b.slice(p, p + n);
      p += n;
      out.push({ num, wire, value: 0, raw, sub: depth < 6 && n > 1 ? pbParse(raw, depth + 1) : null });
    } else return null;
  }
  return out;
}

function pbEncode(fields: PField[]): Uint8Array {
  const parts: number[] = [];
  for (const f of fields) {
    parts.push(...fb.varint(f.num * 8 + f.wire));
    if (f.wire === 0) parts.push(...fb.varint(f.value));
    else if (f.wire === 2) {
      const payload = f.sub ? pbEncode(f.sub) : f.raw;
      parts.push(...fb.varint(f.badLen ?? payload.length));
      for (const x of payload) parts.push(x);
    } else for (const x of f.raw) parts.push(x);
  }
  return Uint8Array.from(parts);
}

/** Every field of the tree with the list it sits in. */
function allFields(fields: PField[], out: [PField[], number][] = []): [PField[], number][] {
  fields.forEach((f, i) => { out.push([fields, i]); if (f.sub) allFields(f.sub, out); });
  return out;
}

const STRINGS = ['', '__proto__', 'constructor', 'LSTM', 'GRU', 'RNN', 'Identity', 'Squeeze', 'Constant', 'bidirectional', 'reverse', 'forward', 'hidden_size', 'direction', 'layout', 'activations', 'Relu', 'Tanh', 'x', 'W', 'R', 'B', 'a'.repeat(3000)];

function mutateOnnx(r: Rng, base: Uint8Array): [Uint8Array, string] {
  const op = r.int(10);
  if (op < 3) return mutateBytes(r, base);
  const tree = pbParse(base, 0)!;
  const all = allFields(tree);
  const steps: string[] = [];
  const n = 1 + r.int(3);
  for (let k = 0; k < n; k++) {
    const [list, i] = r.pick(all);
    const f = list[i];
    if (!f) continue;   // its list lost fields to an earlier step
    const m = r.int(8);
    if (m === 0 && f.wire === 0) { f.value = r.pick(INTERESTING.filter((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 53)); steps.push(`varint field ${f.num} → ${f.value}`); }
    else if (m === 0 && f.wire !== 2) { f.raw = r.bytes(f.raw.length); steps.push(`fixed field ${f.num} randomized`); }
    else if (m === 1 && f.wire === 2) { f.sub = null; f.raw = new TextEncoder().encode(r.pick(STRINGS)); steps.push(`field ${f.num} → a string`); }
    else if (m === 2 && f.wire === 2) { f.sub = null; f.raw = f.raw.slice(0, r.int(f.raw.length + 1)); steps.push(`field ${f.num} payload cut`); }
    else if (m === 3) { list.splice(i, 1); steps.push(`field ${f.num} deleted`); }
    else if (m === 4) { const copies = r.chance(0.1) ? r.pick([100, 1100]) : 1; for (let c = 0; c < copies; c++) list.splice(i, 0, f); steps.push(`field ${f.num} duplicated ×${copies}`); }
    else if (m === 5 && f.wire === 2) { f.badLen = Math.max(0, (f.sub ? pbEncode(f.sub).length : f.raw.length) + r.pick([-3, -1, 1, 3, 1000, 2 ** 31])); steps.push(`field ${f.num} length → ${f.badLen}`); }
    else if (m === 6) { const w = r.pick([0, 1, 2, 5]); if (w !== f.wire) { f.wire = w; f.raw = r.bytes(w === 1 ? 8 : w === 5 ? 4 : 3); f.sub = null; f.value = r.int(1000); } steps.push(`field ${f.num} wire → ${w}`); }
    else { f.num = r.pick([1, 2, 3, 4, 5, 7, 8, 9, 11, 20, 999]); steps.push(`field renumbered → ${f.num}`); }
  }
  return [pbEncode(tree), steps.join('; ')];
}

const ONNX_FILES = readFileSync(new URL('./vectors/onnx/manifest.json', import.meta.url), 'utf8');
const ONNX_BASES = (JSON.parse(ONNX_FILES).files as { file: string }[]).map((f) => [f.file, vec(`onnx/${f.file}`)] as const);
const GATE_ORDER: Record<string, number[]> = { RNN: [0], LSTM: [0, 2, 3, 1], GRU: [1, 0, 2] };

function checkOnnxModel(m: onnx.OnnxModel): void {
  assert.is(m.layers.length, m.graph.nodes.length);
  for (const l of m.layers) {
    const n = l.node, H = n.hiddenSize, I = n.inputSize, D = n.numDirections, G = GATE_ORDER[n.opType].length;
    for (const t of [n.W, n.R, n.B, n.initialH, n.initialC]) if (t) { saneShape(t.dims, t.name); assert.is(t.data.length, product(t.dims), `${t.name} values`); }
    assert.equal(n.W.dims, [D, G * H, I]);
    assert.equal(n.R.dims, [D, G * H, H]);
    const sd = l.module.stateDict();
    for (let d = 0; d < D; d++) {
      const sfx = `_l0${d ? '_reverse' : ''}`;
      for (const [key, src, cols] of [['weight_ih', n.W, I], ['weight_hh', n.R, H]] as const) {
        const got = sd[key + sfx].toFloat32Array();
        assert.is(got.length, G * H * cols);
        GATE_ORDER[n.opType].forEach((g, k) => {
          const want = src.data.subarray((d * G + g) * H * cols, (d * G + g + 1) * H * cols);
          bitsEqual(got.subarray(k * H * cols, (k + 1) * H * cols), want, `${key}${sfx} gate ${k}`);
        });
      }
    }
  }
}

test(`ONNX: ${COUNTS.onnx} mutated models load correctly or are an RnnError`, () => {
  let ok = 0, refused = 0;
  for (let i = 0; i < COUNTS.onnx; i++) {
    if (ONLY && ONLY !== `onnx:${i}`) continue;
    const r = new Rng(SEED, 2, i);
    const [fname, base] = r.pick(ONNX_BASES);
    const [file, what] = mutateOnnx(r, base);
    const parseOnly = r.chance(0.3);
    const out = runCase({ kind: 'onnx', index: i, what: `${fname}: ${what}` },
      () => (parseOnly ? onnx.parseOnnx(file, lib) : onnx.loadOnnx(file, lib)),
      (res) => {
        if (parseOnly) {
          for (const n of (res as onnx.OnnxGraph).nodes) for (const t of [n.W, n.R, n.B]) if (t) { saneShape(t.dims, t.name); assert.is(t.data.length, product(t.dims)); }
          return;
        }
        checkOnnxModel(res);
        // a chain stacked into one module holds each node's weights as its layer k
        for (const st of (res as onnx.OnnxModel).stacks) {
          if (st.nodes.length < 2) continue;
          const sd = st.module.stateDict();
          st.nodes.forEach((n, k) => {
            const own = (res as onnx.OnnxModel).layers.find((l) => l.node === n)!.module.stateDict();
            for (const key of Object.keys(own)) bitsEqual(sd[key.replace('_l0', `_l${k}`)].toFloat32Array(), own[key].toFloat32Array(), `stack layer ${k} ${key}`);
          });
          st.module.dispose();
        }
      },
      (res) => { if (res && !parseOnly) for (const l of (res as onnx.OnnxModel).layers) { l.module.dispose(); l.h0?.dispose(); l.c0?.dispose(); } });
    if (out === 'ok') ok++; else refused++;
  }
  if (!ONLY) assert.ok(ok > 50 && refused > 300, `a useful mix: ${ok} loaded, ${refused} refused`);
});

// ------------------------------------------------------------------------------------------ TF.js

/** A model.json (TF.js layers format) with every kind of layer the loader reads, and its weights. */
function tfjsBase(r: Rng, f16: boolean): { json: any; data: Uint8Array } {
  // half the time: integer inputs, Embedding → Dropout → GRU (Cho's, TF.js's) → TimeDistributed(Dense) → Flatten → Dense
  const emb = r.chance(0.5);
  const layers = emb ? [
    { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 5], dtype: 'int32' } },
    { class_name: 'Embedding', config: { name: 'e', input_dim: 7, output_dim: 3, mask_zero: r.chance(0.5) } },
    { class_name: 'Dropout', config: { name: 'dr', rate: 0.25 } },
    { class_name: 'GRU', config: { name: 'g', units: 3, return_sequences: true, reset_after: false, recurrent_activation: 'sigmoid' } },
    { class_name: 'TimeDistributed', config: { name: 'td', layer: { class_name: 'Dense', config: { name: 'tdd', units: 2 } } } },
    { class_name: 'Flatten', config: { name: 'f' } },
    { class_name: 'Dense', config: { name: 'd', units: 1, activation: 'sigmoid' } },
  ] : [
    { class_name: 'Bidirectional', config: { name: 'bi', merge_mode: 'concat', layer: { class_name: 'GRU', config: { name: 'g', units: 3, return_sequences: true, reset_after: true, recurrent_activation: 'sigmoid' } }, batch_input_shape: [null, 5, 3] } },
    { class_name: 'LSTM', config: { name: 'l', units: 4, return_sequences: true, recurrent_activation: 'hard_sigmoid', use_bias: true } },
    { class_name: 'SimpleRNN', config: { name: 's', units: 2, activation: 'tanh' } },
    { class_name: 'Dense', config: { name: 'd', units: 3, activation: 'softmax' } },
  ];
  const shapes: [string, number[]][] = emb ? [
    ['e/embeddings', [7, 3]], ['g/kernel', [3, 9]], ['g/recurrent_kernel', [3, 9]], ['g/bias', [9]],
    ['td/kernel', [3, 2]], ['td/bias', [2]], ['d/kernel', [10, 1]], ['d/bias', [1]],
  ] : [
    ['bi/forward_g/kernel', [3, 9]], ['bi/forward_g/recurrent_kernel', [3, 9]], ['bi/forward_g/bias', [2, 9]],
    ['bi/backward_g/kernel', [3, 9]], ['bi/backward_g/recurrent_kernel', [3, 9]], ['bi/backward_g/bias', [2, 9]],
    ['l/kernel', [6, 16]], ['l/recurrent_kernel', [4, 16]], ['l/bias', [16]],
    ['s/kernel', [4, 2]], ['s/recurrent_kernel', [2, 2]], ['s/bias', [2]],
    ['d/kernel', [2, 3]], ['d/bias', [3]],
  ];
  const weights = shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32', ...(f16 ? { quantization: { dtype: 'float16' } } : {}) }));
  const count = shapes.reduce((a, [, s]) => a + product(s), 0);
  const data = new Uint8Array(count * (f16 ? 2 : 4));
  const dv = new DataView(data.buffer);
  for (let i = 0; i < count; i++) {
    if (f16) dv.setUint16(2 * i, (r.int(2) << 15) | ((12 + r.int(4)) << 10) | r.int(1024), true);   // |v| in [2^-3, 2)
    else dv.setFloat32(4 * i, r.next() * 2 - 1, true);
  }
  return { json: { format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 'fz', layers } }, weightsManifest: [{ paths: ['w.bin'], weights }] }, data };
}

/** Every (parent, key) in a JSON tree. */
function jsonSlots(v: any, out: [any, string | number][] = []): [any, string | number][] {
  if (v && typeof v === 'object') for (const k of Object.keys(v)) { out.push([v, Array.isArray(v) ? Number(k) : k]); jsonSlots(v[k], out); }
  return out;
}

function mutateTfjs(r: Rng, base: { json: any; data: Uint8Array }): { json: any; data: Uint8Array; text: boolean; what: string } {
  const json = JSON.parse(JSON.stringify(base.json));
  let data = base.data, what = '';
  const op = r.int(8);
  const slots = jsonSlots(json);
  if (op === 0) { [data, what] = mutateBytes(r, data); what = `weights: ${what}`; }
  else if (op <= 3) {
    const n = 1 + r.int(3), steps: string[] = [];
    for (let k = 0; k < n; k++) {
      const [parent, key] = r.pick(slots);
      const m = r.int(5);
      if (m === 0) { if (Array.isArray(parent)) parent.splice(key as number, 1); else delete parent[key]; steps.push(`delete ${key}`); }
      else if (m === 1) { parent[key] = null; steps.push(`${key} → null`); }
      else if (m === 2) { parent[key] = r.pick(JUNK_VALUES); steps.push(`${key} → ${JSON.stringify(parent[key])}`); }
      else if (m === 3) { parent[key] = typeof parent[key] === 'number' ? r.pick(INTERESTING) : r.pick(STRINGS); steps.push(`${key} → ${String(parent[key]).slice(0, 20)}`); }
      else { parent[key] = deepValue(r.pick([5, 64, 70, 1000])); steps.push(`${key} → deep`); }
    }
    what = steps.join('; ');
  } else if (op === 4) {   // hostile keys
    const [parent] = r.pick(slots.filter(([p]) => !Array.isArray(p)));
    const k = r.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'recurrent_activation', 'reset_after', 'merge_mode']);
    Object.defineProperty(parent, k, { value: r.pick(JUNK_VALUES), enumerable: true, writable: true, configurable: true });
    what = `key ${k} added`;
  } else if (op === 5) {   // layers duplicated or multiplied (names collide; weights no longer match)
    const ls = json.modelTopology.config.layers;
    const copies = r.pick([1, 2, 50, 10_001]);
    const l = ls[r.int(ls.length)];
    for (let c = 0; c < copies; c++) ls.splice(1, 0, JSON.parse(JSON.stringify(l)));
    what = `layer ${l.config?.name} ×${copies}`;
  } else if (op === 6) {   // weight specs
    const ws = json.weightsManifest[0].weights, w = r.pick(ws) as any;
    const m = r.int(4);
    if (m === 0) w.shape = r.pick([[], [0], [3, 0], [2 ** 31, 1], w.shape.slice().reverse(), [...w.shape, 1]]);
    else if (m === 1) w.dtype = r.pick(['float16', 'int32', 'bool', null, 5]);
    else if (m === 2) w.quantization = r.pick([{ dtype: 'uint8', scale: 1, min: 0 }, { dtype: 'float16' }, null, 'x']);
    else w.name = r.pick(['x/gamma', '', 5, null, '__proto__', 'a/kernel:0']);
    what = `weight spec ${w.name}: ${JSON.stringify(w).slice(0, 60)}`;
  } else {   // options TF.js fills in
    const l = r.pick(json.modelTopology.config.layers as any[]);
    const c = l.class_name === 'Bidirectional' ? l.config.layer.config : l.config;
    const k = r.pick(['recurrent_activation', 'activation', 'reset_after', 'merge_mode', 'use_bias', 'go_backwards', 'return_state', 'units']);
    if (r.chance(0.5)) delete c[k]; else c[k] = r.pick<unknown>([null, 'hard_sigmoid', 'sigmoid', 'linear', 'relu', true, false, 0, 2]);
    what = `${l.config?.name}.${k} → ${k in c ? JSON.stringify(c[k]) : 'absent'}`;
  }
  return { json, data, text: r.chance(0.3), what };
}

function checkTfjs(m: lib.KerasSequential, json: any, data: Uint8Array): void {
  // weights as the specs describe them, in order (model.getWeights is Keras's layout, the file's too)
  const specs = json.weightsManifest[0].weights as { shape: number[]; quantization?: { dtype: string } }[];
  const ws = m.getWeights();
  assert.is(ws.length, specs.length);
  let at = 0;
  ws.forEach((w, i) => {
    const s = specs[i], n = product(s.shape), f16q = !!s.quantization;
    assert.equal(w.shape, s.shape);
    saneShape(w.shape, `weight ${i}`);
    expectValues(w.toFloat32Array(), decode(data.subarray(at, at + n * (f16q ? 2 : 4)), f16q ? 'F16' : 'F32'), `weight ${i}`);
    at += n * (f16q ? 2 : 4);
  });
  assert.is(at, data.length);
  for (const w of ws) w.dispose();
  const inShape = (m.layers[0].batchInputShape ?? []).map((d) => d ?? 2) as number[];
  const x = lib.tensor(new Float32Array(product(inShape)).fill(m.layers[0].className === 'Embedding' ? 1 : 0.25), inShape);
  const y = m.predict(x);
  assert.ok(y instanceof lib.Tensor);
  x.dispose();
  y.dispose();
}

test(`TF.js: ${COUNTS.tfjs} mutated model.json + weights load correctly or are an RnnError`, () => {
  let ok = 0, refused = 0;
  for (let i = 0; i < COUNTS.tfjs; i++) {
    if (ONLY && ONLY !== `tfjs:${i}`) continue;
    const r = new Rng(SEED, 3, i);
    const base = tfjsBase(r, r.chance(0.25));
    const mu = mutateTfjs(r, base);
    let arg: unknown = mu.json, what = mu.what;
    if (mu.text) {
      let text = JSON.stringify(mu.json);
      if (r.chance(0.2)) { const [b, w] = mutateBytes(r, new TextEncoder().encode(text)); text = new TextDecoder().decode(b); what += `; text ${w}`; }
      arg = text;
    }
    const out = runCase({ kind: 'tfjs', index: i, what },
      () => lib.loadLayersModelFromJSON(arg as string, mu.data),
      (m) => checkTfjs(m, typeof arg === 'string' ? JSON.parse(arg) : mu.json, mu.data),
      (m) => m?.dispose());
    if (out === 'ok') ok++; else refused++;
  }
  if (!ONLY) assert.ok(ok > 50 && refused > 150, `a useful mix: ${ok} loaded, ${refused} refused`);
});

test('afterwards: the known-good LSTM forward gives the same bits, and loads the same file the same way', () => {
  bitsEqual(forwardBits(good), goodBits, 'LSTM output after the fuzz');
  const again = loadGood();
  bitsEqual(forwardBits(again), goodBits, 'a fresh load after the fuzz');
  again.dispose();
  good.dispose();
  for (const t of Object.values(goodIo)) t.dispose();
});

test.run();
