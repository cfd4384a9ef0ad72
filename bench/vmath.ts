// Workbench: throughput of the SIMD activations vtanh / vsigmoid / vexp (build/wasm-rnn.wasm)
// on 1M f32, next to scalar baselines: AssemblyScript Mathf.tanh / Mathf.exp loops compiled
// here on the fly (not part of the package) and plain JS Math.tanh.
// Run: node --import tsx bench/vmath.ts   (after node scripts/build.mjs)
import { Worker } from 'node:worker_threads';
import { f32, loadWasm } from '../test/wasm';

const N = 1 << 20;
const REPEATS = 15;

function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  return s[s.length >> 1];
}

/** M elements/s of `run` (one call processes N elements): warm-up, then the median of REPEATS. */
function measure(run: () => void): number {
  // V8 runs new code in Liftoff and swaps in TurboFan code compiled in the background (later
  // if the compiler threads are busy, e.g. with the asc compiler's own JS): warm up until the
  // time per call has stopped improving for 10 calls (and at least 0.4 s, at most 10 s)
  const start = performance.now();
  let best = Infinity;
  for (let since = 0; since < 10 || performance.now() - start < 400;) {
    const t0 = performance.now();
    run();
    const t = performance.now() - t0;
    if (t < 0.97 * best) { best = t; since = 0; } else since++;
    if (performance.now() - start > 10_000) break;
  }
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return N / (median(times) * 1e3);
}

// Scalar baselines, compiled like the real module (-O3, SIMD on, stub runtime, no imports).
const BASELINE = `
export function stanh(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), Mathf.tanh(load<f32>(x + (<usize>i << 2))));
}
export function ssigmoid(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>1.0 / (<f32>1.0 + Mathf.exp(-load<f32>(x + (<usize>i << 2)))));
}
export function sexp(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), Mathf.exp(load<f32>(x + (<usize>i << 2))));
}`;

// Compiled in a worker thread: the asc compiler's own JS would otherwise keep V8's background
// compiler threads busy (and delay the tier-up of the Wasm under test) during the first timings.
async function baseline(): Promise<Record<string, any> | null> {
  const ascUrl = import.meta.resolve('assemblyscript/asc');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.ascUrl).then(async (asc) => {
      const r = await asc.compileString({ 'baseline.ts': workerData.src }, {
        optimizeLevel: 3, shrinkLevel: 0, runtime: 'stub', use: ['abort='], enable: ['simd'],
        noAssert: true, initialMemory: 16 });
      parentPort.postMessage(r.error || !r.binary ? { error: String(r.error ?? r.stderr) } : { binary: r.binary });
    }).catch((e) => parentPort.postMessage({ error: String(e) }));`;
  const r: { binary?: Uint8Array; error?: string } = await new Promise((resolve) => {
    const wk = new Worker(code, { eval: true, workerData: { ascUrl, src: BASELINE } });
    wk.once('message', (m) => { resolve(m); void wk.terminate(); });
    wk.once('error', (e) => resolve({ error: String(e) }));
  });
  if (!r.binary) {
    console.log('(scalar AssemblyScript baseline not compiled: ' + r.error + ')');
    return null;
  }
  return new WebAssembly.Instance(new WebAssembly.Module(r.binary as BufferSource), {}).exports as Record<string, any>;
}

// Inputs: a deterministic spread over [-8, 8] (both tanh branches, all sigmoid regimes).
function fill(dst: Float32Array): void {
  let s = 12345;
  for (let i = 0; i < dst.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    dst[i] = (s / 2 ** 32) * 16 - 8;
  }
}

const w = loadWasm();
const x = w.alloc(4 * N), y = w.alloc(4 * N);
fill(f32(w, x, N));

// The module under test is timed first: instantiating a second Wasm module before that was
// seen to leave vtanh in V8's baseline tier (Liftoff, 8x slower) for seconds.
const simd = {
  tanh: measure(() => w.vtanh(x, y, N)),
  sigmoid: measure(() => w.vsigmoid(x, y, N)),
  exp: typeof w.vexp === 'function' ? measure(() => w.vexp(x, y, N)) : NaN,
};
w.free(y);
w.free(x);

const jsX = new Float32Array(N), jsY = new Float32Array(N);
fill(jsX);
const js = {
  tanh: measure(() => { for (let i = 0; i < N; i++) jsY[i] = Math.tanh(jsX[i]); }),
  sigmoid: measure(() => { for (let i = 0; i < N; i++) jsY[i] = 1 / (1 + Math.exp(-jsX[i])); }),
  exp: measure(() => { for (let i = 0; i < N; i++) jsY[i] = Math.exp(jsX[i]); }),
};

const base = await baseline();
const scalar = { tanh: NaN, sigmoid: NaN, exp: NaN };
if (base) {
  const mem = base.memory as WebAssembly.Memory;
  const bx = 1 << 16, by = bx + 4 * N;
  if (mem.buffer.byteLength < by + 4 * N) mem.grow(Math.ceil((by + 4 * N - mem.buffer.byteLength) / 65536));
  fill(new Float32Array(mem.buffer, bx, N));
  scalar.tanh = measure(() => base.stanh(bx, by, N));
  scalar.sigmoid = measure(() => base.ssigmoid(bx, by, N));
  scalar.exp = measure(() => base.sexp(bx, by, N));
}

const num = (v: number, d = 0) => (Number.isNaN(v) ? '-' : v.toFixed(d)).padStart(6);
console.log(`elementwise over ${N} f32, M elements/s (median of ${REPEATS} after warm-up)`);
console.log('          SIMD wasm-rnn   scalar Mathf (AS)   JS Math (f64)   SIMD/scalar');
for (const k of ['tanh', 'sigmoid', 'exp'] as const)
  console.log(`${k.padEnd(8)}  ${num(simd[k])}          ${num(scalar[k])}              ${num(js[k])}          ${num(simd[k] / scalar[k], 1)}`);
