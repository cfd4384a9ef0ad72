// Tutorial 004: one RNN step by hand (x_t, h_{t−1}, Wx, Wh, b → h_t, then y_t = sigmoid(h_t·Wy)), and the classes MyRNNcell and MyRNN built from Parameter, matmul, tanh and sigmoid, next to nn.RNNCell and nn.RNN.
// Run: npm run tutorial -- 004
//
// torch.randn is the seeded `randn` (manualSeed(42) as in the notebook, but our generator, so
// other numbers); the shapes are the notebook's, and the hand-written modules give the same
// hidden states, outputs and gradients as the library's RNNCell and RNN holding their weights.
import { init, manualSeed, randn, tensor, zeros, Linear, Module, Parameter, RNN, RNNCell, type Tensor } from '../../dist/index.js';
import { diffLine, show, size } from './print.js';

await init();
manualSeed(42);                                    // torch.manual_seed(42)

console.log('# 2. An RNN cell in PyTorch, step by step');
const d = 4;                                       // size of the input x_t (a 1-D vector)
const xT = randn([d]);                             // the input at time t
console.log(`x_t: ${show(xT)}`);
console.log(`x_t.dim(): ${xT.dim}`);
console.log(`x_t.shape: ${size(xT)}`);

const Dh = 6;                                      // size of the hidden state
const hTMinus1 = zeros([1, Dh]);                   // the previous step's hidden state, zeros
console.log(`h_t_minus_1: ${show(hTMinus1)}`);
console.log(`h_t_minus_1.dim(): ${hTMinus1.dim}`);
console.log(`h_t_minus_1.shape: ${size(hTMinus1)}`);

const Wx = randn([Dh, d]);                         // input weights
console.log(`Wx.shape: ${size(Wx)}`);
const Wh = randn([Dh, Dh]);                        // hidden-state weights
console.log(`Wh.shape: ${size(Wh)}`);
const b = randn([Dh]);                             // bias
console.log(`b.shape: ${size(b)}`);

// h_t = torch.tanh(torch.matmul(x_t.unsqueeze(0), Wx.t()) + torch.matmul(h_t_minus_1, Wh.t()) + b.unsqueeze(0))
const hT = xT.unsqueeze(0).matmul(Wx.T).add(hTMinus1.matmul(Wh.T)).add(b.unsqueeze(0)).tanh();
console.log(`h_t: ${show(hT)}`);
console.log(`h_t.shape: ${size(hT)}`);

const Dy = 2;
const Wy = randn([Dh, Dy]);                        // output weights
const yT = hT.matmul(Wy).sigmoid();                // y_t = torch.sigmoid(torch.matmul(h_t, Wy))
console.log(`y_t: ${show(yT)}`);
console.log(`y_t.shape: ${size(yT)}`);

console.log('\n# 3. An RNN as module classes');

/** One step, h' = tanh(x·Wxᵀ + h·Whᵀ + b): x (batch, input), hidden (batch, hidden) → (batch, hidden). */
class MyRNNcell extends Module {
  hidden_size: number;
  // Parameters: the optimizer updates them and backward() fills their .grad
  Wx: Parameter;
  Wh: Parameter;
  b: Parameter;
  constructor(inputSize: number, hiddenSize: number) {
    super();
    this.hidden_size = hiddenSize;
    this.Wx = new Parameter(randn([hiddenSize, inputSize]));
    this.Wh = new Parameter(randn([hiddenSize, hiddenSize]));
    this.b = new Parameter(randn([hiddenSize]));
  }
  override forward(x: Tensor, hidden: Tensor): Tensor {
    // transposes of Wx and Wh for the matrix products
    return x.matmul(this.Wx.T).add(hidden.matmul(this.Wh.T)).add(this.b).tanh();
  }
}

const modelRnn = new MyRNNcell(4, 6);
console.log(String(modelRnn));                     // MyRNNcell()

manualSeed(42);
const x1 = randn([1, 4]);                          // a random input, input size 4
const initialHidden = randn([1, 6]);               // a random initial hidden state, hidden size 6
const newHT = modelRnn.forward(x1, initialHidden);
console.log(`new hidden state: ${show(newHT)}`);
console.log(`new hidden state shape: ${size(newHT)}`);

// nn.RNNCell computes the same step from the same weights (its second bias at 0)
const cell = new RNNCell(4, 6);
cell.loadStateDict({ weight_ih: modelRnn.Wx, weight_hh: modelRnn.Wh, bias_ih: modelRnn.b, bias_hh: zeros([6]) });
console.log(diffLine('MyRNNcell - nn.RNNCell', newHT, cell.forward(x1, initialHidden)));

/** MyRNNcell over the time steps from a zero state, then sigmoid(h_T·Wyᵀ): x (batch, seq, input) → [output (batch, out), h_T (batch, hidden)]. */
class MyRNN extends Module {
  hidden_size: number;
  rnn_cell: MyRNNcell;                             // its Wx, Wh and b are this model's parameters too
  Wy: Parameter;
  constructor(inputSize: number, hiddenSize: number, outputSize: number) {
    super();
    this.hidden_size = hiddenSize;
    this.rnn_cell = new MyRNNcell(inputSize, hiddenSize);
    this.Wy = new Parameter(randn([outputSize, hiddenSize]));
  }
  /** The first hidden state: zeros (batch, hidden). */
  initHidden(batchSize = 1): Tensor { return zeros([batchSize, this.hidden_size]); }
  override forward(x: Tensor): [Tensor, Tensor] {
    let hT = this.initHidden(x.size(0));
    for (let i = 0; i < x.size(1); i++) {        // over the sequence: x[:, i] is (batch, input)
      hT = this.rnn_cell.forward(x.select(1, i), hT);
    }
    const output = hT.matmul(this.Wy.T).sigmoid();
    return [output, hT];
  }
}

const sequenceData = tensor([
  [0.1, 0.2, 0.3, 0.4],
  [0.2, 0.3, 0.4, 0.5],
  [0.3, 0.4, 0.5, 0.6],
  [0.4, 0.5, 0.6, 0.7],
  [0.5, 0.6, 0.7, 0.8],
]);
const inputSize = 4;    // input features
const hiddenSize = 6;   // size of the hidden state
const outputSize = 1;   // size of the output

const modelMyrnn1 = new MyRNN(inputSize, hiddenSize, outputSize);
console.log(String(modelMyrnn1));
for (const [name, p] of modelMyrnn1.namedParameters()) console.log(`(${name}, ${size(p)})`);
console.log(`parameters: ${modelMyrnn1.numParameters()}`);

const x = sequenceData.unsqueeze(0);               // one more dimension: a batch of 1, (1, 5, 4)
const [output, ht] = modelMyrnn1.forward(x);
console.log(`input sequence: ${show(sequenceData)}`);
console.log(`input shape: ${size(x)}`);
console.log(`model output: ${show(output)} ${show(ht)}`);
console.log(`output.shape: ${size(output)}, h_t.shape: ${size(ht)}`);

// nn.RNN(4, 6, batch_first=True) and a Linear(6, 1) without bias holding MyRNN's weights give the
// same final state and output, and backward() gives the same gradients.
const rnn = new RNN(inputSize, hiddenSize, { batchFirst: true });
const { rnn_cell: myCell } = modelMyrnn1;
rnn.loadStateDict({ weight_ih_l0: myCell.Wx, weight_hh_l0: myCell.Wh, bias_ih_l0: myCell.b, bias_hh_l0: zeros([hiddenSize]) });
const fc = new Linear(hiddenSize, outputSize, { bias: false });
fc.loadStateDict({ weight: modelMyrnn1.Wy });
const [, hN] = rnn.forward(x);
const rnnOutput = fc.forward(hN.select(0, 0)).sigmoid();
console.log(diffLine('MyRNN h_t - nn.RNN h_n[0]', ht, hN.select(0, 0)));
console.log(diffLine('MyRNN output - sigmoid(Linear(nn.RNN h_n[0]))', output, rnnOutput));

output.sum().backward();
rnnOutput.sum().backward();
console.log(diffLine('grad Wx - grad weight_ih_l0', myCell.Wx.grad!, rnn.parameters()[0].grad!));
console.log(diffLine('grad Wh - grad weight_hh_l0', myCell.Wh.grad!, rnn.parameters()[1].grad!));
console.log(diffLine('grad b - grad bias_ih_l0', myCell.b.grad!, rnn.parameters()[2].grad!));
console.log(diffLine('grad Wy - grad fc.weight', modelMyrnn1.Wy.grad!, fc.parameters()[0].grad!));
