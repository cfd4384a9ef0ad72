// Data preparation for the examples: character vocabularies, a seeded train/test split, padded
// index batches with their true lengths, and the batch layout of truncated BPTT over a text stream.
// No numbers are computed here (no tensors): this file only builds and shuffles lists of indices,
// so it runs unchanged in Node, in a browser page and in a Web Worker. Reading the npm data sets
// is Node's job: ./npm.ts.

/** Gender labels of the name classifier, in class-index order. */
export const GENDERS = ['male', 'female'] as const;

/**
 * A character vocabulary. Index 0 is padding when `pad` is set (never produced by `encode`), then
 * an "unknown character" index when `unk` is set, then the characters in code-point order.
 */
export class Vocab {
  readonly chars: string[];
  readonly padIdx: number;
  readonly unkIdx: number;
  private readonly index = new Map<string, number>();

  /** `chars`: the known characters; `pad`/`unk`: reserve index 0 for padding, the next for unknowns. */
  constructor(chars: Iterable<string>, { pad = false, unk = false }: { pad?: boolean; unk?: boolean } = {}) {
    this.chars = [...new Set(chars)].sort();
    this.padIdx = pad ? 0 : -1;
    this.unkIdx = unk ? (pad ? 1 : 0) : -1;
    const first = (pad ? 1 : 0) + (unk ? 1 : 0);
    this.chars.forEach((c, i) => this.index.set(c, first + i));
  }

  /** Every character that occurs in `texts`. */
  static fromTexts(texts: Iterable<string>, opts?: { pad?: boolean; unk?: boolean }): Vocab {
    const s = new Set<string>();
    for (const t of texts) for (const c of t) s.add(c);
    return new Vocab(s, opts);
  }

  /** Number of indices, padding and unknown included (an Embedding's `numEmbeddings`). */
  get size(): number { return this.chars.length + (this.padIdx >= 0 ? 1 : 0) + (this.unkIdx >= 0 ? 1 : 0); }

  /** Index of one character: the unknown index for a character outside the vocabulary, or throws. */
  id(c: string): number {
    const i = this.index.get(c);
    if (i !== undefined) return i;
    if (this.unkIdx >= 0) return this.unkIdx;
    throw new Error(`character ${JSON.stringify(c)} is not in the vocabulary`);
  }

  encode(text: string): number[] { return Array.from(text, (c) => this.id(c)); }

  /** Characters of `ids`; padding decodes to '', unknown to '?'. */
  decode(ids: Iterable<number>): string {
    let s = '';
    const first = (this.padIdx >= 0 ? 1 : 0) + (this.unkIdx >= 0 ? 1 : 0);
    for (const i of ids) s += i === this.padIdx ? '' : i === this.unkIdx ? '?' : this.chars[i - first];
    return s;
  }

  toJSON() { return { chars: this.chars.join(''), pad: this.padIdx >= 0, unk: this.unkIdx >= 0 }; }
  static fromJSON(j: { chars: string; pad: boolean; unk: boolean }): Vocab { return new Vocab(Array.from(j.chars), j); }
}

/**
 * A seeded generator of uint32 (mulberry32): the split and the batch order are the same in every
 * run and every engine. It only shuffles index lists; parameters are initialised by `manualSeed`.
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Fisher–Yates shuffle of `a` in place with integer draws from `next` (unbiased enough for n < 2^20). */
export function shuffle<T>(a: T[], next: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** The names data set: lower-case names, their class (0 male, 1 female), and what was dropped. */
export interface NamesData {
  names: string[];
  labels: number[];
  /** Names listed as both male and female (dropped: a character model cannot tell them apart). */
  ambiguous: string[];
  vocab: Vocab;
}

/**
 * Builds the names data set from the two lists. Names are lower-cased and de-duplicated; a name
 * in both lists has no majority to follow (each list holds it once), so it is dropped and
 * reported in `ambiguous`. Order: male names then female names, each sorted (the split shuffles).
 */
export function namesDataset(male: readonly string[], female: readonly string[]): NamesData {
  const m = new Set(male.map((s) => s.trim().toLowerCase()).filter(Boolean));
  const f = new Set(female.map((s) => s.trim().toLowerCase()).filter(Boolean));
  const ambiguous = [...m].filter((n) => f.has(n)).sort();
  const both = new Set(ambiguous);
  const males = [...m].filter((n) => !both.has(n)).sort();
  const females = [...f].filter((n) => !both.has(n)).sort();
  const names = [...males, ...females];
  const labels = [...males.map(() => 0), ...females.map(() => 1)];
  // padding (0) for the batches, unknown (1) for whatever a user types (digits, accents)
  return { names, labels, ambiguous, vocab: Vocab.fromTexts(names, { pad: true, unk: true }) };
}

/** A fixed, seeded split of the indices 0…n-1: `testFraction` of them (rounded) go to `test`. */
export function split(n: number, testFraction: number, seed: number): { train: number[]; test: number[] } {
  const idx = shuffle(Array.from({ length: n }, (_, i) => i), rng(seed));
  const nTest = Math.round(n * testFraction);
  return { test: idx.slice(0, nTest).sort((a, b) => a - b), train: idx.slice(nTest).sort((a, b) => a - b) };
}

/** One padded batch: `ids` row-major (B, T) with `padIdx` after each sequence's end, true lengths. */
export interface Batch {
  ids: number[];
  B: number;
  T: number;
  lengths: number[];
  labels: number[];
  /** Positions of these examples in the data set. */
  index: number[];
}

/** Pads the sequences `seqs[i]` for i in `index` to the longest of them (batch-first). */
export function padBatch(seqs: readonly (readonly number[])[], labels: readonly number[], index: readonly number[], padIdx = 0): Batch {
  const B = index.length;
  let T = 1;
  for (const i of index) T = Math.max(T, seqs[i].length);
  const ids = new Array<number>(B * T).fill(padIdx);
  const lengths: number[] = [];
  index.forEach((i, b) => {
    const s = seqs[i];
    if (s.length === 0) throw new Error(`sequence ${i} is empty`);
    for (let t = 0; t < s.length; t++) ids[b * T + t] = s[t];
    lengths.push(s.length);
  });
  return { ids, B, T, lengths, labels: index.map((i) => labels[i]), index: [...index] };
}

/**
 * The batches of one epoch over `index` (a split), `batchSize` examples each (the last one
 * smaller), in an order shuffled by `seed` (pass the epoch number in it for a new order each
 * epoch) or in `index`'s order when `seed` is null (evaluation).
 */
export function batches(seqs: readonly (readonly number[])[], labels: readonly number[], index: readonly number[],
  batchSize: number, seed: number | null, padIdx = 0): Batch[] {
  const order = seed === null ? [...index] : shuffle([...index], rng(seed));
  const out: Batch[] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(padBatch(seqs, labels, order.slice(i, i + batchSize), padIdx));
  return out;
}

/**
 * Truncated BPTT over one stream of character indices: the stream is cut into `B` contiguous rows
 * (row b starts at b·⌊(n−1)/B⌋), and chunk k gives, for every row, the `T` inputs at columns
 * [kT, kT+T) and the `T` targets one character later. Feeding the chunks in order with the
 * recurrent state carried from one chunk to the next (detached) lets row b read its text in order.
 */
export class TextStream {
  readonly B: number;
  readonly T: number;
  readonly rowLen: number;
  readonly chunks: number;

  constructor(readonly ids: ArrayLike<number>, B: number, T: number) {
    this.B = B;
    this.T = T;
    this.rowLen = Math.floor((ids.length - 1) / B);
    this.chunks = Math.floor(this.rowLen / T);
    if (this.chunks < 1) throw new Error(`a stream of ${ids.length} characters is too short for ${B} rows of ${T}`);
  }

  /** Chunk k: inputs and targets, both row-major (B, T) index lists. */
  chunk(k: number): { x: number[]; y: number[] } {
    const { B, T, rowLen, ids } = this;
    const x = new Array<number>(B * T), y = new Array<number>(B * T);
    for (let b = 0; b < B; b++) {
      const start = b * rowLen + k * T;
      for (let t = 0; t < T; t++) { x[b * T + t] = ids[start + t]; y[b * T + t] = ids[start + t + 1]; }
    }
    return { x, y };
  }
}

/** Formats seconds as m:ss. */
export const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

/**
 * A one-line terminal progress bar (rewritten in place with \r when the output is a TTY, a line
 * every `every` updates otherwise), e.g. `epoch 2/5 [#####.....] 57/113 loss 0.412 acc 81.3% 0:03 left`.
 */
export function progressBar(width = 24) {
  return (frac: number) => {
    const n = Math.max(0, Math.min(width, Math.round(frac * width)));
    return '[' + '#'.repeat(n) + '.'.repeat(width - n) + ']';
  };
}
