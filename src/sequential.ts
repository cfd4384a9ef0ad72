// Sequential: modules applied one after the other (PyTorch's nn.Sequential), children named 0, 1, …
// so the state_dict keys are PyTorch's (`0.weight`, `1.weight_ih_l0`, `2.bias`). reference:
// https://pytorch.org/docs/stable/generated/torch.nn.Sequential.html
//
// One difference, so that recurrent layers chain: a recurrent module (RNN, LSTM, GRU, LSTMCell)
// returns a tuple ([output, hN], [output, [hN, cN]]); the next module gets
//   - the output sequence (element 0) if it is a library module that takes a tensor (Linear,
//     Dropout, another RNN/LSTM/GRU, a cell, a Sequential starting with one of those);
//   - the tuple unchanged if it is your own Module (as nn.Sequential does: destructure it there);
//   - an RnnError naming both modules and their positions if it cannot take it (an Embedding, which
//     takes integer indices).
// A tuple from the last module is returned as is.
import { RnnError, className, fail } from './errors.js';
import { Module } from './module.js';
import { Tensor } from './tensor.js';

/** A recurrent module's [output, state] (the first element a Tensor). */
function isTuple(v: unknown): v is [Tensor, unknown] {
  return Array.isArray(v) && v.length > 0 && v[0] instanceof Tensor;
}

/** `(1) LSTM`: a child's position and class, as in the repr. */
function label(i: number, m: Module): string { return `(${i}) ${className(m.constructor)}`; }

/** True for modules known to return a tuple (recurrent layers and LSTMCell). */
function returnsTuple(m: Module): boolean {
  const n = className(m.constructor);
  return n === 'RNN' || n === 'LSTM' || n === 'GRU' || n === 'LSTMCell';
}

/**
 * Modules applied in order: `new Sequential(emb, lstm, fc)` or `new Sequential([emb, lstm, fc])`.
 *
 *     const model = new Sequential(new Embedding(30, 16), new LSTM(16, 32, { numLayers: 2 }), new Linear(32, 4));
 *     model.forward([[3, 1, 0], [2, 2, 5]]);   // indices (T, B) → logits (T, B, 4)
 *     model.stateDict();                       // { '0.weight', '1.weight_ih_l0', …, '2.weight', '2.bias' }
 *
 * forward(input) passes input to module 0 and each result to the next; a recurrent module's tuple
 * gives the next library module its output sequence (see the top of src/sequential.ts), so
 * Embedding → LSTM → Linear gives per-timestep logits, like applying the Linear to `output`.
 * `length`, `get(i)` (negative counts from the end) and iteration give the modules.
 */
export class Sequential extends Module {
  static readonly reprName = 'Sequential';
  /** @internal the modules, in order */
  protected _items: Module[];

  constructor(...modules: Module[] | [Module[]]) {
    super();
    const list = (modules.length === 1 && Array.isArray(modules[0]) ? modules[0] : modules) as unknown[];
    list.forEach((m, i) => { if (!(m instanceof Module)) fail(`modules[${i}]`, 'a Module', m); });
    const mods = list as Module[];
    for (let i = 1; i < mods.length; i++) {
      if (returnsTuple(mods[i - 1]) && mods[i]._accepts() === 'indices') {
        throw new RnnError(`Sequential: module ${label(i, mods[i])} expected integer indices, got module ${label(i - 1, mods[i - 1])}'s tuple [output, state] (a recurrent layer's output cannot feed an ${className(mods[i].constructor)})`);
      }
    }
    this._items = mods.slice();
  }

  /** Number of modules. */
  get length(): number { return this._items.length; }

  /** Module i (negative counts from the end, like seq[-1]). */
  get(i: number): Module {
    const n = this._items.length;
    if (!Number.isInteger(i) || i < -n || i >= n) fail('index', n ? `an integer in [${-n}, ${n - 1}]` : 'no index (the Sequential is empty)', i);
    return this._items[i < 0 ? i + n : i];
  }

  [Symbol.iterator](): Iterator<Module> { return this._items[Symbol.iterator](); }

  override namedChildren(): [string, Module][] { return this._items.map((m, i) => [String(i), m]); }

  /** @internal what the first module takes */
  override _accepts(): 'tensor' | 'indices' | 'any' { return this._items.length ? this._items[0]._accepts() : 'any'; }

  /**
   * Runs the modules in order and returns the last one's result (a Tensor, or a recurrent layer's
   * tuple when it is last). The input is whatever module 0 takes: integer indices for an Embedding,
   * a Tensor for a recurrent layer or a Linear. An empty Sequential returns its input.
   */
  override forward(input: any): any {
    let x = input;
    const mods = this._items;
    for (let i = 0; i < mods.length; i++) {
      const m = mods[i];
      if (i > 0 && isTuple(x)) {
        const takes = m._accepts();
        if (takes === 'tensor') x = x[0];
        else if (takes === 'indices') {
          throw new RnnError(`Sequential: module ${label(i, m)} expected integer indices, got the tuple [output, state] that module ${label(i - 1, mods[i - 1])} returned`);
        }
      }
      x = m.forward(x);
    }
    return x;
  }
}
