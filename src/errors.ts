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
    (this as unknown as Record<symbol, boolean>)[MARK] = true;
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
 * since the bundle is minified), else its JS name (your subclasses keep theirs).
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
