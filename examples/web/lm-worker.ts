// The playground's character-model worker: Moby Dick (moby.json, from the npm data set) → the
// Embedding → 2-layer LSTM → Linear model of examples/charlm.ts. It starts from the checkpoint that
// build:web shipped (charlm.safetensors, trained by `node examples/charlm.ts`) when there is one,
// else from scratch, and keeps training it with truncated BPTT while the tab is open (pausable);
// "Generate" streams characters made by step() + sample(), at the temperature the slider says.
import { Adam, init, manualSeed, type Tensor } from '../../dist/index.js';
import { TextStream, Vocab } from '../data/index.js';
import { charLM, loadLm, type LmCheckpoint } from '../models.js';
import { generate, lmEvaluate, trainCharLM } from '../train.js';

export type LmWorkerIn =
  | { type: 'generate'; prompt: string; length: number; temperature: number; topK: number }
  | { type: 'temperature'; value: number }
  | { type: 'pause' } | { type: 'resume' };
export type LmWorkerOut =
  | { type: 'ready'; info: string }
  | { type: 'progress'; x: number; loss: number; testLoss?: number; text: string }
  | { type: 'chars'; text: string; count: number; usPerChar: number; done: boolean }
  | { type: 'error'; message: string };

const post = (m: LmWorkerOut) => (self as unknown as Worker).postMessage(m);
const tick = () => new Promise<void>((r) => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); });

let paused = false, temperature = 0.8, generating: LmWorkerIn & { type: 'generate' } | null = null;

async function run() {
  await init();
  manualSeed(1);
  const j = await (await fetch(new URL('./moby.json', import.meta.url))).json() as { text: string; checkpoint: string | null };
  const cut = Math.round(j.text.length * 0.95);
  let ck: LmCheckpoint;
  let origin: string;
  if (j.checkpoint) {
    const bytes = new Uint8Array(await (await fetch(new URL(j.checkpoint, import.meta.url))).arrayBuffer());
    ck = loadLm(bytes);
    origin = `pretrained by examples/charlm.ts (${ck.step} steps), training on in this tab`;
  } else {
    const vocab = Vocab.fromTexts([j.text]);
    const config = { embed: 32, hidden: 128, layers: 2, batch: 16, bptt: 64 };
    ck = { model: charLM({ vocabSize: vocab.size, ...config }), vocab, config, step: 0, chunk: 0, state: null };
    origin = 'trained from scratch in this tab (build:web found no checkpoints/charlm.safetensors)';
  }
  const { model, vocab, config } = ck;
  const stream = new TextStream(vocab.encode(j.text.slice(0, cut)), config.batch, config.bptt);
  const test = new TextStream(vocab.encode(j.text.slice(cut)), 8, config.bptt);
  post({ type: 'ready', info: `Moby Dick, ${j.text.length.toLocaleString('en')} characters; ${model.numParameters().toLocaleString('en')} parameters, ${origin}` });
  const opt = new Adam(model.parameters(), { lr: 2e-3 });
  let chunk = ck.chunk, state: [Tensor, Tensor] | null = ck.state, step = ck.step, lastYield = performance.now();
  const t0 = performance.now();
  let chars = 0;
  post({ type: 'progress', x: step, loss: NaN, testLoss: lmEvaluate(model, test, 4), text: `step ${step}` });
  for (;;) {
    if (generating) {
      const g = generating;
      generating = null;
      let buf = '', n = 0, totalUs = 0, lastPost = performance.now();
      for (const { ch, us } of generate(model, vocab, g.prompt, g.length, () => ({ temperature, topK: g.topK }))) {
        buf += ch; n++; totalUs += us;
        if (performance.now() - lastPost > 30) {
          post({ type: 'chars', text: buf, count: n, usPerChar: totalUs / n, done: false });
          buf = '';
          await tick();
          lastPost = performance.now();
          if (generating) break; // a new request replaces this one
        }
      }
      post({ type: 'chars', text: buf, count: n, usPerChar: totalUs / n, done: true });
    }
    if (paused) { await new Promise((r) => setTimeout(r, 50)); continue; }
    // a few training steps, then let messages in
    for (const ev of trainCharLM(model, opt, stream, { startChunk: chunk, steps: 4, state, clip: 1 })) {
      chunk = ev.chunk; state = ev.state; step++; chars += stream.B * stream.T;
      const testLoss = step % 50 === 0 ? lmEvaluate(model, test, 4) : undefined;
      post({ type: 'progress', x: step, loss: ev.loss, testLoss,
        text: `step ${step}: loss ${ev.loss.toFixed(3)} nats/char, ${Math.round(chars / ((performance.now() - t0) / 1000)).toLocaleString('en')} characters/s` });
    }
    if (performance.now() - lastYield > 20) { await tick(); lastYield = performance.now(); }
  }
}

self.onmessage = (e: MessageEvent<LmWorkerIn>) => {
  const m = e.data;
  if (m.type === 'generate') { generating = m; temperature = m.temperature; }
  else if (m.type === 'temperature') temperature = m.value;
  else if (m.type === 'pause') paused = true;
  else if (m.type === 'resume') paused = false;
};

run().catch((err) => post({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }));
