// Tutorial 001: nn.RNN(4, 2) on the one-hot characters of "hello" (sequence-first input), its parameters by name, num_layers=3, and the exercise: the same with nn.LSTM.
// Run: npm run tutorial -- 001
//
// The single-layer RNN is given the weights the notebook printed (4 decimals), so its outputs are
// the notebook's outputs; the 3-layer RNN and the LSTM start from seeded random weights (the
// notebook's are not all printed), so only their shapes are the notebook's.
import { init, manualSeed, tensor, LSTM, RNN } from '../../dist/index.js';
import { diffLine, show, size } from './print.js';

await init();
manualSeed(0);

// one-hot characters; the words are sequences of 5 of them: input (3, 5, 4)
const h = [1, 0, 0, 0];
const e = [0, 1, 0, 0];
const l = [0, 0, 1, 0];
const o = [0, 0, 0, 1];
const inputData = tensor([[h, e, l, l, o], [e, o, l, l, l], [l, l, e, e, l]]);
console.log('input_data');
console.log(show(inputData));

console.log('\n# RNN');
const rnn = new RNN(4, 2, { numLayers: 1 });        // rnn = torch.nn.RNN(input_size=4, hidden_size=2, num_layers=1)
console.log(String(rnn));                           // RNN(4, 2)
// the weights the notebook printed for its rnn (rnn.__dict__['_parameters'])
rnn.loadStateDict({
  weight_ih_l0: [[-0.0053, 0.3793, -0.5820, -0.5204], [-0.2723, 0.1896, -0.0140, 0.5607]],
  weight_hh_l0: [[-0.0628, 0.1871], [-0.2137, -0.1390]],
  bias_ih_l0: [-0.6755, -0.4683],
  bias_hh_l0: [-0.2915, 0.0262],
});
console.log(`nonlinearity: '${rnn.nonlinearity}', training: ${rnn.training}`);
console.log('_parameters:');
for (const [name, p] of rnn.namedParameters()) console.log(`(${name}, ${size(p)})\n${show(p)}`);

console.log('for param in iter(next(rnn.parameters())):');   // the rows of the first parameter, weight_ih_l0
const first = rnn.parameters()[0];
for (let i = 0; i < first.shape[0]; i++) console.log(show(first.select(0, i)));

console.log('\n# Multi-layer RNN');
const rnnMultiLayers = new RNN(4, 2, { numLayers: 3 });
console.log(String(rnnMultiLayers));                // RNN(4, 2, num_layers=3)
console.log('_parameters:');
for (const [name, p] of rnnMultiLayers.namedParameters()) console.log(`(${name}, ${size(p)})`);

console.log('\n# Inputs and outputs: single layer');
{
  const [outputs, hiddenState] = rnn.forward(inputData);
  console.log('outputs:');
  console.log(show(outputs));
  console.log(`outputs.size(): ${size(outputs)}`);          // (seq = 3, batch = 5, hidden = 2)
  console.log('hidden_state:');
  console.log(show(hiddenState));
  console.log(`hidden_state.size(): ${size(hiddenState)}`); // (layers = 1, batch = 5, hidden = 2)
  console.log(diffLine('RNN hidden_state[-1] - outputs[-1]', hiddenState.select(0, -1), outputs.select(0, -1)));
}

console.log('\n# Inputs and outputs: multi layers');
{
  const [outputs, hiddenState] = rnnMultiLayers.forward(inputData);
  console.log(`outputs.size(): ${size(outputs)}`);
  console.log(`hidden_state.size(): ${size(hiddenState)}`); // (layers = 3, batch = 5, hidden = 2)
  console.log(diffLine('3-layer RNN hidden_state[-1] - outputs[-1]', hiddenState.select(0, -1), outputs.select(0, -1)));
}

console.log('\n# Practice Q1: the RNN module changed to LSTM');
{
  const lstm = new LSTM(4, 2, { numLayers: 3 });     // lstm = torch.nn.LSTM(input_size=4, hidden_size=2, num_layers=3)
  console.log(String(lstm));                         // LSTM(4, 2, num_layers=3)
  const [outputs, [hiddenState, cellState]] = lstm.forward(inputData);   // outputs, (hidden_state, _) = lstm(input_data)
  console.log('outputs:');
  console.log(show(outputs));
  console.log(`outputs.size(): ${size(outputs)}`);
  console.log('hidden_state:');
  console.log(show(hiddenState));
  console.log(`hidden_state.shape: ${size(hiddenState)}`);
  console.log(`cell_state.shape: ${size(cellState)}`);
  console.log(diffLine('LSTM hidden_state[-1] - outputs[-1]', hiddenState.select(0, -1), outputs.select(0, -1)));
  console.log('_parameters (4 gates i, f, g, o stacked: 4 × 2 rows):');
  for (const [name, p] of lstm.namedParameters()) console.log(`(${name}, ${size(p)})`);
}
