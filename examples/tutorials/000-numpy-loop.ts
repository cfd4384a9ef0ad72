// Tutorial 000: an RNN written by hand, h_t = tanh(Wx·x_t + Wh·h_{t−1} + b) looped over the time steps, then the same numbers from nn.RNN; nn.RNN's shapes with batch_first, num_layers=2, bidirectional (and nn.GRU's, the same).
// Run: npm run tutorial -- 000
//
// The notebook's NumPy loop becomes a loop over time steps calling tensor ops (matmul, add, tanh:
// each computed in Wasm). np.random.random is `rand` (uniform in [0, 1)), seeded; the notebook's
// random values are not reproduced, its shapes and the loop = nn.RNN equivalence are.
import { init, manualSeed, rand, randn, stack, zeros, GRU, RNN, type Tensor } from '../../dist/index.js';
import { diffLine, npShape, show, size } from './print.js';

await init();
manualSeed(0);

console.log('# 1. The RNN in NumPy style');
const timesteps = 10;   // time steps (in NLP, usually the sentence length)
const inputSize = 4;    // input features (in NLP, usually the size of a word vector)
const hiddenSize = 8;   // size of the hidden state: the memory cell's capacity

const inputs = rand([timesteps, inputSize]);       // inputs = np.random.random((timesteps, input_size))
let hiddenStateT = zeros([hiddenSize]);            // hidden_state_t = np.zeros((hidden_size,))
console.log(show(hiddenStateT, { numpy: true }));  // [0. 0. 0. 0. 0. 0. 0. 0.]

const Wx = rand([hiddenSize, inputSize]);          // (8, 4): weights for the input
const Wh = rand([hiddenSize, hiddenSize]);         // (8, 8): weights for the hidden state
const b = rand([hiddenSize]);                      // (8,): the bias
console.log(npShape(Wx));
console.log(npShape(Wh));
console.log(npShape(b));

const totalHiddenStates: Tensor[] = [];
for (let t = 0; t < timesteps; t++) {              // for input_t in inputs:
  const inputT = inputs.select(0, t);
  // output_t = np.tanh(np.dot(Wx, input_t) + np.dot(Wh, hidden_state_t) + b)
  const outputT = Wx.matmul(inputT).add(Wh.matmul(hiddenStateT)).add(b).tanh();
  totalHiddenStates.push(outputT);
  console.log(npShape(stack(totalHiddenStates)));  // np.shape(total_hidden_states): (t, output_dim)
  hiddenStateT = outputT;
}
const loop = stack(totalHiddenStates, 0);          // np.stack(total_hidden_states, axis=0): (10, 8)
console.log(show(loop, { numpy: true }));

// The same recurrence is nn.RNN(4, 8) holding Wx, Wh and b (its second bias at 0). An unbatched
// (time steps, features) input gives the (time steps, hidden) states, all in one Wasm call.
const rnn = new RNN(inputSize, hiddenSize);
rnn.loadStateDict({ weight_ih_l0: Wx, weight_hh_l0: Wh, bias_ih_l0: b, bias_hh_l0: zeros([hiddenSize]) });
const [rnnStates] = rnn.forward(inputs);
console.log(`${rnn} on the same inputs: ${npShape(rnnStates)}`);
console.log(diffLine('loop - RNN', loop, rnnStates));

console.log('\n# 2-1. nn.RNN(): input (batch_size, time_steps, input_size) = (1, 4, 5), batch_first');
// torch.Tensor(1, 4, 5) is uninitialised memory in the notebook; normal samples here
const x = randn([1, 4, 5]);
{
  const cell = new RNN(5, 8, { batchFirst: true });
  const [outputs, hidden] = cell.forward(x);
  console.log(String(cell));
  console.log(`outputs.shape: ${size(outputs)}`);          // every time step's hidden state
  console.log(show(outputs));
  console.log(`outputs[0][-1]: ${show(outputs.select(0, 0).select(0, -1))}`);
  console.log(`hidden.shape: ${size(hidden)}`);            // the last time step's hidden state
  console.log(`hidden[0]: ${show(hidden.select(0, 0))}`);
  console.log(diffLine('hidden[0] - outputs[:, -1]', hidden.select(0, 0), outputs.select(1, -1)));
}

console.log('\n# 2-2. Deep RNN: num_layers=2');
{
  const cell = new RNN(5, 8, { numLayers: 2, batchFirst: true });
  const [outputs, hidden] = cell.forward(x);
  console.log(String(cell));
  console.log(`outputs.shape: ${size(outputs)}`);          // the last layer's states at every step
  console.log(`hidden.shape: ${size(hidden)}`);            // (layers, batch, hidden)
  console.log(diffLine('hidden[-1] - outputs[:, -1]', hidden.select(0, -1), outputs.select(1, -1)));
}

console.log('\n# 2-3. Bidirectional RNN: bidirectional=True');
{
  const cell = new RNN(5, 8, { batchFirst: true, bidirectional: true });
  const [outputs, hidden] = cell.forward(x);
  console.log(String(cell));
  console.log(`outputs.shape: ${size(outputs)}`);          // (batch, time, 2 × hidden): both directions concatenated
  console.log(`hidden.shape: ${size(hidden)}`);            // (2, batch, hidden): forward, backward
  console.log(show(outputs));
  console.log(`hidden[0]: ${show(hidden.select(0, 0))}`);  // the forward direction's last step (t = 3)
  console.log(`hidden[1]: ${show(hidden.select(0, 1))}`);  // the backward direction's last step (t = 0)
  console.log(diffLine('hidden[0] - outputs[:, -1, :8]', hidden.select(0, 0), outputs.select(1, -1).slice(1, 0, 8)));
  console.log(diffLine('hidden[1] - outputs[:, 0, 8:]', hidden.select(0, 1), outputs.select(1, 0).slice(1, 8)));
}

console.log('\n# nn.GRU returns the same shapes as nn.RNN: output (batch, seq, directions × hidden), hidden (layers × directions, batch, hidden)');
for (const cell of [new RNN(5, 8, { numLayers: 2, batchFirst: true, bidirectional: true }), new GRU(5, 8, { numLayers: 2, batchFirst: true, bidirectional: true })]) {
  const [outputs, hidden] = cell.forward(x);
  console.log(`${cell}: outputs.shape ${size(outputs)}, hidden.shape ${size(hidden)}`);
}
