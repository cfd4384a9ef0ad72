// npm run demo — tutorial 003's three classifiers trained in wasm-rnn from PyTorch's initial
// weights (loss per epoch beside PyTorch's own), then tutorial 000/001's shapes.
import * as rnn from '../dist/index.js';
import { loadCase } from '../test/vectors.js';
import { tutorial003Models } from './tutorial003.js';

const { init, tensor, RNN, Adam, crossEntropy, manualSeed } = rnn;
await init();

// ---- Tutorial 003: training ----
const runs = Object.entries(tutorial003Models);
console.log('Tutorial 003: RNN classifiers, Adam(lr=0.01), CrossEntropyLoss, 20 epochs');
console.log('(initial weights and data from PyTorch 1.13, test/vectors/train/; PyTorch\'s own losses beside ours)\n');
for (const [name, make] of runs) {
  const c = loadCase(`train/${name}`);
  const model = make();
  const sd: Record<string, rnn.Tensor> = {};
  for (const n of c.names) if (n.startsWith('param.')) sd[n.slice(6)] = tensor(c.f32(n), c.shape(n));
  model.loadStateDict(sd);
  const inputs = tensor(c.f32('x'), c.shape('x'));
  const labels = Array.from(c.i32('labels'));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const torch = c.f64('losses');
  console.log(`${model.toString().split('\n').join('\n')}`);
  console.log('  epoch   wasm-rnn    PyTorch     |diff|');
  const t0 = performance.now();
  for (let epoch = 0; epoch < 20; epoch++) {
    const outputs = model.forward(inputs);
    const loss = crossEntropy(outputs, labels);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    const l = loss.item();
    console.log(`  ${String(epoch + 1).padStart(5)}   ${l.toFixed(6)}   ${torch[epoch].toFixed(6)}   ${Math.abs(l - torch[epoch]).toExponential(1)}`);
  }
  console.log(`  (20 epochs in ${(performance.now() - t0).toFixed(1)} ms, first run includes Wasm warm-up)\n`);
}

// ---- Tutorials 000 / 001: shapes ----
manualSeed(0);
const show = (name: string, t: rnn.Tensor) => console.log(`  ${name.padEnd(14)} [${t.shape.join(', ')}]`);
console.log('Tutorial 000: nn.RNN shapes, input (batch 1, 4 time steps, 5 features), batch_first');
const inputs = rnn.randn([1, 4, 5]);
{
  const cell = new RNN(5, 8, { batchFirst: true });
  const [outputs, hidden] = cell.forward(inputs);
  console.log(`  ${cell}`); show('outputs', outputs); show('hidden', hidden);
}
{
  const cell = new RNN(5, 8, { numLayers: 2, batchFirst: true });
  const [outputs, hidden] = cell.forward(inputs);
  console.log(`  ${cell}`); show('outputs', outputs); show('hidden', hidden);
}
{
  const cell = new RNN(5, 8, { batchFirst: true, bidirectional: true });
  const [outputs, hidden] = cell.forward(inputs);
  console.log(`  ${cell}`); show('outputs', outputs); show('hidden', hidden);
}

console.log('\nTutorial 001: one-hot "hello" characters, sequence-first input of shape (3, 5, 4)');
const [h, e, l, o] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
const inputData = tensor([[h, e, l, l, o], [e, o, l, l, l], [l, l, e, e, l]]);
const rnn1 = new RNN(4, 2);
console.log(`  ${rnn1}`);
console.log('  parameters: ' + rnn1.namedParameters().map(([k, p]) => `${k} [${p.shape}]`).join(', '));
let [outputs, hidden] = rnn1.forward(inputData);
show('outputs', outputs); show('hidden', hidden);
const rnn3 = new RNN(4, 2, { numLayers: 3 });
console.log(`  ${rnn3}`);
[outputs, hidden] = rnn3.forward(inputData);
show('outputs', outputs); show('hidden', hidden);
console.log('  outputs[0] =', JSON.stringify(outputs.select(0, 0).toArray(), (_, v) => (typeof v === 'number' ? +v.toFixed(4) : v)));

console.log("\nTutorial 001's exercise: the same with LSTM (examples/tutorial001_lstm.ts)");
const lstm = new rnn.LSTM(4, 2, { numLayers: 3 });
const [lout, [lh, lc]] = lstm.forward(inputData);
console.log(`  ${lstm}`); show('outputs', lout); show('hidden_state', lh); show('cell_state', lc);
