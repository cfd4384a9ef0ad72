// Tutorial 003's three classifiers, by the names of their PyTorch reference runs
// (test/vectors/train/<name>.json), for examples/demo.ts and test/train.test.ts. The classes are
// defined, as the notebook writes them, in examples/tutorials/003-rnn-classifiers.ts.
import { BiDirectionalRNN, MultiLayerRNN, SimpleRNN } from './tutorials/003-rnn-classifiers.js';

export { BiDirectionalRNN, MultiLayerRNN, SimpleRNN };

/** The three runs: nn.RNN(5, 10) + Linear, one layer; four layers; two bidirectional layers. */
export const tutorial003Models = {
  single: () => new SimpleRNN(5, 10, 2),
  multi4: () => new MultiLayerRNN(5, 10, 4, 2),
  bi2: () => new BiDirectionalRNN(5, 10, 2, 2),
};
