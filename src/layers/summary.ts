// model.summary(): the table Keras 2.9 prints for a Sequential model (keras/utils/layer_utils.py,
// print_summary with its default line_length 65 and positions [.45, .85, 1]), character for
// character, including how long names wrap onto a second line.
import { fail } from '../errors.js';
import { shapeRepr, type Layer } from './base.js';

/** Python's '{:,}'.format(n). */
export function withCommas(n: number): string { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

/** Keras's print_row: fields cut to their columns, long fields continued on the next lines. */
function printRow(fields: string[], positions: number[], out: string[]): void {
  const left = fields.slice();
  while (left.some((s) => s.length > 0)) {
    let line = '';
    for (let col = 0; col < left.length; col++) {
      const start = col > 0 ? positions[col - 1] : 0;
      const space = col !== positions.length - 1 ? 2 : 0;
      let cutoff = positions[col] - start - space;
      let fit = left[col].slice(0, Math.max(cutoff, 0));
      // break after the end of a tuple / list / dict / string where one ends inside the column
      const cands = ['),', '},', '],', "',"].filter((x) => fit.includes(x)).map((x) => fit.indexOf(x) + x.length);
      if (cands.length) { cutoff = Math.min(...cands); fit = fit.slice(0, cutoff); }
      if (col === 0) line += ' ';
      line += fit + ' '.repeat(space);
      left[col] = left[col].slice(Math.max(cutoff, 0));
      line += ' '.repeat(Math.max(0, positions[col] - line.length));
    }
    out.push(line);
  }
}

/**
 * The summary table of a model's layers. lineLength (default 65) and positions (fractions of
 * it or absolute columns, default [.45, .85, 1]) as in Keras; returns the text (lines joined
 * with '\n'); printFn, when given, is called with each line.
 */
export function summaryText(name: string, layers: Layer[], lineLength = 65, positions: number[] = [0.45, 0.85, 1], printFn?: (line: string) => void): string {
  if (!Number.isInteger(lineLength) || lineLength < 10) fail('lineLength', 'an integer >= 10', lineLength);
  if (!Array.isArray(positions) || positions.length !== 3 || positions.some((p) => typeof p !== 'number' || !(p > 0))) {
    fail('positions', 'three increasing positive numbers (fractions of lineLength, or columns)', positions);
  }
  const pos = positions[positions.length - 1] <= 1 ? positions.map((p) => Math.floor(lineLength * p)) : positions.slice();
  const out: string[] = [];
  out.push(`Model: "${name}"`);
  out.push('_'.repeat(lineLength));
  printRow(['Layer (type)', 'Output Shape', 'Param #'], pos, out);
  out.push('='.repeat(lineLength));
  let trainable = 0, frozen = 0;
  for (const l of layers) {
    const n = l.countParams();
    if (l.trainable) trainable += n; else frozen += n;
    printRow([`${l.name} (${l.className})`, shapeRepr(l.outputShape), String(n)], pos, out);
    out.push(' '.repeat(lineLength));
  }
  out.push('='.repeat(lineLength));
  out.push(`Total params: ${withCommas(trainable + frozen)}`);
  out.push(`Trainable params: ${withCommas(trainable)}`);
  out.push(`Non-trainable params: ${withCommas(frozen)}`);
  out.push('_'.repeat(lineLength));
  if (printFn) for (const line of out) printFn(line);
  return out.join('\n');
}
