// The tutorials as programs (examples/tutorials/NNN-*.ts): each one runs and prints what its notebook
// prints — shapes, parameter names and counts, Keras summary tables — and where a notebook compares
// two computations (a hand-written loop or module vs the library's RNN), the difference is small.
//
// The expected shapes, counts and lines below are the notebooks' published outputs
// (/work/shared/tutorials/NNN_*.txt, "nb NNN line L" below); where a notebook does not print
// something (a model's parameter count, the end of a cut-off print), the figure is PyTorch 1.13's,
// from running the notebook's code, and says so.
import { execFile } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('..', import.meta.url).pathname;
const run = (args: string[]): Promise<string> => new Promise((resolve, reject) => {
  execFile(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
    if (err) reject(new Error(`node ${args.join(' ')} failed: ${err.message}\n${stderr}`));
    else resolve(stdout);
  });
});

// The five programs start at once (separate processes); 004 goes through `npm run tutorial`'s runner.
const program = (file: string) => run(['--import', 'tsx', `examples/tutorials/${file}`]);
const outputs: Record<string, Promise<string>> = {
  '000': program('000-numpy-loop.ts'),
  '001': program('001-pytorch-rnn.ts'),
  '002': program('002-keras-simple-rnn.ts'),
  '003': program('003-rnn-classifiers.ts'),
  '004': run(['examples/tutorials/run.mjs', '004']),
};
for (const p of Object.values(outputs)) p.catch(() => {});   // a failure is reported by its test

/** Each expected line appears, whole, after the previous one. */
function inOrder(out: string, expected: string[], what: string): void {
  const lines = out.split('\n');
  let at = 0;
  for (const e of expected) {
    const i = lines.indexOf(e, at);
    assert.ok(i >= 0, `${what}: expected the line ${JSON.stringify(e)} after line ${at} of the output:\n${out}`);
    at = i + 1;
  }
}

/** The program's `max |label| = value` lines: each label present, each value at most `tol`. */
function differences(out: string, labels: string[], tol = 1e-6): void {
  const found = [...out.matchAll(/^max \|(.+)\| = (\S+)$/gm)].map((m) => [m[1], Number(m[2])] as const);
  assert.equal(found.map(([label]) => label).sort(), labels.slice().sort(), 'the comparisons printed');
  for (const [label, v] of found) assert.ok(v <= tol, `max |${label}| = ${v}, expected <= ${tol}`);
}

/** The numbers of the first `tensor(…)` printed after the line `label`. */
function tensorAfter(out: string, label: string): number[] {
  const from = out.indexOf(`\n${label}\n`);
  assert.ok(from >= 0, `no line ${label}`);
  const start = out.indexOf('tensor(', from), end = out.indexOf(')', start);
  return (out.slice(start + 7, end).match(/-?\d+\.\d*(e[-+]?\d+)?/g) ?? []).map(Number);
}

/** numpy's (t, 8) shape lines of the loop, t = 1 … 10 (nb 000 lines 57-66, nb 002 lines 127-136). */
const loopShapes = Array.from({ length: 10 }, (_, t) => `(${t + 1}, 8)`);

/** Rows × columns of the NumPy-style matrix printed after `afterLine`. */
function npMatrixShape(out: string, afterLine: string): [number, number] {
  const lines = out.split('\n');
  const i = lines.indexOf(afterLine);
  assert.ok(i >= 0 && lines[i + 1].startsWith('[['), `a matrix after ${afterLine}`);
  const rows: string[] = [];
  for (let k = i + 1; k < lines.length; k++) { rows.push(lines[k]); if (lines[k].endsWith(']]')) break; }
  const cols = rows.map((r) => r.replace(/[[\]]/g, '').trim().split(/\s+/).length);
  assert.ok(cols.every((c) => c === cols[0]), 'rows of one length');
  return [rows.length, cols[0]];
}

test('000: the NumPy loop (shapes (8, 4), (8, 8), (8,), (t, 8), (10, 8)) equals nn.RNN; nn.RNN/GRU shapes', async () => {
  const out = await outputs['000'];
  inOrder(out, [
    '[0. 0. 0. 0. 0. 0. 0. 0.]',                   // nb 000 line 18
    '(8, 4)', '(8, 8)', '(8,)',                    // nb 000 lines 37-39
    ...loopShapes,                                 // nb 000 lines 57-66
    'RNN(4, 8) on the same inputs: (10, 8)',       // the loop's (10, 8) states (nb 000 lines 67-86)
    // 2-1: nn.RNN(5, 8, batch_first=True) on (1, 4, 5): nb 000 lines 122, 132, 160
    'RNN(5, 8, batch_first=True)', 'outputs.shape: torch.Size([1, 4, 8])', 'hidden.shape: torch.Size([1, 1, 8])',
    // 2-2: num_layers=2: nb 000 lines 177, 188, 197
    'RNN(5, 8, num_layers=2, batch_first=True)', 'outputs.shape: torch.Size([1, 4, 8])', 'hidden.shape: torch.Size([2, 1, 8])',
    // 2-3: bidirectional: nb 000 lines 209, 222, 231
    'RNN(5, 8, batch_first=True, bidirectional=True)', 'outputs.shape: torch.Size([1, 4, 16])', 'hidden.shape: torch.Size([2, 1, 8])',
    // nb 000 lines 88-91: GRU's shapes are RNN's, (batch, seq, directions·hidden) and (layers·directions, batch, hidden)
    'RNN(5, 8, num_layers=2, batch_first=True, bidirectional=True): outputs.shape torch.Size([1, 4, 16]), hidden.shape torch.Size([4, 1, 8])',
    'GRU(5, 8, num_layers=2, batch_first=True, bidirectional=True): outputs.shape torch.Size([1, 4, 16]), hidden.shape torch.Size([4, 1, 8])',
  ], '000');
  assert.equal(npMatrixShape(out, '(10, 8)'), [10, 8], 'the stacked hidden states (nb 000 lines 67-86: 10 rows of 8)');
  differences(out, [
    'loop - RNN',                                  // the hand-written recurrence is nn.RNN's
    'hidden[0] - outputs[:, -1]',                  // nb 000 lines 151-168: the same numbers
    'hidden[-1] - outputs[:, -1]',
    'hidden[0] - outputs[:, -1, :8]',              // nb 000 lines 238-265: forward's last step …
    'hidden[1] - outputs[:, 0, 8:]',               // … and backward's (at t = 0)
  ]);
});

// nb 001 lines 179-195: nn.RNN(4, 2)'s outputs with the weights printed at lines 96-109
const NB001_OUTPUTS = [
  -0.7497, -0.6135, -0.5282, -0.2473, -0.9136, -0.4269, -0.9136, -0.4269, -0.9028, 0.1180,
  -0.5753, -0.0070, -0.9052, 0.2597, -0.9173, -0.1989, -0.9173, -0.1989, -0.8996, -0.2725,
  -0.9077, -0.3205, -0.8944, -0.2902, -0.5134, -0.0288, -0.5134, -0.0288, -0.9127, -0.2222,
];

test("001: nn.RNN(4, 2) with the notebook's weights prints its outputs; parameter names and shapes; num_layers=3; the LSTM exercise", async () => {
  const out = await outputs['001'];
  const rnnParams = (l: number, inl: number, rows: number) => [
    `(weight_ih_l${l}, torch.Size([${rows}, ${inl}]))`, `(weight_hh_l${l}, torch.Size([${rows}, 2]))`,
    `(bias_ih_l${l}, torch.Size([${rows}]))`, `(bias_hh_l${l}, torch.Size([${rows}]))`,
  ];
  inOrder(out, [
    'RNN(4, 2)',                                   // nb 001 line 87
    "nonlinearity: 'tanh', training: true",        // nb 001 lines 94-95
    ...rnnParams(0, 4, 2),                         // nb 001 lines 96-109: (2, 4), (2, 2), (2,), (2,)
    'RNN(4, 2, num_layers=3)',                     // nb 001 line 137
    // nb 001 lines 142-164 (the print is cut after weight_hh_l1; the rest is PyTorch's named_parameters())
    ...rnnParams(0, 4, 2), ...rnnParams(1, 2, 2), ...rnnParams(2, 2, 2),
    'outputs.size(): torch.Size([3, 5, 2])',       // nb 001 line 196
    'hidden_state.size(): torch.Size([1, 5, 2])',  // nb 001 line 208
    'outputs.size(): torch.Size([3, 5, 2])',       // nb 001 line 239
    'hidden_state.size(): torch.Size([3, 5, 2])',  // nb 001 line 263
    'LSTM(4, 2, num_layers=3)',                    // nb 001 line 286
    'outputs.size(): torch.Size([3, 5, 2])',       // nb 001 line 313
    'hidden_state.shape: torch.Size([3, 5, 2])',   // nb 001 line 337
    'cell_state.shape: torch.Size([3, 5, 2])',
    // PyTorch's nn.LSTM(4, 2, num_layers=3).named_parameters(): 4 gates × 2 rows
    ...rnnParams(0, 4, 8), ...rnnParams(1, 2, 8), ...rnnParams(2, 2, 8),
  ], '001');
  // The notebook printed its weights and outputs rounded to 4 decimals; PyTorch 1.13 itself, given
  // the printed weights, reproduces the printed outputs within 7.2e-5 (and one display step, 1e-4).
  const outs = tensorAfter(out, 'outputs:');
  assert.is(outs.length, 30, 'outputs (3, 5, 2)');
  outs.forEach((v, i) => assert.ok(Math.abs(v - NB001_OUTPUTS[i]) <= 1.5e-4, `outputs value ${i}: ${v} vs the notebook's ${NB001_OUTPUTS[i]}`));
  const hidden = tensorAfter(out, 'hidden_state:');
  assert.is(hidden.length, 10, 'hidden_state (1, 5, 2)');
  hidden.forEach((v, i) => assert.ok(Math.abs(v - NB001_OUTPUTS[20 + i]) <= 1.5e-4, `hidden_state value ${i}: ${v} vs the notebook's ${NB001_OUTPUTS[20 + i]}`));
  // nb 001: hidden_state (lines 203-207, 246-262, 320-336) ends with outputs' last step
  differences(out, ['RNN hidden_state[-1] - outputs[-1]', '3-layer RNN hidden_state[-1] - outputs[-1]', 'LSTM hidden_state[-1] - outputs[-1]']);
});

// nb 002: the summary() tables as the notebook shows them (its rendering lost Keras's '=' rules)
const HEADER = ' Layer (type)                Output Shape              Param #   ';
const BLANK = ' '.repeat(65);
const totals = (n: string) => [`Total params: ${n}`, `Trainable params: ${n}`, 'Non-trainable params: 0'];
const NB002_SUMMARIES = [
  // nb 002 lines 26-33
  ['Model: "sequential"', HEADER, ' simple_rnn (SimpleRNN)      (None, 3)                 42        ', BLANK, ...totals('42')],
  // nb 002 lines 42-49
  ['Model: "sequential_1"', HEADER, ' simple_rnn_1 (SimpleRNN)    (8, 3)                    42        ', BLANK, ...totals('42')],
  // nb 002 lines 58-65
  ['Model: "sequential_2"', HEADER, ' simple_rnn_2 (SimpleRNN)    (8, 2, 3)                 42        ', BLANK, ...totals('42')],
  // nb 002 lines 169-178
  ['Model: "sequential_3"', HEADER,
    ' simple_rnn_3 (SimpleRNN)    (None, 10, 8)             112       ', BLANK,
    ' simple_rnn_4 (SimpleRNN)    (None, 10, 8)             136       ', BLANK, ...totals('248')],
  // nb 002 lines 196-204
  ['Model: "sequential_4"', HEADER,
    ' bidirectional (Bidirectiona  (None, 10, 16)           224       ',
    ' l)                                                              ', BLANK, ...totals('224')],
  // nb 002 lines 216-233
  ['Model: "sequential_5"', HEADER,
    ' bidirectional_1 (Bidirectio  (None, 10, 16)           224       ', ' nal)                                                            ', BLANK,
    ' bidirectional_2 (Bidirectio  (None, 10, 16)           400       ', ' nal)                                                            ', BLANK,
    ' bidirectional_3 (Bidirectio  (None, 10, 16)           400       ', ' nal)                                                            ', BLANK,
    ' bidirectional_4 (Bidirectio  (None, 10, 16)           400       ', ' nal)                                                            ', BLANK,
    ...totals('1,424')],
];

test("002: the notebook's six summary() tables (42, 42, 42, 112 + 136, 224, 224 + 3 × 400) and the NumPy loop = SimpleRNN", async () => {
  const out = await outputs['002'];
  inOrder(out, [
    ...NB002_SUMMARIES[0], ...NB002_SUMMARIES[1], ...NB002_SUMMARIES[2],
    '(10, 4)',                                     // nb 002 line 86
    '[0. 0. 0. 0. 0. 0. 0. 0.]',                   // nb 002 line 94
    '(8, 4)', '(8, 8)', '(8,)',                    // nb 002 lines 107-109
    ...loopShapes,                                 // nb 002 lines 127-136
    'SimpleRNN(8, return_sequences=True) on the same inputs: (10, 8)',
    ...NB002_SUMMARIES[3], ...NB002_SUMMARIES[4], ...NB002_SUMMARIES[5],
  ], '002');
  assert.equal(npMatrixShape(out, '(10, 8)'), [10, 8], 'the stacked hidden states (nb 002 lines 137-156: 10 rows of 8)');
  differences(out, ['loop - SimpleRNN']);
});

test('003: nn.RNN shapes; three classifiers with PyTorch\'s reprs and parameter counts (192, 852, 1022), losses falling over 20 epochs', async () => {
  const out = await outputs['003'];
  const model = (name: string, rnn: string, fcIn: number, count: number) => [
    `${name}(`, `  (rnn): ${rnn}`, `  (fc): Linear(in_features=${fcIn}, out_features=2, bias=True)`, ')', `parameters: ${count}`,
  ];
  inOrder(out, [
    'inputs.shape: torch.Size([6, 3, 5])',         // nb 003 line 23: (sequence_length, batch_size, input_size)
    'Output shape: torch.Size([6, 3, 10])',        // nb 003 line 42: (seq_len, batch, hidden_size); it printed the values
    'Hidden shape: torch.Size([1, 3, 10])',        // nb 003 line 43: (num_layers, batch, hidden_size)
    'Output shape: torch.Size([3, 6, 10])',        // nb 003 line 77
    'Hidden shape: torch.Size([1, 3, 10])',        // nb 003 line 78
    'output[-1].shape: torch.Size([6, 10])',       // nb 003 lines 101-112: 6 rows of 10
    'output[:, -1, :].shape: torch.Size([3, 10])', // nb 003 lines 118-123: 3 rows of 10
    'hidden[0].shape: torch.Size([3, 10])',        // nb 003 lines 129-134: 3 rows of 10
    // PyTorch 1.13's repr and sum(p.numel() for p in model.parameters()) of the notebook's classes
    ...model('SimpleRNN', 'RNN(5, 10, batch_first=True)', 10, 192),
    'Output shape: torch.Size([6, 3, 10])',        // nb 003 line 210 (run on the (6, 3, 5) inputs)
    'Hidden shape: torch.Size([4, 6, 10])',        // nb 003 line 211
    'inputs.shape: torch.Size([6, 3, 5])',         // nb 003 line 214
    'outputs[:, -1, :].shape: torch.Size([6, 10])', // nb 003 lines 239-250: 6 rows of 10
    ...model('MultiLayerRNN', 'RNN(5, 10, num_layers=4, batch_first=True)', 10, 852),
    'Output shape: torch.Size([3, 6, 20])',        // nb 003 line 325
    'Hidden shape: torch.Size([8, 3, 10])',        // nb 003 line 326
    'out_combined.shape: torch.Size([3, 20])',     // nb 003 lines 331-340, both ways
    ...model('BiDirectionalRNN', 'RNN(5, 10, num_layers=2, batch_first=True, bidirectional=True)', 20, 1022),
  ], '003');
  // nb 003 prints the loss at epochs 5, 10, 15, 20 of each model (lines 194-197, 304-307, 380-383), falling every time
  const losses = [...out.matchAll(/^Epoch \[(\d+)\/20\], Loss: (\d+\.\d{4})$/gm)];
  assert.equal(losses.map((m) => Number(m[1])), [5, 10, 15, 20, 5, 10, 15, 20, 5, 10, 15, 20], 'epochs printed');
  for (let m = 0; m < 3; m++) {
    const l = losses.slice(4 * m, 4 * m + 4).map((x) => Number(x[2]));
    for (let i = 1; i < 4; i++) assert.ok(l[i] < l[i - 1], `model ${m}: loss ${l[i]} at epoch ${5 * i + 5} after ${l[i - 1]}`);
  }
  differences(out, [
    'output[:, -1, :] - hidden[0]',                // nb 003 lines 116-134: the same numbers
    'outputs[:, -1, :] - hidden[-1]',
    'cat(outputs[:, -1, :H], outputs[:, 0, H:]) - cat(hidden[-2], hidden[-1])',   // nb 003 lines 331-340
  ]);
});

test('004: an RNN step by hand; MyRNNcell and MyRNN from Parameter/matmul/tanh/sigmoid equal RNNCell and RNN, gradients too', async () => {
  const out = await outputs['004'];
  inOrder(out, [
    'x_t.dim(): 1', 'x_t.shape: torch.Size([4])',  // nb 004 lines 63, 67
    'h_t_minus_1: tensor([[0., 0., 0., 0., 0., 0.]])', 'h_t_minus_1.dim(): 2', 'h_t_minus_1.shape: torch.Size([1, 6])',   // nb 004 lines 86-94
    'Wx.shape: torch.Size([6, 4])',                // nb 004 line 126
    'Wh.shape: torch.Size([6, 6])',                // nb 004 line 158
    'b.shape: torch.Size([6])',                    // nb 004 line 186
    'h_t.shape: torch.Size([1, 6])',               // nb 004 line 201: one row of 6
    'y_t.shape: torch.Size([1, 2])',               // nb 004 line 217
    'MyRNNcell()',                                 // nb 004 line 251
    'new hidden state shape: torch.Size([1, 6])',  // nb 004 line 270: one row of 6
    'MyRNN(', '  (rnn_cell): MyRNNcell()', ')',    // PyTorch 1.13's repr of the notebook's MyRNN
    // PyTorch's named_parameters() of MyRNN(4, 6, 1): own parameters first, then the cell's
    '(Wy, torch.Size([1, 6]))', '(rnn_cell.Wx, torch.Size([6, 4]))', '(rnn_cell.Wh, torch.Size([6, 6]))', '(rnn_cell.b, torch.Size([6]))',
    'parameters: 72',
    'input shape: torch.Size([1, 5, 4])',          // nb 004 lines 320-330: the (5, 4) data after unsqueeze(0)
    'output.shape: torch.Size([1, 1]), h_t.shape: torch.Size([1, 6])',   // nb 004 lines 331-332
  ], '004');
  differences(out, [
    'MyRNNcell - nn.RNNCell',
    'MyRNN h_t - nn.RNN h_n[0]',
    'MyRNN output - sigmoid(Linear(nn.RNN h_n[0]))',
    'grad Wx - grad weight_ih_l0',
    'grad Wh - grad weight_hh_l0',
    'grad b - grad bias_ih_l0',
    'grad Wy - grad fc.weight',
  ]);
});

test('npm run tutorial lists the five programs; a prefix that names none or several is an error', async () => {
  const list = await run(['examples/tutorials/run.mjs']);
  for (const f of ['000-numpy-loop.ts', '001-pytorch-rnn.ts', '002-keras-simple-rnn.ts', '003-rnn-classifiers.ts', '004-rnn-cell.ts']) {
    assert.ok(list.split('\n').includes(f), f);
  }
  for (const bad of ['9', '00']) {
    const err = await run(['examples/tutorials/run.mjs', bad]).then(() => '', (e: Error) => e.message);
    assert.match(err, 'expected the start of one of', bad);
  }
});

test.run();
