// `npm run bench:real`: the two real tasks of the examples, timed in wasm-rnn, PyTorch 1.13 (one
// thread) and TF.js 4.22's Wasm backend (one thread), in one run:
//   names   the name classifier of examples/names.ts (Embedding → GRU with the true lengths → Linear,
//           Adam, batch 32) on the npm names data: seconds per training epoch, then test accuracy
//   charlm  the Moby Dick character model of examples/charlm.ts (Embedding → 2-layer LSTM → Linear,
//           truncated BPTT with the state carried, gradient clipping, Adam): characters per second
// Every engine runs in its own child process, `rounds` times, the order rotated each round (so a
// drifting host hits every engine alike); each child warms up first. Writes bench/REALTASK.md.
//
//   npm run bench:real                       both tasks, 3 rounds (≈ 3–4 min on the 2-vCPU dev VM when quiet)
//   npm run bench:real -- names --rounds 1   one task, one round (leaves bench/REALTASK.md alone)
//   npm run bench:real -- --quick --rounds 1 a smoke run of the harness (figures meaningless)
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';

export interface NamesBenchConfig { embed: number; hidden: number; cell: 'gru' | 'lstm'; batch: number; lr: number; seed: number; epochs: number; warm: number }
export interface CharLMBenchConfig { embed: number; hidden: number; layers: number; batch: number; bptt: number; lr: number; clip: number; seed: number; warm: number; steps: number }

/** The configurations of examples/names.ts and examples/charlm.ts (their defaults). */
export const NAMES: NamesBenchConfig = { embed: 16, hidden: 64, cell: 'gru', batch: 32, lr: 0.01, seed: 1, epochs: 2, warm: 20 };
export const CHARLM: CharLMBenchConfig = { embed: 32, hidden: 128, layers: 2, batch: 32, bptt: 64, lr: 3e-3, clip: 1, seed: 1, warm: 3, steps: 10 };
/** --quick: a smoke run of the harness (one short epoch's worth of nothing measurable). */
const QUICK = process.argv.includes('--quick');
if (QUICK) { Object.assign(NAMES, { epochs: 1, warm: 2 }); Object.assign(CHARLM, { warm: 1, steps: 2 }); }

type Task = 'names' | 'charlm';
interface ChildResult {
  engine: string; version: string;
  names?: { epochSeconds: number[]; testAccuracy: number };
  charlm?: { seconds: number; steps: number; charsPerSecond: number; lastLoss: number };
}
const ENGINES = ['wasm-rnn', 'pytorch', 'tfjs-wasm'] as const;
type Engine = (typeof ENGINES)[number];
const root = new URL('..', import.meta.url).pathname;

// ---- children ----
async function child(engine: Engine, tasks: Task[]): Promise<ChildResult> {
  if (engine === 'wasm-rnn') {
    const { wasmNames, wasmCharLM, wasmVersion } = await import('./peers/wasm_realtask.js');
    const out: ChildResult = { engine, version: await wasmVersion() };
    if (tasks.includes('names')) out.names = wasmNames(NAMES);
    if (tasks.includes('charlm')) out.charlm = wasmCharLM(CHARLM);
    return out;
  }
  const { initTfWasm, tfNames, tfCharLM } = await import('./peers/tfjs_realtask.js');
  const out: ChildResult = { engine, version: await initTfWasm() };
  if (tasks.includes('names')) out.names = await tfNames(NAMES);
  if (tasks.includes('charlm')) out.charlm = await tfCharLM(CHARLM);
  return out;
}

function runChild(engine: Engine, tasks: Task[]): ChildResult {
  const r = engine === 'pytorch'
    ? spawnSync('/usr/bin/python3', [root + 'bench/peers/torch_realtask.py', JSON.stringify({
      ...(tasks.includes('names') ? { names: NAMES } : {}), ...(tasks.includes('charlm') ? { charlm: CHARLM } : {}) })], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 })
    : spawnSync(process.execPath, ['--import', 'tsx', root + 'bench/realtask.ts', '--child', engine, ...tasks, ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${engine} failed (status ${r.status}):\n${r.stderr.slice(-2000)}\n${r.stdout.slice(-500)}`);
  const j = JSON.parse(line);
  if (engine === 'pytorch') return { engine, version: `PyTorch ${j.version} (${j.threads} thread)`, names: j.names, charlm: j.charlm };
  return j;
}

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

// ---- main ----
async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const r = await child(args[1] as Engine, args.slice(2).filter((a) => a === 'names' || a === 'charlm') as Task[]);
    console.log(JSON.stringify(r));
    return;
  }
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(args[ri + 1]) : 3;
  const picked = args.filter((a) => a === 'names' || a === 'charlm') as Task[];
  const tasks: Task[] = picked.length ? picked : ['names', 'charlm'];
  const full = tasks.length === 2 && rounds >= 3 && !QUICK;
  const load0 = loadavg();
  const started = new Date();
  console.log(`real tasks: ${tasks.join(', ')}; ${rounds} round(s); ${cpus().length} × ${cpus()[0]?.model}; load average ${load0.map((v) => v.toFixed(2)).join(' ')}`);
  const res: Record<Engine, ChildResult[]> = { 'wasm-rnn': [], pytorch: [], 'tfjs-wasm': [] };
  for (let r = 0; r < rounds; r++) {
    const order = ENGINES.map((_, i) => ENGINES[(i + r) % ENGINES.length]);
    for (const e of order) {
      const t0 = performance.now();
      const c = runChild(e, tasks);
      res[e].push(c);
      console.log(`  round ${r + 1}: ${e.padEnd(9)} ${((performance.now() - t0) / 1000).toFixed(1)} s` +
        (c.names ? `  names epochs ${c.names.epochSeconds.map((s) => s.toFixed(2)).join(', ')} s, test accuracy ${(100 * c.names.testAccuracy).toFixed(1)}%` : '') +
        (c.charlm ? `  charlm ${Math.round(c.charlm.charsPerSecond)} chars/s` : ''));
    }
  }
  const rows: string[] = [];
  const wasm = res['wasm-rnn'];
  const wn = tasks.includes('names') ? median(wasm.flatMap((c) => c.names!.epochSeconds)) : NaN;
  const wc = tasks.includes('charlm') ? median(wasm.map((c) => c.charlm!.charsPerSecond)) : NaN;
  rows.push('| engine | names: s per epoch, median (min–max) | names: test accuracy | vs wasm-rnn | charlm: characters/s, median (min–max) | vs wasm-rnn |');
  rows.push('|---|---:|---:|---:|---:|---:|');
  for (const e of ENGINES) {
    const cs = res[e];
    const ep = tasks.includes('names') ? cs.flatMap((c) => c.names!.epochSeconds) : [];
    const cps = tasks.includes('charlm') ? cs.map((c) => c.charlm!.charsPerSecond) : [];
    const nm = ep.length ? median(ep) : NaN, cm = cps.length ? median(cps) : NaN;
    rows.push(`| ${cs[0].version} | ${ep.length ? `${nm.toFixed(2)} (${Math.min(...ep).toFixed(2)}–${Math.max(...ep).toFixed(2)})` : '–'} | ` +
      `${ep.length ? `${(100 * median(cs.map((c) => c.names!.testAccuracy))).toFixed(1)}%` : '–'} | ${ep.length ? (e === 'wasm-rnn' ? '1×' : `${(nm / wn).toFixed(1)}× slower`) : '–'} | ` +
      `${cps.length ? `${Math.round(cm).toLocaleString('en')} (${Math.round(Math.min(...cps)).toLocaleString('en')}–${Math.round(Math.max(...cps)).toLocaleString('en')})` : '–'} | ` +
      `${cps.length ? (e === 'wasm-rnn' ? '1×' : `${(wc / cm).toFixed(1)}× slower`) : '–'} |`);
  }
  const load1 = loadavg();
  const table = rows.join('\n');
  console.log('\n' + table);
  console.log(`\nload average at the end ${load1.map((v) => v.toFixed(2)).join(' ')} (figures taken on a busy host are not comparable)`);
  if (full) {
    const md = `# Real tasks: wasm-rnn vs PyTorch vs TF.js (bench/realtask.ts)

Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}, ${rounds} rounds, ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version},
load average ${load0.map((v) => v.toFixed(2)).join(' ')} at the start, ${load1.map((v) => v.toFixed(2)).join(' ')} at the end.
Every engine on one thread, each in its own process, order rotated every round, after a warm-up.

- **names**: ${JSON.stringify(NAMES)}: seconds per training epoch (${NAMES.epochs} epochs a round; ${'6,402'} names,
  batches padded to their longest name, the true lengths given: wasm-rnn \`lengths\`, PyTorch \`pack_padded_sequence\`,
  TF.js \`maskZero\`), then the test accuracy on the 1,601 held-out names.
- **charlm**: ${JSON.stringify(CHARLM)}: characters per second over ${CHARLM.steps} truncated-BPTT steps a round
  (B × T = ${CHARLM.batch * CHARLM.bptt} characters a step: forward, backward, clipping, Adam).

${table}
`;
    writeFileSync(root + 'bench/REALTASK.md', md);
    console.log('wrote bench/REALTASK.md');
  }
}

await main();
