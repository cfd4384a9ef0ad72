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

const SHOW_ITEMS = 16, SHOW_HEAD = 12, SHOW_DEPTH = 4, SHOW_CHARS = 200;
const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`;

/**
 * Renders a value for an error message: shapes as [a, b], strings quoted, short. Bounded whatever
 * comes (file-supplied JSON nested 100,000 deep, million-item arrays, megabyte strings, proxies
 * that throw): arrays past 16 items show their first 12 and `… (N items)`, nesting past 4 levels
 * shows `[…]`, strings past 200 characters are cut with their length, and it never throws.
 */
export function show(v: unknown): string {
  return render(v, 0);
}

function render(v: unknown, depth: number): string {
  try {
    if (Array.isArray(v)) {
      if (depth >= SHOW_DEPTH) return v.length ? `[… (${items(v.length)})]` : '[]';
      const n = v.length, head = n > SHOW_ITEMS ? SHOW_HEAD : n;
      const parts: string[] = [];
      for (let i = 0; i < head; i++) parts.push(render(v[i], depth + 1));
      if (head < n) parts.push(`… (${items(n)})`);
      return '[' + parts.join(', ') + ']';
    }
    if (typeof v === 'string') {
      if (v.length <= SHOW_CHARS) return JSON.stringify(v);
      const cut = v.charCodeAt(SHOW_CHARS - 1) >> 10 === 0x36 ? SHOW_CHARS - 1 : SHOW_CHARS;   // not inside a surrogate pair
      return `${JSON.stringify(v.slice(0, cut) + '…')} (${v.length} characters)`;
    }
    if (v === null) return 'null';
    if (v === undefined) return 'undefined';
    if (typeof v === 'function') return `function ${shortName(className(v)) || '(anonymous)'}`;
    if (typeof v === 'object') {
      const c = shortName(className((v as object).constructor));
      return c && c !== 'Object' ? c : 'object';
    }
    return String(v);
  } catch {
    return 'an unreadable value';   // a revoked proxy, a getter that throws
  }
}

const shortName = (c: unknown): string => typeof c !== 'string' ? '' : c.length <= 80 ? c : c.slice(0, 80) + '…';

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
  throw new RnnError(`${arg}: expected ${expected}, got ${raw ? String(got) : show(got)}`);   // String: a symbol would throw in a template
}

export function checkInt(arg: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(arg, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer >= ${min} and <= ${max}`, v);
  }
  return v as number;
}

// ---- size limits (README "Memory"): checked before any Wasm memory is touched ----

/**
 * The most elements one tensor, parameter or working buffer may hold: 2^29 (2 GiB of float32).
 * Below it every element index and byte offset inside the Wasm module fits a signed 32-bit integer.
 */
export const MAX_NUMEL = 2 ** 29;
/** A 32-bit WebAssembly memory holds at most 4 GiB (65536 pages). */
export const MAX_MEMORY = 2 ** 32;
/** The most dimensions a shape may have. */
export const MAX_DIMS = 64;
/** Module size options (README "Memory"): inputSize / in and out features, hiddenSize, numLayers. */
export const MAX_FEATURES = 2 ** 24;
export const MAX_HIDDEN = 2 ** 16;
export const MAX_LAYERS = 1024;

/** `n` bytes as text: "8589934592 bytes (8 GiB)". */
export function bytesText(n: number): string {
  const units: [number, string][] = [[2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']];
  if (!Number.isFinite(n)) return `${n} bytes`;
  for (const [u, name] of units) {
    if (n >= u) return `${n} bytes (${+(n / u).toPrecision(3)} ${name})`;
  }
  return `${n} bytes`;
}

/**
 * Throws an RnnError naming `arg` when `n` elements (of `what`) exceed MAX_NUMEL; NaN and
 * non-integer counts fail too. Returns n.
 */
export function checkNumel(arg: string, n: number, what = 'a tensor'): number {
  if (!(Number.isInteger(n) && n >= 0 && n <= MAX_NUMEL)) {
    throw new RnnError(`${arg}: expected at most ${MAX_NUMEL} elements (2 GiB of float32) in ${what}, got ${n} elements (${bytesText(4 * n)})`);
  }
  return n;
}
