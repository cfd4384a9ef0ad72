// The tape: each op records a Node with its inputs and a backward closure written beside
// its forward (micrograd's shape). backward() walks the nodes in reverse topological order,
// hands each node the gradients of its outputs, and routes what it returns to its inputs.
import { RnnError } from './errors.js';
import { Storage } from './storage.js';
import type { Tensor } from './tensor.js';
import { w } from './wasm.js';

/** Gradients in, gradients out: one Storage (or null) per output, per input. */
export type BackwardFn = (grads: (Storage | null)[]) => (Storage | null)[];

export class Node {
  inputs: (Tensor | null)[];
  fn: BackwardFn | null;
  /** Frees buffers only this node holds (caches, masks); called once the node has run. */
  release: (() => void) | null;
  constructor(readonly name: string, inputs: (Tensor | null)[], readonly nOut: number, fn: BackwardFn,
              release: (() => void) | null = null) {
    this.inputs = inputs;
    this.fn = fn;
    this.release = release;
  }
}

let enabled = true;

/** Runs `fn` with gradient recording off (like `with torch.no_grad():`). */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try { return fn(); } finally { enabled = prev; }
}

export function isGradEnabled(): boolean { return enabled; }

/** True when an op on these inputs must be recorded. */
export function recording(...ts: (Tensor | null | undefined)[]): boolean {
  if (!enabled) return false;
  for (const t of ts) if (t && t.requiresGrad) return true;
  return false;
}

/** Byte offset of `t.grad`'s data, creating a zero gradient first; 0 when t takes no gradient. */
export function leafGradPtr(t: Tensor | null): number {
  if (!t || !t.requiresGrad || t._node) return 0;
  if (!t.grad) t.grad = t._makeGrad(Storage.zeros(t.numel));
  return t.grad.storage.ptr;
}

/**
 * Clears the gradients of `params`. setToNone = false (PyTorch 1.13's default) zeroes them in
 * place — the same storage is reused step after step, so a training loop allocates no new
 * gradients; setToNone = true drops them (p.grad becomes null, like set_to_none=True).
 */
export function clearGrads(params: Iterable<Tensor>, setToNone: boolean): void {
  let e: ReturnType<typeof w> | null = null;
  for (const p of params) {
    if (!p.grad) continue;
    if (setToNone) { p.grad = null; continue; }
    e ??= w();
    e.fill(p.grad.storage.ptr, p.grad.numel, 0);
  }
}

function topo(root: Node): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>([root]);
  const stack: [Node, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [n, i] = top;
    if (i < n.inputs.length) {
      top[1]++;
      const c = n.inputs[i]?._node;
      if (c && !seen.has(c)) { seen.add(c); stack.push([c, 0]); }
    } else {
      stack.pop();
      order.push(n);
    }
  }
  return order.reverse();
}

/** Backpropagates from `root` with `seed` (its gradient, owned by the engine). */
export function runBackward(root: Tensor, seed: Storage, retainGraph: boolean): void {
  const e = w();
  const node = root._node;
  if (!node) { accumulateLeaf(root, seed); return; }
  const pending = new Map<Node, (Storage | null)[]>();
  const slots: (Storage | null)[] = new Array(node.nOut).fill(null);
  slots[root._out] = seed;
  pending.set(node, slots);
  for (const n of topo(node)) {
    const grads = pending.get(n);
    pending.delete(n);
    if (!grads) continue;
    if (!n.fn) {
      throw new RnnError(`backward: expected a graph that has not been freed, got one whose ${n.name} node already ran backward (pass { retainGraph: true } to the first backward to run it twice)`);
    }
    const outs = n.fn(grads);
    const claimed = new Set<Storage>();
    for (let i = 0; i < n.inputs.length; i++) {
      let g = outs[i];
      const t = n.inputs[i];
      if (!g) continue;
      if (!t || !t.requiresGrad) continue;
      if (claimed.has(g)) {          // the same buffer routed to two inputs: give each its own
        const c = Storage.alloc(g.length);
        e.copy_rows(1, g.length, g.ptr, g.length, c.ptr, g.length);
        g = c;
      }
      claimed.add(g);
      if (t._node) {
        let s = pending.get(t._node);
        if (!s) { s = new Array(t._node.nOut).fill(null); pending.set(t._node, s); }
        const have = s[t._out];
        if (have) { e.add_to(have.ptr, g.ptr, g.length); g.dispose(); } else s[t._out] = g;
      } else {
        accumulateLeaf(t, g);
      }
    }
    // whatever no input took (incoming gradients, gradients for inputs that need none) is freed
    for (const g of grads) if (g && !claimed.has(g)) { claimed.add(g); g.dispose(); }
    for (const g of outs) if (g && !claimed.has(g)) { claimed.add(g); g.dispose(); }
    if (!retainGraph) {
      n.fn = null;
      n.inputs = [];
      n.release?.();
      n.release = null;
    }
  }
}

function accumulateLeaf(t: Tensor, g: Storage): void {
  if (t.grad) {
    w().add_to(t.grad.storage.ptr, g.ptr, g.length);
    g.dispose();
  } else {
    t.grad = t._makeGrad(g);
  }
}
