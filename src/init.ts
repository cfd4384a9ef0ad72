import { Storage } from './storage.js';
import { Parameter } from './tensor.js';
import { w } from './wasm.js';

/** A parameter drawn from uniform(−bound, bound) by the seeded generator (PyTorch's default RNN/Linear init). */
export function uniformParameter(shape: number[], bound: number): Parameter {
  const s = Storage.alloc(shape.reduce((a, b) => a * b, 1), true);
  w().rng_uniform(s.ptr, s.length, -bound, bound);
  return new Parameter(s, shape);
}
