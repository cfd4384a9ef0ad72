/**
 * The one error type wasm-rnn throws for bad input. Its message names the argument, what
 * was expected and what came. It is thrown before any Wasm memory is touched, so the
 * library stays usable after catching it.
 */
const MARK = Symbol.for('wasm-rnn.RnnError');

export class RnnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RnnError';
    // not enumerable: Node prints an uncaught RnnError as `RnnError: message` and its stack, no extra fields
    Object.defineProperty(this, MARK, { value: true });
  }

  /** `instanceof RnnError` holds across bundles (wasm-rnn, wasm-rnn/slim, wasm-rnn/onnx). */
  static override [Symbol.hasInstance](v: unknown): boolean {
    return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[MARK] === true;
  }
}

/** Renders a value for an error message: shapes as [a, b], strings quoted, short. */
export function show(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(show).join(', ') + ']';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'object') {
    const c = className((v as object).constructor);
    return c && c !== 'Object' ? c : 'object';
  }
  return String(v);
}

/**
 * A class's display name: its own static `reprName` when it has one (the library's classes do,
 * so that their names survive any minifier, a user's bundler included, and esbuild's renaming of
 * colliding names), else its JS name (your subclasses keep theirs).
 */
export function className(ctor: unknown): string {
  if (typeof ctor !== 'function') return '';
  return Object.prototype.hasOwnProperty.call(ctor, 'reprName') ? (ctor as unknown as { reprName: string }).reprName : ctor.name;
}

export function fail(arg: string, expected: string, got: unknown, raw = false): never {
  throw new RnnError(`${arg}: expected ${expected}, got ${raw ? got : show(got)}`);
}

export function checkInt(arg: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(arg, `an integer >= ${min}`, v);
  return v as number;
}
