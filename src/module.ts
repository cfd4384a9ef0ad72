// Module: the nn.Module shape. Submodules and parameters are found on the object's fields
// (in field order; arrays of modules are numbered like nn.ModuleList), plus parameters a
// built-in module registers under PyTorch's names (weight_ih_l0, …).
import { RnnError, className, fail, show } from './errors.js';
import { clearGrads } from './autograd.js';
import { safePoint } from './storage.js';
import { Parameter, Tensor, sameShape, tensor } from './tensor.js';
import { w } from './wasm.js';

export type StateDict = Record<string, Tensor>;

export interface LoadResult { missingKeys: string[]; unexpectedKeys: string[] }

/**
 * Nested arrays of numbers of exactly `shape` (checked level by level, without recursion: any
 * depth of nesting is an RnnError, not a stack overflow) → their values in row-major order.
 */
function flatValues(arg: string, v: unknown[], shape: readonly number[]): number[] {
  const out: number[] = [];
  let level: unknown[] = [v];
  for (let d = 0; d <= shape.length; d++) {
    const next: unknown[] = [];
    for (const a of level) {
      if (d === shape.length) {
        if (typeof a !== 'number') fail(arg, `numbers at depth ${shape.length} (shape ${show(shape)})`, a);
        out.push(a);
      } else {
        if (!Array.isArray(a) || a.length !== shape[d]) {
          throw new RnnError(`${arg}: expected nested arrays of shape ${show(shape)}, got ${Array.isArray(a) ? `${a.length} items` : show(a)} at depth ${d}`);
        }
        for (let i = 0; i < a.length; i++) next.push(a[i]);
      }
    }
    level = next;
  }
  return out;
}

/**
 * A tensor a module keeps in its state dict besides its parameters (a quantized module's
 * int8 weights, scales and biases): its shape, how to read it, how to check and write a new value.
 */
export interface StateSlot {
  shape: number[];
  get(): Tensor;
  /** an error message for a value of the right shape that cannot be loaded, or null */
  check(v: Tensor): string | null;
  set(v: Tensor): void;
}

export abstract class Module {
  /** Train mode (dropout active) or eval mode. */
  training = true;
  /** @internal parameters registered under explicit names, in registration order */
  protected _parameters = new Map<string, Parameter | null>();

  /** @internal */
  protected registerParameter(name: string, p: Parameter | null): void { this._parameters.set(name, p); }

  /** Direct submodules with their names (fields holding a Module or an array of Modules). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const k of Object.keys(this)) {
      if (k.startsWith('_')) continue;
      const v = (this as any)[k];
      if (v instanceof Module) out.push([k, v]);
      else if (Array.isArray(v) && v.length && v.every((m) => m instanceof Module)) out.push([k, new ModuleList(v)]);
    }
    return out;
  }

  /** Parameters owned directly by this module (registered ones, then Parameter fields). */
  protected ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [k, p] of this._parameters) if (p) out.push([k, p]);
    for (const k of Object.keys(this)) {
      if (k.startsWith('_')) continue;
      const v = (this as any)[k];
      if (v instanceof Parameter) out.push([k, v]);
    }
    return out;
  }

  /** Every parameter with its dotted name (`rnn.weight_ih_l0`, `fc.bias`), PyTorch's order. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const walk = (m: Module, pre: string) => {
      for (const [k, p] of m.ownParameters()) if (!seen.has(p)) { seen.add(p); out.push([pre + k, p]); }
      for (const [k, c] of m.namedChildren()) walk(c, pre + k + '.');
    };
    walk(this, prefix ? prefix + '.' : '');
    return out;
  }

  parameters(): Parameter[] { return this.namedParameters().map(([, p]) => p); }

  /** Every module in the tree, this one first. */
  modules(): Module[] {
    const out: Module[] = [this];
    for (const [, c] of this.namedChildren()) out.push(...c.modules());
    return out;
  }

  /** Total number of parameter elements. */
  numParameters(onlyTrainable = false): number {
    return this.parameters().filter((p) => !onlyTrainable || p.requiresGrad).reduce((a, p) => a + p.numel, 0);
  }

  /**
   * The parameters by dotted name, as tensors sharing the module's data (like state_dict()); a
   * quantized module adds its int8 weights (Int8Tensor), their `.scale`s and its biases.
   */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const [k, p] of this.namedParameters()) sd[k] = p.detach();
    for (const [k, s] of namedSlots(this)) sd[k] = s.get();
    return sd;
  }

  /** @internal the state-dict entries this module holds outside Parameters (quantized modules) */
  _stateSlots(): [string, StateSlot][] { return []; }

  /**
   * Copies values into the parameters. Values may be Tensors or nested/typed arrays.
   * strict (default): every key must be present, none extra. Shapes must always match.
   * Everything is checked before anything is written.
   */
  loadStateDict(sd: Record<string, Tensor | ArrayLike<number> | unknown[]>, opts: { strict?: boolean } = {}): LoadResult {
    if (opts === null || typeof opts !== 'object') fail('options', 'an object like { strict }', opts);
    const strict = opts.strict ?? true;
    if (sd === null || typeof sd !== 'object') fail('stateDict', 'an object of name → Tensor', sd);
    const params = new Map(this.namedParameters());
    // own keys only: a key like "constructor" or "__proto__" is a key, never something inherited
    const has = (k: string) => Object.prototype.hasOwnProperty.call(sd, k);
    const slots = new Map(namedSlots(this));
    const keys = [...params.keys(), ...slots.keys()];
    const given = Object.keys(sd);
    const missingKeys = keys.filter((k) => !has(k));
    const unexpectedKeys = given.filter((k) => !params.has(k) && !slots.has(k));
    const list = (ks: string[]) => ks.length > 20 ? `${ks.slice(0, 20).join(', ')}, … (${ks.length} keys)` : ks.join(', ');
    if (strict && missingKeys.length) {
      throw new RnnError(`stateDict: expected key ${show(missingKeys[0])} (missing: ${list(missingKeys)}), got keys ${list(given) || '(none)'}`);
    }
    if (strict && unexpectedKeys.length) {
      throw new RnnError(`stateDict: expected only the keys ${list(keys)}, got unexpected ${list(unexpectedKeys)}`);
    }
    const slotPlan: [StateSlot, Tensor | unknown[] | ArrayLike<number>, string][] = [];
    for (const [k, s] of slots) {
      if (!has(k)) continue;
      const v = sd[k];
      const n = s.shape.reduce((a, b) => a * b, 1);
      if (v instanceof Tensor) {
        if (!sameShape(v.shape, s.shape)) throw new RnnError(`stateDict[${show(k)}]: expected shape ${show(s.shape)}, got ${show(v.shape)}`);
      } else if (ArrayBuffer.isView(v) || Array.isArray(v)) {
        if (Array.isArray(v)) flatValues(`stateDict[${show(k)}]`, v, s.shape);
        else if ((v as ArrayLike<number>).length !== n) throw new RnnError(`stateDict[${show(k)}]: expected ${n} values for shape ${show(s.shape)}, got ${(v as ArrayLike<number>).length}`);
      } else {
        fail(`stateDict[${show(k)}]`, 'a Tensor or an array of numbers', v);
      }
      slotPlan.push([s, v as Tensor, k]);
    }
    const plan: [Parameter, Tensor | ArrayLike<number>][] = [];
    for (const [k, p] of params) {
      if (!has(k)) continue;
      const v = sd[k];
      if (v instanceof Tensor) {
        if (!sameShape(v.shape, p.shape)) throw new RnnError(`stateDict[${show(k)}]: expected shape ${show(p.shape)}, got ${show(v.shape)}`);
        plan.push([p, v]);
      } else if (Array.isArray(v)) {
        plan.push([p, flatValues(`stateDict[${show(k)}]`, v, p.shape)]);
      } else if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array)) {
        const flat = v as unknown as ArrayLike<number>;
        if (flat.length !== p.numel) throw new RnnError(`stateDict[${show(k)}]: expected ${p.numel} values for shape ${show(p.shape)}, got ${flat.length}`);
        plan.push([p, flat]);
      } else {
        fail(`stateDict[${show(k)}]`, 'a Tensor, nested arrays or a typed array of numbers', v);
      }
    }
    safePoint();
    // quantized values are checked (in Wasm) before anything is written
    const slotValues = slotPlan.map(([s, v, k]) => {
      const t = v instanceof Tensor ? v : tensor(Array.isArray(v) ? flatValues(`stateDict[${show(k)}]`, v as unknown[], s.shape) : v as ArrayLike<number>, s.shape);
      const err = s.check(t);
      if (err) throw new RnnError(`stateDict[${show(k)}]: ${err}`);
      return t;
    });
    const e = w();
    slotPlan.forEach(([s], i) => s.set(slotValues[i]));
    for (const [p, v] of plan) {
      if (v instanceof Tensor) e.copy_rows(1, p.numel, v.ptr, p.numel, p.ptr, p.numel);
      else p.storage.write(v);
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Sets train (true) or eval (false) mode on the whole tree. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this { return this.train(false); }

  /**
   * Zeroes every parameter's gradient in place (PyTorch 1.13's default); `{ setToNone: true }`
   * sets them to null instead.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void { safePoint(); clearGrads(this.parameters(), !!opts.setToNone); }

  /** Frees every parameter's Wasm memory now, and what the modules of the tree keep besides. */
  dispose(): void {
    for (const p of this.parameters()) { p.grad?.dispose(); p.dispose(); }
    for (const m of this.modules()) m._freeBuffers();
  }

  /**
   * The computation, overridden by every module (`forward(x: Tensor): Tensor` in a subclass is
   * fine; under TypeScript's `noImplicitOverride` write `override forward`). Declared here so that
   * code holding any Module (Sequential, your helpers) can call it; a module without one (a
   * ModuleList) throws an RnnError.
   */
  forward(...args: any[]): any {
    throw new RnnError(`${className(this.constructor)}: expected a module with a forward() (call its submodules instead), got one that has no forward()`);
  }

  /**
   * @internal What forward takes, for Sequential: 'tensor' (a recurrent layer's [output, state]
   * tuple gives it the output sequence), 'indices' (integer indices: a tuple is an error), 'any'
   * (your modules: the value as it comes, tuples included, as nn.Sequential passes it).
   */
  _accepts(): 'tensor' | 'indices' | 'any' { return 'any'; }

  /** @internal Wasm memory a module keeps besides its parameters (RNN step()'s buffers). */
  _freeBuffers(): void {}

  /** The text inside the parentheses of this module's repr. */
  extraRepr(): string { return ''; }

  /** PyTorch's repr: `RNN(4, 2, num_layers=3)` or a tree of children. */
  toString(): string {
    const kids = this.namedChildren();
    const name = className(this.constructor);
    if (!kids.length) return `${name}(${this.extraRepr()})`;
    const lines = kids.map(([k, c]) => `  (${k}): ` + c.toString().split('\n').join('\n  '));
    const extra = this.extraRepr();
    return `${name}(${extra ? '\n  ' + extra : ''}\n${lines.join('\n')}\n)`;
  }
}

/** Every state slot of the tree with its dotted name (see StateSlot). */
function namedSlots(root: Module): [string, StateSlot][] {
  const out: [string, StateSlot][] = [];
  const seen = new Set<Module>();
  const walk = (m: Module, pre: string) => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const [k, s] of m._stateSlots()) out.push([pre + k, s]);
    for (const [k, c] of m.namedChildren()) walk(c, pre + k + '.');
  };
  walk(root, '');
  return out;
}

/** An array of modules, named 0, 1, … (what an array field becomes). */
export class ModuleList extends Module {
  static readonly reprName = 'ModuleList';
  constructor(readonly items: Module[]) { super(); }
  override namedChildren(): [string, Module][] { return this.items.map((m, i) => [String(i), m]); }
}

/** Checks that a module option bag holds only known keys; accepts PyTorch's snake_case names too. */
export function readOptions<T extends object>(opts: unknown, defaults: T, where: string): T {
  if (opts === undefined) return { ...defaults };
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) fail(`${where} options`, 'an object', opts);
  const out: any = { ...defaults };
  for (const [k, v] of Object.entries(opts as object)) {
    const camel = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(camel in defaults)) {
      throw new RnnError(`${where} options: expected one of ${Object.keys(defaults).join(', ')}, got unknown option ${show(k)}`);
    }
    if (v !== undefined) out[camel] = v;
  }
  return out;
}
