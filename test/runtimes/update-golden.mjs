// Regenerates test/runtimes/golden.json from Node and the CURRENT dist/ bundle.
// Usage: node scripts/build.mjs && node test/runtimes/update-golden.mjs
// Only for a deliberate change of the cases or of the numerics (see README.md here), never to make
// a runtime pass: a runtime that disagrees with Node is a bug to find, not a hash to update.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as lib from '../../dist/index.js';
import { hashSuite } from './cases.mjs';
import { GOLDEN_PATH, compare } from './golden.mjs';

await lib.init();
const r = await hashSuite(lib);
const wasm = readFileSync(new URL('../../dist/wasm-rnn.wasm', import.meta.url));
const old = existsSync(GOLDEN_PATH) ? JSON.parse(readFileSync(GOLDEN_PATH, 'utf8')) : null;
const golden = {
  note: 'SHA-256 of each determinism case (test/runtimes/cases.mjs) and of each of its tensors. Regenerate only for a deliberate numeric change: see test/runtimes/README.md.',
  generatedWith: `node ${process.versions.node}`,
  wasmSha256: createHash('sha256').update(wasm).digest('hex'),
  cases: r.cases,
  parts: r.parts,
};
writeFileSync(GOLDEN_PATH, JSON.stringify(golden, null, 2) + '\n');
if (old) {
  const c = compare(old, r);
  console.log(c.ok ? 'golden.json: unchanged hashes' : `golden.json: changed cases: ${[...c.diffs.map((d) => d.name), ...c.extra, ...c.missing].join(', ')}`);
  for (const d of c.diffs) console.log(`  ${d.name}: ${d.parts.join(', ')}`);
} else {
  console.log('golden.json: written');
}
console.log(`${Object.keys(r.cases).length} cases, ${Object.keys(r.parts).length} tensors`);
