// safetensors: fixtures written by test/gen_safetensors.py from real torch nn.LSTM / nn.GRU state_dicts
// (format written out by hand, see test/vectors/README-safetensors.md), round trips, dtype widening,
// and every class of malformed file -> RnnError before any Wasm memory is touched.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, maxDiff, rejects } from './helpers.js';

const { loadSafetensors, saveSafetensors, safetensorsHeader, RnnError, LSTM, GRU } = lib;

const file = (name: string) => new Uint8Array(readFileSync(new URL(`./vectors/safetensors/${name}.safetensors`, import.meta.url)));
const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);


/** Builds a file from a header object and data bytes, the way the format says (space padding to 8). */
function build(header: unknown, data: Uint8Array, opts: { raw?: string; pad?: boolean } = {}): Uint8Array {
  let h = new TextEncoder().encode(opts.raw ?? JSON.stringify(header));
  if (opts.pad !== false) {
    const p = (8 - (h.length % 8)) % 8;
    const hp = new Uint8Array(h.length + p).fill(0x20);
    hp.set(h);
    h = hp;
  }
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('a torch nn.LSTM state_dict loads into new LSTM(...) and reproduces PyTorch (within 1e-5)', () => {
  const sd = loadSafetensors(file('lstm'));
  assert.equal(Object.keys(sd), ['bias_hh_l0', 'bias_hh_l1', 'bias_ih_l0', 'bias_ih_l1', 'weight_hh_l0', 'weight_hh_l1', 'weight_ih_l0', 'weight_ih_l1']);
  assert.equal(sd.weight_ih_l0.shape, [28, 5]);
  const m = new LSTM(5, 7, { numLayers: 2, batchFirst: true });
  m.loadStateDict(sd);
  const io = loadSafetensors(file('lstm_io'));
  const [out, [h, c]] = m.forward(io.x);
  for (const [k, t] of [['output', out], ['h_n', h], ['c_n', c]] as const) {
    assert.equal(t.shape, io[k].shape, k);
    const { err } = maxDiff(t.toFloat32Array(), io[k].toFloat32Array());
    assert.ok(err <= 1e-5, `${k}: ${err}`);
  }
  assert.equal({ ...safetensorsHeader(file('lstm')).metadata }, { format: 'pt' });   // a null-prototype object
});

test('a torch nn.GRU (bidirectional) state_dict loads into new GRU(...) and reproduces PyTorch', () => {
  const m = new GRU(4, 6, { bidirectional: true });
  m.loadStateDict(loadSafetensors(file('gru')));
  const io = loadSafetensors(file('gru_io'));
  const [out, h] = m.forward(io.x);
  assert.ok(maxDiff(out.toFloat32Array(), io.output.toFloat32Array()).err <= 1e-5);
  assert.ok(maxDiff(h.toFloat32Array(), io.h_n.toFloat32Array()).err <= 1e-5);
  assert.equal({ ...safetensorsHeader(file('gru_io')).metadata }, { bidirectional: 'True', hidden_size: '6', input_size: '4', module: 'GRU' });
});

test('round trip: saveSafetensors writes the bytes save_file wrote, and loads back bit for bit', () => {
  for (const name of ['lstm', 'gru', 'lstm_io', 'gru_io', 'lstm_f16_as_f32']) {
    const bytes = file(name);
    const sd = loadSafetensors(bytes);
    const again = saveSafetensors(sd, safetensorsHeader(bytes).metadata);
    assert.equal(Array.from(again), Array.from(bytes), `${name}: byte-identical re-save`);
  }
  const m = new LSTM(3, 4, { numLayers: 2, bidirectional: true, projSize: 2 });
  const bytes = saveSafetensors(m.stateDict());
  const back = loadSafetensors(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  const m2 = new LSTM(3, 4, { numLayers: 2, bidirectional: true, projSize: 2 });
  m2.loadStateDict(back);
  for (const [k, p] of m.namedParameters()) assert.equal(Array.from(bitsOf(back[k].toFloat32Array())), Array.from(bitsOf(p.toFloat32Array())), k);
  // header layout: 8-byte length, JSON padded with spaces to 8, names sorted
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  assert.is(n % 8, 0);
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.ok(/^\{"bias_hh_l0":\{"dtype":"F32","shape":\[16\],"data_offsets":\[0,64\]\},/.test(text), text.slice(0, 80));
  assert.equal(Object.keys(back), Object.keys(m.stateDict()).sort());
  // metadata and unusual shapes
  const s = saveSafetensors({ z: lib.zeros([0, 3]), a: lib.tensor(2.5) }, { b: '1', a: 'x' });
  const h = safetensorsHeader(s);
  assert.equal({ ...h.metadata }, { a: 'x', b: '1' });
  assert.equal(Object.keys(h.tensors), ['a', 'z']);
  const l = loadSafetensors(s);
  assert.equal(l.a.shape, []); assert.is(l.a.item(), 2.5); assert.equal(l.z.shape, [0, 3]);
});

test('F16 and BF16 widen exactly (as torch .float()), F64 rounds to nearest f32', () => {
  const t = loadSafetensors(file('dtypes'));
  const h = safetensorsHeader(file('dtypes'));
  assert.is(h.tensors.f16.dtype, 'F16'); assert.is(h.tensors.bf16.dtype, 'BF16'); assert.is(h.tensors.f64.dtype, 'F64');
  // the Rust serializer's order: larger dtypes first, then names
  assert.equal(Object.keys(h.tensors), ['f64', 'bf16_as_f32', 'empty', 'f16_as_f32', 'f64_as_f32', 'scalar', 'bf16', 'f16']);
  for (const [a, b] of [['f16', 'f16_as_f32'], ['bf16', 'bf16_as_f32'], ['f64', 'f64_as_f32']]) {
    assert.equal(t[a].shape, t[b].shape);
    const x = t[a].toFloat32Array(), y = t[b].toFloat32Array();
    const bx = bitsOf(x), by = bitsOf(y);
    let nan = 0;
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(y[i])) { assert.ok(Number.isNaN(x[i]), `${a}[${i}] NaN`); nan++; continue; }
      assert.is(bx[i], by[i], `${a}[${i}]: ${x[i]} vs ${y[i]}`);
    }
    if (a !== 'f64') assert.ok(nan > 0, 'NaNs covered');
  }
  assert.is(t.scalar.item(), 2.5);
  assert.equal(t.empty.shape, [0, 3]);
});

test('every F16 bit pattern widens to its exact value (exhaustive, against a reference decoder)', () => {
  const n = 65536;
  const data = new Uint8Array(2 * n);
  for (let i = 0; i < n; i++) { data[2 * i] = i & 255; data[2 * i + 1] = i >> 8; }
  const f16 = loadSafetensors(build({ h: { dtype: 'F16', shape: [n], data_offsets: [0, 2 * n] } }, data)).h.toFloat32Array();
  const bf16 = loadSafetensors(build({ h: { dtype: 'BF16', shape: [n], data_offsets: [0, 2 * n] } }, data)).h.toFloat32Array();
  const fb = bitsOf(f16), bb = bitsOf(bf16);
  for (let i = 0; i < n; i++) {
    const s = i & 0x8000 ? -1 : 1, e = (i >> 10) & 31, m = i & 1023;
    if (e === 31) {
      assert.is(fb[i], ((i & 0x8000) << 16 | 0x7f800000 | m << 13) >>> 0, `f16 ${i.toString(16)}`);
    } else {
      const v = e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
      assert.ok(Object.is(f16[i], v), `f16 0x${i.toString(16)}: ${f16[i]} vs ${v}`);
    }
    assert.is(bb[i], (i << 16) >>> 0, `bf16 ${i.toString(16)}`);
  }
});

test('F16 / BF16 state dicts load into LSTM (widened values equal torch .half().float())', () => {
  for (const kind of ['f16', 'bf16']) {
    const sd = loadSafetensors(file(`lstm_${kind}`)), ref = loadSafetensors(file(`lstm_${kind}_as_f32`));
    const m = new LSTM(5, 7, { numLayers: 2, batchFirst: true });
    m.loadStateDict(sd);
    for (const [k, p] of m.namedParameters()) assert.equal(Array.from(bitsOf(p.toFloat32Array())), Array.from(bitsOf(ref[k].toFloat32Array())), `${kind} ${k}`);
  }
});

test('dtypes wasm-rnn does not read (I64, BOOL) are RnnErrors naming tensor and dtype', () => {
  rejects(() => loadSafetensors(file('i64')), 'safetensors["steps"].dtype', 'F32, F16, BF16, F64', '"I64"');
  rejects(() => loadSafetensors(file('bool')), 'safetensors["mask"].dtype', '"BOOL"');
  // the header itself is still readable
  assert.equal(safetensorsHeader(file('i64')).tensors.steps, { dtype: 'I64', shape: [2, 3], dataOffsets: [0, 48] });
});

test('malformed files are RnnErrors, before any Wasm memory is touched', () => {
  const d8 = new Uint8Array(8);
  const ok = (o: object) => build(o, d8);
  const good = ok({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
  assert.equal(loadSafetensors(good).a.shape, [2]);
  rejects(() => loadSafetensors(new Uint8Array(5)), 'bytes', 'at least 8 bytes', '5 bytes');
  rejects(() => loadSafetensors('abc' as never), 'bytes', 'Uint8Array');
  // header length past the end, or absurd
  const long = good.slice(); new DataView(long.buffer).setUint32(0, 1000, true);
  rejects(() => loadSafetensors(long), 'header of 1000 bytes');
  const huge = good.slice(); new DataView(huge.buffer).setUint32(4, 1, true);
  rejects(() => loadSafetensors(huge), 'header length of at most');
  // not JSON / not an object / not UTF-8 / wrong first character
  rejects(() => loadSafetensors(build(null, d8, { raw: '{"a": {"dtype": "F32",' })), 'bytes', 'JSON header', 'invalid JSON');
  rejects(() => loadSafetensors(build(null, d8, { raw: '[1, 2]' })), "starting with '{'");
  rejects(() => loadSafetensors(build(null, d8, { raw: ' {}' })), "starting with '{'");
  const bad = build({ a: 1 }, d8); bad[10] = 0xff;
  rejects(() => loadSafetensors(bad), 'UTF-8');
  // entries
  rejects(() => loadSafetensors(ok({ a: 5 })), 'safetensors["a"]', 'dtype, shape, data_offsets');
  rejects(() => loadSafetensors(ok({ a: { dtype: 'F33', shape: [2], data_offsets: [0, 8] } })), 'safetensors["a"].dtype', '"F33"');
  rejects(() => loadSafetensors(ok({ a: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } })), '.shape', 'non-negative');
  rejects(() => loadSafetensors(ok({ a: { dtype: 'F32', shape: [2], data_offsets: [0] } })), '.data_offsets', 'pair');
  rejects(() => loadSafetensors(ok({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } })), '.data_offsets', 'begin <= end');
  // offsets out of range, length mismatch with shape, overlap, gap, uncovered bytes
  rejects(() => loadSafetensors(ok({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } })), 'safetensors["a"].data_offsets', 'within the 8 data bytes');
  rejects(() => loadSafetensors(ok({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } })), 'expected 12 bytes (F32 × shape [3])', 'got 8');
  rejects(() => loadSafetensors(ok({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } })),
    'safetensors["b"]', 'overlaps', '"a"');
  rejects(() => loadSafetensors(ok({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } })), 'safetensors["a"]', 'start at byte 0', 'gap of 4');
  rejects(() => loadSafetensors(ok({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } })), 'bytes', '4 data bytes', 'got 8');
  // metadata
  rejects(() => loadSafetensors(ok({ __metadata__: { a: 1 }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } })), '__metadata__["a"]', 'a string');
  rejects(() => loadSafetensors(ok({ __metadata__: [], a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } })), '__metadata__', 'object of strings');
  // saving
  const z1 = lib.zeros([1]);
  rejects(() => saveSafetensors({ a: [1, 2] } as never), 'stateDict["a"]', 'a Tensor');
  rejects(() => saveSafetensors({ __metadata__: z1 }), 'reserved');
  rejects(() => saveSafetensors({ a: z1 }, { v: 3 } as never), 'metadata["v"]', 'a string');
  rejects(() => saveSafetensors(null as never), 'stateDict');
  // and the library still works
  assert.equal(loadSafetensors(good).a.toArray(), [0, 0]);
});

test.run();
