// Tutorial 002: Keras SimpleRNN models and their summary() tables (input_shape, batch_input_shape, return_sequences, stacked, Bidirectional), and the RNN in NumPy style next to a SimpleRNN layer.
// Run: npm run tutorial -- 002
//
// The Keras models are built with the TF.js-named layers API (`sequential`, `layers.simpleRNN`,
// `layers.bidirectional`); summary() prints Keras 2.9's table with the notebook's layer names,
// output shapes and parameter counts. The NumPy loop uses tensor ops (each computed in Wasm) on
// seeded `rand` values (np.random.random); a SimpleRNN holding the same weights gives its numbers.
import { init, layers, manualSeed, rand, sequential, stack, zeros, type Tensor } from '../../dist/index.js';
import { diffLine, npShape, show } from './print.js';

await init();
manualSeed(0);

console.log('# 1. An RNN in Keras');
{
  const model = sequential();
  model.add(layers.simpleRNN({ units: 3, inputShape: [2, 10] }));
  // the same as layers.simpleRNN({ units: 3, inputLength: 2, inputDim: 10 })
  model.summary();
}
{
  const model = sequential();
  model.add(layers.simpleRNN({ units: 3, batchInputShape: [8, 2, 10] }));
  model.summary();
}
{
  const model = sequential();
  model.add(layers.simpleRNN({ units: 3, batchInputShape: [8, 2, 10], returnSequences: true }));
  model.summary();
}

console.log('\n# 2. An RNN in Python (NumPy style)');
const hiddenSize = 8;   // size of the hidden state: the memory cell's capacity
const timesteps = 10;   // time steps (in NLP, usually the sentence length)
const inputDim = 4;     // input features (in NLP, usually the size of a word vector)

const inputs = rand([timesteps, inputDim]);        // inputs = np.random.random((timesteps, input_dim))
let hiddenStateT = zeros([hiddenSize]);            // hidden_state_t = np.zeros((hidden_size,))
console.log(npShape(inputs));                      // (10, 4)
console.log(show(hiddenStateT, { numpy: true }));  // [0. 0. 0. 0. 0. 0. 0. 0.]

const Wx = rand([hiddenSize, inputDim]);           // (8, 4): hidden size × input features
const Wh = rand([hiddenSize, hiddenSize]);         // (8, 8): hidden size × hidden size
const b = rand([hiddenSize]);                      // (8,): hidden size
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
const loop = stack(totalHiddenStates, 0);          // (timesteps, output_dim) = (10, 8)
console.log(show(loop, { numpy: true }));

// A Keras SimpleRNN(8, return_sequences=True) holding the same weights: Keras keeps them as
// kernel (input_dim, units) = Wxᵀ, recurrent_kernel (units, units) = Whᵀ and bias b, and takes a
// batch-first input (1, timesteps, input_dim). (Named, so the default names below stay Keras's.)
const simpleRNN = layers.simpleRNN({ name: 'numpy_loop', units: hiddenSize, returnSequences: true, weights: [Wx.T, Wh.T, b] });
const kerasStates = (simpleRNN.apply(inputs.unsqueeze(0)) as Tensor).select(0, 0);
console.log(`SimpleRNN(${hiddenSize}, return_sequences=True) on the same inputs: ${npShape(kerasStates)}`);
console.log(diffLine('loop - SimpleRNN', loop, kerasStates));

console.log('\n# 3. Deep recurrent neural network');
{
  const model = sequential();
  model.add(layers.simpleRNN({ units: hiddenSize, inputLength: 10, inputDim: 5, returnSequences: true }));
  model.add(layers.simpleRNN({ units: hiddenSize, returnSequences: true }));
  model.summary();
}

console.log('\n# 4. Bidirectional recurrent neural network');
{
  const timesteps = 10, inputDim = 5;
  {
    const model = sequential();
    model.add(layers.bidirectional({ layer: layers.simpleRNN({ units: hiddenSize, returnSequences: true }), inputShape: [timesteps, inputDim] }));
    model.summary();
  }
  {
    const model = sequential();
    model.add(layers.bidirectional({ layer: layers.simpleRNN({ units: hiddenSize, returnSequences: true }), inputShape: [timesteps, inputDim] }));
    model.add(layers.bidirectional({ layer: layers.simpleRNN({ units: hiddenSize, returnSequences: true }) }));
    model.add(layers.bidirectional({ layer: layers.simpleRNN({ units: hiddenSize, returnSequences: true }) }));
    model.add(layers.bidirectional({ layer: layers.simpleRNN({ units: hiddenSize, returnSequences: true }) }));
    model.summary();
  }
}
