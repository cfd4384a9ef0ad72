// Printing helpers shared by the tutorial programs: a tensor and a shape the way PyTorch and NumPy
// print them, and the largest difference between two tensors (computed in Wasm, not in JS).
import type { Tensor } from '../../dist/index.js';

/** PyTorch's `x.shape`: `torch.Size([1, 4, 8])`. */
export const size = (t: Tensor): string => `torch.Size([${t.shape.join(', ')}])`;

/** NumPy's `np.shape(x)`: `(8, 4)`, `(8,)`. */
export const npShape = (t: Tensor): string => (t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`);

/**
 * A tensor as PyTorch prints it (`tensor([[-0.7497, -0.6135], …])`, 4 decimals), or as NumPy does
 * with `{ numpy: true }` (`[[0.84715023 0.85185152 …]]`, 8 decimals). Whole numbers print as `1.`.
 */
export function show(t: Tensor, opts: { numpy?: boolean; digits?: number } = {}): string {
  const numpy = !!opts.numpy, digits = opts.digits ?? (numpy ? 8 : 4);
  const values = Array.from(t.toFloat32Array());
  const whole = values.every(Number.isInteger);
  const text = values.map((v) => (whole ? `${v}.` : v.toFixed(digits)));
  const width = Math.max(0, ...text.map((s) => s.length));
  const shape = t.shape, sep = numpy ? ' ' : ', ', lead = numpy ? '' : 'tensor(';
  let k = 0;
  const block = (d: number, indent: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < shape[d]; i++) {
      parts.push(d === shape.length - 1 ? text[k++].padStart(width) : block(d + 1, indent + 1));
    }
    if (d === shape.length - 1) return `[${parts.join(sep)}]`;
    return `[${parts.join((numpy ? '' : ',') + '\n'.repeat(shape.length - 1 - d) + ' '.repeat(indent + 1))}]`;
  };
  return lead + (shape.length === 0 ? text[0] : block(0, lead.length)) + (numpy ? '' : ')');
}

/**
 * max |a − b| over all elements of two same-shape tensors, like `(a - b).abs().max().item()`.
 * |d| is relu(d) + relu(−d) and the largest entry is found with `argmax()` (the Tensor API on main
 * has no `abs()`/`max()` yet: once it does, this is `a.sub(b).abs().max().item()`). `argmax()` of
 * a 1-D tensor is a plain [index] today and becomes PyTorch's 0-d index Tensor: both are read.
 */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`maxAbsDiff: shapes [${a.shape}] and [${b.shape}] differ`);
  const d = a.sub(b).reshape(-1);
  const abs = d.relu().add(d.neg().relu());
  const at: unknown = abs.argmax();
  return abs.select(0, Array.isArray(at) ? at[0] : (at as Tensor).item()).item();
}

/** One line stating a comparison: `max |label| = 1.19e-7`, which the tests read. */
export const diffLine = (label: string, a: Tensor, b: Tensor): string => `max |${label}| = ${maxAbsDiff(a, b).toExponential(2)}`;
