// Tutorial 003's three classifiers, written as the tutorial writes them in PyTorch.
// Used by the demo (examples/demo.ts) and by the training-curve test (test/train.test.ts).
import { Module, RNN, Linear, cat, type Tensor } from '../dist/index.js';

/** nn.RNN(5, 10, batch_first=True) → fc(hidden[0]) */
export class SimpleRNN extends Module {
  rnn = new RNN(5, 10, { batchFirst: true });
  fc = new Linear(10, 2);
  override forward(x: Tensor): Tensor { const [, hidden] = this.rnn.forward(x); return this.fc.forward(hidden.select(0, 0)); }
}

/** nn.RNN(5, 10, 4, batch_first=True) → fc(out[:, -1, :]) */
export class MultiLayerRNN extends Module {
  rnn = new RNN(5, 10, { numLayers: 4, batchFirst: true });
  fc = new Linear(10, 2);
  override forward(x: Tensor): Tensor { const [out] = this.rnn.forward(x); return this.fc.forward(out.select(1, -1)); }
}

/** nn.RNN(5, 10, 2, batch_first=True, bidirectional=True) → fc(cat((hidden[-2], hidden[-1]), 1)) */
export class BiDirectionalRNN extends Module {
  rnn = new RNN(5, 10, { numLayers: 2, batchFirst: true, bidirectional: true });
  fc = new Linear(20, 2);
  override forward(x: Tensor): Tensor {
    const [, hidden] = this.rnn.forward(x);
    return this.fc.forward(cat([hidden.select(0, -2), hidden.select(0, -1)], 1));
  }
}

/** The three runs by the names of their reference vectors (test/vectors/train/<name>.json). */
export const tutorial003Models = {
  single: () => new SimpleRNN(),
  multi4: () => new MultiLayerRNN(),
  bi2: () => new BiDirectionalRNN(),
};
