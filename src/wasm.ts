// Loading the module and talking to its memory. Nothing here computes numbers.
import { RnnError, bytesText, fail } from './errors.js';

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

/**
 * Makes the instance the library's, once: a second init() never replaces it (that would orphan
 * every tensor and parameter made since), so a later instance is simply dropped.
 */
function attach(instance: WebAssembly.Instance, where: string): void {
  if (ex !== null) return;
  const raw = instance.exports as unknown as WasmExports;
  if (!(raw.memory instanceof WebAssembly.Memory)) fail(where, 'the wasm-rnn WebAssembly module', 'a module without its memory export', true);
  for (const k of ['alloc', 'free', 'scratch_rollback', 'heapLiveBytes', 'args_ptr', 'fill', 'gemm']) {
    if (typeof raw[k] !== 'function') fail(where, 'the wasm-rnn WebAssembly module', `a module without the export ${JSON.stringify(k)}`, true);
  }
  const guarded: WasmExports = { memory: raw.memory };
  for (const [name, f] of Object.entries(raw)) {
    if (typeof f === 'function') guarded[name] = guard(name, f as (...a: number[]) => number, raw);
  }
  ex = guarded;
  argsAddr = ex.args_ptr();
  refresh();
}

/**
 * An export that turns a trap into an RnnError when it was a kernel's scratch allocation that
 * memory could not hold (assembly/alloc.ts): the kernel's scratch is freed again, the heap is
 * consistent, and what the kernel was writing was a fresh output (or, in a backward, gradients).
 */
function guard(name: string, f: (...a: number[]) => number, raw: WasmExports): (...a: number[]) => number {
  return function (...a: number[]): number {
    try {
      return f(...a);
    } catch (err) {
      const bytes: number = raw.scratch_rollback();
      if (bytes > 0) {
        throw new RnnError(`memory: expected ${bytesText(bytes)} of WebAssembly memory for the working space of ${name}, got an allocation failure ` +
          `(${bytesText(raw.heapLiveBytes())} in use; a 32-bit WebAssembly memory holds at most 4 GiB, and an engine may allow less). ` +
          'Free what you no longer need with dispose(), or use smaller batches or shorter sequences');
      }
      throw err;
    }
  };
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

/** Throws an RnnError unless `src` is a WebAssembly.Module, bytes, a Response or a promise (sync: no promise). */
function checkSource(where: string, src: unknown, sync: boolean): void {
  const ok = (typeof WebAssembly === 'object' && src instanceof WebAssembly.Module) || ArrayBuffer.isView(src) || src instanceof ArrayBuffer ||
    (!sync && ((typeof Response !== 'undefined' && src instanceof Response) ||
      (typeof src === 'object' && src !== null && typeof (src as { then?: unknown }).then === 'function')));
  if (!ok) fail(where, sync ? 'a WebAssembly.Module or bytes' : 'a WebAssembly.Module, bytes or a Response', src);
}

/**
 * Instantiates from a module, bytes or a Response (async: works on every main thread). Once the
 * library is initialised this does nothing (after checking the argument): a second init never
 * resets memory, so every tensor and parameter stays as it is.
 */
export async function initFrom(src: WasmSource): Promise<void> {
  checkSource('init', src, false);
  if (ex !== null) return;
  checkSimd();
  let inst: WebAssembly.Instance;
  try {
    const mod = await toModule(src);
    if (ex !== null) return;           // another init finished meanwhile
    inst = await WebAssembly.instantiate(mod, {});
  } catch (e) {
    throw e instanceof RnnError ? e : new RnnError(`init: expected the wasm-rnn WebAssembly module, got one that does not load (${(e as Error)?.message ?? e})`);
  }
  attach(inst, 'init');
}

/** Synchronous instantiation (workers, worklets, Node); bytes are compiled on the spot. A no-op once initialised. */
export function initSyncFrom(src: WebAssembly.Module | BufferSource): void {
  checkSource('initSync', src, true);
  if (ex !== null) return;
  checkSimd();
  let inst: WebAssembly.Instance;
  try {
    inst = new WebAssembly.Instance(src instanceof WebAssembly.Module ? src : new WebAssembly.Module(src), {});
  } catch (e) {
    throw new RnnError(`initSync: expected the wasm-rnn WebAssembly module, got one that does not load (${(e as Error)?.message ?? e})`);
  }
  attach(inst, 'initSync');
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
