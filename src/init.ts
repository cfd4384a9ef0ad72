import { Storage } from './storage.js';
import { Parameter } from './tensor.js';
import { w } from './wasm.js';

/**
 * A parameter drawn by the seeded generator from uniform(−1/√fan, 1/√fan): PyTorch's default
 * init for RNN/LSTM/GRU (fan = hidden size) and Linear (fan = in features). The bound is computed
 * in Wasm.
 */
export function uniformParameter(shape: number[], fan: number): Parameter {
  const s = Storage.alloc(shape.reduce((a, b) => a * b, 1), true);
  w().rng_uniform_sym(s.ptr, s.length, fan, 0);
  return new Parameter(s, shape);
}
