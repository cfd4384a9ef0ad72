// Golden hashes: loading, comparing a runner's RESULT with them, and the one-line report.
import { readFileSync } from 'node:fs';

export const GOLDEN_PATH = new URL('./golden.json', import.meta.url);

export function loadGolden() {
  return JSON.parse(readFileSync(GOLDEN_PATH, 'utf8'));
}

/** Parses the `RESULT {json}` lines a runner printed. */
export function parseResults(stdout) {
  return stdout.split('\n').filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice(7)));
}

/**
 * Compares one runner's result with the golden hashes.
 * Returns { matched, total, ok, diffs: [{ name, parts: ['case/part', ...] }], missing: [...] }:
 * `parts` names every tensor of a differing case whose own hash differs.
 */
export function compare(golden, result) {
  const names = Object.keys(golden.cases);
  const diffs = [], missing = [];
  let matched = 0;
  for (const name of names) {
    const got = result.cases?.[name];
    if (got === undefined) { missing.push(name); continue; }
    if (got === golden.cases[name]) { matched++; continue; }
    const parts = Object.keys(golden.parts).filter((k) => k.startsWith(name + '/') && result.parts?.[k] !== golden.parts[k]);
    diffs.push({ name, parts });
  }
  const extra = Object.keys(result.cases ?? {}).filter((n) => !(n in golden.cases));
  return { matched, total: names.length, ok: matched === names.length && extra.length === 0, diffs, missing, extra };
}

/** `runtime node: 8/8 hashes match (node 20.20.2 …, 45 ms)` plus a line per difference. */
export function report(runtime, result, cmp) {
  const lines = [`runtime ${runtime}: ${cmp.matched}/${cmp.total} hashes match (${result.engine}, ${result.entry}, suite ${result.ms} ms)`];
  for (const d of cmp.diffs) {
    const shown = d.parts.slice(0, 12).join(', ') + (d.parts.length > 12 ? `, … (${d.parts.length} parts)` : '');
    lines.push(`  DIFFERENT ${d.name}: ${d.parts.length ? 'differing tensors: ' + shown : 'case bytes differ (no part hash differs: order/length?)'}`);
  }
  for (const m of cmp.missing) lines.push(`  MISSING ${m}`);
  for (const e of cmp.extra) lines.push(`  EXTRA ${e} (not in golden.json)`);
  return lines.join('\n');
}
