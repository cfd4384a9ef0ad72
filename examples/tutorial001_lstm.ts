// Tutorial 001's exercise (Q1: "change the RNN module to LSTM"): nn.LSTM(4, 2, num_layers=3) on the
// one-hot "hello" batch, with PyTorch's printouts. Run: node --import tsx examples/tutorial001_lstm.ts
import { init, tensor, LSTM, manualSeed, type Tensor } from '../dist/index.js';

await init();
manualSeed(0);

const size = (t: Tensor) => `torch.Size([${t.shape.join(', ')}])`;
const fmt = (t: Tensor) => JSON.stringify(t.toArray(), (_, v) => (typeof v === 'number' ? +v.toFixed(4) : v));

// one-hot characters, sequence-first input of shape (3, 5, 4) as in the tutorial
const h = [1, 0, 0, 0], e = [0, 1, 0, 0], l = [0, 0, 1, 0], o = [0, 0, 0, 1];
const inputData = tensor([[h, e, l, l, o], [e, o, l, l, l], [l, l, e, e, l]]);

const lstm = new LSTM(4, 2, { numLayers: 3 });        // lstm = torch.nn.LSTM(input_size=4, hidden_size=2, num_layers=3)
console.log(String(lstm));                              // LSTM(4, 2, num_layers=3)

const [outputs, [hiddenState]] = lstm.forward(inputData);   // outputs, (hidden_state, _) = lstm(input_data)
console.log(fmt(outputs));
console.log(size(outputs));                             // torch.Size([3, 5, 2])
console.log(fmt(hiddenState));
console.log(size(hiddenState));                         // torch.Size([3, 5, 2]): (num_layers, batch, hidden)

console.log(lstm.namedParameters().map(([k, p]) => `${k} ${size(p)}`).join('\n'));
