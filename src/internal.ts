// Unstable internals for tests and benchmarks: the raw Wasm exports.
import { w, type WasmExports } from './wasm.js';
export const _internal = { exports: (): WasmExports => w() };
