// gather_row_blocks / scatter_add_row_blocks (assembly/mask.ts): one block of columns of strided
// rows, against a scalar reference, at block widths below, at and above the 4-lane tile, with
// negative ("no row") and repeated indices and blocks that do not start at column 0.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm, f32, type Exports } from './wasm';
import { bitsEqual } from './helpers.js';

const w: Exports = loadWasm();

for (const cols of [1, 3, 4, 5, 8, 13]) {
  test(`gather_row_blocks / scatter_add_row_blocks, ${cols} columns of rows ${2 * cols + 3} and ${3 * cols + 1} wide`, () => {
    const R = 5, ss = 2 * cols + 3, ds = 3 * cols + 1, off = cols + 1;   // block at column `off` of src rows, column 1 of dst rows
    const idx = [3, -1, 0, 3, 4, -2, 3, 1];
    const n = idx.length;
    const src = w.alloc(R * ss * 4), ip = w.alloc(n * 4), dst = w.alloc(n * ds * 4), acc = w.alloc(R * ss * 4);
    const s = Float32Array.from({ length: R * ss }, (_, i) => Math.fround(Math.cos(i + 2) * 2.3));
    f32(w, src, R * ss).set(s);
    new Int32Array(w.memory.buffer, ip, n).set(idx);
    const fill = Float32Array.from({ length: n * ds }, (_, i) => -i - 0.5);
    f32(w, dst, n * ds).set(fill);
    w.gather_row_blocks(n, ip, src + off * 4, ss, cols, dst + 4, ds);
    const want = fill.slice();
    idx.forEach((r, i) => { for (let k = 0; k < cols; k++) want[i * ds + 1 + k] = r < 0 ? 0 : s[r * ss + off + k]; });
    bitsEqual(f32(w, dst, n * ds).slice(), want, 'gather (columns outside the block untouched)');
    // scatter the rows back, in order, onto a non-zero start
    const g = Float32Array.from({ length: n * ds }, (_, i) => Math.fround(0.37 * i - 2.1));
    f32(w, dst, n * ds).set(g);
    const start = Float32Array.from({ length: R * ss }, (_, i) => Math.fround(1 / (i + 1.5)));
    f32(w, acc, R * ss).set(start);
    w.scatter_add_row_blocks(n, ip, dst + 4, ds, cols, acc + off * 4, ss);
    const ref = start.slice();
    idx.forEach((r, i) => { if (r >= 0) for (let k = 0; k < cols; k++) ref[r * ss + off + k] = Math.fround(ref[r * ss + off + k] + g[i * ds + 1 + k]); });
    bitsEqual(f32(w, acc, R * ss).slice(), ref, 'scatter_add (in order)');
    assert.ok(true);
    for (const p of [src, ip, dst, acc]) w.free(p);
  });
}

test.run();
