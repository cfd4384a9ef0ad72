// Loading the module and talking to its memory. Nothing here computes numbers.
import { RnnError } from './errors.js';

/** The raw exports of wasm-rnn.wasm: pointers are byte offsets, sizes are element counts. */
export interface WasmExports {
  memory: WebAssembly.Memory;
  [name: string]: any;
}

let ex: WasmExports | null = null;
let f32: Float32Array = new Float32Array(0);
let i32: Int32Array = new Int32Array(0);
let argsAddr = 0;

export type WasmSource = WebAssembly.Module | BufferSource | Response | Promise<Response>;

function attach(instance: WebAssembly.Instance): void {
  ex = instance.exports as unknown as WasmExports;
  argsAddr = ex.args_ptr();
  refresh();
}

function refresh(): void {
  const buf = ex!.memory.buffer;
  f32 = new Float32Array(buf);
  i32 = new Int32Array(buf);
}

// (func (result v128) i32.const 0 i8x16.splat): validates only where fixed-width SIMD exists
const simdProbe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11]);

function checkSimd(): void {
  if (typeof WebAssembly !== 'object') throw new RnnError('init: expected a runtime with WebAssembly, got none');
  if (!WebAssembly.validate(simdProbe)) {
    throw new RnnError('init: expected a WebAssembly engine with 128-bit SIMD (fixed-width simd128), got an engine without it');
  }
}

async function toModule(src: WasmSource): Promise<WebAssembly.Module> {
  if (src instanceof WebAssembly.Module) return src;
  const s = await src;
  if (typeof Response !== 'undefined' && s instanceof Response) {
    if (typeof WebAssembly.compileStreaming === 'function' &&
        (s.headers.get('content-type') ?? '').startsWith('application/wasm')) {
      return WebAssembly.compileStreaming(s);
    }
    return WebAssembly.compile(await s.arrayBuffer());
  }
  if (ArrayBuffer.isView(s) || s instanceof ArrayBuffer) return WebAssembly.compile(s as BufferSource);
  throw new RnnError(`init: expected a WebAssembly.Module, bytes or a Response, got ${typeof s}`);
}

/** Instantiates from a module, bytes or a Response (async: works on every main thread). */
export async function initFrom(src: WasmSource): Promise<void> {
  checkSimd();
  const mod = await toModule(src);
  attach(await WebAssembly.instantiate(mod, {}));
}

/** Synchronous instantiation (workers, worklets, Node); bytes are compiled on the spot. */
export function initSyncFrom(src: WebAssembly.Module | BufferSource): void {
  checkSimd();
  const mod = src instanceof WebAssembly.Module ? src : new WebAssembly.Module(src);
  attach(new WebAssembly.Instance(mod, {}));
}

export function ready(): boolean { return ex !== null; }

/** The exports; throws RnnError before init(). */
export function w(): WasmExports {
  if (ex === null) throw new RnnError('wasm-rnn: expected init() (or initSync()) to have completed before use, got an uninitialised module');
  return ex;
}

/** A Float32Array over the whole memory, re-created whenever memory has grown. */
export function F32(): Float32Array {
  if (f32.buffer !== ex!.memory.buffer) refresh();
  return f32;
}
export function I32(): Int32Array {
  if (i32.buffer !== ex!.memory.buffer) refresh();
  return i32;
}

/** Writes up to 4 rows of 8 i32 into the module's argument table (shape and strides). */
export function setArgs(rows: ArrayLike<number>[]): void {
  const a = I32();
  const base = argsAddr >> 2;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    for (let d = 0; d < r.length; d++) a[base + k * 8 + d] = r[d];
  }
}
