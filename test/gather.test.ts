// gather_rows / scatter_add_rows: against a scalar reference, at row widths below, at and above
// the 4-lane tile, with negative ("no row") and repeated indices.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm, f32, type Exports } from './wasm';
import { bitsEqual } from './helpers.js';

const w: Exports = loadWasm();

function i32s(ptr: number, v: number[]) { new Int32Array(w.memory.buffer, ptr, v.length).set(v); }

for (const cols of [1, 3, 4, 5, 8, 13]) {
  test(`gather_rows / scatter_add_rows, ${cols} columns`, () => {
    const R = 6, idx = [2, -1, 5, 2, 0, 2, -7];
    const n = idx.length;
    const src = w.alloc(R * cols * 4), ip = w.alloc(n * 4), dst = w.alloc(n * cols * 4), acc = w.alloc(R * cols * 4);
    const s = Float32Array.from({ length: R * cols }, (_, i) => Math.fround(Math.sin(i + 1) * 3.7));
    f32(w, src, R * cols).set(s);
    i32s(ip, idx);
    f32(w, dst, n * cols).fill(NaN);
    w.gather_rows(n, ip, src, cols, dst);
    const want = new Float32Array(n * cols);
    idx.forEach((r, i) => { for (let k = 0; k < cols; k++) want[i * cols + k] = r < 0 ? 0 : s[r * cols + k]; });
    bitsEqual(f32(w, dst, n * cols).slice(), want, 'gather');
    // scatter the gathered rows (plus a ramp) back, in order, onto a non-zero start
    const g = Float32Array.from({ length: n * cols }, (_, i) => Math.fround(0.1 * i - 1.3));
    f32(w, dst, n * cols).set(g);
    const start = Float32Array.from({ length: R * cols }, (_, i) => Math.fround(1 / (i + 3)));
    f32(w, acc, R * cols).set(start);
    w.scatter_add_rows(n, ip, dst, cols, acc);
    const ref = start.slice();
    idx.forEach((r, i) => { if (r >= 0) for (let k = 0; k < cols; k++) ref[r * cols + k] = Math.fround(ref[r * cols + k] + g[i * cols + k]); });
    bitsEqual(f32(w, acc, R * cols).slice(), ref, 'scatter_add');
    assert.ok(true);
    for (const p of [src, ip, dst, acc]) w.free(p);
  });
}

test.run();
