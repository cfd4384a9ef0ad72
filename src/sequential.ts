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
//
// step(input, state?) streams the model one timestep at a time (see its doc comment): Embedding →
// gather_rows into a kept buffer, RNN/LSTM/GRU → their own step() machinery reading the previous
// module's buffer in place, Linear → one GEMM against a kept transposed weight, Dropout → nothing.
// The int8 modules of quantize() (QuantizedEmbedding, QuantizedRNN/LSTM/GRU, QuantizedLinear) stream
// the same way through their own kernels.
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { RnnError, className, fail, show } from './errors.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { GRU, LSTM, RNN, type StepState, type StepWorkspace } from './rnn.js';
import { QuantizedEmbedding, QuantizedLinear } from './qlinear.js';
import { QuantizedRNNBase } from './qrnn.js';
import { safePoint, Storage } from './storage.js';
import { Tensor } from './tensor.js';
import { F32, I32, w } from './wasm.js';

/**
 * Sequential.step's state: plain arrays that can be saved (copied), sent and restored.
 * `output` is the last module's output for this step (B × its width: the logits of a
 * … → Linear model), overwritten by the next call; `states[i]` is module i's StepState
 * (`{ h, c?, output }`, as RNN/LSTM/GRU.step returns it) for the recurrent modules, null for the others.
 */
export interface SequentialStepState {
  output: Float32Array;
  states: (StepState | null)[];
}

type Recurrent = RNN | LSTM | GRU | QuantizedRNNBase;
const EMB = 0, REC = 1, LIN = 2, DROP = 3;

/** What step() does per module, checked once (the modules never change). */
interface StepSpec {
  kinds: number[];
  /** `state.states[i]`, for error messages (made once: no string per step) */
  names: string[];
  /** floats per row the input takes (0 when module 0 is an Embedding), and the output width */
  inWidth: number;
  outWidth: number;
}

/** Buffers for one batch size. */
interface StepPlan {
  B: number;
  bufs: Storage[];
  /** input: B token indices (Embedding first) or B·inWidth floats */
  inPtr: number;
  /** per module: its output buffer (Embedding, Linear), 0 otherwise */
  outPtrs: number[];
  view: Float32Array;
  /** the memory and byte offset the view was made for */
  viewsOf: ArrayBuffer | null;
  viewPtr: number;
}

/** A Linear's weight transposed (IN, OUT) for step's GEMM, and the weight version it was made from. */
interface LinearT { buf: Storage; v: number }

/** A recurrent module's [output, state] (the first element a Tensor). */
function isTuple(v: unknown): v is [Tensor, unknown] {
  return Array.isArray(v) && v.length > 0 && v[0] instanceof Tensor;
}

/** `(1) LSTM`: a child's position and class, as in the repr. */
function label(i: number, m: Module): string { return `(${i}) ${className(m.constructor)}`; }

/** True for modules known to return a tuple (recurrent layers and LSTMCell). */
function returnsTuple(m: Module): boolean {
  const n = className(m.constructor).replace(/^Quantized/, '');   // and their int8 twins
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

  /** @internal step(): the checked structure, the buffers for the last batch size, Linear weights transposed */
  private _stepSpec: StepSpec | null = null;
  private _stepPlan: StepPlan | null = null;
  private _stepLin: (LinearT | null)[] = [];

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

  /**
   * Streams the model one timestep at a time, with the recurrent layers' step() semantics: an
   * `Embedding → RNN/LSTM/GRU → … → Linear` model (any chain of Embedding (first only), unidirectional
   * RNN/LSTM/GRU, Linear and Dropout) gets one token per batch row and returns that step's logits.
   *
   * `input`: for an Embedding-first model the token indices of this step, one per batch row (a number
   * for B = 1, a number[] / Int32Array of B, or a Tensor of B integral values); otherwise the features,
   * a Float32Array of B·I values or a Tensor (B, I) / (I). `state`: what the previous call returned
   * (or a restored copy of it); omitted means zero recurrent states.
   *
   * Returns a SequentialStepState, updated in place when given: `output` (B × the last module's
   * width, e.g. the logits) is overwritten by the next call, `states[i]` holds module i's `{ h, c?, output }`.
   * Save it by copying the arrays (`{ output: s.output.slice(), states: s.states.map((t) => t && { h: t.h.slice(), c: t.c?.slice(), output: t.output.slice() }) }`)
   * and pass the copy back to continue from there. Dropout is the identity (step is inference, no
   * gradients). Running step T times gives the same bits as forward over the T steps. After the first
   * call with a given B it allocates nothing: no Tensor, no Wasm memory, no JS arrays. It keeps
   * transposed copies of the recurrent and Linear weights, made again only after they change.
   */
  step(input: number | ArrayLike<number> | Tensor, state?: SequentialStepState): SequentialStepState {
    const spec = this.stepSpec();
    const mods = this._items;
    const first = mods[0];
    let B: number;
    // 1. check the input and the state (RnnError before any Wasm memory is touched)
    if (spec.inWidth === 0) {
      const N = (first as Embedding | QuantizedEmbedding).numEmbeddings;
      B = checkTokens(input, N);
    } else {
      const I = spec.inWidth;
      if (input instanceof Tensor) {
        if ((input.dim !== 1 && input.dim !== 2) || input.shape[input.dim - 1] !== I) fail('input', `shape (B, ${I}) or (${I})`, `shape ${show(input.shape)}`, true);
        B = (input.numel / I) | 0;
      } else if (input instanceof Float32Array) {
        if (input.length === 0 || input.length % I !== 0) fail('input', `a Float32Array of B·${I} values`, `length ${input.length}`, true);
        B = (input.length / I) | 0;
      } else {
        fail('input', `a Float32Array of B·${I} values or a Tensor (B, ${I})`, input);
      }
    }
    if (state !== undefined) {
      if (!state || typeof state !== 'object') fail('state', 'the object a previous step() returned', state);
      if (!(state.output instanceof Float32Array) || state.output.length !== B * spec.outWidth) {
        fail('state.output', `a Float32Array of ${B * spec.outWidth} values (B·${spec.outWidth})`, state.output instanceof Float32Array ? `length ${state.output.length}` : state.output, state.output instanceof Float32Array);
      }
      if (!Array.isArray(state.states) || state.states.length !== mods.length) {
        fail('state.states', `an array of ${mods.length} entries (one per module)`, Array.isArray(state.states) ? `length ${state.states.length}` : state.states, Array.isArray(state.states));
      }
      for (let i = 0; i < mods.length; i++) {
        if (spec.kinds[i] === REC) (mods[i] as Recurrent)._checkStepState(state.states[i] ?? undefined, B, spec.names[i]);
      }
    }
    safePoint();
    // 2. buffers for this B (made on the first call with it)
    const e = w();
    const plan = this.stepPlan(B, spec);
    if (spec.inWidth === 0) writeTokens(input, plan.inPtr, B);
    else if (input instanceof Tensor) e.copy_rows(1, B * spec.inWidth, input.ptr, B * spec.inWidth, plan.inPtr, B * spec.inWidth);
    else F32().set(input as Float32Array, plan.inPtr >>> 2);
    // 3. each module's streaming form, reading the previous module's buffer in place
    const st = state ?? { output: new Float32Array(B * spec.outWidth), states: new Array<StepState | null>(mods.length).fill(null) };
    let p = plan.inPtr;
    for (let i = 0; i < mods.length; i++) {
      const k = spec.kinds[i];
      if (k === EMB) {
        const m = mods[i] as Embedding | QuantizedEmbedding;
        if (m instanceof QuantizedEmbedding) m._gatherInto(B, plan.inPtr, plan.outPtrs[i]);
        else e.gather_rows(B, plan.inPtr, m.weight.readPtr, m.embeddingDim, plan.outPtrs[i]);
        p = plan.outPtrs[i];
      } else if (k === REC) {
        const m = mods[i] as Recurrent;
        const ws: StepWorkspace = m._stepWorkspace(B);
        const s = state ? st.states[i] ?? undefined : undefined;
        p = m._stepAt(ws, p, s);
        st.states[i] = m._stepState(ws, s);
      } else if (k === LIN) {
        const m = mods[i] as Linear | QuantizedLinear;
        if (m instanceof QuantizedLinear) m._stepInto(B, p, plan.outPtrs[i]);
        else {
          const IN = m.inFeatures, OUT = m.outFeatures;
          e.gemm(B, OUT, IN, p, IN, this.linearT(i, m), OUT, plan.outPtrs[i], OUT, 0);   // as linear_forward
          if (m.bias) e.add_bias_rows(B, OUT, plan.outPtrs[i], OUT, m.bias.readPtr);
        }
        p = plan.outPtrs[i];
      }
    }
    const buf = e.memory.buffer;
    if (plan.viewsOf !== buf || plan.viewPtr !== p) {   // only after memory grew or a workspace moved
      plan.view = new Float32Array(buf, p, B * spec.outWidth);
      plan.viewsOf = buf;
      plan.viewPtr = p;
    }
    st.output.set(plan.view);
    return st;
  }

  /** The structure step() runs, checked once (RnnErrors name the module and its position). */
  private stepSpec(): StepSpec {
    // (no closures in step()'s hot functions: a closure's context would be allocated on every call)
    return this._stepSpec ?? (this._stepSpec = buildStepSpec(this._items));
  }

  /** Buffers for B rows, made again only when B changes. */
  private stepPlan(B: number, spec: StepSpec): StepPlan {
    const old = this._stepPlan;
    if (old && old.B === B) return old;
    old?.bufs.forEach((s) => s.dispose());
    return (this._stepPlan = buildStepPlan(B, spec, this._items));
  }

  /** Linear i's weight transposed (IN, OUT), transposed again only when the weight has changed. */
  private linearT(i: number, m: Linear): number {
    const W = m.weight.storage;
    let c = this._stepLin[i];
    if (!c || c.v !== W.version) {
      c ??= this._stepLin[i] = { buf: Storage.alloc(m.inFeatures * m.outFeatures, true), v: 0 };
      w().transpose(m.outFeatures, m.inFeatures, W.readPtr, m.inFeatures, c.buf.readPtr, m.outFeatures);
      c.v = W.version;
    }
    return c.buf.readPtr;
  }

  /** @internal step()'s buffers (freed by dispose(); a later step() makes them again). */
  override _freeBuffers(): void {
    this._stepPlan?.bufs.forEach((s) => s.dispose());
    this._stepLin.forEach((c) => c?.buf.dispose());
    this._stepPlan = null;
    this._stepLin = [];
  }
}

function buildStepSpec(mods: Module[]): StepSpec {
  const kinds: number[] = [];
  let inWidth = -1, width = -1;   // -1: not known yet (only Dropouts so far)
  let from = 'the input';
  const need = (i: number, m: Module, want: number, what: string) => {
    if (width === -1) { inWidth = want; width = want; return; }
    if (want !== width) throw new RnnError(`step: module ${label(i, m)} expected ${what} ${want} to match ${from}, got ${width}`);
  };
  mods.forEach((m, i) => {
    if (m instanceof Embedding || m instanceof QuantizedEmbedding) {
      if (i !== 0) throw new RnnError(`step: module ${label(i, m)} expected first (an Embedding takes the token indices), got it at position ${i}`);
      kinds.push(EMB); inWidth = 0; width = m.embeddingDim;
    } else if (m instanceof RNN || m instanceof LSTM || m instanceof GRU || m instanceof QuantizedRNNBase) {
      if (m.bidirectional) throw new RnnError(`step: module ${label(i, m)} expected unidirectional (a reverse direction needs the whole sequence), got bidirectional = true`);
      need(i, m, m.inputSize, 'inputSize');
      kinds.push(REC); width = m.hiddenOut;
    } else if (m instanceof Linear || m instanceof QuantizedLinear) {
      need(i, m, m.inFeatures, 'inFeatures');
      kinds.push(LIN); width = m.outFeatures;
    } else if (m instanceof Dropout) {
      kinds.push(DROP);
      return;
    } else {
      throw new RnnError(`step: expected modules Embedding, RNN, LSTM, GRU, Linear or Dropout, got module ${label(i, m)}`);
    }
    from = `the output of module ${label(i, m)}`;
  });
  if (width === -1) throw new RnnError('step: expected an Embedding, RNN, LSTM, GRU or Linear among the modules, got ' + (mods.length ? 'only Dropout' : 'an empty Sequential'));
  return { kinds, names: mods.map((_, i) => `state.states[${i}]`), inWidth, outWidth: width };
}

/** Buffers for B rows: the input, and the outputs of the Embedding and Linear modules (persistent). */
function buildStepPlan(B: number, spec: StepSpec, mods: Module[]): StepPlan {
  const bufs: Storage[] = [];
  const alloc = (n: number) => { const s = Storage.alloc(Math.max(1, n), true); bufs.push(s); return s.ptr; };
  const inPtr = alloc(spec.inWidth === 0 ? B : B * spec.inWidth);
  const outPtrs = mods.map((m, i) => spec.kinds[i] === EMB ? alloc(B * (m as Embedding | QuantizedEmbedding).embeddingDim)
    : spec.kinds[i] === LIN ? alloc(B * (m as Linear | QuantizedLinear).outFeatures) : 0);
  return { B, bufs, inPtr, outPtrs, view: new Float32Array(0), viewsOf: null, viewPtr: 0 };
}

/** Checks step()'s token input (B indices in [0, N)) and returns B; allocates nothing. */
function checkTokens(input: unknown, N: number): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0 || input >= N) badToken('input', input, N);
    return 1;
  }
  if (input instanceof Tensor) {
    if (input.dim > 1 || input.numel === 0) fail('input', 'a Tensor of B token indices (shape (B) or ())', `shape ${show(input.shape)}`, true);
    const f = F32(), o = input.readPtr >>> 2;
    for (let k = 0; k < input.numel; k++) { const v = f[o + k]; if (!Number.isInteger(v) || v < 0 || v >= N) badToken(`input[${k}]`, v, N); }
    return input.numel;
  }
  if (Array.isArray(input) || (ArrayBuffer.isView(input) && !(input instanceof DataView))) {
    const a = input as ArrayLike<unknown>;
    if (a.length === 0) fail('input', 'one token index per batch row', 'an empty array', true);
    for (let k = 0; k < a.length; k++) {
      const v = a[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= N) badToken(`input[${k}]`, v, N);
    }
    return a.length;
  }
  return fail('input', 'token indices: a number, a number[] / Int32Array (one per batch row) or a Tensor', input);
}

function badToken(where: string, v: unknown, N: number): never {
  throw new RnnError(`${where}: expected an integer in [0, ${N - 1}] (numEmbeddings ${N}), got ${show(v)}`);
}

/** Writes B checked token indices as i32 at byte offset p. */
function writeTokens(input: unknown, p: number, B: number): void {
  const i32 = I32(), o = p >>> 2;
  if (typeof input === 'number') { i32[o] = input; return; }
  if (input instanceof Int32Array) { i32.set(input, o); return; }
  if (input instanceof Tensor) {
    const f = F32(), s = input.readPtr >>> 2;
    for (let k = 0; k < B; k++) i32[o + k] = f[s + k];
    return;
  }
  const a = input as ArrayLike<number>;
  for (let k = 0; k < B; k++) i32[o + k] = a[k];
}
