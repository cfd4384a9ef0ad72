// Unstable internals for tests and benchmarks: the raw Wasm exports, and a cap on the heap
// (bytes; tests use it so that large valid requests fail fast with an RnnError).
import { setHeapLimit } from './storage.js';
import { w, type WasmExports } from './wasm.js';
export const _internal = { exports: (): WasmExports => w(), setHeapLimit };
