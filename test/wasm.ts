// Raw access to build/wasm-rnn.wasm for kernel tests (the public API is tested through dist/).
import { readFileSync } from 'node:fs';

export type Exports = Record<string, any> & { memory: WebAssembly.Memory };

export function loadWasm(): Exports {
  const bytes = readFileSync(new URL('../build/wasm-rnn.wasm', import.meta.url));
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  return inst.exports as Exports;
}

/** A fresh Float32Array view of `n` floats at byte offset `ptr` (views detach on memory.grow). */
export const f32 = (w: Exports, ptr: number, n: number) => new Float32Array(w.memory.buffer, ptr, n);
