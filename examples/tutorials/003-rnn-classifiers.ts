/// <reference types="node" />
// Tutorial 003: nn.RNN's output and hidden shapes (batch_first, num_layers=4, bidirectional), then three classifiers (single-layer, 4-layer, bidirectional) trained with nn.Linear, CrossEntropyLoss and Adam(lr=0.01) for 20 epochs.
// Run: npm run tutorial -- 003
//
// The data are seeded normal samples (torch.randn) with the notebook's labels [0, 1, 0]; the
// notebook's random numbers and so its exact losses are not reproduced, its shapes, parameter
// counts and falling losses are. (npm run demo trains the same three models from PyTorch's own
// initial weights and prints PyTorch's loss beside ours for every epoch.)
// The classes are exported for the demo and the tests; the notebook's cells run only when this
// file is the program being run.
import { fileURLToPath } from 'node:url';
import { init, manualSeed, randn, cat, crossEntropy, Adam, Linear, Module, RNN, type Tensor } from '../../dist/index.js';
import { diffLine, size } from './print.js';

/** A simple RNN classifier: nn.RNN(batch_first=True), then fc on the last time step's hidden state. */
export class SimpleRNN extends Module {
  rnn: RNN;
  fc: Linear;
  constructor(inputSize: number, hiddenSize: number, numClasses: number) {
    super();
    this.rnn = new RNN(inputSize, hiddenSize, { batchFirst: true });
    this.fc = new Linear(hiddenSize, numClasses);
  }
  /** x (batch, seq, input) → logits (batch, classes) */
  override forward(x: Tensor): Tensor {
    const [, hidden] = this.rnn.forward(x);
    return this.fc.forward(hidden.select(0, 0));          // self.fc(hidden[0]): the last time step
  }
}

/** A stacked RNN classifier: fc on the last layer's output at the last time step. */
export class MultiLayerRNN extends Module {
  rnn: RNN;
  fc: Linear;
  constructor(inputSize: number, hiddenSize: number, numLayers: number, numClasses: number) {
    super();
    this.rnn = new RNN(inputSize, hiddenSize, { numLayers, batchFirst: true });
    this.fc = new Linear(hiddenSize, numClasses);
  }
  override forward(x: Tensor): Tensor {
    const [out] = this.rnn.forward(x);
    return this.fc.forward(out.select(1, -1));            // self.fc(out[:, -1, :])
  }
}

/** A bidirectional RNN classifier: fc on both directions' last hidden states of the top layer. */
export class BiDirectionalRNN extends Module {
  rnn: RNN;
  fc: Linear;
  constructor(inputSize: number, hiddenSize: number, numLayers: number, numClasses: number) {
    super();
    this.rnn = new RNN(inputSize, hiddenSize, { numLayers, batchFirst: true, bidirectional: true });
    this.fc = new Linear(hiddenSize * 2, numClasses);      // both directions: twice the hidden size
  }
  override forward(x: Tensor): Tensor {
    const [, hidden] = this.rnn.forward(x);
    // hidden[-2]: the top layer's forward direction; hidden[-1]: its backward direction
    const outCombined = cat([hidden.select(0, -2), hidden.select(0, -1)], 1);
    return this.fc.forward(outCombined);
  }
}

// ---- the notebook's cells ----

// model parameters
const inputSize = 5;
const hiddenSize = 10;
// data parameters
const sequenceLength = 6;
const batchSize = 3;
const numClasses = 2;
// training parameters
const learningRate = 0.01;
const numEpochs = 20;

/** The notebook's training loop: prints the loss every 5 epochs. */
function train(model: Module): void {
  console.log(String(model));
  console.log(`parameters: ${model.numParameters()}`);
  const optimizer = new Adam(model.parameters(), { lr: learningRate });
  const inputs = randn([batchSize, sequenceLength, inputSize]);
  const labels = [0, 1, 0];                                // one label per sequence of the batch
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    const outputs = model.forward(inputs);
    const loss = crossEntropy(outputs, labels);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    if ((epoch + 1) % 5 === 0) console.log(`Epoch [${epoch + 1}/${numEpochs}], Loss: ${loss.item().toFixed(4)}`);
  }
}

async function main(): Promise<void> {
  await init();
  manualSeed(0);

  console.log('# Sequential data: (sequence_length, batch_size, input_size)');
  let inputs = randn([sequenceLength, batchSize, inputSize]);
  console.log(`inputs.shape: ${size(inputs)}`);

  console.log('\n# nn.RNN, batch_first=False (the default)');
  {
    const rnn = new RNN(inputSize, hiddenSize, { batchFirst: false });
    const [output, hidden] = rnn.forward(inputs);
    console.log(`Output shape: ${size(output)}`);          // (seq_len, batch, hidden_size)
    console.log(`Hidden shape: ${size(hidden)}`);          // (num_layers, batch, hidden_size)
  }

  console.log('\n# nn.RNN, batch_first=True');
  {
    const rnn = new RNN(inputSize, hiddenSize, { batchFirst: true });
    const [output, hidden] = rnn.forward(inputs.transpose(0, 1));   // (6, 3, 5) → (3, 6, 5)
    console.log(`Output shape: ${size(output)}`);          // (batch_size, sequence_length, hidden_size)
    console.log(`Hidden shape: ${size(hidden)}`);          // (num_layers, batch_size, hidden_size)
    console.log(`output[-1].shape: ${size(output.select(0, -1))}`);          // the last sample, every step
    console.log(`output[:, -1, :].shape: ${size(output.select(1, -1))}`);    // every sample, last step
    console.log(`hidden[0].shape: ${size(hidden.select(0, 0))}`);
    console.log(diffLine('output[:, -1, :] - hidden[0]', output.select(1, -1), hidden.select(0, 0)));
  }

  console.log('\n# Training a simple RNN classifier');
  train(new SimpleRNN(inputSize, hiddenSize, numClasses));

  console.log('\n# Multi-layer RNN');
  {
    // The notebook ran this cell on the (6, 3, 5) inputs above: 6 sequences of 3 steps here.
    const numLayers = 4;
    const rnn = new RNN(inputSize, hiddenSize, { numLayers, batchFirst: true });
    const [outputs, hidden] = rnn.forward(inputs);
    console.log(`Output shape: ${size(outputs)}`);         // (batch_size, seq_length, hidden_size)
    console.log(`Hidden shape: ${size(hidden)}`);          // (num_layers, batch_size, hidden_size)
    console.log(`inputs.shape: ${size(inputs)}`);
    console.log(`outputs[:, -1, :].shape: ${size(outputs.select(1, -1))}`);
    console.log(diffLine('outputs[:, -1, :] - hidden[-1]', outputs.select(1, -1), hidden.select(0, -1)));
  }
  train(new MultiLayerRNN(inputSize, hiddenSize, 4, numClasses));

  console.log('\n# Bidirectional RNN');
  {
    inputs = randn([batchSize, sequenceLength, inputSize]);
    const rnn = new RNN(inputSize, hiddenSize, { numLayers: 4, batchFirst: true, bidirectional: true });
    const [outputs, hidden] = rnn.forward(inputs);
    console.log(`Output shape: ${size(outputs)}`);         // (batch_size, seq_length, hidden_size * 2)
    console.log(`Hidden shape: ${size(hidden)}`);          // (num_layers * 2, batch_size, hidden_size)
    // the forward direction's last step and the backward direction's first step (its last) …
    const outForward = outputs.select(1, -1).slice(1, 0, hiddenSize);
    const outBackward = outputs.select(1, 0).slice(1, hiddenSize);
    const fromOutputs = cat([outForward, outBackward], 1);
    // … are the top layer's final hidden states
    const fromHidden = cat([hidden.select(0, -2), hidden.select(0, -1)], 1);
    console.log(`out_combined.shape: ${size(fromHidden)}`);
    console.log(diffLine('cat(outputs[:, -1, :H], outputs[:, 0, H:]) - cat(hidden[-2], hidden[-1])', fromOutputs, fromHidden));
  }
  train(new BiDirectionalRNN(inputSize, hiddenSize, 2, numClasses));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
